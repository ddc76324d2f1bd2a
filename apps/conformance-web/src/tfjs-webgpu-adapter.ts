/**
 * `tfjs-webgpu`: @focal-loss/tfjs on TensorFlow.js' WebGPU backend (@tensorflow/tfjs-backend-webgpu).
 * Browser-only, so the backend module is imported here; the adapter is the shared tfjs one. Headless
 * Chromium gives a SwiftShader adapter with --enable-unsafe-webgpu on a secure origin (127.0.0.1).
 */
import '@tensorflow/tfjs-backend-webgpu';
import type { ConformanceAdapter } from '../../conformance/src/adapter.js';
import { createTfjsBackendAdapter } from '../../conformance/src/adapters/tfjs.js';

/** `tfjs-webgpu` (the package's WGSL programs) or, with `composite`, `tfjs-webgpu-composite`. */
export function createTfjsWebGpuAdapter(composite = false): ConformanceAdapter {
  return createTfjsBackendAdapter('webgpu', {
    composite,
    prepare: () => {
      // The skip reason the browser gives is better than tfjs' generic "failed to initialize".
      if (!('gpu' in navigator)) {
        return window.isSecureContext
          ? 'navigator.gpu is undefined: this browser does not expose WebGPU'
          : 'navigator.gpu is undefined: WebGPU needs a secure context (https or localhost)';
      }
      return true;
    },
  });
}
