/**
 * The prologue of a float32 call on the SIMD path: the core's call plan (every check, in the
 * contract's order), the target checks, the output buffers, and the task the block runners take.
 * The pool uses it too, so a pooled call fails exactly as a direct call would, before any work.
 */
import {
  binaryAlphaPair,
  checkBinaryTargets,
  checkClassIndexTargets,
  checkUnitIntervalTargets,
  classWeights,
  CompensatedSum,
  planSigmoidCall,
  planSoftmaxCall,
  readBooleanOption,
  reductionScale,
  splitCallOptions,
  type LossOpName,
} from '@focal-loss/core';
import type { FloatArray, FocalLossResult, TensorView } from '../types.js';
import { ADAPTER_KEYS, FLOAT_DTYPES, outputBuffer, readOut, tensorInfo, type AdapterOptions } from '../views.js';
import type { SigmoidTask, TargetArray } from './sigmoid-blocks.js';
import type { SoftmaxTask } from './softmax-blocks.js';

/** Steps 1 and 3 of the contract's order, as the scalar ops of ../sigmoid.ts, ../softmax.ts do. */
function splitOptions(options: unknown, op: LossOpName): { lossOptions: Record<string, unknown> } & AdapterOptions {
  const { adapter, loss: lossOptions } = splitCallOptions(options, op, ADAPTER_KEYS);
  const gradient = readBooleanOption('gradient', adapter.gradient, false);
  const out = readOut(adapter.out);
  const weight = (adapter.weight ?? null) as TensorView<FloatArray> | null;
  return { lossOptions, gradient, out, weight };
}

export interface PreparedCall<Task> {
  readonly task: Task;
  /** True for "mean" / "sum": the blocks' sums make the one loss value. */
  readonly reduce: boolean;
  /** Multiplies the total of the blocks' sums for the reduced loss. */
  readonly scale: number;
  readonly loss: TensorView<FloatArray>;
  readonly gradInput: TensorView<FloatArray> | null;
}

/** Sigmoid: checks everything, allocates (or takes) the outputs, returns the task. */
export function prepareSigmoid(
  input: TensorView<Float32Array>,
  target: TensorView<ArrayLike<number>>,
  options: unknown,
): PreparedCall<SigmoidTask> {
  const { lossOptions, gradient, out, weight } = splitOptions(options, 'sigmoid_focal_loss');
  const plan = planSigmoidCall(
    lossOptions,
    {
      input: tensorInfo(input, 'input'),
      target: tensorInfo(target, 'target'),
      weight: weight === null ? null : tensorInfo(weight, 'weight'),
    },
    FLOAT_DTYPES,
  );
  const { options: opts, layout, outputShape } = plan;
  const reduce = opts.reduction !== 'none';
  const lossData = outputBuffer(out.loss, input.data, reduce ? 1 : layout.size, 'loss', outputShape);
  const gradData = gradient ? outputBuffer(out.gradInput, input.data, layout.size, 'gradInput', input.shape) : null;
  if (plan.targetKind === 'binary') checkBinaryTargets(target.data);
  else checkUnitIntervalTargets(target.data);
  const [alphaPos, alphaNeg] = binaryAlphaPair(opts.alpha);
  return {
    task: {
      input: input.data,
      target: target.data as TargetArray,
      weight: weight === null ? null : weight.data,
      lossOut: reduce ? null : lossData,
      gradOut: gradData,
      scale: plan.scale,
      gamma: opts.gamma,
      alphaPos,
      alphaNeg,
      smoothing: opts.labelSmoothing,
      fromLogits: opts.fromLogits,
      eps: opts.eps,
    },
    reduce,
    scale: plan.scale,
    loss: { data: lossData, shape: outputShape },
    gradInput: gradData === null ? null : { data: gradData, shape: [...input.shape] },
  };
}

/** Softmax: checks everything, counts the positions, allocates (or takes) the outputs. */
export function prepareSoftmax(
  input: TensorView<Float32Array>,
  target: TensorView<ArrayLike<number>>,
  options: unknown,
): PreparedCall<SoftmaxTask> {
  const { lossOptions, gradient, out, weight } = splitOptions(options, 'softmax_focal_loss');
  const plan = planSoftmaxCall(
    lossOptions,
    {
      input: tensorInfo(input, 'input'),
      target: tensorInfo(target, 'target'),
      weight: weight === null ? null : tensorInfo(weight, 'weight'),
    },
    FLOAT_DTYPES,
  );
  const { options: opts, layout, outputShape, targetKind, ignoreIndex } = plan;
  const { outer, classes, inner, positions } = layout;
  const reduce = opts.reduction !== 'none';
  const lossData = outputBuffer(out.loss, input.data, reduce ? 1 : positions, 'loss', outputShape);
  const gradData = gradient
    ? outputBuffer(out.gradInput, input.data, input.data.length, 'gradInput', input.shape)
    : null;
  let counted = positions;
  if (targetKind === 'index') counted = checkClassIndexTargets(target.data, classes, ignoreIndex);
  else checkUnitIntervalTargets(target.data);
  const scale = reductionScale(opts.reduction, opts.normalizer, counted);
  return {
    task: {
      input: input.data,
      target: target.data as Int32Array | FloatArray,
      targetKind,
      ignoreIndex,
      weight: weight === null ? null : weight.data,
      lossOut: reduce ? null : lossData,
      gradOut: gradData,
      scale,
      outer,
      classes,
      inner,
      gamma: opts.gamma,
      classWeights: classWeights(opts.alpha, classes),
      smoothing: opts.labelSmoothing,
      fromLogits: opts.fromLogits,
      eps: opts.eps,
    },
    reduce,
    scale,
    loss: { data: lossData, shape: outputShape },
    gradInput: gradData === null ? null : { data: gradData, shape: [...input.shape] },
  };
}

/**
 * The result: the reduced loss from the blocks' sums, added in block order (compensated float64,
 * so the value does not depend on how the blocks were shared out), or the unreduced loss as written.
 */
export function finishCall<T extends FloatArray>(call: PreparedCall<unknown>, sums: Float64Array | null): FocalLossResult<T> {
  if (sums !== null) {
    const total = new CompensatedSum();
    for (let b = 0; b < sums.length; b++) total.add(sums[b] as number);
    call.loss.data[0] = total.value * call.scale;
  }
  return { loss: call.loss as TensorView<T>, gradInput: call.gradInput as TensorView<T> | null };
}
