// The browser half of the bench (served by ../browser-bench.ts with an import map): forward +
// gradient of the sigmoid focal loss on tfjs-webgl and tfjs-webgpu, fused vs composite. (No naive
// autograd baseline here: tfjs-core's ESM bundle registers no gradients, and its unbundled build
// needs its own npm dependencies mapped.)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { sigmoidFocalLoss } from '@focal-loss/tfjs';

const params = new URLSearchParams(location.search);
const SIZES = (params.get('sizes') ?? '100000,1000000').split(',').map(Number);
const ALPHA = 0.25;
const GAMMA = 2;

async function measure(n, run) {
  const once = async () => {
    const out = run();
    await Promise.all(out.map((t) => t.data()));
    tf.dispose(out);
  };
  for (let i = 0; i < 2; i++) await once();
  const startBytes = tf.memory().numBytes;
  const profile = await tf.profile(() => run());
  tf.dispose(profile.result);
  const times = [];
  const deadline = performance.now() + 1000;
  while (times.length < 3 || performance.now() < deadline) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
  }
  const meanMs = times.reduce((a, b) => a + b, 0) / times.length;
  return { meanMs, elementsPerSecond: (n / meanMs) * 1000, peakBytes: profile.peakBytes, peakNewBytes: profile.peakBytes - startBytes };
}

async function main() {
  const rows = [];
  for (const backend of ['webgl', 'webgpu']) {
    let ready = false;
    try {
      ready = await tf.setBackend(backend);
    } catch (error) {
      rows.push({ backend, error: String(error) });
    }
    if (!ready) {
      rows.push({ backend, error: `tf.setBackend("${backend}") failed` });
      continue;
    }
    for (const n of SIZES) {
      const x = tf.tidy(() => tf.mul(tf.randomNormal([n], 0, 4, 'float32', 1), 1));
      const t = tf.tidy(() => tf.cast(tf.less(tf.randomUniform([n], 0, 1, 'float32', 2), 0.01), 'float32'));
      const ours = (composite) => () =>
        Object.values(tf.valueAndGrad((v) => sigmoidFocalLoss(v, t, { alpha: ALPHA, gamma: GAMMA, composite }))(x));
      rows.push({ backend, n, implementation: 'fused', ...(await measure(n, ours(false))) });
      rows.push({ backend, n, implementation: 'composite', ...(await measure(n, ours(true))) });
      tf.dispose([x, t]);
    }
  }
  return rows;
}

window.__benchResult = main().then(
  (rows) => ({ rows }),
  (error) => ({ error: String(error && error.stack ? error.stack : error) }),
);
