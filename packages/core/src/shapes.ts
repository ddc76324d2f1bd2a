import { FocalLossError, describeShape, describeValue } from './errors.js';
import type { Reduction } from './options.js';

export type Shape = readonly number[];

/** Checks that a shape is a list of non-negative integers and returns its element count. */
export function shapeSize(shape: Shape, name = 'shape'): number {
  if (!Array.isArray(shape)) {
    throw new FocalLossError('SHAPE_MISMATCH', `${name} must be an array of integers, got ${describeValue(shape)}`);
  }
  let size = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new FocalLossError(
        'SHAPE_MISMATCH',
        `${name} ${describeValue(shape)} has a dimension that is not a non-negative integer: ${describeValue(dim)}`,
      );
    }
    size *= dim;
  }
  return size;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

function requireSameShape(actual: Shape, expected: Shape, what: string, against: string): void {
  if (!sameShape(actual, expected)) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `${what} shape ${describeShape(actual)} does not match ${against} ${describeShape(expected)}`,
    );
  }
}

/** Checks that a flat buffer holds exactly the elements its shape promises. */
export function requireLength(length: number, shape: Shape, name: string): void {
  const size = shapeSize(shape, `${name} shape`);
  if (length !== size) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `${name} has ${length} elements but its shape ${describeShape(shape)} needs ${size}`,
    );
  }
}

export interface SigmoidLayout {
  /** Number of elements, which is also the number of counted positions. */
  readonly size: number;
  /** Shape of the unreduced loss: the input's. */
  readonly lossShape: Shape;
}

/** Shapes of `sigmoid_focal_loss`: target and weight must have the input's shape. */
export function resolveSigmoidLayout(inputShape: Shape, targetShape: Shape, weightShape?: Shape | null): SigmoidLayout {
  const size = shapeSize(inputShape, 'input shape');
  shapeSize(targetShape, 'target shape');
  requireSameShape(targetShape, inputShape, 'target', 'input shape');
  if (weightShape) {
    shapeSize(weightShape, 'weight shape');
    requireSameShape(weightShape, inputShape, 'weight', 'loss shape');
  }
  return { size, lossShape: [...inputShape] };
}

/** How `softmax_focal_loss` reads its target: class indices, or per-class probabilities. */
export type SoftmaxTargetKind = 'index' | 'probability';

export interface SoftmaxLayout {
  /** The class axis, normalised to [0, rank). */
  readonly axis: number;
  /** Product of the dimensions before the class axis. */
  readonly outer: number;
  /** Number of classes C. */
  readonly classes: number;
  /** Product of the dimensions after the class axis; also the stride between classes. */
  readonly inner: number;
  /** Number of positions (outer * inner); each has one loss value. */
  readonly positions: number;
  /** Shape of the unreduced loss: the input's without the class axis. */
  readonly lossShape: Shape;
  readonly targetKind: SoftmaxTargetKind;
}

/**
 * Shapes of `softmax_focal_loss`. Element (o, c, i) of the input sits at
 * `o * classes * inner + c * inner + i`; position (o, i) of the loss at `o * inner + i`.
 */
export function resolveSoftmaxLayout(
  inputShape: Shape,
  targetShape: Shape,
  targetKind: SoftmaxTargetKind,
  axis: number,
  weightShape?: Shape | null,
  alpha?: number | readonly number[] | null,
): SoftmaxLayout {
  shapeSize(inputShape, 'input shape');
  shapeSize(targetShape, 'target shape');
  const rank = inputShape.length;
  if (rank === 0) {
    throw new FocalLossError('SHAPE_MISMATCH', 'softmax_focal_loss needs an input with a class axis, got a scalar input shape []');
  }
  if (axis < -rank || axis >= rank) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `axis ${axis} is out of range for input shape ${describeShape(inputShape)} (rank ${rank})`,
    );
  }
  const ax = axis < 0 ? axis + rank : axis;
  const lossShape = inputShape.filter((_, i) => i !== ax);
  if (targetKind === 'index') {
    requireSameShape(targetShape, lossShape, 'integer target', 'input shape without the class axis');
  } else {
    requireSameShape(targetShape, inputShape, 'probability target', 'input shape');
  }
  if (weightShape) {
    shapeSize(weightShape, 'weight shape');
    requireSameShape(weightShape, lossShape, 'weight', 'loss shape');
  }
  const classes = inputShape[ax] as number;
  if (Array.isArray(alpha) && alpha.length !== classes) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `alpha has ${alpha.length} per-class entries but input shape ${describeShape(inputShape)} has ${classes} classes on axis ${ax}`,
    );
  }
  const outer = inputShape.slice(0, ax).reduce((a, b) => a * b, 1);
  const inner = inputShape.slice(ax + 1).reduce((a, b) => a * b, 1);
  return { axis: ax, outer, classes, inner, positions: outer * inner, lossShape, targetKind };
}

/** Shape of the returned loss: the unreduced shape for "none", a scalar otherwise. */
export function reducedShape(reduction: Reduction, lossShape: Shape): number[] {
  return reduction === 'none' ? [...lossShape] : [];
}
