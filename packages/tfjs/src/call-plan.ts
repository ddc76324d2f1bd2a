/**
 * Every check of a call, before any kernel runs, in the contract's order (core's plan.ts):
 * options object and this adapter's keys, loss options, this adapter's options, dtypes, shapes,
 * options against tensors. A bad call never starts work on the backend and always throws a
 * FocalLossError with the core's codes; the same call gets the same code from every adapter.
 */
import {
  FocalLossError,
  SIGMOID_CLASS_INDEX_TARGETS,
  type AdapterDeclaration,
  describeValue,
  planSigmoidCall,
  planSoftmaxCall,
  readBooleanOption,
  resolveSigmoidOptions,
  resolveSoftmaxOptions,
  splitCallOptions,
  type SigmoidPlan,
  type SoftmaxPlan,
  type TensorInfo,
} from '@focal-loss/core';
import * as tf from '@tensorflow/tfjs-core';

/** What the TensorFlow.js losses accept besides the core's loss options. */
export interface TensorCallOptions {
  /** Per-position weights with the shape of the unreduced loss (float32). Default none. */
  weight?: tf.Tensor | null;
  /**
   * Check every target value on the host (INVALID_TARGET): sigmoid targets and probability targets
   * in [0, 1] (int32/bool sigmoid targets 0 or 1), class indices in [0, C) or equal to
   * `ignoreIndex`. Off by default because it reads the target back with `dataSync()`, which
   * stalls an asynchronous backend (webgl, webgpu).
   */
  checkTargets?: boolean;
  /**
   * Use the composite formulation (about 25 tf ops per element, any backend) even where a fused
   * kernel of this package is registered for the active backend. Default false. For tests and
   * for comparing the two; both give the same values within float32 rounding.
   */
  composite?: boolean;
}

/** The adapter's own option names, split off before the core checks the loss options. */
export const TENSOR_OPTION_NAMES: readonly string[] = ['weight', 'checkTargets', 'composite'];

/** The only dtype the losses compute in (every backend supports it); others are refused, not cast. */
export const INPUT_DTYPES: readonly string[] = ['float32'];

/**
 * The options beyond the contract's 1.1 base that every path of this package implements (fused
 * kernels of cpu, wasm, webgl and webgpu, and the composite): the core refuses any other in effect.
 */
export const TFJS_DECLARATION: AdapterDeclaration = Object.freeze({
  adapter: '@focal-loss/tfjs',
  implements: Object.freeze([
    'polyEpsilon',
    // issue 14: the core resolves a preset to defaults; every option it turns on must be declared too
    'preset',
    // the core's loops on cpu/wasm, the composite on webgl/webgpu (sigmoid.ts, softmax.ts)
    'normalizeProbabilities',
    'posWeight',
    'ignoreIndex',
    SIGMOID_CLASS_INDEX_TARGETS,
  ]),
});

export interface TensorCall {
  readonly input: tf.Tensor;
  readonly target: tf.Tensor;
  readonly weight: tf.Tensor | null;
  readonly checkTargets: boolean;
  readonly composite: boolean;
}

export interface SigmoidTensorCall extends TensorCall {
  readonly plan: SigmoidPlan;
}

export interface SoftmaxTensorCall extends TensorCall {
  readonly plan: SoftmaxPlan;
}

function requireTensor(value: unknown, name: string): tf.Tensor {
  if (!(value instanceof tf.Tensor)) {
    throw new FocalLossError('INVALID_OPTION', `${name} must be a tf.Tensor, got ${describeValue(value)}`);
  }
  if (value.isDisposed) {
    throw new FocalLossError('INVALID_OPTION', `${name} is a disposed tf.Tensor (shape [${value.shape.join(', ')}])`);
  }
  return value;
}

export function info(tensor: tf.Tensor): TensorInfo {
  return { dtype: tensor.dtype, shape: tensor.shape };
}

/** Step 3: this adapter's options, and that the tensors are live tf.Tensors (also for the family ops). */
export function readTensorCall(input: unknown, target: unknown, adapter: Record<string, unknown>): TensorCall {
  const checkTargets = readBooleanOption('checkTargets', adapter.checkTargets, false);
  const composite = readBooleanOption('composite', adapter.composite, false);
  const weightOption = adapter.weight ?? null;
  const weight = weightOption === null ? null : requireTensor(weightOption, 'option "weight"');
  return {
    input: requireTensor(input, 'input'),
    target: requireTensor(target, 'target'),
    weight,
    checkTargets,
    composite,
  };
}

export function planSigmoidTensorCall(input: unknown, target: unknown, options: unknown): SigmoidTensorCall {
  const { adapter, loss } = splitCallOptions(options, 'sigmoid_focal_loss', TENSOR_OPTION_NAMES);
  resolveSigmoidOptions(loss); // step 2 before step 3
  const call = readTensorCall(input, target, adapter);
  const plan = planSigmoidCall(
    loss,
    { input: info(call.input), target: info(call.target), weight: call.weight && info(call.weight) },
    INPUT_DTYPES,
    TFJS_DECLARATION,
  );
  return { ...call, plan };
}

export function planSoftmaxTensorCall(input: unknown, target: unknown, options: unknown): SoftmaxTensorCall {
  const { adapter, loss } = splitCallOptions(options, 'softmax_focal_loss', TENSOR_OPTION_NAMES);
  const resolved = resolveSoftmaxOptions(loss);
  const call = readTensorCall(input, target, adapter);
  try {
    const plan = planSoftmaxCall(
      loss,
      { input: info(call.input), target: info(call.target), weight: call.weight && info(call.weight) },
      INPUT_DTYPES,
      TFJS_DECLARATION,
    );
    return { ...call, plan };
  } catch (error) {
    throw withClassIdHint(error, call, resolved.axis);
  }
}

/**
 * A float target shaped like class indices (the input's shape without the class axis) is almost
 * always class ids that were never cast: say so in the shape error.
 */
function withClassIdHint(error: unknown, call: TensorCall, axis: number): unknown {
  if (!(error instanceof FocalLossError) || error.code !== 'SHAPE_MISMATCH') return error;
  const { input, target } = call;
  if (target.dtype === 'int32' || target.dtype === 'bool') return error;
  const rank = input.rank;
  const ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank) return error;
  const indexShape = input.shape.filter((_, i) => i !== ax);
  const sameShape = indexShape.length === target.rank && indexShape.every((d, i) => d === target.shape[i]);
  if (!sameShape) return error;
  return new FocalLossError(
    'SHAPE_MISMATCH',
    `${error.message.replace(/^SHAPE_MISMATCH: /, '')}. The ${target.dtype} target has the shape of class indices [${target.shape.join(', ')}]: ` +
      `cast class ids to int32 (tf.cast(target, 'int32')); float targets are per-class probabilities of the input's shape`,
  );
}
