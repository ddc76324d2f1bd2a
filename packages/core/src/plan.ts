/**
 * The call plan of each op: every check a call needs before any work, in one fixed order, so that
 * a call with several faults gets the same error code from every adapter (contract 1.1):
 *   1. the options argument (plain object) and the adapter's own keys: `splitCallOptions`;
 *   2. the loss options (INVALID_OPTION), ending with the options beyond the 1.1 base that the
 *      adapter has not declared (adapter-declaration.ts);
 *   3. the adapter's own options (the adapter checks them between `resolve*` and `plan*`);
 *   4. dtypes of input, target, weight (INVALID_OPTION naming what was received);
 *   5. shapes (SHAPE_MISMATCH): each shape, its data length, the size cap, then their relations;
 *   6. options that do not fit the tensors (ignoreIndex with probability targets: INVALID_OPTION);
 *   7. target values (INVALID_TARGET), with the checks of targets.ts, by the adapter.
 * Each adapter op is then "plan, then run" (style: one shared prologue, thin ops).
 */
import {
  BASE_ONLY,
  SIGMOID_CLASS_INDEX_TARGETS,
  requireDeclaredOptions,
  requireImplemented,
  type AdapterDeclaration,
} from './adapter-declaration.js';
import { FocalLossError, describeShape, describeValue } from './errors.js';
import {
  resolveSigmoidOptions,
  resolveSoftmaxOptions,
  type ResolvedSigmoidOptions,
  type ResolvedSoftmaxOptions,
} from './options.js';
import { reductionScale } from './reduction.js';
import { sigmoidClassLayout, type SigmoidClassLayout } from './sigmoid-classes.js';
import {
  reducedShape,
  requireLength,
  sameShape,
  resolveSigmoidLayout,
  resolveSoftmaxLayout,
  shapeSize,
  type Shape,
  type SigmoidLayout,
  type SoftmaxLayout,
} from './shapes.js';

/** What an adapter knows of a tensor before reading it. */
export interface TensorInfo {
  /**
   * The dtype as the adapter names it: 'float16', 'float32', 'float64', 'bfloat16', 'int32',
   * 'bool', or whatever else was received (e.g. 'Uint8Array', 'string'), which is then refused by
   * name.
   */
  readonly dtype: string;
  /** The shape as given; checked here (an array of non-negative integers). */
  readonly shape: unknown;
  /** The flat data length, when the adapter holds one (checked against the shape). */
  readonly length?: number;
}

export interface CallTensors {
  readonly input: TensorInfo;
  readonly target: TensorInfo;
  readonly weight: TensorInfo | null;
}

/** Integer dtypes a sigmoid target may have (values 0 or 1, contract 1.1). */
export const BINARY_TARGET_DTYPES: readonly string[] = ['int32', 'bool'];

function dtypeList(dtypes: readonly string[]): string {
  return dtypes.length === 1 ? (dtypes[0] as string) : `${dtypes.slice(0, -1).join(', ')} or ${dtypes[dtypes.length - 1]}`;
}

function requireDtype(name: string, tensor: TensorInfo, allowed: readonly string[], what = ''): void {
  if (!allowed.includes(tensor.dtype)) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `${name} must have dtype ${dtypeList(allowed)}${what}, got ${describeValue(tensor.dtype)}`,
    );
  }
}

/** Step 5 for one tensor: a valid shape whose size fits the cap, and data of that length. */
function checkTensorShape(name: string, tensor: TensorInfo): Shape {
  const shape = tensor.shape as Shape;
  if (tensor.length === undefined) shapeSize(shape, `${name} shape`);
  else requireLength(tensor.length, shape, name);
  return shape;
}

export interface SigmoidPlan {
  readonly options: ResolvedSigmoidOptions;
  readonly layout: SigmoidLayout;
  /** Shape of the returned loss: the input's for "none", [] otherwise. */
  readonly outputShape: number[];
  /**
   * Float targets in [0, 1], integer (int32/bool) targets 0 or 1, or (issue 14) int32 class indices of
   * the input's shape without the class axis `axis`, label C meaning background.
   */
  readonly targetKind: 'float' | 'binary' | 'classIndex';
  /**
   * The factor from the sum of losses to the returned loss, and on every gradient, when nothing is
   * ignored; with `ignoreIndex` set, "mean" divides by the count the target check returns
   * (reductionScale(reduction, normalizer, counted)).
   */
  readonly scale: number;
  /** The class axis, when a per-class posWeight or class-index targets need it; else null. */
  readonly classLayout: SigmoidClassLayout | null;
}

/**
 * Every check of a `sigmoid_focal_loss` call but the target values; `inputDtypes` are the adapter's,
 * `declaration` what it implements beyond the 1.1 base (none when absent).
 */
