/**
 * The fused softmax focal loss on tfjs-backend-wasm: the core loop over views of the wasm heap
 * (no copies). Outputs are allocated before any view is taken (a heap growth detaches views).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from '../backend-memory.js';
import { SOFTMAX_FOCAL_LOSS, type FocalLossInputs, type SoftmaxFocalLossAttrs } from '../kernel-names.js';
import { softmaxFocalImpl } from '../shared-impl.js';
import { wasmFocalLoops } from './focal-loops.js';

function softmaxFocalLossWasm(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const backend = args.backend as unknown as WasmBackendLike;
  const { input, target, weight } = args.inputs as FocalLossInputs;
  const attrs = args.attrs as unknown as SoftmaxFocalLossAttrs;
  const reduce = attrs.reduction !== 'none';
  const lossShape = reduce ? [] : input.shape.filter((_, i) => i !== attrs.axis);
  const lossInfo = backend.makeOutput(lossShape, 'float32');
  const gradInfo = attrs.gradient ? backend.makeOutput([...input.shape], 'float32') : null;
  softmaxFocalImpl(
    {
      input: backend.typedArrayFromHeap(input),
      target: backend.typedArrayFromHeap(target),
      weight: weight === undefined ? null : backend.typedArrayFromHeap(weight),
      loss: backend.typedArrayFromHeap(lossInfo),
      grad: gradInfo === null ? null : backend.typedArrayFromHeap(gradInfo),
    },
    attrs,
    wasmFocalLoops.softmax,
  );
  return gradInfo === null ? [lossInfo] : [lossInfo, gradInfo];
}

export const softmaxFocalLossWasmConfig: KernelConfig = {
  kernelName: SOFTMAX_FOCAL_LOSS,
  backendName: 'wasm',
  kernelFunc: softmaxFocalLossWasm as unknown as KernelFunc,
};
