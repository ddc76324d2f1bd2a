/**
 * The one fused CPU loop of sigmoid focal loss: loss and gradient of every element in one pass,
 * over any array-like memory (typed arrays of @focal-loss/typed-array, the tfjs cpu backend's
 * buffers, the tfjs wasm heap). Every CPU path calls this function; the per-element functions of
 * sigmoid-math.ts stay as the readable reference the tests compare it with.
 *
 * From logits it is sigmoidFocalFromLogit written out inline (same formulas, same order of
 * operations; docs/math.md "Computing it accurately") with exp / log1p from ./kernels.ts instead of
 * Math.exp / Math.log1p: those are calls TurboFan cannot inline, and they cost more than the rest
 * of the element together.
 */
import {
  createElementResult,
  powGamma,
  sigmoidFocalAtInfinity,
  sigmoidFocalFromProbability,
  sigmoidPolyFromParts,
} from './sigmoid-math.js';
import { expNeg, log1pUnit } from './kernels.js';

/** Writable numeric memory: a typed array, or anything indexable. */
export type NumericOut = { [index: number]: number };

export interface SigmoidLoopParams {
  readonly input: ArrayLike<number>;
  /** Float targets in [0, 1], or 0/1 integers (int32, bool as 0/1); already checked. */
  readonly target: ArrayLike<number>;
  /** Per-element weights, or null. Applied by IEEE arithmetic (loss * w, gradient * w). */
  readonly weight: ArrayLike<number> | null;
  /** Where the unreduced weighted losses go; null to return their sum instead. */
  readonly lossOut: NumericOut | null;
  /** Where scale * d loss / d input goes; null for no gradient. */
  readonly gradOut: NumericOut | null;
  /** The reduction's factor on the gradient (reductionScale). */
  readonly scale: number;
  readonly gamma: number;
  /** (alpha, 1 - alpha), or (1, 1) when alpha is null: binaryAlphaPair. */
  readonly alphaPos: number;
  readonly alphaNeg: number;
  /** Label smoothing s: t = target (1 - s) + s / 2. */
  readonly smoothing: number;
  readonly fromLogits: boolean;
  readonly eps: number;
  /** Poly-1's epsilon: adds eps (1 - p_t)^(gamma+1) per element (sigmoid-math.ts). Default 0: no term, no cost. */
  readonly polyEpsilon?: number;
  /**
   * posWeight (issue 14): the positive term's weight, one number for every element (default 1), or
   * per class: posWeights[c] for element i of class c = floor(i / classInner) % classes.
   */
  readonly posWeight?: number;
  readonly posWeights?: ArrayLike<number> | null;
  readonly classInner?: number;
  readonly classes?: number;
  /** Elements whose raw target equals this: loss 0, gradient 0, weight not read. Default null. */
  readonly ignoreIndex?: number | null;
  /** First element and one past the last; default the whole input (a worker's block). */
  readonly begin?: number;
  readonly end?: number;
}

// One result slot reused by every call, so the loop allocates nothing.
const element = createElementResult();

/**
 * Runs the loop. Returns the Neumaier-compensated float64 sum of the weighted losses when
 * `lossOut` is null (the caller multiplies it by `scale`), else 0.
 */
export function sigmoidFocalLoop(params: SigmoidLoopParams): number {
  const { input: x, target: y, weight: w, lossOut, gradOut, scale, gamma, alphaPos, alphaNeg, smoothing, fromLogits, eps } = params;
  const begin = params.begin ?? 0;
  const end = params.end ?? x.length;
  const polyEpsilon = params.polyEpsilon ?? 0;
  const posWeights = params.posWeights ?? null;
  const classInner = params.classInner ?? 1;
  const classes = params.classes ?? 1;
  const ignoreIndex = params.ignoreIndex ?? null;
  let posWeight = params.posWeight ?? 1;
  let sum = 0;
  let compensation = 0;
  for (let i = begin; i < end; i++) {
    if (ignoreIndex !== null && y[i] === ignoreIndex) {
      // ignored (issue 14): 0 whatever its logit and weight are, and not counted by the caller's mean
      if (lossOut !== null) lossOut[i] = 0;
      if (gradOut !== null) gradOut[i] = 0;
      continue;
    }
    if (posWeights !== null) posWeight = posWeights[Math.floor(i / classInner) % classes] as number;
    const xi = x[i] as number;
    const t = smoothing === 0 ? (y[i] as number) : (y[i] as number) * (1 - smoothing) + smoothing / 2;
    const t1 = 1 - t;
    let elementLoss: number;
    let elementGrad = 0;
    if (!fromLogits) {
      sigmoidFocalFromProbability(xi, t, gamma, alphaPos, alphaNeg, eps, element, polyEpsilon, posWeight);
      elementLoss = element.loss;
      elementGrad = element.grad;
    } else if (xi === Infinity || xi === -Infinity) {
      // the limits (contract 1.1); the finite formula would compute 0 * Infinity
      sigmoidFocalAtInfinity(xi, t, gamma, alphaPos, alphaNeg, element, polyEpsilon, posWeight);
      elementLoss = element.loss;
      elementGrad = element.grad;
    } else {
      // For |x| >= 708 and NaN, expNeg is Math.exp and log1pUnit(e) = e: those elements get
      // exactly the core's values.
      const e = expNeg(Math.abs(xi));
      const log1pE = log1pUnit(e);
      const inv = 1 / (1 + e);
      let p: number;
      let q: number;
      let softplusPos: number; // softplus(x)  = -log(1 - p)
      let softplusNeg: number; // softplus(-x) = -log(p)
      if (xi >= 0) {
        p = inv;
        q = e * inv;
        softplusPos = xi + log1pE;
        softplusNeg = log1pE;
      } else {
        // Also taken by NaN, which then flows through every result.
        p = e * inv;
        q = inv;
        softplusPos = log1pE;
        softplusNeg = log1pE - xi;
      }
      const tPos = posWeight * t;
      const ce = tPos * softplusNeg + t1 * softplusPos;
      const u = p * t1 + q * t;
      const uPow = powGamma(u, gamma);
      const alphaT = alphaPos * t + alphaNeg * t1;
      if (polyEpsilon !== 0) {
        // Poly-1: the regrouped form of sigmoid-math.ts (no cancellation when eps ~ -alpha_t)
        sigmoidPolyFromParts(p, q, softplusPos, softplusNeg, t, gamma, alphaT, posWeight, polyEpsilon, element);
        elementLoss = element.loss;
        elementGrad = element.grad;
      } else {
        const focal = alphaT * uPow;
        elementLoss = focal * ce;
        if (gradOut !== null) {
          const pqOverU = u > 0 ? (p * q) / u : 0;
          elementGrad = focal * (gamma * pqOverU * (1 - 2 * t) * ce + (p * t1 - q * tPos));
        }
      }
    }
    const wi = w === null ? 1 : (w[i] as number);
    const loss = wi * elementLoss;
    if (lossOut === null) {
      const next = sum + loss;
      if (Math.abs(sum) >= Math.abs(loss)) compensation += sum - next + loss;
      else compensation += loss - next + sum;
      sum = next;
    } else lossOut[i] = loss;
    if (gradOut !== null) gradOut[i] = scale * wi * elementGrad;
  }
  // An infinite or NaN term makes the compensation NaN; the plain sum is then the IEEE answer.
  return Number.isFinite(sum) ? sum + compensation : sum;
}
