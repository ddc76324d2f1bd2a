/**
 * The prologue of every call of this package: the core's call plan (every check, in the contract's
 * order), the target checks, the output buffers, and the parameters of the core's fused loop. The
 * scalar ops (sigmoid.ts, softmax.ts), the SIMD ops and the pool all start here, so they fail
 * alike, before any work.
 */
import {
  BASE_ONLY,
  EXPANDED_IGNORED,
  SIGMOID_CLASS_INDEX_TARGETS,
  binaryAlphaPair,
  checkSigmoidClassIndexTargets,
  checkSigmoidTargetsIgnoring,
  expandClassIndexTargets,
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
  type SigmoidPlan,
  type LossOpName,
  type SigmoidLoopParams,
  type SoftmaxLoopParams,
} from '@focal-loss/core';
import { FLOAT16_INPUTS, isFloat16Array, widenFloat16 } from './float16.js';
import type { FloatArray, InputArray, TensorView } from './types.js';
import {
  ADAPTER_KEYS,
  FLOAT16_AND_FLOAT_DTYPES,
  FLOAT_DTYPES,
  outputBuffer,
  readOut,
  tensorInfo,
  type AdapterOptions,
} from './views.js';

/**
 * What the scalar ops (sigmoid.ts, softmax.ts) implement beyond the contract's 1.1 base. The SIMD
 * ops and the pool declare their own (none until their kernels compute the option).
 */
export const SCALAR_OPS_DECLARATION: AdapterDeclaration = Object.freeze({
  adapter: '@focal-loss/typed-array',
  // issue 14: presets and the options they need, all computed by the core's loops
  implements: Object.freeze([
    'polyEpsilon',
    'preset',
    'posWeight',
    'ignoreIndex',
    'normalizeProbabilities',
    SIGMOID_CLASS_INDEX_TARGETS,
    // a Float16Array input, float target or weight, widened exactly to float32 (float16.ts)
    FLOAT16_INPUTS,
  ]),
});

/** The dtypes a declaration's ops take: float16 too when it declares FLOAT16_INPUTS. */
function inputDtypes(declaration: AdapterDeclaration): readonly string[] {
  return declaration.implements.includes(FLOAT16_INPUTS) ? FLOAT16_AND_FLOAT_DTYPES : FLOAT_DTYPES;
}

/**
 * The array type a call's outputs take after the input's: float16 inputs are computed in float32, so
 * their outputs are Float32Array.
 */
function outputLike(data: InputArray): FloatArray {
  return isFloat16Array(data) ? HALF_OUTPUT_LIKE : (data as FloatArray);
}
const HALF_OUTPUT_LIKE = new Float32Array(0);

