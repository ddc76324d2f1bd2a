/** Smoke test on the wasm backend: the kernels we rely on exist there and stay accurate. */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { expectClose, seededFloats, sigmoidReference, softmaxReference, valueAndGradOf } from './test-helpers.js';

beforeAll(async () => {
  setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('tfjs-wasm', () => {
  it("has an inaccurate Log1p kernel (log(1 + x) in float32), which is why we build our own", () => {
    const x = tf.tensor1d([1e-10]);
    const y = tf.log1p(x);
    expect(y.dataSync()[0]).toBe(0);
    tf.dispose([x, y]);
  });

  it('sigmoid: matches the reference, including confident logits where Log1p would give 0', () => {
    const xs = Float32Array.from([...seededFloats(1, 20, -10, 10), 25, -25, 40, 100]);
    const ts = Float32Array.from(xs, (_, i) => (i % 2 === 0 ? 1 : i % 3 === 0 ? 0.3 : 0));
    ts[20] = 1;
    ts[21] = 0;
    ts[22] = 1;
    const x = tf.tensor1d(xs);
    const t = tf.tensor1d(ts);
    for (const gamma of [0, 0.5, 2]) {
      const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { gamma, reduction: 'none' }), x);
      const e = sigmoidReference(xs, ts, [xs.length], { gamma, reduction: 'none' });
      for (let i = 0; i < xs.length; i++) {
        expect(Math.abs(r.loss[i]! - e.loss[i]!)).toBeLessThanOrEqual(5e-4 * Math.abs(e.loss[i]!) + 1e-37);
        expect(Math.abs(r.grad[i]! - e.grad[i]!)).toBeLessThanOrEqual(5e-4 * Math.abs(e.grad[i]!) + 1e-37);
      }
    }
    tf.dispose([x, t]);
  });

  it('softmax NCHW (axis 1) with a NaN row and ignoreIndex: matches the reference; no leak', () => {
    const shape = [2, 3, 2];
    const xs = seededFloats(4, 12, -5, 5);
    xs[1] = Number.NaN; // position (0, 1): class 0 of the second column
    const ts = Int32Array.from([2, 0, -1, 1]);
    const e = softmaxReference(xs, shape, ts, [2, 2], { axis: 1, ignoreIndex: -1, reduction: 'none' });
    const x = tf.tensor(xs, shape);
    const t = tf.tensor(ts, [2, 2], 'int32');
    const before = tf.memory().numTensors;
    const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { axis: 1, ignoreIndex: -1, reduction: 'none' }), x);
    expect(tf.memory().numTensors).toBe(before);
    expectClose(r.loss, e.loss, 1e-4, 'loss');
    expectClose(r.grad, e.grad, 1e-4, 'grad');
    tf.dispose([x, t]);
  });
});
