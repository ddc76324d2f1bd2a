/**
 * `tfjs-webgl-f16`: @focal-loss/tfjs on TensorFlow.js' WebGL backend with float16 textures forced
 * through tfjs's own environment flags, which is what a phone without float32 render targets gets:
 * WEBGL_FORCE_F16_TEXTURES (every texture half float), WEBGL_RENDER_FLOAT32_ENABLED false (render
 * to float16), WEBGL_SIZE_UPLOAD_UNIFORM 0 (tfjs uploads no uniforms then, as on such devices).
 * The shared tfjs adapter sets them around each run and restores them, so `tfjs-webgl` keeps float32.
 * Judged at the float16 tier (see apps/conformance/README.md), and finite wherever the reference is.
 */
import '@tensorflow/tfjs-backend-webgl';
import type { ConformanceAdapter } from '../../conformance/src/adapter.js';
import { createTfjsBackendAdapter } from '../../conformance/src/adapters/tfjs.js';
import { probeWebGl } from './gpu-probes.js';

export const FLOAT16_WEBGL_FLAGS = {
  WEBGL_FORCE_F16_TEXTURES: true,
  WEBGL_RENDER_FLOAT32_ENABLED: false,
  WEBGL_SIZE_UPLOAD_UNIFORM: 0,
} as const;

export function createTfjsWebGlFloat16Adapter(): ConformanceAdapter {
  return createTfjsBackendAdapter('webgl', {
    name: 'tfjs-webgl-f16',
    flags: FLOAT16_WEBGL_FLAGS,
    prepare: () => {
      const gl = probeWebGl();
      return typeof gl === 'string' ? gl : true;
    },
  });
}
