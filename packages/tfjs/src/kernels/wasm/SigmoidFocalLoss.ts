/**
 * The fused sigmoid focal loss on tfjs-backend-wasm: the core loop over views of the wasm heap
 * (inputs read and outputs written in place, no copies). The outputs are allocated first: an
 * allocation may grow the heap, which detaches every view taken before it.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from '../backend-memory.js';
import { SIGMOID_FOCAL_LOSS, type FocalLossInputs, type SigmoidFocalLossAttrs } from '../kernel-names.js';
import { sigmoidFocalImpl } from '../shared-impl.js';
import { wasmFocalLoops } from './focal-loops.js';

function sigmoidFocalLossWasm(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const backend = args.backend as unknown as WasmBackendLike;
  const { input, target, weight } = args.inputs as FocalLossInputs;
  const attrs = args.attrs as unknown as SigmoidFocalLossAttrs;
  const reduce = attrs.reduction !== 'none';
  const lossInfo = backend.makeOutput(reduce ? [] : [...input.shape], 'float32');
  const gradInfo = attrs.gradient ? backend.makeOutput([...input.shape], 'float32') : null;
  sigmoidFocalImpl(
    {
      input: backend.typedArrayFromHeap(input),
      target: backend.typedArrayFromHeap(target),
      weight: weight === undefined ? null : backend.typedArrayFromHeap(weight),
      loss: backend.typedArrayFromHeap(lossInfo),
      grad: gradInfo === null ? null : backend.typedArrayFromHeap(gradInfo),
    },
    attrs,
    wasmFocalLoops.sigmoid,
  );
  return gradInfo === null ? [lossInfo] : [lossInfo, gradInfo];
}

export const sigmoidFocalLossWasmConfig: KernelConfig = {
  kernelName: SIGMOID_FOCAL_LOSS,
  backendName: 'wasm',
  kernelFunc: sigmoidFocalLossWasm as unknown as KernelFunc,
};
