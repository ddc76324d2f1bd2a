/**
 * `onnxruntime-web-webgpu`: the shared onnxruntime-web adapter on ORT's WebGPU execution provider.
 * Browser-only (WebGPU), so it is created here; nodes the WebGPU EP does not implement run on ORT's
 * CPU (wasm) kernels, as ORT itself decides.
 */
import type { ConformanceAdapter } from '../../conformance/src/adapter.js';
import { createOnnxRuntimeWebAdapter } from '../../conformance/src/adapters/onnxruntime-web.js';
import { probeWebGpu } from './gpu-probes.js';

export function createOrtWebGpuAdapter(wasmPaths: string): ConformanceAdapter {
  return createOnnxRuntimeWebAdapter({
    wasmPaths,
    executionProvider: 'webgpu',
    // Ask the browser first: its answer (no navigator.gpu, no adapter) is the skip reason.
    prepare: async () => {
      const gpu = await probeWebGpu();
      return typeof gpu === 'string' ? gpu : true;
    },
  });
}
