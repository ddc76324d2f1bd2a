/**
 * Softmax focal loss (multi-class, one label per position) on tf.Tensors, with the exact analytic
 * gradient of @focal-loss/core attached through tf.customGrad. One plan (every check), then one of
 * two paths, chosen once: the fused kernel of the active backend, or the composite formulation.
 */
import {
  checkClassIndexTargets,
  checkUnitIntervalTargets,
  type SoftmaxFocalLossOptions,
} from '@focal-loss/core';
import type * as tf from '@tensorflow/tfjs-core';
import { planSoftmaxTensorCall, type TensorCallOptions } from './call-plan.js';
import { softmaxComposite } from './composite/softmax-composite.js';
import { emptyInputLoss } from './custom-grad.js';
import { onHostBackend, softmaxFused, useFusedKernel } from './fused-op.js';
import { SOFTMAX_FOCAL_LOSS } from './kernels/kernel-names.js';
import { warnIfFloat16 } from './precision-warning.js';

export type SoftmaxFocalLossTensorOptions = SoftmaxFocalLossOptions & TensorCallOptions;

/**
 * Softmax focal loss of `input` (float32 logits with a class axis `axis`, default -1, or
 * probabilities with `fromLogits: false`). `target` is either int32 class indices (the input's
 * shape without the class axis; `ignoreIndex` allowed) or float32 per-class probabilities (the
 * input's shape). Returns a tf.Scalar for "mean" (the default) and "sum", the input's shape without
 * the class axis for "none". Differentiable with respect to `input` only.
 *
 * Options, shapes and dtypes are checked on the host before any kernel runs (INVALID_OPTION,
 * SHAPE_MISMATCH). Target values are checked only with `checkTargets: true` (INVALID_TARGET);
 * without it, an index outside [0, C) that is not `ignoreIndex` has an all-zero one-hot row.
 */
export function softmaxFocalLoss(
  input: tf.Tensor,
  target: tf.Tensor,
  options: SoftmaxFocalLossTensorOptions & { reduction: 'none' },
): tf.Tensor;
export function softmaxFocalLoss(
  input: tf.Tensor,
  target: tf.Tensor,
  options?: SoftmaxFocalLossTensorOptions & { reduction?: 'mean' | 'sum' },
): tf.Scalar;
export function softmaxFocalLoss(input: tf.Tensor, target: tf.Tensor, options?: SoftmaxFocalLossTensorOptions): tf.Tensor;
export function softmaxFocalLoss(input: tf.Tensor, target: tf.Tensor, options?: SoftmaxFocalLossTensorOptions): tf.Tensor {
  const call = planSoftmaxTensorCall(input, target, options);
  const { plan } = call;
  const { layout, targetKind, ignoreIndex } = plan;
  // The mean's count is known on the host unless positions may be ignored and the targets are not
  // read back; then it is counted by the kernel (fused) or on the device (composite).
  let counted: number | null = ignoreIndex === null ? layout.positions : null;
  if (call.checkTargets) {
    const values = call.target.dataSync();
    if (targetKind === 'index') counted = checkClassIndexTargets(values, layout.classes, ignoreIndex);
    else checkUnitIntervalTargets(values);
  }
  warnIfFloat16();
  const reduce = plan.options.reduction !== 'none';
  if (call.input.size === 0) {
    const constants = call.weight === null ? [call.target] : [call.target, call.weight];
    return emptyInputLoss(call.input, constants, reduce ? null : layout.lossShape);
  }
  // Zero classes (a loss of 0 per position) is left to the composite, which needs no kernel. The
  // GPU programs do not implement the issue-14 options (normalizeProbabilities): the composite does.
  const gpuLacksOption = plan.options.normalizeProbabilities && !onHostBackend();
  if (layout.classes > 0 && !gpuLacksOption && useFusedKernel(SOFTMAX_FOCAL_LOSS, call.composite)) {
    return softmaxFused(call);
  }
  return softmaxComposite({
    input: call.input,
    target: call.target,
    weight: call.weight,
    options: plan.options,
    layout,
    targetKind,
    ignoreIndex,
    counted,
  });
}
