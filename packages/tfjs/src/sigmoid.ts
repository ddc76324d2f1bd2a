/**
 * Sigmoid focal loss (binary and multi-label) on tf.Tensors, with the exact analytic gradient of
 * @focal-loss/core attached through tf.customGrad. One plan (every check), then one of two paths,
 * chosen once: the fused kernel of the active backend, or the composite formulation.
 */
import {
  checkBinaryTargets,
  checkSigmoidClassIndexTargets,
  checkSigmoidTargetsIgnoring,
  checkUnitIntervalTargets,
  type SigmoidFocalLossOptions,
  type SigmoidPlan,
} from '@focal-loss/core';
import type * as tf from '@tensorflow/tfjs-core';
import { planSigmoidTensorCall, type TensorCallOptions } from './call-plan.js';
import { sigmoidComposite } from './composite/sigmoid-composite.js';
import { emptyInputLoss } from './custom-grad.js';
import { onHostBackend, sigmoidFused, useFusedKernel } from './fused-op.js';
import { SIGMOID_FOCAL_LOSS } from './kernels/kernel-names.js';
import { warnIfFloat16 } from './precision-warning.js';

export type SigmoidFocalLossTensorOptions = SigmoidFocalLossOptions & TensorCallOptions;

/**
 * Sigmoid focal loss of `input` (float32 logits, or probabilities with `fromLogits: false`)
 * against `target` (float32 in [0, 1], or int32 / bool 0 and 1, the input's shape). Returns the
 * loss: a tf.Scalar for "mean" (the default) and "sum", the input's shape for "none".
 * Differentiable with respect to `input` only.
 *
 * Options, shapes and dtypes are checked on the host before any kernel runs (FocalLossError with
 * code INVALID_OPTION or SHAPE_MISMATCH). Target values are checked only with `checkTargets: true`.
 */
export function sigmoidFocalLoss(
  input: tf.Tensor,
  target: tf.Tensor,
  options: SigmoidFocalLossTensorOptions & { reduction: 'none' },
): tf.Tensor;
export function sigmoidFocalLoss(
  input: tf.Tensor,
  target: tf.Tensor,
  options?: SigmoidFocalLossTensorOptions & { reduction?: 'mean' | 'sum' },
): tf.Scalar;
export function sigmoidFocalLoss(input: tf.Tensor, target: tf.Tensor, options?: SigmoidFocalLossTensorOptions): tf.Tensor;
export function sigmoidFocalLoss(input: tf.Tensor, target: tf.Tensor, options?: SigmoidFocalLossTensorOptions): tf.Tensor {
  const call = planSigmoidTensorCall(input, target, options);
  const { plan } = call;
  if (call.checkTargets) checkTargetValues(plan, call.target.dataSync());
  warnIfFloat16();
  const reduce = plan.options.reduction !== 'none';
  if (call.input.size === 0) {
    const constants = call.weight === null ? [call.target] : [call.target, call.weight];
    return emptyInputLoss(call.input, constants, reduce ? null : plan.layout.lossShape);
  }
  // The GPU programs do not implement issue 14's options (posWeight, ignoreIndex, class-index
  // targets): the composite does; the cpu/wasm kernels run the core's loop, which does.
  const gpuLacksOption = usesIssue14Option(plan) && !onHostBackend();
  if (!gpuLacksOption && useFusedKernel(SIGMOID_FOCAL_LOSS, call.composite)) return sigmoidFused(call);
  return sigmoidComposite({
    input: call.input,
    target: call.target,
    weight: call.weight,
    options: plan.options,
    scale: plan.scale,
    targetKind: plan.targetKind,
    classLayout: plan.classLayout,
  });
}

function usesIssue14Option(plan: SigmoidPlan): boolean {
  const { options, targetKind } = plan;
  return targetKind === 'classIndex' || options.ignoreIndex !== null || options.posWeight !== 1;
}

/** INVALID_TARGET for a value the target kind does not allow (ignored values allowed). */
function checkTargetValues(plan: SigmoidPlan, values: ArrayLike<number>): void {
  const ignore = plan.options.ignoreIndex;
  if (plan.targetKind === 'classIndex' && plan.classLayout !== null) {
    checkSigmoidClassIndexTargets(values, plan.classLayout.classes, ignore);
  } else if (ignore !== null) {
    checkSigmoidTargetsIgnoring(values, plan.targetKind === 'binary' ? 'binary' : 'float', ignore);
  } else if (plan.targetKind === 'binary') checkBinaryTargets(values);
  else checkUnitIntervalTargets(values);
}
