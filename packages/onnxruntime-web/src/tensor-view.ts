/**
 * What the runner accepts as a tensor (an ort.Tensor, or a typed array with its shape) and how it
 * describes one to the core's call plan: the dtype by name (so that a wrong one is refused naming
 * what was received), the shape as given and the data length.
 */
import * as ort from 'onnxruntime-web';
import { FocalLossError, describeValue, type TensorInfo } from '@focal-loss/core';
import { float16Bits, isFloat16Array, widenFloat16 } from './half.js';

/**
 * A float32 (or int32 for targets) tensor: an ort.Tensor or a typed array with its shape; or a
 * float16 one (issue 14): binary16 bits in a Uint16Array, or a runtime Float16Array, with
 * `dtype: 'float16'`, which a Uint16Array always needs (without it, it is refused as "Uint16Array",
 * never read as half bits).
 */
export type TensorInput =
  | ort.Tensor
  | { readonly data: Float32Array | Int32Array; readonly shape: readonly number[]; readonly dtype?: 'float32' | 'int32' }
  | Float16Input;

/** float16 data: the binary16 bits (Uint16Array) or a Float16Array where the runtime has one. */
export interface Float16Input {
  readonly data: Uint16Array | (ArrayBufferView & { readonly length: number });
  readonly shape: readonly number[];
  readonly dtype: 'float16';
}

/** A tensor as the runner holds it after the checks. */
export interface View {
  readonly dtype: string;
  readonly data: ArrayLike<number> & { readonly length: number };
  readonly shape: readonly number[];
  /**
   * float16 only: the binary16 bits as fed to the model; `data` then holds the same values widened
   * to float32 (exactly), for the target checks.
   */
  readonly half?: Uint16Array;
}

/** The dtype name of a typed array, as ORT names it. */
function dtypeOfArray(data: unknown): string {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float64Array) return 'float64';
  // a Float16Array cannot be anything but half values (a Uint16Array needs dtype 'float16')
  if (isFloat16Array(data)) return 'float16';
  if (ArrayBuffer.isView(data)) return data.constructor.name;
  return describeValue(data);
}

/**
 * Reads a tensor argument. Anything that is not a tensor at all is INVALID_OPTION here; a tensor
 * of a wrong dtype or with a bad shape is left to the core's plan, which names it.
 */
export function readTensor(value: unknown, name: string): { view: View; info: TensorInfo } {
  if (value instanceof ort.Tensor) {
    if (value.type === 'float16') return float16View(value.data as Uint16Array, value.dims);
    const view: View = { dtype: value.type, data: value.data as View['data'], shape: value.dims };
    return { view, info: { dtype: value.type, shape: value.dims, length: value.size } };
  }
  if (value !== null && typeof value === 'object' && 'data' in value && 'shape' in value) {
    const { data, shape } = value as { data: unknown; shape: unknown };
    const declared = (value as { dtype?: unknown }).dtype;
    if (declared === 'float16' || (declared === undefined && isFloat16Array(data))) {
      if (!(data instanceof Uint16Array) && !isFloat16Array(data)) {
        throw new FocalLossError(
          'INVALID_OPTION',
          `${name} with dtype "float16" must hold a Uint16Array (binary16 bits) or a Float16Array, got ${describeValue(data)}`,
        );
      }
      return float16View(data, shape);
    }
    const dtype = dtypeOfArray(data);
    if (declared !== undefined && declared !== dtype) {
      // a dtype that does not describe the data (e.g. 'float32' on a Uint16Array) is never trusted
      throw new FocalLossError(
        'INVALID_OPTION',
        `${name} has dtype ${describeValue(declared)} but its data is ${dtype}; the dtype, when given, must be "float16" (Uint16Array or Float16Array data), "float32" or "int32"`,
      );
    }
    const length = ArrayBuffer.isView(data) ? (data as unknown as { length: number }).length : undefined;
    const info: TensorInfo = length === undefined ? { dtype, shape } : { dtype, shape, length };
    return { view: { dtype, data: data as View['data'], shape: shape as readonly number[] }, info };
  }
  throw new FocalLossError(
    'INVALID_OPTION',
    `${name} must be an ort.Tensor, { data: Float32Array | Int32Array, shape: number[] } or { data: Uint16Array | Float16Array, shape, dtype: 'float16' }, got ${describeValue(value)}`,
  );
}

/** A float16 tensor: its bits for the model, its values widened to float32 for the checks. */
function float16View(data: Uint16Array | (ArrayBufferView & { readonly length: number }), shape: unknown): { view: View; info: TensorInfo } {
  const half = float16Bits(data);
  const view: View = { dtype: 'float16', data: widenFloat16(half), shape: shape as readonly number[], half };
  return { view, info: { dtype: 'float16', shape, length: half.length } };
}
