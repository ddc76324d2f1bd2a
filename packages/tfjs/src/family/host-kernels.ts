/**
 * The family's fused kernels on the host backends, one KernelConfig per (op, backend), built from
 * the table (./kernel-table.ts): the core's fused loop over the backend's own memory, as the focal
 * kernels do (../kernels/cpu, ../kernels/wasm). cpu: the backend's typed arrays, outputs new
 * Float32Arrays; wasm: outputs allocated first (an allocation may grow the heap and detach earlier
 * views), then views of the heap, no copies.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuValues, sizeOf, type CpuBackendLike, type WasmBackendLike } from '../kernels/backend-memory.js';
import { FAMILY_KERNEL_ROWS, type FamilyKernelAttrs, type FamilyKernelRow } from './kernel-table.js';

type Numbers = ArrayLike<number>;
type Out = { [index: number]: number };

interface FamilyInputs {
  input: TensorInfo;
  target: TensorInfo;
  weight?: TensorInfo;
}

/** One pass of the op's loop: unreduced losses into `loss`, or their sum times the scale in loss[0]. */
function runHostLoop(
  row: FamilyKernelRow,
  memory: { input: Numbers; target: Numbers; weight: Numbers | null; loss: Out; grad: Out | null },
  attrs: FamilyKernelAttrs,
): void {
  const reduce = attrs.reduction !== 'none';
  const sum = row.loop(
    {
      input: memory.input,
      target: memory.target,
      weight: memory.weight,
      lossOut: reduce ? null : memory.loss,
      gradOut: memory.grad,
      scale: attrs.scale,
    },
    attrs.op,
  );
  if (reduce) memory.loss[0] = sum * attrs.scale;
}

function cpuKernel(row: FamilyKernelRow): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo[] => {
    const backend = args.backend as unknown as CpuBackendLike;
    const { input, target, weight } = args.inputs as unknown as FamilyInputs;
    const attrs = args.attrs as unknown as FamilyKernelAttrs;
    const size = sizeOf(input.shape);
    const reduce = attrs.reduction !== 'none';
    const loss = new Float32Array(reduce ? 1 : size);
    const grad = attrs.gradient ? new Float32Array(size) : null;
    runHostLoop(
      row,
      {
        input: cpuValues(backend, input),
        target: cpuValues(backend, target),
        weight: weight === undefined ? null : cpuValues(backend, weight),
        loss,
        grad,
      },
      attrs,
    );
    const outputs = [backend.makeTensorInfo(reduce ? [] : [...input.shape], 'float32', loss)];
    if (grad !== null) outputs.push(backend.makeTensorInfo([...input.shape], 'float32', grad));
    return outputs;
  };
  return { kernelName: row.kernelName, backendName: 'cpu', kernelFunc: kernelFunc as unknown as KernelFunc };
}

function wasmKernel(row: FamilyKernelRow): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo[] => {
    const backend = args.backend as unknown as WasmBackendLike;
    const { input, target, weight } = args.inputs as unknown as FamilyInputs;
    const attrs = args.attrs as unknown as FamilyKernelAttrs;
    const reduce = attrs.reduction !== 'none';
    const lossInfo = backend.makeOutput(reduce ? [] : [...input.shape], 'float32');
    const gradInfo = attrs.gradient ? backend.makeOutput([...input.shape], 'float32') : null;
    runHostLoop(
      row,
      {
        input: backend.typedArrayFromHeap(input),
        target: backend.typedArrayFromHeap(target),
        weight: weight === undefined ? null : backend.typedArrayFromHeap(weight),
        loss: backend.typedArrayFromHeap(lossInfo),
        grad: gradInfo === null ? null : backend.typedArrayFromHeap(gradInfo),
      },
      attrs,
    );
    return gradInfo === null ? [lossInfo] : [lossInfo, gradInfo];
  };
  return { kernelName: row.kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Every family kernel: cpu and wasm for each op of the table. */
export const FAMILY_HOST_KERNELS: readonly KernelConfig[] = FAMILY_KERNEL_ROWS.flatMap((row) => [cpuKernel(row), wasmKernel(row)]);
