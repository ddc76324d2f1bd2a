/**
 * Per-position math of softmax focal loss (see docs/math.md).
 *
 * With p = softmax(x), q_c = 1 - p_c and s_c = -log p_c, one position's loss is
 *   L = sum_c a_c t_c q_c^gamma s_c
 * and, with G_c = a_c t_c q_c^gamma (1 + gamma p_c s_c / q_c) and G = sum_c G_c,
 *   dL/dx_j = p_j (G - G_j) - q_j G_j.
 * The largest logit's q is computed as (sum of the other exponentials) / (1 + that sum), never as
 * 1 - p, so confident rows keep their relative precision; s_c / q_c tends to 1 where both vanish.
 *
 * Poly-1 (`polyEpsilon`, eps) adds eps u^(gamma+1) per position, u = 1 - p_t, p_t = sum_c t_c p_c,
 * not multiplied by the class weights; dL/dx_j gains -eps (gamma+1) u^gamma p_j (t_j - p_t).
 * Computed only when eps != 0, so eps = 0 gives the focal loss bit for bit.
 *
 * normalizeProbabilities (issue 14, Keras' CategoricalFocalCrossentropy), from probabilities only:
 * each row is divided by its sum S before the clip, r_c = x_c / S. With g_c = dL/dr_c (0 where r_c
 * is clipped), dr_c/dx_j = (delta_cj - r_c) / S gives dL/dx_j = (g_j - sum_c g_c r_c) / S.
 */
import { logOneMinusExcess, powGamma } from './sigmoid-math.js';

/** Where a position's inputs live in a flat buffer: `offset + c * stride` for class c. */
export interface RowLayout {
  offset: number;
  stride: number;
  classes: number;
}

/** A position's target: a class index (with label smoothing), or per-class probabilities. */
export interface RowTarget {
  /** Per-class target probabilities laid out like the input, or null for an index target. */
  probabilities: ArrayLike<number> | null;
  /** The class index when `probabilities` is null. */
  index: number;
  /** Label smoothing s: t_c = t_c (1 - s) + s / C. */
  smoothing: number;
}

export interface RowParams {
  gamma: number;
  /** Per-class weights a_c, length C. */
  classWeights: ArrayLike<number>;
  fromLogits: boolean;
  eps: number;
  /** Poly-1's epsilon; 0 or absent: no term. */
  polyEpsilon?: number;
  /** With fromLogits false: divide each row by its sum first (Keras). Default false. */
  normalizeProbabilities?: boolean;
}

export function targetAt(target: RowTarget, layout: RowLayout, c: number): number {
  const raw =
    target.probabilities === null
      ? c === target.index
        ? 1
        : 0
      : (target.probabilities[layout.offset + c * layout.stride] as number);
  return target.smoothing === 0 ? raw : raw * (1 - target.smoothing) + target.smoothing / layout.classes;
}

/**
 * The loss of one position; when `grad` is given, also writes `gradScale * dL/dx` at the input's
 * positions of `grad`. `scratch` must hold at least 2 C numbers (it avoids allocation per row).
 */
export function softmaxFocalRow(
  input: ArrayLike<number>,
  layout: RowLayout,
  target: RowTarget,
  params: RowParams,
  grad: { [index: number]: number } | null,
  gradScale: number,
  scratch: Float64Array,
): number {
  return params.fromLogits
    ? rowFromLogits(input, layout, target, params, grad, gradScale, scratch)
    : rowFromProbabilities(input, layout, target, params, grad, gradScale, scratch);
}

