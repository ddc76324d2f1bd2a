import { sigmoidFocalLoop, type SigmoidFocalLossOptions } from '@focal-loss/core';
import { SCALAR_OPS_DECLARATION, prepareSigmoid } from './prepare.js';
import type { CallOptions, Float16ArrayLike, FloatArray, FocalLossResult, InputArray, TensorView } from './types.js';

export type SigmoidCallOptions = SigmoidFocalLossOptions & CallOptions;

/**
 * Sigmoid focal loss (binary and multi-label) of `input` (logits, or probabilities with
 * `fromLogits: false`) against `target` of the same shape: floats in [0, 1], or an Int32Array of
 * 0/1 labels.
 *
 * Everything is checked before any work, in the core's order: options (`INVALID_OPTION`), dtypes,
 * shapes (`SHAPE_MISMATCH`) and every target value (`INVALID_TARGET`). Loss and gradient come from
 * one pass of the core's fused loop; reductions accumulate in compensated float64.
 */
export function sigmoidFocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: TensorView<ArrayLike<number>>,
  options?: SigmoidCallOptions,
): FocalLossResult<T>;
/** A Float16Array input (where the runtime has one) is computed in float32: the outputs are Float32Array. */
export function sigmoidFocalLoss(
  input: TensorView<Float16ArrayLike>,
  target: TensorView<ArrayLike<number>>,
  options?: SigmoidCallOptions,
): FocalLossResult<Float32Array>;
export function sigmoidFocalLoss(
  input: TensorView<InputArray>,
  target: TensorView<ArrayLike<number>>,
  options: SigmoidCallOptions = {},
): FocalLossResult {
  const call = prepareSigmoid(input, target, options, SCALAR_OPS_DECLARATION);
  const sum = sigmoidFocalLoop(call.task);
  if (call.reduce) call.loss.data[0] = sum * call.scale;
  return { loss: call.loss, gradInput: call.gradInput };
}
