import { FocalLossError, describeShape, describeValue } from './errors.js';
import type { Reduction } from './options.js';

export type Shape = readonly number[];

/**
 * The most elements a tensor (the input, or the unreduced loss) may have: what every adapter can
 * index and allocate (typed arrays, tfjs, onnxruntime all use 32-bit signed sizes somewhere).
 * Larger shapes are SHAPE_MISMATCH before any allocation.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Checks that a shape is a dense array of non-negative integers and returns its element count.
 * The count is exact: every dimension is a safe integer and the product is checked against
 * MAX_ELEMENTS as it grows (a zero dimension anywhere makes it 0).
 */
export function shapeSize(shape: Shape, name = 'shape'): number {
  if (!Array.isArray(shape)) {
    throw new FocalLossError('SHAPE_MISMATCH', `${name} must be an array of integers, got ${describeValue(shape)}`);
  }
  let size = 1;
  let tooLarge = false;
  for (let i = 0; i < shape.length; i++) {
    const dim: unknown = i in shape ? shape[i] : undefined;
    if (!(i in shape) || typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new FocalLossError(
        'SHAPE_MISMATCH',
        `${name} ${describeValue(shape)} has a dimension that is not a non-negative integer at index ${i}: ` +
          (i in shape ? describeValue(dim) : '<hole>'),
      );
    }
    size *= dim;
    if (size > MAX_ELEMENTS) tooLarge = true; // keep reading: a later 0 makes the shape empty
    if (tooLarge && size > Number.MAX_SAFE_INTEGER) size = Number.MAX_SAFE_INTEGER;
  }
  if (tooLarge && size !== 0) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `${name} ${describeShape(shape)} has more than ${MAX_ELEMENTS} elements (2^31 - 1), more than an adapter can allocate`,
    );
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
  } else if (!sameShape(targetShape, inputShape) && sameShape(targetShape, lossShape)) {
    // the shape of class indices, in a float dtype: say what to do rather than only "mismatch"
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `float target shape ${describeShape(targetShape)} is the shape of class indices (input shape without the class axis); ` +
        `cast class indices to int32, or give per-class probabilities of the input shape ${describeShape(inputShape)}`,
    );
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
  // The unreduced loss can be larger than the input when the class axis is 0 long.
  shapeSize(lossShape, 'loss shape (input shape without the class axis)');
  const outer = inputShape.slice(0, ax).reduce((a, b) => a * b, 1);
  const inner = inputShape.slice(ax + 1).reduce((a, b) => a * b, 1);
  return { axis: ax, outer, classes, inner, positions: outer * inner, lossShape, targetKind };
}

/** Shape of the returned loss: the unreduced shape for "none", a scalar otherwise. */
export function reducedShape(reduction: Reduction, lossShape: Shape): number[] {
  return reduction === 'none' ? [...lossShape] : [];
}
