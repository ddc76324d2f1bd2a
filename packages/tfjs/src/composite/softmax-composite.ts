/**
 * Softmax focal loss as a composition of tf ops, with the exact analytic gradient of
 * @focal-loss/core (softmax-math.ts) attached through tf.customGrad. The class axis may be any axis
 * (NCHW: axis 1); everything reduces along it with keepDims, so nothing is transposed. Runs on
 * every backend; the fused kernels (../kernels) replace it where they are registered.
 */
import type { ResolvedSoftmaxOptions, SoftmaxLayout } from '@focal-loss/core';
import { reductionScale } from '@focal-loss/core';
import * as tf from '@tensorflow/tfjs-core';
import { accurateSum } from '../accurate-sum.js';
import { customGradOverInput } from '../custom-grad.js';
import { clipProbability, log1p, logOneMinusExcess, mulMaybe, powGamma } from '../float32-math.js';

/** What the composite needs of a checked call. */
export interface SoftmaxCompositeCall {
  readonly input: tf.Tensor;
  /** int32 class indices (the input's shape without the class axis) or float32 probabilities. */
  readonly target: tf.Tensor;
  readonly weight: tf.Tensor | null;
  readonly options: ResolvedSoftmaxOptions;
  readonly layout: SoftmaxLayout;
  readonly targetKind: 'index' | 'probability';
  readonly ignoreIndex: number | null;
  /** Positions counted by the mean when known on the host; null: count them on the device. */
  readonly counted: number | null;
}

/** Per-position loss (class axis summed away) and per-element d loss / d input. */
interface RowTerms {
  readonly loss: tf.Tensor;
  readonly grad: tf.Tensor;
}

/** Multiplies where the factor is non-zero and writes 0 elsewhere, so 0 * inf never makes a NaN. */
function weighted(weight: tf.Tensor, nonZero: tf.Tensor, value: tf.Tensor): tf.Tensor {
  return tf.where(nonZero, tf.mul(weight, value), tf.scalar(0));
}

/**
 * Poly-1 (Leng et al. 2022; core softmax-math.ts): per position u = 1 - p_t = sum_c t_c q_c +
 * (1 - sum_c t_c), a sum without cancellation (q_k itself for a one-hot target), and eps u^(g+1)
 * added to the position's loss, not times the class weights. Returns u^g too (for the gradient).
 */
function polyU(t: tf.Tensor, q: tf.Tensor, axis: number, gamma: number): { u: tf.Tensor; uPow: tf.Tensor } {
  const uRow = tf.add(tf.sum(tf.mul(t, q), axis), tf.sub(tf.scalar(1), tf.sum(t, axis)));
  const u = tf.expandDims(uRow, axis);
  return { u, uPow: powGamma(u, gamma) ?? tf.onesLike(u) };
}

/**
 * Poly-1 rows with a one-hot target (one class k with t_k = 1, the others 0) and p_k > 0, regrouped
 * as core's oneHotPolyRow (docs/math.md, Poly-1 "Accuracy") so that eps ~ -a_k does not cancel:
 * with q = q_k, p = p_k, s = -log p, f = s - q (logOneMinusExcess),
 *   loss    = q^g (a f + (a + eps) q)
 *   dL/dx_k = -q^g (a q^2 + a g p f + (g + 1)(a + eps) p q)
 *   dL/dx_j = p_j q^g (a q + a g p (f / q) + (g + 1)(a + eps) p)        (j != k)
 * Returns where to use it (keepDims) and its values; other rows keep the general form.
 */
