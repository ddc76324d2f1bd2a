/**
 * The one fused CPU loop of softmax focal loss over every position (outer x inner) of a tensor
 * with a class axis: loss and gradient in one pass, over any array-like memory. typed-array and
 * the tfjs cpu/wasm kernels call it; softmax-math.ts stays as the readable reference.
 *
 * From logits, each row is softmax-math.ts's rowFromLogits (docs/math.md "Softmax focal loss",
 * same formulas and order of operations) with exp from ./kernels.ts instead of Math.exp, a call
 * TurboFan cannot inline, made once per element.
 */
import type { NumericOut } from './fused-sigmoid.js';
import { expNeg } from './kernels.js';
import { powGamma } from './sigmoid-math.js';
import { nanRow, oneHotPolyRow, softmaxFocalRow, targetAt, type RowLayout, type RowTarget } from './softmax-math.js';

export interface SoftmaxLoopParams {
  readonly input: ArrayLike<number>;
  /** int32 class indices (one per position) or per-class probabilities laid out like the input. */
  readonly target: ArrayLike<number>;
  readonly targetKind: 'index' | 'probability';
  /** Positions whose index equals it: loss 0, gradient 0, the weight not read. */
  readonly ignoreIndex: number | null;
  /** Per-position weights, or null. Applied by IEEE arithmetic. */
  readonly weight: ArrayLike<number> | null;
  /** Where the unreduced weighted per-position losses go; null to return their sum instead. */
  readonly lossOut: NumericOut | null;
  readonly gradOut: NumericOut | null;
  readonly scale: number;
  readonly outer: number;
  readonly classes: number;
  readonly inner: number;
  readonly gamma: number;
  /** a_c for every class (classWeights). */
  readonly classWeights: ArrayLike<number>;
  readonly smoothing: number;
  readonly fromLogits: boolean;
  readonly eps: number;
  /** Poly-1's epsilon: adds eps (1 - p_t)^(gamma+1) per position (softmax-math.ts). Default 0: no term. */
  readonly polyEpsilon?: number;
  /** With fromLogits false: divide each row by its sum before the clip (Keras; softmax-math.ts). Default false. */
  readonly normalizeProbabilities?: boolean;
}

// Per-row scratch (2 C numbers), grown on demand and reused across calls: a call with
// caller-supplied outputs allocates no buffer.
let scratch = new Float64Array(64);
function scratchFor(classes: number): Float64Array {
  if (scratch.length < 2 * classes) scratch = new Float64Array(2 * classes);
  return scratch;
}

/** Runs the loop; returns the compensated float64 sum of the losses when `lossOut` is null, else 0. */
export function softmaxFocalLoop(params: SoftmaxLoopParams): number {
  const { input, target, targetKind, ignoreIndex, weight: w, lossOut, gradOut, scale, outer, classes, inner } = params;
  const isIndex = targetKind === 'index';
  const row: RowLayout = { offset: 0, stride: inner, classes };
  const rowTarget: RowTarget = { probabilities: isIndex ? null : target, index: -1, smoothing: params.smoothing };
  const rowParams = {
    gamma: params.gamma,
    classWeights: params.classWeights,
    fromLogits: params.fromLogits,
    eps: params.eps,
    polyEpsilon: params.polyEpsilon ?? 0,
    normalizeProbabilities: params.normalizeProbabilities ?? false,
  };
  const work = scratchFor(classes);
  let sum = 0;
  let compensation = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const position = o * inner + i;
      row.offset = o * classes * inner + i;
      let loss = 0;
      const index = isIndex ? (target[position] as number) : -1;
      if (isIndex && index === ignoreIndex) {
        if (gradOut !== null) for (let c = 0; c < classes; c++) gradOut[row.offset + c * inner] = 0;
      } else {
        rowTarget.index = index;
        const wi = w === null ? 1 : (w[position] as number);
        const gradScale = scale * wi;
        loss =
          wi *
          (rowParams.fromLogits
            ? rowFromLogits(input, row, rowTarget, rowParams, gradOut, gradScale, work)
            : softmaxFocalRow(input, row, rowTarget, rowParams, gradOut, gradScale, work));
      }
      if (lossOut === null) {
        const next = sum + loss;
        if (Math.abs(sum) >= Math.abs(loss)) compensation += sum - next + loss;
        else compensation += loss - next + sum;
        sum = next;
      } else lossOut[position] = loss;
    }
  }
  return Number.isFinite(sum) ? sum + compensation : sum;
}

