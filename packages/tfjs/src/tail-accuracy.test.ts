/**
 * Probabilities of exactly 0 and 1 with `fromLogits: false` (clipped to [eps, 1 - eps]): the loss
 * must be the float64 contract's, although 1 - eps is not a float32 (fround(1 - 1e-7) is
 * 1 - 1.19e-7: its log was 19 % off, 1.9e3 times the tail tolerance).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { describeEachEnv } from './test-envs.js';
import { expectClose, softmaxReference, valueAndGradOf } from './test-helpers.js';

/** The contract in float64: p clipped to [eps, 1 - eps], q = 1 - p (exact in float64 here). */
function sigmoidProbabilityLoss(x: number, t: number, alpha: number, gamma: number, eps: number): number {
  const clippedHigh = x > 1 - eps;
  const clippedLow = x < eps;
  const logP = clippedHigh ? Math.log1p(-eps) : clippedLow ? Math.log(eps) : Math.log(x);
  const logQ = clippedHigh ? Math.log(eps) : clippedLow ? Math.log1p(-eps) : Math.log1p(-x);
  const p = clippedHigh ? 1 - eps : clippedLow ? eps : x;
  const q = clippedHigh ? eps : clippedLow ? 1 - eps : 1 - x;
  const ce = -(t * logP + (1 - t) * logQ);
  const u = p * (1 - t) + q * t;
  return (alpha * t + (1 - alpha) * (1 - t)) * u ** gamma * ce;
}

describeEachEnv('probabilities at exactly 0 and 1 (fromLogits: false)', (env) => {
  for (const eps of [1e-7, 1e-4]) {
    it(`sigmoid: the float64 loss at the clip bounds, gradient 0 there (eps ${eps})`, () => {
      const xs = [0, 1, 0, 1, 0.5];
      const ts = [0, 1, 1, 0, 1];
      const expected = xs.map((v, i) => sigmoidProbabilityLoss(v, ts[i]!, 0.25, 2, eps));
      const x = tf.tensor1d(xs);
      const t = tf.tensor1d(ts);
      const options = { fromLogits: false, eps, alpha: 0.25, gamma: 2, reduction: 'none' as const, composite: env.composite };
      const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, options), x);
      tf.dispose([x, t]);
      for (let i = 0; i < xs.length; i++) {
        expect(Math.abs(r.loss[i]! / expected[i]! - 1), `loss[${i}] ${r.loss[i]} vs ${expected[i]}`).toBeLessThan(1e-5);
      }
      expect(Array.from(r.grad.slice(0, 4))).toEqual([0, 0, 0, 0]);
    });
  }

  it('softmax: p = 1 in the target class gives -log1p(-eps) eps^gamma, as the float64 reference', () => {
    const xs = Float32Array.from([1, 0, 0, 0.5, 0.5, 0]);
    const ts = Int32Array.from([0, 1]);
    const options = { fromLogits: false, gamma: 2, reduction: 'none' as const };
    const expected = softmaxReference(xs, [2, 3], ts, [2], options);
    expect(expected.loss[0]! / (-Math.log1p(-1e-7) * 1e-14 * 0.25)).toBeCloseTo(1, 6);
    const x = tf.tensor(xs, [2, 3]);
    const t = tf.tensor(ts, [2], 'int32');
    const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { ...options, composite: env.composite }), x);
    tf.dispose([x, t]);
    // Relative, element by element: the clipped loss (~1e-22) is far below the other row's.
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(r.loss[i]! / expected.loss[i]! - 1), `loss[${i}] ${r.loss[i]} vs ${expected.loss[i]}`).toBeLessThan(1e-5);
    }
    expectClose(r.grad, expected.grad, 1e-5, 'grad');
  });
});
