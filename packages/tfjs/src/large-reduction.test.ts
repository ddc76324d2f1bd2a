/**
 * Contract 1.1: "mean" and "sum" are accurate for any length. 1e7 float32 elements (the fused
 * kernels, the default path; 1e6 for the composite), data from a seed at test time, against the float64 reference of @focal-loss/typed-array (rtol 1e-5), for
 * the loss and for the gradient's scale (1 / counted, with positions ignored and counted on the
 * device or in the kernel). Bounded: each case has its own timeout.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { accurateSum, sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { describeEachEnv, TEST_ENVS } from './test-envs.js';
import { seededFloats, sigmoidReference, softmaxReference, valueAndGradOf } from './test-helpers.js';

const N = 1e7;
const TIMEOUT_MS = 120_000;

function relativeError(actual: number, expected: number): number {
  return actual === expected ? 0 : Math.abs(actual - expected) / Math.abs(expected);
}

/** Every 99991st element (a prime stride, so no pattern of the data lines up with it). */
function expectSampledGradients(actual: Float32Array, expected: Float64Array, rtol: number): void {
  for (let i = 0; i < expected.length; i += 99_991) {
    expect(relativeError(actual[i]!, expected[i]!), `grad[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(rtol);
  }
}

describeEachEnv('backend Sum vs accurateSum over 1e7 float32 elements', (env) => {
  it(
    'accurateSum is within 2e-6 of the float64 sum (the backend Sum is not, on wasm)',
    () => {
      const values = seededFloats(11, N, 0, 1);
      let exact = 0;
      for (let i = 0; i < N; i++) exact += values[i]!;
      const x = tf.tensor1d(values);
      const plain = tf.sum(x);
      const blocked = accurateSum(x);
      const plainError = relativeError(plain.dataSync()[0]!, exact);
      const blockedError = relativeError(blocked.dataSync()[0]!, exact);
      tf.dispose([x, plain, blocked]);
      console.log(`${env.backend}: relative error of tf.sum ${plainError.toExponential(2)}, accurateSum ${blockedError.toExponential(2)}`);
      expect(blockedError).toBeLessThan(2e-6);
      // tfjs-cpu adds in float64, tfjs-wasm in a float32 running sum (1.1e-5 off here, 3.8e-3 on
      // focal losses, whose many tiny terms vanish against the running sum): what accurateSum is for.
      if (env.backend === 'wasm') expect(plainError).toBeGreaterThan(5e-6);
    },
    TIMEOUT_MS,
  );
}, TEST_ENVS.filter((env) => !env.composite));

describeEachEnv('a mean over 1e7 elements', (env) => {
  it(
    'sigmoid: loss and gradient (scale 1 / n) within rtol 1e-5 of float64',
    () => {
      // The fused kernel (the default) at 1e7; the composite at 1e6, where ~25 tf ops per element
      // would take 25-50 s at 1e7 (its reduction, accurateSum, is checked at 1e7 above, and the
      // wasm backend's own Sum is already 8e-5 off at 1e6).
      const n = env.composite ? 1e6 : N;
      const xs = seededFloats(21, n, -8, 8);
      const ts = seededFloats(22, n, 0, 1).map((v) => (v < 0.05 ? 1 : 0));
      const expected = sigmoidReference(xs, ts, [n], { alpha: 0.25, gamma: 2 });
      const x = tf.tensor1d(xs);
      const t = tf.tensor1d(ts);
      const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { alpha: 0.25, gamma: 2, composite: env.composite }), x);
      tf.dispose([x, t]);
      const error = relativeError(r.loss[0]!, expected.loss[0]!);
      console.log(`${env.name}: sigmoid mean over ${n}, relative error ${error.toExponential(2)}`);
      expect(error).toBeLessThanOrEqual(1e-5);
      expectSampledGradients(r.grad, expected.grad, 1e-5);
    },
    TIMEOUT_MS,
  );

  it(
    'softmax with ignored positions counted on the device: loss and gradient within rtol 1e-5',
    () => {
      // The composite's reduction is the same accurateSum as sigmoid's (tested at 1e7 above) and
      // its count is exact (below): 1e6 elements keep this case short there (~40 ops per element).
      const n = env.composite ? 1e6 : N;
      const positions = n / 4;
      const xs = seededFloats(31, n, -6, 6);
      const ts = Int32Array.from(seededFloats(32, positions, 0, 4), (v, i) => (i % 7 === 3 ? -1 : Math.floor(v)));
      const options = { ignoreIndex: -1, gamma: 2, alpha: [0.1, 0.2, 0.3, 0.4] };
      const expected = softmaxReference(xs, [positions, 4], ts, [positions], options);
      const x = tf.tensor2d(xs, [positions, 4]);
      const t = tf.tensor1d(ts, 'int32');
      const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { ...options, composite: env.composite }), x);
      tf.dispose([x, t]);
      const error = relativeError(r.loss[0]!, expected.loss[0]!);
      console.log(`${env.name}: softmax mean over ${n} (ignoreIndex), relative error ${error.toExponential(2)}`);
      expect(error).toBeLessThanOrEqual(1e-5);
      expectSampledGradients(r.grad, expected.grad, 1e-5);
    },
    TIMEOUT_MS,
  );
});

describeEachEnv('the device count of non-ignored positions', () => {
  it('is exact beyond 2^24, where a float32 running count stops', () => {
    // 2^24 + 2 is a float32; a float32 running count of ones stops at 2^24 (2^24 + 1 rounds back).
    const n = 2 ** 24 + 2;
    const ones = tf.ones([n]);
    const count = accurateSum(ones);
    expect(count.dataSync()[0]).toBe(n);
    tf.dispose([ones, count]);
  });
}, TEST_ENVS.filter((env) => env.composite));
