/** The fused softmax focal loss on tfjs-backend-cpu: the core loop over the backend's own arrays. */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuValues, sizeOf, type CpuBackendLike } from '../backend-memory.js';
import { SOFTMAX_FOCAL_LOSS, type FocalLossInputs, type SoftmaxFocalLossAttrs } from '../kernel-names.js';
import { softmaxFocalImpl } from '../shared-impl.js';

function softmaxFocalLossCpu(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const backend = args.backend as unknown as CpuBackendLike;
  const { input, target, weight } = args.inputs as FocalLossInputs;
  const attrs = args.attrs as unknown as SoftmaxFocalLossAttrs;
  const positions = attrs.outer * attrs.inner;
  const reduce = attrs.reduction !== 'none';
  const loss = new Float32Array(reduce ? 1 : positions);
  const grad = attrs.gradient ? new Float32Array(sizeOf(input.shape)) : null;
  softmaxFocalImpl(
    {
      input: cpuValues(backend, input),
      target: cpuValues(backend, target),
      weight: weight === undefined ? null : cpuValues(backend, weight),
      loss,
      grad,
    },
    attrs,
  );
  const lossShape = reduce ? [] : input.shape.filter((_, i) => i !== attrs.axis);
  const outputs = [backend.makeTensorInfo(lossShape, 'float32', loss)];
  if (grad !== null) outputs.push(backend.makeTensorInfo([...input.shape], 'float32', grad));
  return outputs;
}

export const softmaxFocalLossCpuConfig: KernelConfig = {
  kernelName: SOFTMAX_FOCAL_LOSS,
  backendName: 'cpu',
  kernelFunc: softmaxFocalLossCpu as unknown as KernelFunc,
};
