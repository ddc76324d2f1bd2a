/**
 * The little of the cpu and wasm backends' classes the kernels use, typed structurally: the
 * backends are the user's choice (devDependencies here), so this package imports neither.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

type Values = Float32Array | Int32Array | Uint8Array;

/** tfjs-backend-cpu's MathBackendCPU: plain typed arrays per dataId. */
export interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: DataType, values?: Values): TensorInfo;
}

/** tfjs-backend-wasm's BackendWasm: tensors live in the module's heap. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Values;
}

/** The values of a cpu tensor, no copy. */
export function cpuValues(backend: CpuBackendLike, info: TensorInfo): Values {
  const values = backend.data.get(info.dataId)?.values;
  if (!(values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array)) {
    throw new Error(`focal loss cpu kernel: tensor ${info.dtype} [${info.shape.join(', ')}] has no numeric data on the cpu backend`);
  }
  return values;
}

/** Element count of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