/** Steps 1 and 3 of the contract's order, as the scalar ops of ../sigmoid.ts, ../softmax.ts do. */
function splitOptions(options: unknown, op: LossOpName): { lossOptions: Record<string, unknown> } & AdapterOptions {
  const { adapter, loss: lossOptions } = splitCallOptions(options, op, ADAPTER_KEYS);
  const gradient = readBooleanOption('gradient', adapter.gradient, false);
  const out = readOut(adapter.out);
  const weight = (adapter.weight ?? null) as TensorView<InputArray> | null;
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
 * `unitIntervalCheck`: the check of plain float targets (the SIMD ops pass a faster one that raises
 * the core's error itself).
 */
export function prepareSigmoid(
  input: TensorView<InputArray>,
  target: TensorView<ArrayLike<number>>,
  options: unknown,
  declaration: AdapterDeclaration = BASE_ONLY,
  unitIntervalCheck: (data: ArrayLike<number>) => void = checkUnitIntervalTargets,
): PreparedCall<SigmoidLoopParams> {
  const { lossOptions, gradient, out, weight } = splitOptions(options, 'sigmoid_focal_loss');
  const plan = planSigmoidCall(
    lossOptions,
    {
      input: tensorInfo(input, 'input'),
      target: tensorInfo(target, 'target'),
      weight: weight === null ? null : tensorInfo(weight, 'weight'),
    },
    inputDtypes(declaration),
    declaration,
  );
  const { options: opts, layout, outputShape } = plan;
  const reduce = opts.reduction !== 'none';
  const like = outputLike(input.data);
  const lossData = outputBuffer(out.loss, like, reduce ? 1 : layout.size, 'loss', outputShape);
  const gradData = gradient ? outputBuffer(out.gradInput, like, layout.size, 'gradInput', input.shape) : null;
  const { loopTarget, ignoreIndex, counted } = sigmoidTargets(plan, target.data, unitIntervalCheck);
  const scale = counted === layout.size ? plan.scale : reductionScale(opts.reduction, opts.normalizer, counted);
  const [alphaPos, alphaNeg] = binaryAlphaPair(opts.alpha);
  const perClass = Array.isArray(opts.posWeight) ? (opts.posWeight as readonly number[]) : null;
  return {
    // everything checked: float16 data is widened to float32 only now
    task: {
      input: widenFloat16(input.data),
      target: widenFloat16(loopTarget),
      weight: weight === null ? null : widenFloat16(weight.data),
      lossOut: reduce ? null : lossData,
      gradOut: gradData,
      scale,
      gamma: opts.gamma,
      alphaPos,
      alphaNeg,
      smoothing: opts.labelSmoothing,
      fromLogits: opts.fromLogits,
      eps: opts.eps,
      polyEpsilon: opts.polyEpsilon,
      posWeight: perClass === null ? (opts.posWeight as number) : 1,
      posWeights: perClass,
      classInner: plan.classLayout?.inner ?? 1,
      classes: plan.classLayout?.classes ?? 1,
      ignoreIndex,
    },
    reduce,
    scale,
    loss: { data: lossData, shape: outputShape },
    gradInput: gradData === null ? null : { data: gradData, shape: [...input.shape] },
  };
}

/**
 * Step 7 for sigmoid targets, and what the loop reads: the targets themselves, or (class indices, issue
 * 14) their dense 0/1 expansion with ignored positions marked EXPANDED_IGNORED. `counted` is what a
 * "mean" divides by: the elements that are not ignored.
 */
function sigmoidTargets(
  plan: SigmoidPlan,
  data: ArrayLike<number>,
  unitIntervalCheck: (data: ArrayLike<number>) => void,
): { loopTarget: ArrayLike<number>; ignoreIndex: number | null; counted: number } {
  const { targetKind, classLayout, options, layout } = plan;
  const ignore = options.ignoreIndex;
  if (targetKind === 'classIndex' && classLayout !== null) {
    const counted = checkSigmoidClassIndexTargets(data, classLayout.classes, ignore);
    return {
      loopTarget: expandClassIndexTargets(data, classLayout, ignore),
      ignoreIndex: ignore === null ? null : EXPANDED_IGNORED,
      counted,
    };
  }
  if (ignore !== null) {
    const kind = targetKind === 'binary' ? 'binary' : 'float';
    return { loopTarget: data, ignoreIndex: ignore, counted: checkSigmoidTargetsIgnoring(data, kind, ignore) };
  }
  if (targetKind === 'binary') checkBinaryTargets(data);
  else unitIntervalCheck(data);
  return { loopTarget: data, ignoreIndex: null, counted: layout.size };
}

/** Softmax: checks everything, counts the positions, allocates (or takes) the outputs. */
export function prepareSoftmax(
  input: TensorView<InputArray>,
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
    inputDtypes(declaration),
    declaration,
  );
  const { options: opts, layout, outputShape, targetKind, ignoreIndex } = plan;
  const { outer, classes, inner, positions } = layout;
  const reduce = opts.reduction !== 'none';
  const like = outputLike(input.data);
  const lossData = outputBuffer(out.loss, like, reduce ? 1 : positions, 'loss', outputShape);
  const gradData = gradient ? outputBuffer(out.gradInput, like, input.data.length, 'gradInput', input.shape) : null;
  let counted = positions;
  if (targetKind === 'index') counted = checkClassIndexTargets(target.data, classes, ignoreIndex);
  else checkUnitIntervalTargets(target.data);
  const scale = reductionScale(opts.reduction, opts.normalizer, counted);
  return {
    // everything checked: float16 data is widened to float32 only now
    task: {
      input: widenFloat16(input.data),
      target: widenFloat16(target.data),
      targetKind,
      ignoreIndex,
      weight: weight === null ? null : widenFloat16(weight.data),
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
      normalizeProbabilities: opts.normalizeProbabilities,
    },
    reduce,
    scale,
    loss: { data: lossData, shape: outputShape },
    gradInput: gradData === null ? null : { data: gradData, shape: [...input.shape] },
  };
}

