/**
 * Sigmoid focal loss as a composition of tf ops (about 25 elementwise kernels) with the exact
 * analytic gradient of @focal-loss/core (sigmoid-math.ts) attached through tf.customGrad. Runs on
 * every backend; the fused kernels (../kernels) replace it where they are registered.
 */
import { binaryAlphaPair, type ResolvedSigmoidOptions, type SigmoidClassLayout } from '@focal-loss/core';
import * as tf from '@tensorflow/tfjs-core';
import { accurateSum } from '../accurate-sum.js';
import { customGradOverInput } from '../custom-grad.js';
import { deviceScale } from './softmax-composite.js';
import { clipProbability, log1p, logOneMinusExcess, mulMaybe, powGamma } from '../float32-math.js';

/** What the composite needs of a checked call. */
export interface SigmoidCompositeCall {
  readonly input: tf.Tensor;
  /** float32, int32 or bool (0/1) targets of the input's shape. */
  readonly target: tf.Tensor;
  readonly weight: tf.Tensor | null;
  readonly options: ResolvedSigmoidOptions;
  /** The mean's factor (1 for "sum" and "none"); recounted on the device when elements are ignored. */
  readonly scale: number;
  /** Issue 14: int32 class indices (label C = background) are 'classIndex'; their class axis is classLayout's. */
  readonly targetKind?: 'float' | 'binary' | 'classIndex';
  /** The class axis, when a per-class posWeight or class-index targets need it. */
  readonly classLayout?: SigmoidClassLayout | null;
}

/** Per-element loss and d loss / d input, before weight and reduction. */
interface ElementTerms {
  readonly loss: tf.Tensor;
  readonly grad: tf.Tensor;
}

/** a * b, with 0 where a is 0: 0 * inf is 0 here, the limit the contract's infinite logits need. */
function timesUnlessZero(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.where(tf.equal(a, tf.scalar(0)), tf.scalar(0), tf.mul(a, b));
}

/**
 * From logits, as the core's sigmoidFocalFromLogit: p and q = 1 - p both come from e = exp(-|x|)
 * (never q by subtraction), log p and log q from max(.., 0) + log1p(e), and u = 1 - p_t as a sum
 * of non-negative terms, so every factor keeps its relative precision at saturated logits.
 * At x = +-Infinity, softplus is infinite on one side; the products that meet it are guarded so
 * that a zero factor (t = 0, t = 1, alpha_t = 0, p q / u = 0) gives the limit 0, not 0 * inf = NaN.
 */
/**
 * Poly-1 (Leng et al. 2022; docs/math.md, s2 decisions): eps u^(g+1) added to the loss, not times
 * alpha_t; its derivative eps (g+1) u^g `dU` (p q (1 - 2t) from logits, 0 at infinite logits where
 * p q = 0; (1 - 2t) from probabilities, 0 where clipped). No term at all for eps = 0.
 */
function withPoly(terms: ElementTerms, u: tf.Tensor, uPow: tf.Tensor | null, dU: tf.Tensor, gamma: number, polyEpsilon: number): ElementTerms {
  if (polyEpsilon === 0) return terms;
  const uPowOrOne = uPow ?? tf.onesLike(u);
  return {
    loss: tf.add(terms.loss, tf.mul(tf.mul(u, uPowOrOne), tf.scalar(polyEpsilon))),
    grad: tf.add(terms.grad, tf.mul(tf.mul(uPowOrOne, dU), tf.scalar(polyEpsilon * (gamma + 1)))),
  };
}

/**
 * Focal loss with Poly-1 from logits, regrouped as core's sigmoidPolyFromParts (docs/math.md,
 * Poly-1 "Accuracy") so that nothing cancels when eps ~ -alpha_t: with D = ce - u =
 * t f(q) + (1 - t) f(p) (f above, >= 0),
 *   loss = u^g (alpha_t D + (alpha_t + eps) u)
 *   d/dx = u^g (alpha_t g (p q / u)(1 - 2t) D + alpha_t (p^2 (1 - t) - q^2 t) + (g + 1)(alpha_t + eps) p q (1 - 2t))
 * Finite logits only (the caller keeps the plain sum, with its limits, at +-Infinity).
 */