function rowFromLogits(
  input: ArrayLike<number>,
  layout: RowLayout,
  target: RowTarget,
  params: RowParams,
  grad: { [index: number]: number } | null,
  gradScale: number,
  scratch: Float64Array,
): number {
  const { offset, stride, classes } = layout;
  const { gamma, classWeights } = params;
  const polyEpsilon = params.polyEpsilon ?? 0;
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
    const e = Math.exp((input[offset + c * stride] as number) - max);
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

/**
 * One position with a one-hot target (class k, class weight a = a_k) and the Poly-1 term, regrouped
 * like sigmoidPolyFromParts so that eps ~ -a does not cancel. With q = q_k, p = p_k, s = -log p,
 * f = s - q = logOneMinusExcess(q, s) >= 0 (~ q^2 / 2 for a confident row):
 *   loss   = q^g (a f + (a + eps) q)
 *   dL/dx_k = -q^g (a q^2 + a g p f + (g + 1)(a + eps) p q)
 *   dL/dx_j = p_j q^g (a q + a g p (f / q) + (g + 1)(a + eps) p)      (j != k; f / q -> 0 as q -> 0)
 * (the focal gradient -(delta_kj - p_j) G_k plus the term's -eps (g+1) q^g p_j (delta_kj - p), with
 * s = f + q substituted). `probabilities` holds p_c at index c.
 */
export function oneHotPolyRow(
  probabilities: ArrayLike<number>,
  k: number,
  q: number,
  s: number,
  a: number,
  gamma: number,
  polyEpsilon: number,
  layout: RowLayout,
  grad: { [index: number]: number } | null,
  gradScale: number,
): number {
  const p = probabilities[k] as number;
  const f = logOneMinusExcess(q, s);
  const qPow = powGamma(q, gamma);
  const both = a + polyEpsilon;
  const loss = qPow * (a * f + both * q);
  if (grad !== null) {
    const { offset, stride, classes } = layout;
    const fOverQ = q > 0 ? f / q : 0;
    const others = qPow * (a * q + a * gamma * p * fOverQ + (gamma + 1) * both * p);
    for (let c = 0; c < classes; c++) {
      grad[offset + c * stride] =
        gradScale * (c === k ? -qPow * (a * q * q + a * gamma * p * f + (gamma + 1) * both * p * q) : (probabilities[c] as number) * others);
    }
  }
  return loss;
}

/**
 * A row whose largest logit is +Infinity (or NaN), or whose logits are all -Infinity: softmax has
 * no limit there, so the loss and every gradient entry of the row are NaN (contract 1.1).
 */
export function nanRow(layout: RowLayout, grad: { [index: number]: number } | null): number {
  if (grad !== null) for (let c = 0; c < layout.classes; c++) grad[layout.offset + c * layout.stride] = NaN;
  return NaN;
}

function rowFromProbabilities(
  input: ArrayLike<number>,
  layout: RowLayout,
  target: RowTarget,
  params: RowParams,
  grad: { [index: number]: number } | null,
  gradScale: number,
  scratch: Float64Array,
): number {
  const { offset, stride, classes } = layout;
  const { gamma, classWeights, eps } = params;
  const polyEpsilon = params.polyEpsilon ?? 0;
  const hi = 1 - eps;
  // With normalisation the gradient with respect to r_c gathers in scratch[c] (float64 whatever the
  // output's type), and is carried through the division at the end.
  const normalize = params.normalizeProbabilities === true;
  const rowSum = normalize ? sumOfRow(input, layout) : 1;
  const sink = grad === null ? null : normalize ? scratch : grad;
  let loss = 0;
  let sumT = 0; // Poly-1's sums: t_c and t_c q_c
  let sumTQ = 0;
  for (let c = 0; c < classes; c++) {
    const at = offset + c * stride;
    const pIn = normalize ? (input[at] as number) / rowSum : (input[at] as number);
    const clipped = pIn < eps || pIn > hi;
    const p = pIn < eps ? eps : pIn > hi ? hi : pIn;
    const q = 1 - p;
    const s = -Math.log(p);
    const t = targetAt(target, layout, c);
    const weight = (classWeights[c] as number) * t;
    const qPow = powGamma(q, gamma);
    loss += weight === 0 ? 0 : weight * qPow * s;
    if (sink !== null) {
      // d/dp [q^g s] = -q^g (g s / q + 1 / p); q >= eps > 0 after the clip. The position's weight
      // (in gradScale) multiplies even a zero gradient: IEEE, as in every other path (NaN * 0 = NaN).
      sink[normalize ? c : at] = gradScale * (clipped || weight === 0 ? 0 : -weight * qPow * ((gamma * s) / q + 1 / p));
    }
    if (polyEpsilon !== 0) {
      sumT += t;
      sumTQ += t * q;
    }
  }
  // Poly-1 with the probabilities as independent inputs (not renormalised): u = 1 - sum_c t_c p_c
  // and d/dp_j [eps u^(g+1)] = -eps (g+1) u^g t_j, 0 where p_j was clipped. No classes: no term.
  if (polyEpsilon !== 0 && classes > 0) {
    const u = sumTQ + (1 - sumT);
    const uPow = powGamma(u, gamma);
    loss += polyEpsilon * u * uPow;
    if (sink !== null) {
      const polyCoef = polyEpsilon * (gamma + 1) * uPow;
      for (let c = 0; c < classes; c++) {
        const at = offset + c * stride;
        const slot = normalize ? c : at;
        const pIn = normalize ? (input[at] as number) / rowSum : (input[at] as number);
        if (!(pIn < eps || pIn > hi)) sink[slot] = (sink[slot] as number) + gradScale * (-polyCoef * targetAt(target, layout, c));
      }
    }
  }
  if (normalize && grad !== null) {
    let inner = 0; // sum_c g_c r_c
    for (let c = 0; c < classes; c++) inner += (scratch[c] as number) * ((input[offset + c * stride] as number) / rowSum);
    for (let c = 0; c < classes; c++) grad[offset + c * stride] = ((scratch[c] as number) - inner) / rowSum;
  }
  return loss;
}

/** The sum of a row's inputs (what normalizeProbabilities divides by); NaN and infinities propagate. */
function sumOfRow(input: ArrayLike<number>, layout: RowLayout): number {
  let sum = 0;
  for (let c = 0; c < layout.classes; c++) sum += input[layout.offset + c * layout.stride] as number;
  return sum;
}
