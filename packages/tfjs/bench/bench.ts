/**
 * Forward + gradient (tf.valueAndGrad) of @focal-loss/tfjs's sigmoid focal loss against the
 * straightforward composite implementation (sigmoid, 1 - p by subtraction, pow, log; autograd),
 * on the cpu and wasm backends. One run; prints elements/s, the ratio and peak memory.
 *
 *   pnpm --filter @focal-loss/tfjs run bench                      # 1e5 and 1e6 elements
 *   pnpm --filter @focal-loss/tfjs run bench -- --sizes 1000,10000  # smoke run
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { sigmoidFocalLoss } from '../src/index.js';
import { compositeSigmoidFocalLoss } from '../src/test-composite.js';
// (gradients of the composite's ops are registered by scripts/register-gradients.mjs, preloaded)

const sizesArg = process.argv.indexOf('--sizes');
const SIZES = sizesArg > 0 ? process.argv[sizesArg + 1]!.split(',').map(Number) : [1e5, 1e6];
const BACKENDS = ['cpu', 'wasm'];
const ALPHA = 0.25;
const GAMMA = 2;

setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);

interface Measure {
  elementsPerSecond: number;
  meanMs: number;
  peakTfBytes: number;
  peakRss: number;
}

/** Warmup, then iterations until ~1 s (at least 3); the mean time of one forward + gradient. */
async function measure(n: number, run: () => tf.TensorContainer): Promise<Measure> {
  const once = async () => {
    const out = run();
    await Promise.all((Array.isArray(out) ? out : [out]).map((t) => (t as tf.Tensor).data()));
    tf.dispose(out);
  };
  for (let i = 0; i < 2; i++) await once();
  const profile = await tf.profile(() => run()); // peak bytes of one call, tracked by the engine
  tf.dispose(profile.result);
  let peakRss = process.memoryUsage().rss;
  const times: number[] = [];
  const deadline = performance.now() + 1000;
  while (times.length < 3 || performance.now() < deadline) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const meanMs = times.reduce((a, b) => a + b, 0) / times.length;
  return { elementsPerSecond: (n / meanMs) * 1000, meanMs, peakTfBytes: profile.peakBytes, peakRss };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const rate = (r: number) => `${(r / 1e6).toFixed(2)} M/s`;

console.log('backend  elements  implementation  mean ms   elements/s   peak tf bytes  peak RSS    ours/composite');
for (const backend of BACKENDS) {
  if (!(await tf.setBackend(backend))) {
    console.log(`${backend}: could not start`);
    continue;
  }
  for (const n of SIZES) {
    const x = tf.tidy(() => tf.mul(tf.randomNormal([n], 0, 4, 'float32', 1), 1));
    const t = tf.tidy(() => tf.cast(tf.less(tf.randomUniform([n], 0, 1, 'float32', 2), 0.01), 'float32'));
    const ours = await measure(n, () =>
      Object.values(tf.valueAndGrad((v: tf.Tensor) => sigmoidFocalLoss(v, t, { alpha: ALPHA, gamma: GAMMA }))(x)),
    );
    const composite = await measure(n, () =>
      Object.values(tf.valueAndGrad((v: tf.Tensor) => compositeSigmoidFocalLoss(v, t, ALPHA, GAMMA))(x)),
    );
    const ratio = ours.elementsPerSecond / composite.elementsPerSecond;
    for (const [name, m] of [['ours', ours], ['composite', composite]] as const) {
      console.log(
        `${backend.padEnd(8)} ${String(n).padStart(8)}  ${name.padEnd(14)}  ${m.meanMs.toFixed(2).padStart(7)}  ` +
          `${rate(m.elementsPerSecond).padStart(11)}  ${mb(m.peakTfBytes).padStart(13)}  ${mb(m.peakRss).padStart(9)}` +
          (name === 'ours' ? `   ${ratio.toFixed(2)}x` : ''),
      );
    }
    tf.dispose([x, t]);
  }
}