function regroupedPoly(
  parts: { p: tf.Tensor; q: tf.Tensor; softplusPos: tf.Tensor; softplusNeg: tf.Tensor; u: tf.Tensor; pqOverU: tf.Tensor },
  t: tf.Tensor,
  t1: tf.Tensor,
  alphaT: tf.Tensor | null,
  gamma: number,
  polyEpsilon: number,
  posWeight: tf.Tensor | null,
): ElementTerms {
  const { p, q, softplusPos, softplusNeg, u, pqOverU } = parts;
  const uPow = powGamma(u, gamma) ?? tf.onesLike(u);
  let d = tf.add(tf.mul(t, logOneMinusExcess(q, softplusNeg)), tf.mul(t1, logOneMinusExcess(p, softplusPos)));
  let b = tf.sub(tf.mul(tf.square(p), t1), tf.mul(tf.square(q), t));
  if (posWeight !== null) {
    // w+ (math.md): D gains t (w+ - 1) softplus(-x), and dD/dx gains -(w+ - 1) q t
    const extra = tf.mul(t, tf.sub(posWeight, tf.scalar(1)));
    d = tf.add(d, tf.mul(extra, softplusNeg));
    b = tf.sub(b, tf.mul(extra, q));
  }
  const a = alphaT ?? tf.onesLike(u);
  const both = tf.add(a, tf.scalar(polyEpsilon));
  const sign = tf.sub(t1, t);
  const pqSign = tf.mul(tf.mul(p, q), sign);
  const loss = tf.mul(uPow, tf.add(tf.mul(a, d), tf.mul(both, u)));
  const inner = tf.add(
    tf.add(tf.mul(tf.mul(a, tf.scalar(gamma)), tf.mul(tf.mul(pqOverU, sign), d)), tf.mul(a, b)),
    tf.mul(tf.mul(both, tf.scalar(gamma + 1)), pqSign),
  );
  return { loss, grad: tf.mul(uPow, inner) };
}

function fromLogits(
  x: tf.Tensor,
  t: tf.Tensor,
  t1: tf.Tensor,
  alphaT: tf.Tensor | null,
  gamma: number,
  polyEpsilon: number,
  posWeight: tf.Tensor | null,
): ElementTerms {
  // posWeight w+ (issue 14, math.md): ce = w+ t softplus(-x) + (1 - t) softplus(x), dce/dx = p (1 - t) - w+ q t
  const tPos = posWeight === null ? t : tf.mul(t, posWeight);
  const e = tf.exp(tf.neg(tf.abs(x)));
  const log1pE = log1p(e);
  const inv = tf.reciprocal(tf.add(e, tf.scalar(1)));
  const eInv = tf.mul(e, inv);
  // NaN fails x >= 0 and takes the second branch, where e = NaN carries it to every result.
  const nonNegative = tf.greaterEqual(x, tf.scalar(0));
  const p = tf.where(nonNegative, inv, eInv);
  const q = tf.where(nonNegative, eInv, inv);
  // max(x, 0), not relu: tfjs-webgl's packed Relu is x * (x >= 0), which is NaN at x = -Infinity.
  const zero = tf.scalar(0);
  const softplusPos = tf.add(tf.maximum(x, zero), log1pE); // -log q
  const softplusNeg = tf.add(tf.maximum(tf.neg(x), zero), log1pE); // -log p
  const ce = tf.add(timesUnlessZero(tPos, softplusNeg), timesUnlessZero(t1, softplusPos));
  const u = tf.add(tf.mul(p, t1), tf.mul(q, t));
  const uPow = powGamma(u, gamma);
  const focal = mulMaybe(uPow ?? tf.onesLike(u), alphaT);
  const loss = timesUnlessZero(focal, ce);
  // p q / u is bounded; u = 0 only where a probability underflowed, and there u^gamma = 0 (or
  // gamma = 0 drops the term): 0 is the exact limit, while p q / u would be 0 / 0.
  const pqOverU = tf.where(tf.greater(u, tf.scalar(0)), tf.div(tf.mul(p, q), u), tf.scalar(0));
  const pMinusT = tf.sub(tf.mul(p, t1), tf.mul(q, tPos)); // p - t without p (1 - t) + ... cancellation
  const grad =
    gamma === 0
      ? tf.mul(focal, pMinusT)
      : tf.mul(focal, tf.add(timesUnlessZero(tf.mul(tf.mul(pqOverU, tf.scalar(gamma)), tf.sub(t1, t)), ce), pMinusT));
  const plain = withPoly({ loss, grad }, u, uPow, tf.mul(tf.mul(p, q), tf.sub(t1, t)), gamma, polyEpsilon);
  if (polyEpsilon === 0) return plain;
  // finite logits: the regrouped form; +-Infinity: the plain sum, which takes the limits
  const regrouped = regroupedPoly({ p, q, softplusPos, softplusNeg, u, pqOverU }, t, t1, alphaT, gamma, polyEpsilon, posWeight);
  const infinite = tf.isInf(x);
  return { loss: tf.where(infinite, plain.loss, regrouped.loss), grad: tf.where(infinite, plain.grad, regrouped.grad) };
}

