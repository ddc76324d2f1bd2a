/**
 * `tfjs-webgl`: @focal-loss/tfjs on TensorFlow.js' WebGL backend. Browser-only, so the backend
 * module is imported here rather than in apps/conformance/src/adapters; the adapter itself is the
 * shared tfjs one (float32 tensors, the library's gradient through tf.valueAndGrad, the opt-in
 * target check for INVALID_TARGET).
 */
import '@tensorflow/tfjs-backend-webgl';
import type { ConformanceAdapter } from '../../conformance/src/adapter.js';
import { createTfjsBackendAdapter } from '../../conformance/src/adapters/tfjs.js';
import { probeWebGl } from './gpu-probes.js';

/**
 * `tfjs-webgl` runs the package's GPU programs; with `composite`, `tfjs-webgl-composite` runs the
 * tf-ops formulation (`composite: true`) that any backend without our kernels gets.
 */
export function createTfjsWebGlAdapter(composite = false): ConformanceAdapter {
  // Ask the browser first: its answer is a better skip reason than tfjs' generic failure.
  return createTfjsBackendAdapter('webgl', {
    composite,
    prepare: () => {
      const gl = probeWebGl();
      return typeof gl === 'string' ? gl : true;
    },
  });
}
