/**
 * The wasm backend's fused kernels with the core's JS loop vs the SIMD loops of
 * `@focal-loss/tfjs/wasm-simd`: forward + gradient (tf.valueAndGrad) at 1e6 elements, same
 * process, best of 5 each (interleaved) after 3 warm-up runs each. Run: tsx --import ./scripts/register-gradients.mjs bench/wasm-simd-bench.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sigmoidFocalLoss, softmaxFocalLoss } from '../src/index.js';
import { useDefaultLoopForWasmBackend, useSimdForWasmBackend } from '../src/wasm-simd.js';

setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);
await tf.setBackend('wasm');

const n = 1_000_000;
const x = tf.randomNormal([n / 4, 4], 0, 3, 'float32', 1);
const t = tf.cast(tf.greater(tf.randomUniform([n / 4, 4], 0, 1, 'float32', 2), 0.8), 'float32');
const labels = tf.randomUniform([n / 4], 0, 4, 'int32', 3);

/** Best of 5 of each, interleaved (the machine may be shared: load phases hit both alike), after 3 warm-ups each. */
async function bestOfInterleaved(fn: () => void): Promise<{ core: number; simd: number; backend: string }> {
  let core = Infinity;
  let simd = Infinity;
  let backend = '';
  for (let r = -3; r < 5; r++) {
    useDefaultLoopForWasmBackend();
    let start = performance.now();
    fn();
    if (r >= 0) core = Math.min(core, performance.now() - start);
    backend = (await useSimdForWasmBackend()).backend;
    start = performance.now();
    fn();
    if (r >= 0) simd = Math.min(simd, performance.now() - start);
  }
  useDefaultLoopForWasmBackend();
  return { core, simd, backend };
}

const run = (loss: (v: tf.Tensor) => tf.Scalar) => () => {
  const { value, grad } = tf.valueAndGrad(loss)(x);
  value.dataSync();
  grad.dataSync();
  tf.dispose([value, grad]);
};
const ops = {
  sigmoid: run((v) => sigmoidFocalLoss(v, t) as tf.Scalar),
  softmax: run((v) => softmaxFocalLoss(v, labels) as tf.Scalar),
};
for (const [name, fn] of Object.entries(ops)) {
  const { core, simd, backend } = await bestOfInterleaved(fn);
  console.log(
    `${name} 1e6 wasm fused forward+gradient, best of 5: core loop ${core.toFixed(2)} ms, SIMD hook (${backend}) ${simd.toFixed(2)} ms, ratio ${(core / simd).toFixed(2)}x`,
  );
}