/** From probabilities clipped to [eps, 1 - eps], as the core's sigmoidFocalFromProbability. */
function fromProbabilities(
  x: tf.Tensor,
  t: tf.Tensor,
  t1: tf.Tensor,
  alphaT: tf.Tensor | null,
  gamma: number,
  eps: number,
  polyEpsilon: number,
  posWeight: tf.Tensor | null,
): ElementTerms {
  const { p, q, logP, logQ, clipped } = clipProbability(x, eps);
  const tPos = posWeight === null ? t : tf.mul(t, posWeight); // w+ t (issue 14)
  const ce = tf.neg(tf.add(tf.mul(tPos, logP), tf.mul(t1, logQ)));
  const u = tf.add(tf.mul(p, t1), tf.mul(q, t)); // >= eps > 0 after the clip
  const uPow = powGamma(u, gamma);
  const focal = mulMaybe(uPow ?? tf.onesLike(u), alphaT);
  const loss = tf.mul(focal, ce);
  const dCe = tf.sub(tf.div(t1, q), tf.div(tPos, p));
  const inner = gamma === 0 ? dCe : tf.add(tf.div(tf.mul(tf.mul(ce, tf.scalar(gamma)), tf.sub(t1, t)), u), dCe);
  const grad = tf.where(clipped, tf.scalar(0), tf.mul(focal, inner));
  const dU = tf.where(clipped, tf.scalar(0), tf.sub(t1, t));
  return withPoly({ loss, grad }, u, uPow, dU, gamma, polyEpsilon);
}

/** The loss (a scalar for "mean" / "sum", the input's shape for "none"), differentiable in the input. */
/** Shape with every dimension 1 except the class axis: class-wise constants broadcast along it. */
function classShape(layout: SigmoidClassLayout, rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => (i === layout.axis ? layout.classes : 1));
}

/**
 * Issue 14's targets as dense float32 0/1 (or [0, 1]) of the input's shape, and the mask of the
 * elements not ignored (null: none is). Class indices become 1 at their class along the axis (a
 * Select against the class ids, not a Cast of a bool: see softmax-composite.ts), so label C
 * (background) and ignored labels are rows of 0; ignored elements get the target 0 (masked later).
 */