export function planSigmoidCall(
  lossOptions: unknown,
  tensors: CallTensors,
  inputDtypes: readonly string[],
  declaration: AdapterDeclaration = BASE_ONLY,
): SigmoidPlan {
  const options = resolveSigmoidOptions(lossOptions);
  requireDeclaredOptions('sigmoid_focal_loss', options, declaration);
  const { input, target, weight } = tensors;
  requireDtype('input', input, inputDtypes);
  requireDtype('sigmoid_focal_loss target', target, [...inputDtypes, ...BINARY_TARGET_DTYPES]);
  if (weight !== null) requireDtype('weight', weight, inputDtypes);
  const inputShape = checkTensorShape('input', input);
  const targetShape = checkTensorShape('target', target);
  const weightShape = weight === null ? null : checkTensorShape('weight', weight);
  // int32 targets one rank below the input are class indices (mmdet, Detectron2), a feature beyond 1.1
  const classIndex = target.dtype === 'int32' && Array.isArray(targetShape) && Array.isArray(inputShape) &&
    targetShape.length === inputShape.length - 1;
  let classLayout: SigmoidClassLayout | null = null;
  if (classIndex) {
    classLayout = sigmoidClassLayout(inputShape, options.axis, 'int32 class-index targets');
    const labelsShape = inputShape.filter((_, k) => k !== classLayout?.axis);
    if (!sameShape(targetShape, labelsShape)) {
      throw new FocalLossError(
        'SHAPE_MISMATCH',
        `int32 class-index target shape ${describeShape(targetShape)} must be the input shape without the class axis ` +
          `${classLayout.axis}, ${describeShape(labelsShape)} (or the input shape ${describeShape(inputShape)} for 0/1 labels)`,
      );
    }
    requireImplemented(SIGMOID_CLASS_INDEX_TARGETS, declaration);
  }
  const layout = resolveSigmoidLayout(inputShape, classIndex ? inputShape : targetShape, weightShape);
  if (Array.isArray(options.posWeight)) {
    classLayout ??= sigmoidClassLayout(inputShape, options.axis, 'a per-class posWeight');
    if (options.posWeight.length !== classLayout.classes) {
      throw new FocalLossError(
        'SHAPE_MISMATCH',
        `posWeight has ${options.posWeight.length} per-class entries but input shape ${describeShape(inputShape)} has ` +
          `${classLayout.classes} classes on axis ${classLayout.axis}`,
      );
    }
  }
  // Step 6: sigmoid's axis only serves class-index targets and a per-class posWeight; given without
  // either it would silently do nothing (contract 1.1), as it did when it was no sigmoid option at all.
  if (options.axisGiven === true && classLayout === null) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `option "axis" ${describeValue(options.axis)} has no effect on sigmoid_focal_loss here: it only places the class axis ` +
        'of int32 class-index targets and of a per-class posWeight',
    );
  }
  return {
    options,
    layout,
    outputShape: reducedShape(options.reduction, layout.lossShape),
    targetKind: classIndex ? 'classIndex' : BINARY_TARGET_DTYPES.includes(target.dtype) ? 'binary' : 'float',
    scale: reductionScale(options.reduction, options.normalizer, layout.size),
    classLayout,
  };
}

export interface SoftmaxPlan {
  readonly options: ResolvedSoftmaxOptions;
  readonly layout: SoftmaxLayout;
  readonly outputShape: number[];
  /** int32 class indices, or float per-class probabilities. */
  readonly targetKind: 'index' | 'probability';
  /** The ignoreIndex in effect: the option with index targets (null with probability targets). */
  readonly ignoreIndex: number | null;
}

/**
 * Every check of a `softmax_focal_loss` call but the target values. The mean's scale depends on
 * how many positions are ignored: `reductionScale(reduction, normalizer, counted)` once the
 * adapter has counted them (checkClassIndexTargets returns the count). `declaration` as above.
 */
export function planSoftmaxCall(
  lossOptions: unknown,
  tensors: CallTensors,
  inputDtypes: readonly string[],
  declaration: AdapterDeclaration = BASE_ONLY,
): SoftmaxPlan {
  const options = resolveSoftmaxOptions(lossOptions);
  requireDeclaredOptions('softmax_focal_loss', options, declaration);
  const { input, target, weight } = tensors;
  requireDtype('input', input, inputDtypes);
  requireDtype(
    'softmax_focal_loss target',
    target,
    ['int32', ...inputDtypes],
    ' (int32 for class indices, float for per-class probabilities)',
  );
  if (weight !== null) requireDtype('weight', weight, inputDtypes);
  const inputShape = checkTensorShape('input', input);
  const targetShape = checkTensorShape('target', target);
  const weightShape = weight === null ? null : checkTensorShape('weight', weight);
  const targetKind = target.dtype === 'int32' ? 'index' : 'probability';
  const layout = resolveSoftmaxLayout(inputShape, targetShape, targetKind, options.axis, weightShape, options.alpha);
  // a preset's ignoreIndex (kornia) simply does not apply to probability targets; the caller's is an error
  if (targetKind === 'probability' && options.ignoreIndex !== null && options.ignoreIndexFromPreset !== true) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `option "ignoreIndex" must be null with float (probability) targets, got ${options.ignoreIndex}: ` +
        'it only applies to int32 class-index targets',
    );
  }
  return {
    options,
    layout,
    outputShape: reducedShape(options.reduction, layout.lossShape),
    targetKind,
    ignoreIndex: targetKind === 'index' ? options.ignoreIndex : null,
  };
}
