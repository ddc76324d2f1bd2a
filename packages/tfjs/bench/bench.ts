/**
 * Forward + gradient (tf.valueAndGrad) of @focal-loss/tfjs's sigmoid focal loss, "mean" reduction,
 * on the cpu and wasm backends, in one run:
 *   fused      the default: this package's kernel (the core's fused loop over the backend's memory)
 *   composite  this package with `composite: true` (about 25 tf ops, exact analytic gradient;
 *              what every backend without a fused kernel runs)
 *   naive      the straightforward composite most code bases write (sigmoid, 1 - p, pow; autograd)
 * Prints elements/s, the ratios, and peak tensor bytes (tf.profile) as a multiple of the input's
 * bytes, both the absolute peak (the input and target count) and the peak above the start. Then
 * what the accurate ("blocked") reduction costs: accurateSum vs the backend's Sum on n float32s.
 *
 *   pnpm --filter @focal-loss/tfjs run bench                      # 1e5 and 1e6 elements
 *   pnpm --filter @focal-loss/tfjs run bench -- --sizes 1000,10000  # smoke run
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { accurateSum, sigmoidFocalLoss } from '../src/index.js';
import { compositeSigmoidFocalLoss } from '../src/test-composite.js';
// (gradients of the naive composite's ops are registered by scripts/register-gradients.mjs, preloaded)

const sizesArg = process.argv.indexOf('--sizes');
const SIZES = sizesArg > 0 ? process.argv[sizesArg + 1]!.split(',').map(Number) : [1e5, 1e6];
const BACKENDS = ['cpu', 'wasm'];
const ALPHA = 0.25;
const GAMMA = 2;

setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);

interface Measure {
  elementsPerSecond: number;
  meanMs: number;
  /** tf.profile's peakBytes: every live tensor, the input and target included. */
  peakBytes: number;
  /** The peak above the bytes alive when the call started. */
  peakNewBytes: number;
}

/** Warm-up, then iterations until ~1 s (at least 3); the mean time of one call. */
async function measure(n: number, run: () => tf.TensorContainer): Promise<Measure> {
  const once = async () => {
    const out = run();
    await Promise.all((Array.isArray(out) ? out : [out]).map((t) => (t as tf.Tensor).data()));
    tf.dispose(out);
  };
  for (let i = 0; i < 2; i++) await once();
  const startBytes = tf.memory().numBytes;
  const profile = await tf.profile(() => run());
  tf.dispose(profile.result);
  const times: number[] = [];
  const deadline = performance.now() + 1000;
  while (times.length < 3 || performance.now() < deadline) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
  }
  const meanMs = times.reduce((a, b) => a + b, 0) / times.length;
  return {
    elementsPerSecond: (n / meanMs) * 1000,
    meanMs,
    peakBytes: profile.peakBytes,
    peakNewBytes: profile.peakBytes - startBytes,
  };
}

const rate = (r: number) => `${(r / 1e6).toFixed(2)} M/s`;
const times = (r: number) => `${r.toFixed(2)}x`;

console.log(`@focal-loss/tfjs bench, sigmoid focal loss (alpha ${ALPHA}, gamma ${GAMMA}, mean), forward + gradient`);
console.log(`Node ${process.version}; one run; the machine may be shared (figures are what this run measured)`);
console.log('');
console.log('| backend | elements | implementation | mean ms | elements/s | vs composite | vs naive | peak tensor bytes / input bytes (absolute, above start) |');
console.log('|---|---|---|---|---|---|---|---|');
const reductionRows: string[] = [];
for (const backend of BACKENDS) {
  if (!(await tf.setBackend(backend))) {
    console.log(`${backend}: could not start`);
    continue;
  }
  for (const n of SIZES) {
    const x = tf.tidy(() => tf.mul(tf.randomNormal([n], 0, 4, 'float32', 1), 1));
    const t = tf.tidy(() => tf.cast(tf.less(tf.randomUniform([n], 0, 1, 'float32', 2), 0.01), 'float32'));
    const ours = (composite: boolean) => () =>
      Object.values(tf.valueAndGrad((v: tf.Tensor) => sigmoidFocalLoss(v, t, { alpha: ALPHA, gamma: GAMMA, composite }))(x));
    const results = {
      fused: await measure(n, ours(false)),
      composite: await measure(n, ours(true)),
      naive: await measure(n, () =>
        Object.values(tf.valueAndGrad((v: tf.Tensor) => compositeSigmoidFocalLoss(v, t, ALPHA, GAMMA))(x)),
      ),
    };
    const inputBytes = 4 * n;
    for (const [name, m] of Object.entries(results)) {
      console.log(
        `| ${backend} | ${n} | ${name} | ${m.meanMs.toFixed(2)} | ${rate(m.elementsPerSecond)} | ` +
          `${times(m.elementsPerSecond / results.composite.elementsPerSecond)} | ` +
          `${times(m.elementsPerSecond / results.naive.elementsPerSecond)} | ` +
          `${(m.peakBytes / inputBytes).toFixed(2)}, ${(m.peakNewBytes / inputBytes).toFixed(2)} |`,
      );
    }
    // The accurate reduction: accurateSum (blocks of 128, in stages) vs the backend's own Sum.
    const values = tf.tidy(() => tf.abs(x));
    let exact = 0;
    for (const v of values.dataSync()) exact += v;
    const plain = await measure(n, () => tf.sum(values));
    const blocked = await measure(n, () => accurateSum(values));
    const error = (s: tf.Tensor) => {
      const r = Math.abs(s.dataSync()[0]! - exact) / exact;
      s.dispose();
      return r.toExponential(1);
    };
    reductionRows.push(
      `| ${backend} | ${n} | ${plain.meanMs.toFixed(3)} | ${blocked.meanMs.toFixed(3)} | ` +
        `${error(tf.sum(values))} | ${error(accurateSum(values))} |`,
    );
    tf.dispose([x, t, values]);
  }
}
console.log('');
console.log('What the accurate reduction costs (sum of n float32 values |x|; relative error vs float64):');
console.log('');
console.log('| backend | n | backend Sum ms | accurateSum ms | Sum error | accurateSum error |');
console.log('|---|---|---|---|---|---|');
for (const row of reductionRows) console.log(row);