function denseTargets(call: SigmoidCompositeCall): { target32: tf.Tensor; keep: tf.Tensor | null } {
  const { input, target, options, classLayout } = call;
  const ignore = options.ignoreIndex;
  if (call.targetKind === 'classIndex' && classLayout) {
    const labels = tf.expandDims(target, classLayout.axis);
    const ids = tf.reshape(tf.range(0, classLayout.classes, 1, 'int32'), classShape(classLayout, input.rank));
    const dense = tf.where(tf.equal(labels, ids), tf.scalar(1), tf.scalar(0));
    const keep = ignore === null ? null : tf.broadcastTo(tf.notEqual(labels, tf.scalar(ignore, 'int32')), input.shape);
    return { target32: dense, keep };
  }
  const target32 = target.dtype === 'float32' ? target : tf.cast(target, 'float32');
  if (ignore === null) return { target32, keep: null };
  const keep = tf.notEqual(target32, tf.scalar(ignore));
  return { target32: tf.where(keep, target32, tf.scalar(0)), keep };
}

/** posWeight as a tensor that broadcasts against the input, or null for 1 (the same ops as without it). */
function posWeightTensor(call: SigmoidCompositeCall): tf.Tensor | null {
  const { posWeight } = call.options;
  if (posWeight === 1) return null;
  if (typeof posWeight === 'number') return tf.scalar(posWeight);
  if (!call.classLayout) throw new Error('focal loss: a per-class posWeight without a class axis');
  return tf.reshape(tf.tensor1d(Array.from(posWeight), 'float32'), classShape(call.classLayout, call.input.rank));
}

export function sigmoidComposite(call: SigmoidCompositeCall): tf.Tensor {
  const { input, target, weight, options: opts } = call;
  const reduce = opts.reduction !== 'none';
  const [alphaPos, alphaNeg] = binaryAlphaPair(opts.alpha);
  const { gamma, eps, labelSmoothing: s, polyEpsilon } = opts;
  return tf.tidy(() => {
    // Constants of the call: computed once, outside the differentiated function.
    const { target32, keep } = denseTargets(call);
    const posWeight = posWeightTensor(call);
    // With elements ignored, the mean counts the others on the device (targets are not read back).
    const scale = keep === null ? tf.scalar(call.scale) : deviceScale(opts.reduction, opts.normalizer, keep);
    const t = s === 0 ? target32 : tf.add(tf.mul(target32, tf.scalar(1 - s)), tf.scalar(s / 2));
    const t1 = tf.sub(tf.scalar(1), t);
    const alphaT =
      opts.alpha === null ? null : tf.add(tf.mul(t, tf.scalar(alphaPos)), tf.mul(t1, tf.scalar(alphaNeg)));

    const constants = weight === null ? [target] : [target, weight];
    return customGradOverInput(input, constants, (x, save) => {
      const terms = opts.fromLogits
        ? fromLogits(x, t, t1, alphaT, gamma, polyEpsilon, posWeight)
        : fromProbabilities(x, t, t1, alphaT, gamma, eps, polyEpsilon, posWeight);
      // IEEE products with the weight (a NaN or infinite weight propagates, inf * 0 = NaN).
      let elementLoss = mulMaybe(terms.loss, weight);
      let elementGrad = mulMaybe(terms.grad, weight);
      if (keep !== null) {
        // `where`, not a multiplication: an ignored element is 0 even with a NaN logit or weight.
        elementLoss = tf.where(keep, elementLoss, tf.scalar(0));
        elementGrad = tf.where(keep, elementGrad, tf.scalar(0));
      }
      const value = reduce ? tf.mul(accurateSum(elementLoss), scale) : elementLoss;
      // The gradient is computed with the value and saved (kept only while a tape records), so
      // the backward pass is one multiplication and needs none of this call's constants.
      const grad = tf.mul(elementGrad, scale);
      save([grad]);
      return {
        value,
        // dy is a scalar ("mean" / "sum") or has the input's shape ("none"): it broadcasts.
        gradFunc: (dy, saved) => tf.mul(dy, saved[0] as tf.Tensor),
      };
    });
  });
}
