/**
 * Sigmoid focal loss (binary and multi-label) on tf.Tensors, with the exact analytic gradient of
 * @focal-loss/core (sigmoid-math.ts) attached through tf.customGrad.
 */
import {
  binaryAlphaPair,
  checkUnitIntervalTargets,
  reductionScale,
  resolveSigmoidLayout,
  resolveSigmoidOptions,
  type SigmoidFocalLossOptions,
} from '@focal-loss/core';
import * as tf from '@tensorflow/tfjs-core';
import { customGradOverInput, emptyInputLoss } from './custom-grad.js';
import { clipProbability, log1p, mulMaybe, powGamma } from './float32-math.js';
import { requireFloat32, requireTensor, splitCallOptions, type TensorCallOptions } from './tensor-checks.js';

export type SigmoidFocalLossTensorOptions = SigmoidFocalLossOptions & TensorCallOptions;

/** Per-element loss and d loss / d input, before weight and reduction. */
interface ElementTerms {
  readonly loss: tf.Tensor;
  readonly grad: tf.Tensor;
}

/**
 * From logits, as the core's sigmoidFocalFromLogit: p and q = 1 - p both come from e = exp(-|x|)
 * (never q by subtraction), log p and log q from max(.., 0) + log1p(e), and u = 1 - p_t as a sum
 * of non-negative terms, so every factor keeps its relative precision at saturated logits.
 */
function fromLogits(x: tf.Tensor, t: tf.Tensor, t1: tf.Tensor, alphaT: tf.Tensor | null, gamma: number): ElementTerms {
  const e = tf.exp(tf.neg(tf.abs(x)));
  const log1pE = log1p(e);
  const inv = tf.reciprocal(tf.add(e, tf.scalar(1)));
  const eInv = tf.mul(e, inv);
  // NaN fails x >= 0 and takes the second branch, where e = NaN carries it to every result.
  const nonNegative = tf.greaterEqual(x, tf.scalar(0));
  const p = tf.where(nonNegative, inv, eInv);
  const q = tf.where(nonNegative, eInv, inv);
  const softplusPos = tf.add(tf.relu(x), log1pE); // -log q
  const softplusNeg = tf.add(tf.relu(tf.neg(x)), log1pE); // -log p
  const ce = tf.add(tf.mul(t, softplusNeg), tf.mul(t1, softplusPos));
  const u = tf.add(tf.mul(p, t1), tf.mul(q, t));
  const focal = mulMaybe(powGamma(u, gamma) ?? tf.onesLike(u), alphaT);
  const loss = tf.mul(focal, ce);
  // p q / u is bounded; u = 0 only where a probability underflowed, and there u^gamma = 0 (or
  // gamma = 0 drops the term): 0 is the exact limit, while p q / u would be 0 / 0.
  const pqOverU = tf.where(tf.greater(u, tf.scalar(0)), tf.div(tf.mul(p, q), u), tf.scalar(0));
  const pMinusT = tf.sub(tf.mul(p, t1), tf.mul(q, t)); // p - t without p (1 - t) + ... cancellation
  const grad =
    gamma === 0
      ? tf.mul(focal, pMinusT)
      : tf.mul(focal, tf.add(tf.mul(tf.mul(tf.mul(pqOverU, tf.scalar(gamma)), tf.sub(t1, t)), ce), pMinusT));
  return { loss, grad };
}

/** From probabilities clipped to [eps, 1 - eps], as the core's sigmoidFocalFromProbability. */
function fromProbabilities(
  x: tf.Tensor,
  t: tf.Tensor,
  t1: tf.Tensor,
  alphaT: tf.Tensor | null,
  gamma: number,
  eps: number,
): ElementTerms {
  const { p, q, logQ, clipped } = clipProbability(x, eps);
  const ce = tf.neg(tf.add(tf.mul(t, tf.log(p)), tf.mul(t1, logQ)));
  const u = tf.add(tf.mul(p, t1), tf.mul(q, t)); // >= eps > 0 after the clip
  const focal = mulMaybe(powGamma(u, gamma) ?? tf.onesLike(u), alphaT);
  const loss = tf.mul(focal, ce);
  const dCe = tf.sub(tf.div(t1, q), tf.div(t, p));
  const inner = gamma === 0 ? dCe : tf.add(tf.div(tf.mul(tf.mul(ce, tf.scalar(gamma)), tf.sub(t1, t)), u), dCe);
  const grad = tf.where(clipped, tf.scalar(0), tf.mul(focal, inner));
  return { loss, grad };
}

/**
 * Sigmoid focal loss of `input` (float32 logits, or probabilities with `fromLogits: false`)
 * against `target` (float32 in [0, 1], the input's shape). Returns the loss tensor: a scalar for
 * "mean" / "sum", the input's shape for "none". Differentiable with respect to `input` only.
 *
 * Options, shapes and dtypes are checked on the host before any kernel runs (FocalLossError with
 * code INVALID_OPTION or SHAPE_MISMATCH). Target values are checked only with `checkTargets: true`.
 */
export function sigmoidFocalLoss(
  input: tf.Tensor,
  target: tf.Tensor,
  options: SigmoidFocalLossTensorOptions = {},
): tf.Tensor {
  const { weight, checkTargets, lossOptions } = splitCallOptions(options);
  const opts = resolveSigmoidOptions(lossOptions);
  requireTensor(input, 'input');
  requireFloat32(input, 'input');
  requireTensor(target, 'target');
  requireFloat32(target, 'target');
  const layout = resolveSigmoidLayout(input.shape, target.shape, weight?.shape);
  if (checkTargets) checkUnitIntervalTargets(target.dataSync());
  const scale = reductionScale(opts.reduction, opts.normalizer, layout.size);
  const reduce = opts.reduction !== 'none';
  const [alphaPos, alphaNeg] = binaryAlphaPair(opts.alpha);
  const { gamma, eps, labelSmoothing: s } = opts;

  if (input.size === 0) {
    return emptyInputLoss(input, weight === null ? [target] : [target, weight], reduce ? null : input.shape);
  }
  return tf.tidy(() => {
    // Constants of the call: computed once, outside the differentiated function.
    const t = s === 0 ? target : tf.add(tf.mul(target, tf.scalar(1 - s)), tf.scalar(s / 2));
    const t1 = tf.sub(tf.scalar(1), t);
    const alphaT =
      opts.alpha === null ? null : tf.add(tf.mul(t, tf.scalar(alphaPos)), tf.mul(t1, tf.scalar(alphaNeg)));

    const constants = weight === null ? [target] : [target, weight];
    return customGradOverInput(input, constants, (x, save) => {
      const terms = opts.fromLogits
        ? fromLogits(x, t, t1, alphaT, gamma)
        : fromProbabilities(x, t, t1, alphaT, gamma, eps);
      const elementLoss = mulMaybe(terms.loss, weight);
      const value = reduce ? tf.mul(tf.sum(elementLoss), tf.scalar(scale)) : elementLoss;
      // The gradient is computed with the value and saved (kept only while a tape records), so
      // the backward pass is one multiplication and needs none of this call's constants.
      const grad = tf.mul(mulMaybe(terms.grad, weight), tf.scalar(scale));
      save([grad]);
      return {
        value,
        // dy is a scalar ("mean" / "sum") or has the input's shape ("none"): it broadcasts.
        gradFunc: (dy, saved) => tf.mul(dy, saved[0] as tf.Tensor),
      };
    });
  });
}