function oneHotPolyRows(
  t: tf.Tensor,
  wgt: tf.Tensor,
  p: tf.Tensor,
  q: tf.Tensor,
  s: tf.Tensor,
  axis: number,
  gamma: number,
  polyEpsilon: number,
): { use: tf.Tensor; loss: tf.Tensor; grad: tf.Tensor } {
  const hot = tf.notEqual(t, tf.scalar(0));
  // the hot class's values (a Select, never 0 * inf: s is +Infinity at a masked class)
  const pick = (v: tf.Tensor) => tf.sum(tf.where(hot, v, tf.scalar(0)), axis, true);
  const hotCount = pick(tf.onesLike(t));
  const use = tf.logicalAnd(
    tf.logicalAnd(tf.equal(hotCount, tf.scalar(1)), tf.equal(pick(t), tf.scalar(1))),
    tf.greater(pick(p), tf.scalar(0)),
  );
  const pK = pick(p);
  const qK = pick(q);
  const a = pick(wgt); // a_k t_k with t_k = 1
  const f = logOneMinusExcess(qK, pick(s));
  const qPow = powGamma(qK, gamma) ?? tf.onesLike(qK);
  const both = tf.add(a, tf.scalar(polyEpsilon));
  const loss = tf.mul(qPow, tf.add(tf.mul(a, f), tf.mul(both, qK)));
  const fOverQ = tf.where(tf.greater(qK, tf.scalar(0)), tf.div(f, qK), tf.scalar(0));
  const bothP = tf.mul(tf.mul(both, tf.scalar(gamma + 1)), pK);
  const agp = tf.mul(tf.mul(a, tf.scalar(gamma)), pK);
  const gradK = tf.neg(tf.mul(qPow, tf.add(tf.add(tf.mul(a, tf.square(qK)), tf.mul(agp, f)), tf.mul(bothP, qK))));
  const others = tf.mul(qPow, tf.add(tf.add(tf.mul(a, qK), tf.mul(agp, fOverQ)), bothP));
  return { use, loss, grad: tf.where(hot, tf.broadcastTo(gradK, p.shape), tf.mul(p, others)) };
}

/**
 * From logits, as the core's rowFromLogits. With m the row maximum and e_c = exp(x_c - m), the top
 * class (first argmax) has e = 1 exactly and 1 - p_top = others / (1 + others), with others the sum
 * of the remaining e_c: no subtraction near p = 1. Other classes have p_c <= 1/2, where 1 - p_c by
 * subtraction is accurate. -log p_c = log1p(others) - (x_c - m).
 *
 * Infinite logits (contract 1.1): a -Infinity class has p = 0, adds 0 where t_c = 0 and +Infinity
 * where t_c > 0, with the finite gradient limit (p s / q -> 0, since p log p -> 0). A row whose
 * maximum is not finite (+Infinity, all -Infinity, NaN) is NaN in its loss and every gradient entry.
 */
function fromLogits(
  x: tf.Tensor,
  axis: number,
  classIds: tf.Tensor,
  wgt: tf.Tensor,
  wgtNonZero: tf.Tensor,
  gamma: number,
  t: tf.Tensor,
  polyEpsilon: number,
): RowTerms {
  const m = tf.max(x, axis, true);
  const d = tf.sub(x, m);
  const e = tf.exp(d);
  const top = tf.equal(classIds, tf.expandDims(tf.argMax(x, axis), axis));
  let others = tf.sum(tf.where(top, tf.scalar(0), e), axis, true);
  // A row without a finite maximum is NaN throughout. isFinite(NaN) is false, so a NaN maximum is
  // caught too (cpu's and wasm's Max propagate NaN; tested), even if argMax picked the NaN itself.
  const badRow = tf.logicalNot(tf.isFinite(m));
  others = tf.where(badRow, tf.scalar(Number.NaN), others);
  const logSum = log1p(others);
  const inv = tf.reciprocal(tf.add(others, tf.scalar(1)));
  const p = tf.mul(e, inv);
  const q = tf.where(top, tf.mul(others, inv), tf.sub(tf.scalar(1), p));
  const s = tf.sub(logSum, d); // -log p >= 0; +Infinity for a -Infinity logit
  const qPow = powGamma(q, gamma);
  const lossC = weighted(wgt, wgtNonZero, mulMaybe(s, qPow));
  // s / q -> 1 as p -> 1 (both vanish): the limit, where q underflowed to 0; and p s / q -> 0 as
  // p -> 0 (a -Infinity logit, s = +Infinity).
  const sOverQ = tf.where(tf.greater(q, tf.scalar(0)), tf.div(s, q), tf.scalar(1));
  const pSOverQ = tf.where(tf.equal(p, tf.scalar(0)), tf.scalar(0), tf.mul(p, sOverQ));
  const focusTerm = gamma === 0 ? tf.onesLike(p) : tf.add(tf.scalar(1), tf.mul(pSOverQ, tf.scalar(gamma)));
  const gC = weighted(wgt, wgtNonZero, mulMaybe(focusTerm, qPow));
  const gTotal = tf.sum(gC, axis, true);
  let grad = tf.sub(tf.mul(p, tf.sub(gTotal, gC)), tf.mul(q, gC));
  let rowLoss = tf.sum(lossC, axis);
  let oneHot: { use: tf.Tensor; loss: tf.Tensor; grad: tf.Tensor } | null = null;
  if (polyEpsilon !== 0) oneHot = oneHotPolyRows(t, wgt, p, q, s, axis, gamma, polyEpsilon);
  if (polyEpsilon !== 0) {
    // loss + eps u^(g+1); dL/dx_j - eps (g+1) u^g p_j (t_j - p_t), t_j - p_t = t_j q_j - (p_t - t_j p_j)
    const { u, uPow } = polyU(t, q, axis, gamma);
    const tp = tf.mul(t, p);
    const pT = tf.sum(tp, axis, true);
    rowLoss = tf.add(rowLoss, tf.squeeze(tf.mul(tf.mul(u, uPow), tf.scalar(polyEpsilon)), [axis]));
    const tMinusPT = tf.sub(tf.mul(t, q), tf.sub(pT, tp));
    grad = tf.sub(grad, tf.mul(tf.mul(tf.mul(uPow, tf.scalar(polyEpsilon * (gamma + 1))), p), tMinusPT));
  }
  if (oneHot !== null) {
    rowLoss = tf.where(tf.squeeze(oneHot.use, [axis]), tf.squeeze(oneHot.loss, [axis]), rowLoss);
    grad = tf.where(oneHot.use, oneHot.grad, grad);
  }
  return {
    loss: tf.where(tf.squeeze(badRow, [axis]), tf.scalar(Number.NaN), rowLoss),
    grad: tf.where(badRow, tf.scalar(Number.NaN), grad),
  };
}

