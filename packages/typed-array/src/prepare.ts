/**
 * The prologue of every call of this package: the core's call plan (every check, in the contract's
 * order), the target checks, the output buffers, and the parameters of the core's fused loop. The
 * scalar ops (sigmoid.ts, softmax.ts), the SIMD ops and the pool all start here, so they fail
 * alike, before any work.
 */
import {
  BASE_ONLY,
  binaryAlphaPair,
  checkBinaryTargets,
  checkClassIndexTargets,
  checkUnitIntervalTargets,
  classWeights,
  planSigmoidCall,
  planSoftmaxCall,
  readBooleanOption,
  reductionScale,
  splitCallOptions,
  type AdapterDeclaration,
  type LossOpName,
  type SigmoidLoopParams,
  type SoftmaxLoopParams,
} from '@focal-loss/core';
import type { FloatArray, TensorView } from './types.js';
import { ADAPTER_KEYS, FLOAT_DTYPES, outputBuffer, readOut, tensorInfo, type AdapterOptions } from './views.js';

/**
 * What the scalar ops (sigmoid.ts, softmax.ts) implement beyond the contract's 1.1 base. The SIMD
 * ops and the pool declare their own (none until their kernels compute the option).
 */
export const SCALAR_OPS_DECLARATION: AdapterDeclaration = Object.freeze({
  adapter: '@focal-loss/typed-array',
  implements: Object.freeze(['polyEpsilon']),
});

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

/**
 * Sigmoid: checks everything, allocates (or takes) the outputs, returns the task. `declaration`:
 * what the caller implements beyond the 1.1 base (the core's plan refuses anything else).
 */
export function prepareSigmoid(
  input: TensorView<FloatArray>,
  target: TensorView<ArrayLike<number>>,
  options: unknown,
  declaration: AdapterDeclaration = BASE_ONLY,
): PreparedCall<SigmoidLoopParams> {
  const { lossOptions, gradient, out, weight } = splitOptions(options, 'sigmoid_focal_loss');
  const plan = planSigmoidCall(
    lossOptions,
    {
      input: tensorInfo(input, 'input'),
      target: tensorInfo(target, 'target'),
      weight: weight === null ? null : tensorInfo(weight, 'weight'),
    },
    FLOAT_DTYPES,
    declaration,
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
      target: target.data,
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
      polyEpsilon: opts.polyEpsilon,
    },
    reduce,
    scale: plan.scale,
    loss: { data: lossData, shape: outputShape },
    gradInput: gradData === null ? null : { data: gradData, shape: [...input.shape] },
  };
}

/** Softmax: checks everything, counts the positions, allocates (or takes) the outputs. */
export function prepareSoftmax(
  input: TensorView<FloatArray>,
  target: TensorView<ArrayLike<number>>,
  options: unknown,
  declaration: AdapterDeclaration = BASE_ONLY,
): PreparedCall<SoftmaxLoopParams> {
  const { lossOptions, gradient, out, weight } = splitOptions(options, 'softmax_focal_loss');
  const plan = planSoftmaxCall(
    lossOptions,
    {
      input: tensorInfo(input, 'input'),
      target: tensorInfo(target, 'target'),
      weight: weight === null ? null : tensorInfo(weight, 'weight'),
    },
    FLOAT_DTYPES,
    declaration,
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
      target: target.data,
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
      polyEpsilon: opts.polyEpsilon,
    },
    reduce,
    scale,
    loss: { data: lossData, shape: outputShape },
    gradInput: gradData === null ? null : { data: gradData, shape: [...input.shape] },
  };
}

