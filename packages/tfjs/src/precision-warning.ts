/**
 * One console warning per backend when the active TensorFlow.js backend computes in float16
 * (WebGL without float32 render targets, as on most phones, or with WEBGL_FORCE_F16_TEXTURES):
 * the loss then carries about 3 significant digits and saturates at |logit| ~ 11, so small losses
 * and confident predictions lose their accuracy. The conformance suite's float16 tier
 * (apps/conformance `tfjs-webgl-f16`) shows by how much.
 */
import * as tf from '@tensorflow/tfjs-core';

const warned = new Set<string>();

/** Whether the active backend stores or computes floats in 16 bits. */
export function computesInFloat16(): boolean {
  const backend = tf.getBackend();
  if (backend === undefined || backend === 'cpu' || backend === 'wasm') return false;
  const env = tf.env();
  const flag = (name: string): boolean | undefined => {
    try {
      return env.getBool(name);
    } catch {
      return undefined; // the flag belongs to a backend that is not registered
    }
  };
  if (backend === 'webgl') {
    if (flag('WEBGL_FORCE_F16_TEXTURES') === true) return true;
    if (flag('WEBGL_RENDER_FLOAT32_ENABLED') === false) return true;
  }
  // Any backend that says so itself (webgl answers 16 in some float32 setups, hence the flags first).
  return backend !== 'webgl' && tf.backend().floatPrecision() === 16;
}

/** Warns once per backend name, in the console, when it computes in float16. */
export function warnIfFloat16(): void {
  const backend = tf.getBackend();
  if (warned.has(backend) || !computesInFloat16()) return;
  warned.add(backend);
  console.warn(
    `@focal-loss/tfjs: the "${backend}" backend computes in float16 on this device ` +
      '(about 3 significant digits; logits beyond |x| ~ 11 saturate): focal losses and gradients ' +
      'of confident predictions are not accurate here. Use the cpu or wasm backend for exact values.',
  );
}
