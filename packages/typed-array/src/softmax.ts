import { softmaxFocalLoop, type SoftmaxFocalLossOptions } from '@focal-loss/core';
import { SCALAR_OPS_DECLARATION, prepareSoftmax } from './prepare.js';
import type { CallOptions, Float16ArrayLike, FloatArray, FocalLossResult, InputArray, TensorView } from './types.js';

export type SoftmaxCallOptions = SoftmaxFocalLossOptions & CallOptions;

/**
 * Softmax focal loss (multi-class, one label per position) of `input` with a class axis
 * (`axis`, default -1). `target` is an Int32Array of class indices (the input's shape without
 * the class axis; `ignoreIndex` allowed) or a float array of per-class probabilities (the input's
 * shape). Checks options, dtypes, shapes and targets before any work, in the core's order.
 */
export function softmaxFocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: TensorView<ArrayLike<number>>,
  options?: SoftmaxCallOptions,
): FocalLossResult<T>;
/** A Float16Array input (where the runtime has one) is computed in float32: the outputs are Float32Array. */
export function softmaxFocalLoss(
  input: TensorView<Float16ArrayLike>,
  target: TensorView<ArrayLike<number>>,
  options?: SoftmaxCallOptions,
): FocalLossResult<Float32Array>;
export function softmaxFocalLoss(
  input: TensorView<InputArray>,
  target: TensorView<ArrayLike<number>>,
  options: SoftmaxCallOptions = {},
): FocalLossResult {
  const call = prepareSoftmax(input, target, options, SCALAR_OPS_DECLARATION);
  if (call.task.classes === 0) {
    // Zero classes: every position's loss is an empty sum (contract 1.1), answered without a
    // pass over the positions; the gradient has no elements.
    call.loss.data.fill(0);
  } else {
    const sum = softmaxFocalLoop(call.task);
    if (call.reduce) call.loss.data[0] = sum * call.scale;
  }
  return { loss: call.loss, gradInput: call.gradInput };
}
