/**
 * The call plan of a family op: every check before any work, in the order of the focal ops'
 * plans (../plan.ts, contract 1.1), so a call with several faults gets the same code everywhere:
 * loss options (INVALID_OPTION), dtypes (INVALID_OPTION naming what was received), shapes
 * (SHAPE_MISMATCH: target and weight have the input's shape, as in sigmoid_focal_loss). Target
 * values come last (`checkFamilyTargets`, INVALID_TARGET).
 */
import { FocalLossError, describeValue } from '../errors.js';
import { BINARY_TARGET_DTYPES, type CallTensors, type TensorInfo } from '../plan.js';
import { reductionScale } from '../reduction.js';
import { reducedShape, requireLength, resolveSigmoidLayout, shapeSize, type Shape, type SigmoidLayout } from '../shapes.js';
import { checkBinaryTargets, checkUnitIntervalTargets } from '../targets.js';
import { resolveFamilyOptions, type FamilyOpName, type ResolvedFamilyOptionsByOp } from './options.js';

export interface FamilyPlan<Op extends FamilyOpName = FamilyOpName> {
  readonly op: Op;
  readonly options: ResolvedFamilyOptionsByOp[Op];
  readonly layout: SigmoidLayout;
  /** Shape of the returned loss: the input's for "none", [] otherwise. */
  readonly outputShape: number[];
  /** Float targets, or integer (int32 / bool) 0/1 labels. */
  readonly targetKind: 'float' | 'binary';
  /** The factor from the sum of losses to the returned loss, and on every gradient. */
  readonly scale: number;
}

function requireDtype(name: string, tensor: TensorInfo, allowed: readonly string[]): void {
  if (!allowed.includes(tensor.dtype)) {
    const list = allowed.length === 1 ? allowed[0] : `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
    throw new FocalLossError('INVALID_OPTION', `${name} must have dtype ${list}, got ${describeValue(tensor.dtype)}`);
  }
}

function checkTensorShape(name: string, tensor: TensorInfo): Shape {
  const shape = tensor.shape as Shape;
  if (tensor.length === undefined) shapeSize(shape, `${name} shape`);
  else requireLength(tensor.length, shape, name);
  return shape;
}

/** Every check of a family call but the target values; `inputDtypes` are the adapter's float dtypes. */
export function planFamilyCall<Op extends FamilyOpName>(
  op: Op,
  lossOptions: unknown,
  tensors: CallTensors,
  inputDtypes: readonly string[],
): FamilyPlan<Op> {
  const options = resolveFamilyOptions(op, lossOptions);
  const { input, target, weight } = tensors;
  requireDtype('input', input, inputDtypes);
  requireDtype(`${op} target`, target, [...inputDtypes, ...BINARY_TARGET_DTYPES]);
  if (weight !== null) requireDtype('weight', weight, inputDtypes);
  const inputShape = checkTensorShape('input', input);
  const targetShape = checkTensorShape('target', target);
  const weightShape = weight === null ? null : checkTensorShape('weight', weight);
  const layout = resolveSigmoidLayout(inputShape, targetShape, weightShape);
  return {
    op,
    options,
    layout,
    outputShape: reducedShape(options.reduction, layout.lossShape),
    targetKind: BINARY_TARGET_DTYPES.includes(target.dtype) ? 'binary' : 'float',
    scale: reductionScale(options.reduction, options.normalizer, layout.size),
  };
}

/**
 * Step 7: target values. Every op takes 0/1 integer labels; float targets are in [0, 1] (soft and
 * IoU targets), except asymmetric_loss, whose targets are binary labels (the reference's
 * "multi-label binarized vector"): 0 or 1 in any dtype.
 */
export function checkFamilyTargets(op: FamilyOpName, targetKind: 'float' | 'binary', data: ArrayLike<number>): void {
  if (targetKind === 'binary' || op === 'asymmetric_loss') checkBinaryTargets(data);
  else checkUnitIntervalTargets(data);
}