/** One position from logits: softmax-math.ts's rowFromLogits with the inlinable exp kernel. */
function rowFromLogits(
  input: ArrayLike<number>,
  layout: RowLayout,
  target: RowTarget,
  params: { gamma: number; classWeights: ArrayLike<number>; polyEpsilon: number },
  grad: NumericOut | null,
  gradScale: number,
  scratch: Float64Array,
): number {
  const { offset, stride, classes } = layout;
  const { gamma, classWeights, polyEpsilon } = params;
  if (classes === 0) return 0;
  // Largest logit and its first index. A row with max +Infinity, or all -Infinity, has no limit,
  // and a row with a NaN logit has none either: the loss and every gradient entry are NaN.
  let top = 0;
  let max = input[offset] as number;
  for (let c = 1; c < classes; c++) {
    const v = input[offset + c * stride] as number;
    if (v > max) {
      max = v;
      top = c;
    }
  }
  if (!(max > -Infinity && max < Infinity)) return nanRow(layout, grad);
  let others = 0; // sum of exp(x_c - max) over c != top; exp(x_top - max) is exactly 1
  for (let c = 0; c < classes; c++) {
    // max - x = -(x - max) exactly, and it is >= 0 (or NaN, or +Infinity for a -Infinity logit)
    const e = expNeg(max - (input[offset + c * stride] as number));
    scratch[c] = e;
    if (c !== top) others += e;
  }
  // A NaN logit off the maximum reaches every p of the row through the normaliser: the row is NaN
  // (also where t_c = 0, whose products the loop below skips to keep -Infinity masking finite).
  if (Number.isNaN(others)) return nanRow(layout, grad);
  const logSum = Math.log1p(others);
  const invSum = 1 / (1 + others);
  let loss = 0;
  let gTotal = 0;
  let sumT = 0; // Poly-1's sums: t_c, t_c q_c, t_c p_c
  let sumTQ = 0;
  let pT = 0;
  let targets = 0; // classes with t_c != 0, and the last of them
  let hot = 0;
  for (let c = 0; c < classes; c++) {
    const t = targetAt(target, layout, c);
    const p = (scratch[c] as number) * invSum;
    const q = c === top ? others * invSum : 1 - p; // p <= 1/2 off the top: subtraction is exact enough
    const s = logSum - ((input[offset + c * stride] as number) - max); // -log p_c >= 0
    const weight = (classWeights[c] as number) * t;
    const qPow = powGamma(q, gamma);
    loss += weight === 0 ? 0 : weight * qPow * s;
    const sOverQ = q > 0 ? s / q : 1; // -log(p) / (1 - p) -> 1 as p -> 1
    // p s -> 0 as p -> 0: a -Infinity logit (p = 0, s = Infinity) has the finite limit weight q^g
    const gC = weight === 0 ? 0 : weight * qPow * (p > 0 ? 1 + gamma * p * sOverQ : 1);
    scratch[c] = p;
    scratch[classes + c] = gC;
    gTotal += gC;
    if (polyEpsilon !== 0) {
      sumT += t;
      sumTQ += t * q;
      pT += t * p;
      if (t !== 0) {
        targets += 1;
        hot = c;
      }
    }
  }
  // Poly-1 with a one-hot target (index targets without smoothing): the regrouped form, which
  // does not cancel when eps ~ -a_k (oneHotPolyRow). A masked target class (p_k = 0) keeps the
  // general form below (its loss is +Infinity either way).
  if (polyEpsilon !== 0 && targets === 1 && targetAt(target, layout, hot) === 1 && (scratch[hot] as number) > 0) {
    const qHot = hot === top ? others * invSum : 1 - (scratch[hot] as number);
    const sHot = logSum - ((input[offset + hot * stride] as number) - max);
    return oneHotPolyRow(scratch, hot, qHot, sHot, classWeights[hot] as number, gamma, polyEpsilon, layout, grad, gradScale);
  }
  // Poly-1: u = 1 - p_t = sum_c t_c q_c + (1 - sum_c t_c), a sum without cancellation (q_k itself
  // for a one-hot target); its gradient -eps (g+1) u^g p_j (t_j - p_t), with
  // t_j - p_t = t_j q_j - (p_t - t_j p_j) exact for one-hot targets (q_k, or -p_k).
  let polyCoef = 0;
  if (polyEpsilon !== 0) {
    const u = sumTQ + (1 - sumT);
    const uPow = powGamma(u, gamma);
    loss += polyEpsilon * u * uPow;
    polyCoef = polyEpsilon * (gamma + 1) * uPow;
  }
  if (grad !== null) {
    for (let c = 0; c < classes; c++) {
      const p = scratch[c] as number;
      const gC = scratch[classes + c] as number;
      const q = c === top ? others * invSum : 1 - p;
      let d = p * (gTotal - gC) - q * gC;
      if (polyEpsilon !== 0) {
        const t = targetAt(target, layout, c);
        d -= polyCoef * p * (t * q - (pT - t * p));
      }
      grad[offset + c * stride] = gradScale * d;
    }
  }
  return loss;
}