/** From probabilities clipped to [eps, 1 - eps], class by class, as the core's rowFromProbabilities. */
function fromProbabilities(
  x: tf.Tensor,
  axis: number,
  wgt: tf.Tensor,
  wgtNonZero: tf.Tensor,
  gamma: number,
  eps: number,
  t: tf.Tensor,
  polyEpsilon: number,
  normalize: boolean,
): RowTerms {
  // normalizeProbabilities (issue 14, Keras; core math.md): r = x / S with S the row's sum, before
  // the clip; the gradient g with respect to r is carried through the division at the end.
  const rowSum = normalize ? tf.sum(x, axis, true) : null;
  const r = rowSum === null ? x : tf.div(x, rowSum);
  const { p, q, logP, clipped } = clipProbability(r, eps);
  const s = tf.neg(logP);
  const qPow = powGamma(q, gamma);
  const lossC = weighted(wgt, wgtNonZero, mulMaybe(s, qPow));
  // d/dp [q^g s] = -q^g (g s / q + 1 / p); q >= eps > 0 after the clip.
  const inner = tf.add(tf.div(tf.mul(s, tf.scalar(gamma)), q), tf.reciprocal(p));
  let gradC = tf.neg(weighted(wgt, wgtNonZero, mulMaybe(inner, qPow)));
  let loss = tf.sum(lossC, axis);
  if (polyEpsilon !== 0) {
    // probabilities as independent inputs: u = 1 - sum_c t_c p_c, d/dp_j = -eps (g+1) u^g t_j
    const { u, uPow } = polyU(t, q, axis, gamma);
    loss = tf.add(loss, tf.squeeze(tf.mul(tf.mul(u, uPow), tf.scalar(polyEpsilon)), [axis]));
    gradC = tf.sub(gradC, tf.mul(tf.mul(uPow, tf.scalar(polyEpsilon * (gamma + 1))), t));
  }
  const g = tf.where(clipped, tf.scalar(0), gradC);
  if (rowSum === null) return { loss, grad: g };
  // dL/dx_j = (g_j - sum_c g_c r_c) / S
  return { loss, grad: tf.div(tf.sub(g, tf.sum(tf.mul(g, r), axis, true)), rowSum) };
}

/** Shape with every dimension 1 except the class axis: class-wise constants broadcast along it. */
function classShape(layout: SoftmaxLayout, rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => (i === layout.axis ? layout.classes : 1));
}

/** The mean's factor when the count of non-ignored positions is only known on the device. */
export function deviceScale(reduction: string, normalizer: number | null, keep: tf.Tensor): tf.Tensor {
  if (reduction !== 'mean') return tf.scalar(1);
  if (normalizer !== null) return tf.scalar(1 / normalizer);
  // Counted with the blocked sum: a float32 running count stops at 2^24.
  const count = accurateSum(tf.cast(keep, 'float32'));
  // A mean over zero counted positions is 0 (gradient 0 too): 0 / max(count, 1).
  return tf.div(tf.cast(tf.greater(count, tf.scalar(0)), 'float32'), tf.maximum(count, tf.scalar(1)));
}

