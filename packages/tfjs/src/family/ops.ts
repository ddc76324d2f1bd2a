/**
 * The focal-loss family on tf.Tensors (issue 15): one function per variant of @focal-loss/core's
 * family, from logits, with the options, defaults, validation and error codes of the core (and of
 * @focal-loss/typed-array). Each is one call of ./run-family-op.ts: the fused kernel of cpu / wasm,
 * else the composite formulation; the gradient is analytic either way. Formulas, defaults and the
 * reference implementations they map to: packages/core/docs/math.md.
 */
import type {
  AsymmetricLossOptions,
  FocalLossStarOptions,
  QualityFocalLossOptions,
  VarifocalLossOptions,
} from '@focal-loss/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { TensorCallOptions } from '../call-plan.js';
import { asymmetricElement, focalStarElement, qualityFocalElement, varifocalElement } from './composite-elements.js';
import { runFamilyOp } from './run-family-op.js';

export type FocalLossStarTensorOptions = FocalLossStarOptions & TensorCallOptions;
export type QualityFocalLossTensorOptions = QualityFocalLossOptions & TensorCallOptions;
export type VarifocalLossTensorOptions = VarifocalLossOptions & TensorCallOptions;
export type AsymmetricLossTensorOptions = AsymmetricLossOptions & TensorCallOptions;

/** A tf.Scalar for "mean" (the default) and "sum", the input's shape for "none" (tf.Tensor if unknown). */
export type FamilyResult<O> = O extends { reduction: 'none' } ? tf.Tensor : O extends { reduction?: 'mean' | 'sum' } ? tf.Scalar : tf.Tensor;
type Result<O> = FamilyResult<O>;

/**
 * FL* (Lin et al. 2017, appendix A; fvcore `sigmoid_focal_loss_star`): alpha_t softplus(-(gamma x_t +
 * beta)) / gamma. `input`: float32 logits; `target`: float32 in [0, 1] or int32 / bool 0/1 labels,
 * the input's shape. Options gamma (> 0, default 1), beta (default 0), alpha (null).
 */
export function sigmoidFocalLossStar<O extends FocalLossStarTensorOptions = Record<never, never>>(input: tf.Tensor, target: tf.Tensor, options?: O): Result<O> {
  return runFamilyOp('sigmoid_focal_loss_star', focalStarElement, input, target, options) as Result<O>;
}

/**
 * Quality Focal Loss (GFL; mmdet `QualityFocalLoss` with a dense target): |t - p|^beta ce(x, t), t the
 * soft (IoU) target in [0, 1]. Option beta (>= 0, default 2).
 */
export function qualityFocalLoss<O extends QualityFocalLossTensorOptions = Record<never, never>>(input: tf.Tensor, target: tf.Tensor, options?: O): Result<O> {
  return runFamilyOp('quality_focal_loss', qualityFocalElement, input, target, options) as Result<O>;
}

/**
 * Varifocal Loss (VarifocalNet; mmdet `VarifocalLoss`): t ce(x, t) for t > 0 (the IoU target),
 * alpha p^gamma softplus(x) for t = 0. Options alpha (0.75), gamma (2), iouWeighted (true).
 */
export function varifocalLoss<O extends VarifocalLossTensorOptions = Record<never, never>>(input: tf.Tensor, target: tf.Tensor, options?: O): Result<O> {
  return runFamilyOp('varifocal_loss', varifocalElement, input, target, options) as Result<O>;
}

/**
 * Asymmetric Loss (Ridnik et al. 2021; Alibaba-MIIL/ASL `AsymmetricLoss`) over 0/1 multi-label
 * targets. Options gammaPos (1), gammaNeg (4), clip (the probability margin, 0.05).
 */
export function asymmetricLoss<O extends AsymmetricLossTensorOptions = Record<never, never>>(input: tf.Tensor, target: tf.Tensor, options?: O): Result<O> {
  return runFamilyOp('asymmetric_loss', asymmetricElement, input, target, options) as Result<O>;
}
