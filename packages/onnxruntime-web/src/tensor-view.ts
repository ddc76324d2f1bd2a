/**
 * What the runner accepts as a tensor (an ort.Tensor, or a typed array with its shape) and how it
 * describes one to the core's call plan: the dtype by name (so that a wrong one is refused naming
 * what was received), the shape as given and the data length.
 */
import * as ort from 'onnxruntime-web';
import { FocalLossError, describeValue, type TensorInfo } from '@focal-loss/core';

/** A float32 (or int32 for targets) tensor: an ort.Tensor or a typed array with its shape. */
export type TensorInput =
  | ort.Tensor
  | { readonly data: Float32Array | Int32Array; readonly shape: readonly number[] };

/** A tensor as the runner holds it after the checks. */
export interface View {
  readonly dtype: string;
  readonly data: ArrayLike<number> & { readonly length: number };
  readonly shape: readonly number[];
}

/** The dtype name of a typed array, as ORT names it. */
function dtypeOfArray(data: unknown): string {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float64Array) return 'float64';
  if (ArrayBuffer.isView(data)) return data.constructor.name;
  return describeValue(data);
}

/**
 * Reads a tensor argument. Anything that is not a tensor at all is INVALID_OPTION here; a tensor
 * of a wrong dtype or with a bad shape is left to the core's plan, which names it.
 */
export function readTensor(value: unknown, name: string): { view: View; info: TensorInfo } {
  if (value instanceof ort.Tensor) {
    const view: View = { dtype: value.type, data: value.data as View['data'], shape: value.dims };
    return { view, info: { dtype: value.type, shape: value.dims, length: value.size } };
  }
  if (value !== null && typeof value === 'object' && 'data' in value && 'shape' in value) {
    const { data, shape } = value as { data: unknown; shape: unknown };
    const dtype = dtypeOfArray(data);
    const length = ArrayBuffer.isView(data) ? (data as unknown as { length: number }).length : undefined;
    const info: TensorInfo = length === undefined ? { dtype, shape } : { dtype, shape, length };
    return { view: { dtype, data: data as View['data'], shape: shape as readonly number[] }, info };
  }
  throw new FocalLossError(
    'INVALID_OPTION',
    `${name} must be an ort.Tensor or { data: Float32Array | Int32Array, shape: number[] }, got ${describeValue(value)}`,
  );
}
