/** Contract 1.1 weights: IEEE products (NaN and infinities propagate); ignored positions read no weight. */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { describeEachEnv } from './test-envs.js';
import { valueAndGradOf } from './test-helpers.js';

const INF = Number.POSITIVE_INFINITY;

describeEachEnv('weights by IEEE arithmetic', (env) => {
  it('sigmoid: NaN and infinite weights propagate, inf * 0 is NaN', () => {
    // x = +inf, t = 1: loss 0 and gradient 0 exactly, so an infinite weight gives NaN for both.
    const x = tf.tensor1d([2, 2, INF, 2]);
    const t = tf.tensor1d([1, 1, 1, 0]);
    const w = tf.tensor1d([Number.NaN, INF, INF, 0]);
    const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { reduction: 'none', weight: w, composite: env.composite }), x);
    expect(Number.isNaN(r.loss[0]!)).toBe(true);
    expect(r.loss[1]).toBe(INF);
    expect(Number.isNaN(r.loss[2]!)).toBe(true);
    expect(r.loss[3]).toBe(0);
    expect(Number.isNaN(r.grad[0]!)).toBe(true);
    expect(r.grad[1]).toBe(-INF); // a negative gradient (t = 1, x finite) times +inf
    expect(Number.isNaN(r.grad[2]!)).toBe(true);
    expect(r.grad[3]).toBe(0);
    tf.dispose([x, t, w]);
  });

  it('softmax: an ignored position is 0 with gradient 0 whatever its weight and logits; others IEEE', () => {
    const x = tf.tensor2d([[1, Number.NaN, 0], [1, 2, 3], [0, 0, 0]]);
    const t = tf.tensor1d([-100, 1, 2], 'int32');
    const w = tf.tensor1d([Number.NaN, 2, INF]);
    const r = valueAndGradOf(
      (v) => softmaxFocalLoss(v, t, { ignoreIndex: -100, reduction: 'none', weight: w, composite: env.composite }),
      x,
    );
    expect(r.loss[0]).toBe(0);
    expect(Array.from(r.grad.slice(0, 3))).toEqual([0, 0, 0]);
    expect(Number.isFinite(r.loss[1]!)).toBe(true);
    expect(r.loss[2]).toBe(INF);
    expect(Array.from(r.grad.slice(6)).every((g) => !Number.isFinite(g))).toBe(true);
    tf.dispose([x, t, w]);
  });
});
