/** The fused sigmoid focal loss on tfjs-backend-cpu: the core loop over the backend's own arrays. */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuValues, sizeOf, type CpuBackendLike } from '../backend-memory.js';
import { SIGMOID_FOCAL_LOSS, type FocalLossInputs, type SigmoidFocalLossAttrs } from '../kernel-names.js';
import { sigmoidFocalImpl } from '../shared-impl.js';

function sigmoidFocalLossCpu(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const backend = args.backend as unknown as CpuBackendLike;
  const { input, target, weight } = args.inputs as FocalLossInputs;
  const attrs = args.attrs as unknown as SigmoidFocalLossAttrs;
  const n = sizeOf(input.shape);
  const reduce = attrs.reduction !== 'none';
  const loss = new Float32Array(reduce ? 1 : n);
  const grad = attrs.gradient ? new Float32Array(n) : null;
  sigmoidFocalImpl(
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
}

export const sigmoidFocalLossCpuConfig: KernelConfig = {
  kernelName: SIGMOID_FOCAL_LOSS,
  backendName: 'cpu',
  kernelFunc: sigmoidFocalLossCpu as unknown as KernelFunc,
};
