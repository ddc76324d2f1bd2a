import { FocalLossError, describeShape, describeValue, type TensorInfo } from '@focal-loss/core';
import { isFloat16Array } from './float16.js';
import type { FloatArray, InputArray, TensorView } from './types.js';

/** The float dtypes this adapter computes in (float32 in float64 arithmetic, or float64). */
export const FLOAT_DTYPES: readonly string[] = ['float32', 'float64'];

/** The float dtypes of ops that declare FLOAT16_INPUTS: float16 data is widened to float32 after the checks. */
export const FLOAT16_AND_FLOAT_DTYPES: readonly string[] = ['float16', ...FLOAT_DTYPES];

export function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float32Array || value instanceof Float64Array;
}

/** The dtype of a view's data as the contract names it, or what it is (refused by the plan). */
function dtypeOf(data: unknown): string {
  if (isFloat16Array(data)) return 'float16';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (ArrayBuffer.isView(data) || Array.isArray(data)) return (data as object).constructor.name;
  return describeValue(data);
}

/**
 * What the core's call plan needs to know of a view. A value that is not a view at all is refused
 * here (INVALID_OPTION); its dtype, shape and length are the plan's to check.
 */
export function tensorInfo(view: unknown, name: string): TensorInfo {
  if (view === null || typeof view !== 'object' || !('data' in view)) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `${name} must be { data: Float32Array | Float64Array${name === 'target' ? ' | Int32Array' : ''}, shape: number[] }, got ${describeValue(view)}`,
    );
  }
  const { data, shape } = view as TensorView<ArrayLike<number>>;
  const length = ArrayBuffer.isView(data) || Array.isArray(data) ? (data as ArrayLike<number>).length : undefined;
  return { dtype: dtypeOf(data), shape, length };
}

type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

/** The caller's buffer when given (checked), else a new one of the input's array type. */
export function outputBuffer(
  given: unknown,
  like: FloatArray,
  length: number,
  name: string,
  shape: readonly number[],
): FloatArray {
  if (given === undefined) return new (like.constructor as FloatArrayConstructor)(length);
  if (!isFloatArray(given)) {
    throw new FocalLossError('INVALID_OPTION', `out.${name} must be a Float32Array or Float64Array, got ${describeValue(given)}`);
  }
  if (given.length !== length) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `out.${name} has ${given.length} elements but the ${name} of shape ${describeShape(shape)} needs ${length}`,
    );
  }
  return given;
}

/** The adapter's own options (everything but the loss options), checked. */
export interface AdapterOptions {
  readonly weight: TensorView<InputArray> | null;
  readonly gradient: boolean;
  readonly out: { readonly loss?: unknown; readonly gradInput?: unknown };
}

export const ADAPTER_KEYS: readonly string[] = ['weight', 'gradient', 'out'];

export function readOut(out: unknown): AdapterOptions['out'] {
  if (out === undefined) return {};
  if (out === null || typeof out !== 'object' || Array.isArray(out)) {
    throw new FocalLossError('INVALID_OPTION', `option "out" must be { loss?, gradInput? }, got ${describeValue(out)}`);
  }
  for (const key of Object.keys(out)) {
    if (key !== 'loss' && key !== 'gradInput') {
      throw new FocalLossError('INVALID_OPTION', `unknown key "out.${key}" (known: loss, gradInput)`);
    }
  }
  return out as AdapterOptions['out'];
}
