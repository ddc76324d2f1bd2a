/**
 * One family call on tf.Tensors, as ../sigmoid.ts does for the focal loss: every check first (the
 * core's order: options object and this adapter's keys, the op's loss options, this adapter's
 * options, dtypes, shapes, then target values with `checkTargets`), then one of two paths, chosen
 * once: the op's fused kernel where one is registered for the active backend (cpu, wasm) and the
 * caller did not ask for `composite: true`, else the composite formulation (every backend).
 * Both attach the analytic gradient through tf.customGrad.
 */
import {
  checkFamilyTargets,
  planFamilyCall,
  resolveFamilyOptions,
  splitFamilyCallOptions,
  type FamilyOpName,
  type FamilyPlan,
} from '@focal-loss/core';
import * as tf from '@tensorflow/tfjs-core';
import { accurateSum } from '../accurate-sum.js';
import { INPUT_DTYPES, TENSOR_OPTION_NAMES, info, readTensorCall, type TensorCall } from '../call-plan.js';
import { customGradOverInput, emptyInputLoss } from '../custom-grad.js';
import { mulMaybe } from '../float32-math.js';
import { recording, runFused, useFusedKernel } from '../fused-op.js';
import { warnIfFloat16 } from '../precision-warning.js';
import type { CompositeElement } from './composite-elements.js';
import { FAMILY_KERNEL_TABLE, type FamilyKernelAttrs, type FamilyOpAttrs } from './kernel-table.js';

interface FamilyTensorCall<Op extends FamilyOpName> extends TensorCall {
  readonly plan: FamilyPlan<Op>;
}

/** Steps 1-6 of a family call: every check but the target values, before any kernel runs. */
function planFamilyTensorCall<Op extends FamilyOpName>(op: Op, input: unknown, target: unknown, options: unknown): FamilyTensorCall<Op> {
  const { adapter, loss } = splitFamilyCallOptions(options, op, TENSOR_OPTION_NAMES);
  resolveFamilyOptions(op, loss); // step 2 before step 3
  const call = readTensorCall(input, target, adapter);
  const plan = planFamilyCall(
    op,
    loss,
    { input: info(call.input), target: info(call.target), weight: call.weight && info(call.weight) },
    INPUT_DTYPES,
  );
  return { ...call, plan };
}

/** The composite path: the op's tf-ops element, the weight, the reduction, the saved gradient. */
function runComposite(call: TensorCall, element: CompositeElement, attrs: FamilyOpAttrs, reduce: boolean, scale: number): tf.Tensor {
  const { input, target, weight } = call;
  return tf.tidy(() => {
    // A constant of the call: cast once, outside the differentiated function.
    const t = target.dtype === 'float32' ? target : tf.cast(target, 'float32');
    const constants = weight === null ? [target] : [target, weight];
    return customGradOverInput(input, constants, (x, save) => {
      const terms = element(x, t, attrs);
      // IEEE products with the weight (a NaN or infinite weight propagates, inf * 0 = NaN)
      const elementLoss = mulMaybe(terms.loss, weight);
      const value = reduce ? tf.mul(accurateSum(elementLoss), tf.scalar(scale)) : elementLoss;
      // computed with the value and saved, so the backward pass is one multiplication
      save([tf.mul(mulMaybe(terms.grad, weight), tf.scalar(scale))]);
      return { value, gradFunc: (dy, saved) => tf.mul(dy, saved[0] as tf.Tensor) };
    });
  });
}

/** Runs `op` on tf.Tensors; `element` is its composite formulation. */
export function runFamilyOp<Op extends FamilyOpName>(
  op: Op,
  element: CompositeElement,
  input: unknown,
  target: unknown,
  options: unknown,
): tf.Tensor {
  const call = planFamilyTensorCall(op, input, target, options);
  const { plan } = call;
  if (call.checkTargets) checkFamilyTargets(op, plan.targetKind, call.target.dataSync());
  warnIfFloat16();
  const reduce = plan.options.reduction !== 'none';
  if (call.input.size === 0) {
    const constants = call.weight === null ? [call.target] : [call.target, call.weight];
    return emptyInputLoss(call.input, constants, reduce ? null : plan.layout.lossShape);
  }
  const row = FAMILY_KERNEL_TABLE[op];
  const attrs = row.attrsOf(plan.options);
  if (useFusedKernel(row.kernelName, call.composite)) {
    const kernelAttrs: FamilyKernelAttrs = { reduction: plan.options.reduction, gradient: recording(), scale: plan.scale, op: attrs };
    return runFused(row.kernelName, call, kernelAttrs, (dy) => dy);
  }
  return runComposite(call, element, attrs, reduce, plan.scale);
}
