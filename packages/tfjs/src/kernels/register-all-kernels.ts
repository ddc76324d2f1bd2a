/**
 * Registers every fused kernel of this package with TensorFlow.js (a side effect, so this module is
 * listed in package.json "sideEffects"; the package's main entry imports it, `./base` does not).
 * A backend (or op) without an entry here runs the composite formulation.
 */
import { registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { sigmoidFocalLossCpuConfig } from './cpu/SigmoidFocalLoss.js';
import { softmaxFocalLossCpuConfig } from './cpu/SoftmaxFocalLoss.js';
import { sigmoidFocalLossWasmConfig } from './wasm/SigmoidFocalLoss.js';
import { softmaxFocalLossWasmConfig } from './wasm/SoftmaxFocalLoss.js';
import { sigmoidFocalLossWebGlConfig } from './webgl/SigmoidFocalLoss.js';
import { softmaxFocalLossWebGlConfig } from './webgl/SoftmaxFocalLoss.js';
import { sigmoidFocalLossWebGpuConfig } from './webgpu/SigmoidFocalLoss.js';
import { softmaxFocalLossWebGpuConfig } from './webgpu/SoftmaxFocalLoss.js';
import { FAMILY_HOST_KERNELS } from '../family/host-kernels.js';

export const FUSED_KERNELS: readonly KernelConfig[] = [
  sigmoidFocalLossCpuConfig,
  softmaxFocalLossCpuConfig,
  sigmoidFocalLossWasmConfig,
  softmaxFocalLossWasmConfig,
  sigmoidFocalLossWebGlConfig,
  softmaxFocalLossWebGlConfig,
  sigmoidFocalLossWebGpuConfig,
  softmaxFocalLossWebGpuConfig,
  // the focal-loss family (issue 15): cpu and wasm; webgl / webgpu run its composite formulation
  ...FAMILY_HOST_KERNELS,
];

for (const kernel of FUSED_KERNELS) registerKernel(kernel);
