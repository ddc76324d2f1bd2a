/**
 * Contract 1.1, "Non-finite inputs": the limits at infinite logits, on every backend and path.
 * Expected values are the contract's table (written out here), and where a finite twin exists
 * (softmax masking), the same call without the masked class.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { describeEachEnv } from './test-envs.js';
import { expectClose, softmaxReference, valueAndGradOf } from './test-helpers.js';

const INF = Number.POSITIVE_INFINITY;

/** Exact equality, with NaN equal to NaN and +-Infinity by sign. */
function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e) || !Number.isFinite(e)) expect(a, `${what}[${i}]`).toBe(e);
    else expect(Math.abs(a - e), `${what}[${i}]: got ${a}, expected ${e}`).toBeLessThanOrEqual(rtol * Math.abs(e) + 1e-37);
  }
}

describeEachEnv('sigmoid at infinite logits', (env) => {
  const xs = [INF, INF, INF, -INF, -INF, -INF];
  const ts = [1, 0, 0.3, 0, 1, 0.6];
  for (const gamma of [0, 0.5, 2]) {
    it(`gives the contract's limits (gamma ${gamma}, alpha 0.25)`, () => {
      const alpha = 0.25;
      const alphaT = (t: number) => alpha * t + (1 - alpha) * (1 - t);
      const expectedLoss = ts.map((t, i) => ((xs[i]! > 0 ? t === 1 : t === 0) ? 0 : INF));
      const expectedGrad = ts.map((t, i) =>
        xs[i]! > 0 ? alphaT(t) * (1 - t) ** gamma * (1 - t) : -alphaT(t) * t ** gamma * t,
      );
      const x = tf.tensor1d(xs);
      const t = tf.tensor1d(ts);
      const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { gamma, alpha, reduction: 'none', composite: env.composite }), x);
      tf.dispose([x, t]);
      expectSame(r.loss, expectedLoss, 0, 'loss');
      expectSame(r.grad, expectedGrad, 1e-6, 'grad');
    });
  }

  it('is 0 where alpha_t = 0, not 0 * Infinity; the mean of an infinite loss is +Infinity', () => {
    const x = tf.tensor1d([INF, -INF]);
    const t = tf.tensor1d([0, 1]);
    // alpha 1: alpha_t = 0 for t = 0; alpha 0: alpha_t = 0 for t = 1
    const a = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { alpha: 1, reduction: 'none', composite: env.composite }), x);
    expect(Array.from(a.loss)).toEqual([0, INF]);
    const b = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { alpha: 0, reduction: 'none', composite: env.composite }), x);
    expect(Array.from(b.loss)).toEqual([INF, 0]);
    const mean = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { composite: env.composite }), x);
    expect(mean.loss[0]).toBe(INF);
    expect(Array.from(mean.grad).every(Number.isFinite)).toBe(true);
    tf.dispose([x, t]);
  });
});

describeEachEnv('softmax at infinite logits', (env) => {
  it('a -Infinity logit in a class with t = 0 is masked: the same loss as without that class, gradient 0 there', () => {
    for (const gamma of [0, 2]) {
      const options = { gamma, alpha: [0.2, 0.3, 0.5], reduction: 'none' as const, composite: env.composite };
      const x = tf.tensor2d([[-INF, 1, 2], [0.5, -INF, -1]]);
      const t = tf.tensor1d([2, 0], 'int32');
      const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, options), x);
      // Twins without the masked class: [1, 2] with target 1 (alpha 0.3, 0.5); [0.5, -1] target 0 (0.2, 0.5)
      const first = softmaxReference(Float32Array.from([1, 2]), [1, 2], Int32Array.from([1]), [1], { gamma, alpha: [0.3, 0.5], reduction: 'none' });
      const second = softmaxReference(Float32Array.from([0.5, -1]), [1, 2], Int32Array.from([0]), [1], { gamma, alpha: [0.2, 0.5], reduction: 'none' });
      expectClose(r.loss, [first.loss[0]!, second.loss[0]!], 1e-5, 'loss');
      expectClose(r.grad, [0, first.grad[0]!, first.grad[1]!, second.grad[0]!, 0, second.grad[1]!], 1e-5, 'grad');
      tf.dispose([x, t]);
    }
  });

  it('a -Infinity logit in the target class: loss +Infinity, gradient the finite limit', () => {
    const a = 0.25;
    const x = tf.tensor2d([[-INF, 1, 2]]);
    const t = tf.tensor1d([0], 'int32');
    const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { gamma: 2, alpha: a, reduction: 'none', composite: env.composite }), x);
    expect(r.loss[0]).toBe(INF);
    // G_0 = a t_0 q_0^g = a (q_0 = 1); grad_j = p_j (G_total - G_j) - q_j G_j
    const p1 = Math.exp(1) / (Math.exp(1) + Math.exp(2));
    expectClose(r.grad, [-a, p1 * a, (1 - p1) * a], 1e-5, 'grad');
    tf.dispose([x, t]);
  });

  it('a row with +Infinity, or all -Infinity, is NaN (loss and every gradient entry); other rows are untouched', () => {
    const x = tf.tensor2d([[INF, 1, 2], [-INF, -INF, -INF], [0, 1, 2]]);
    const t = tf.tensor1d([0, 1, 2], 'int32');
    const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { reduction: 'none', composite: env.composite }), x);
    expect(Number.isNaN(r.loss[0]!)).toBe(true);
    expect(Number.isNaN(r.loss[1]!)).toBe(true);
    expect(Array.from(r.grad.slice(0, 6)).every(Number.isNaN)).toBe(true);
    const twin = softmaxReference(Float32Array.from([0, 1, 2]), [1, 3], Int32Array.from([2]), [1], { reduction: 'none' });
    expectClose([r.loss[2]!], twin.loss, 1e-5, 'loss of the finite row');
    expectClose(r.grad.slice(6), twin.grad, 1e-5, 'grad of the finite row');
    tf.dispose([x, t]);
  });
});
