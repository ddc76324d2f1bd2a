import { FocalLossError, describeShape, requireLength } from '@focal-loss/core';
import type { FloatArray, TensorView } from './types.js';

export function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float32Array || value instanceof Float64Array;
}

/** Checks that a view is a float typed array whose length matches its shape. */
export function requireFloatView(view: TensorView<FloatArray> | undefined, name: string): void {
  if (view === null || typeof view !== 'object' || !isFloatArray(view.data)) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `${name} must be { data: Float32Array | Float64Array, shape: number[] }`,
    );
  }
  requireLength(view.data.length, view.shape, name);
}

/** Like `requireFloatView`, also accepting Int32Array (class-index targets). */
export function requireTargetView(view: TensorView<ArrayLike<number>> | undefined): void {
  if (
    view === null ||
    typeof view !== 'object' ||
    !(isFloatArray(view.data) || view.data instanceof Int32Array)
  ) {
    throw new FocalLossError(
      'INVALID_OPTION',
      'target must be { data: Float32Array | Float64Array | Int32Array, shape: number[] }',
    );
  }
  requireLength(view.data.length, view.shape, 'target');
}

type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

/** The caller's buffer when given (checked), else a new one of the input's array type. */
export function outputBuffer(
  given: FloatArray | undefined,
  like: FloatArray,
  length: number,
  name: string,
  shape: readonly number[],
): FloatArray {
  if (given === undefined) return new (like.constructor as FloatArrayConstructor)(length);
  if (!isFloatArray(given)) {
    throw new FocalLossError('INVALID_OPTION', `out.${name} must be a Float32Array or Float64Array`);
  }
  if (given.length !== length) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `out.${name} has ${given.length} elements but the ${name} of shape ${describeShape(shape)} needs ${length}`,
    );
  }
  return given;
}