/** The loss (a scalar for "mean" / "sum", the loss shape for "none"), differentiable in the input. */
export function softmaxComposite(call: SoftmaxCompositeCall): tf.Tensor {
  const { input, target, weight, options: opts, layout: given, targetKind: kind, ignoreIndex, counted } = call;
  const { classes } = given;
  const reduce = opts.reduction !== 'none';
  const { gamma, eps, labelSmoothing: smoothing, polyEpsilon } = opts;
  // A rank-1 input (one row) runs as [1, C]: tfjs-backend-webgpu returned a [1, C] gradient for
  // the rank-1 formulation (conformance layout/softmax-1d-*), and the lifted form is the same math.
  const lift = input.rank === 1;
  const layout: SoftmaxLayout = lift ? { ...given, axis: 1, outer: 1, inner: 1 } : given;
  const { axis } = layout;
  const rank = lift ? 2 : input.rank;
  return tf.tidy(() => {
    const target2 = lift ? tf.reshape(target, kind === 'index' ? [1] : [1, classes]) : target;
    const weight2 = lift && weight !== null ? tf.reshape(weight, [1]) : weight;
    const ids = tf.reshape(tf.range(0, classes, 1, 'int32'), classShape(layout, rank));
    // Target distribution t_c with label smoothing, in the input's layout.
    // (a Select, not a Cast of the bool: tfjs-backend-webgpu's class-axis Sum of that cast read the
    // bool's bits as floats in Chromium 156 / SwiftShader, measured with Poly-1's sum of t over axis 1)
    let t: tf.Tensor =
      kind === 'index' ? tf.where(tf.equal(tf.expandDims(target2, axis), ids), tf.scalar(1), tf.scalar(0)) : target2;
    if (smoothing !== 0) t = tf.add(tf.mul(t, tf.scalar(1 - smoothing)), tf.scalar(smoothing / classes));
    const alpha = opts.alpha;
    const wgt =
      alpha === null
        ? t
        : typeof alpha === 'number'
          ? tf.mul(t, tf.scalar(alpha))
          : tf.mul(t, tf.reshape(tf.tensor1d(alpha as number[], 'float32'), classShape(layout, rank)));
    const wgtNonZero = tf.notEqual(wgt, tf.scalar(0));
    const keep = ignoreIndex === null ? null : tf.notEqual(target2, tf.scalar(ignoreIndex, 'int32'));
    const scale =
      counted !== null
        ? tf.scalar(reductionScale(opts.reduction, opts.normalizer, counted))
        : deviceScale(opts.reduction, opts.normalizer, keep as tf.Tensor);

    const constants = weight === null ? [target] : [target, weight];
    return customGradOverInput(input, constants, (x, save) => {
      const x2 = lift ? tf.reshape(x, [1, classes]) : x;
      let rowLoss: tf.Tensor;
      let grad: tf.Tensor;
      if (classes === 0) {
        // Nothing to reduce over (an empty row's loss is 0); max / argMax refuse empty axes.
        rowLoss = tf.zeros([...given.lossShape]);
        grad = tf.zerosLike(x);
      } else {
        const terms = opts.fromLogits
          ? fromLogits(x2, axis, ids, wgt, wgtNonZero, gamma, t, polyEpsilon)
          : fromProbabilities(x2, axis, wgt, wgtNonZero, gamma, eps, t, polyEpsilon, opts.normalizeProbabilities);
        // IEEE products with the weight (a NaN or infinite weight propagates).
        rowLoss = mulMaybe(terms.loss, weight2);
        grad = weight2 === null ? terms.grad : tf.mul(terms.grad, tf.expandDims(weight2, axis));
        if (keep !== null) {
          // `where`, not a multiplication: an ignored position is 0 even with NaN logits or weight.
          rowLoss = tf.where(keep, rowLoss, tf.scalar(0));
          grad = tf.where(tf.expandDims(keep, axis), grad, tf.scalar(0));
        }
        rowLoss = tf.reshape(rowLoss, [...given.lossShape]);
        grad = tf.reshape(grad, x.shape);
      }
      const value = reduce ? tf.mul(accurateSum(rowLoss), scale) : rowLoss;
      const scaledGrad = tf.mul(grad, scale);
      save([scaledGrad]);
      return {
        value,
        // dy is a scalar ("mean" / "sum") or has the loss shape ("none"): give it the class axis back.
        gradFunc: (dy, saved) => tf.mul(reduce ? dy : tf.expandDims(dy, given.axis), saved[0] as tf.Tensor),
      };
    });
  });
}
