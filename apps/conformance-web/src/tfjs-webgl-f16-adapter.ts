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
import * as compare from '../../conformance/src/compare.js';
import { createTfjsBackendAdapter } from '../../conformance/src/adapters/tfjs.js';
import { probeWebGl } from './gpu-probes.js';

export const FLOAT16_WEBGL_FLAGS = {
  WEBGL_FORCE_F16_TEXTURES: true,
  WEBGL_RENDER_FLOAT32_ENABLED: false,
  WEBGL_SIZE_UPLOAD_UNIFORM: 0,
} as const;

/**
 * Whether the runner judges float16 adapters at their own tier (requested from apps/conformance:
 * `precision: 'float16'` and an exported FLOAT16_TOLERANCE). Until then the adapter is skipped with
 * that reason: at the float32 tolerances it fails most fixtures by design, which says nothing.
 */
function float16TierAvailable(): boolean {
  return (compare as Record<string, unknown>)['FLOAT16_TOLERANCE'] !== undefined;
}

export function createTfjsWebGlFloat16Adapter(): ConformanceAdapter {
  const adapter = createTfjsBackendAdapter('webgl', {
    name: 'tfjs-webgl-f16',
    flags: FLOAT16_WEBGL_FLAGS,
    prepare: () => {
      if (!float16TierAvailable()) return 'the conformance runner has no float16 tolerance tier yet (FLOAT16_TOLERANCE in compare.ts)';
      const gl = probeWebGl();
      return typeof gl === 'string' ? gl : true;
    },
  });
  return float16TierAvailable() ? { ...adapter, precision: 'float16' as ConformanceAdapter['precision'] } : adapter;
}
