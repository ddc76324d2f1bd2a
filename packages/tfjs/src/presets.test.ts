/**
 * Issue 14 (presets and the options they need) in every Node environment (cpu / wasm x fused kernel /
 * composite): values and gradients against @focal-loss/typed-array in float64 (whose options the
 * core checks against mpmath), math.md's worked numbers, and INVALID_OPTION for what tfjs has not
 * declared.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { TFJS_DECLARATION, sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { describeEachEnv } from './test-envs.js';
import {
  expectClose,
  gammaArb,
  reductionArb,
  seededFloats,
  softmaxReference,
  thrownCode,
  valueAndGradOf,
} from './test-helpers.js';

describeEachEnv('issue 14 options', (env) => {
  const composite = env.composite;

  it('normalizeProbabilities: math.md worked number with preset "keras"', () => {
    const x = tf.tensor2d([[0.5, 0.89, 0.6]]);
    const t = tf.tensor1d([1], 'int32');
    const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { preset: 'keras', composite }), x);
    tf.dispose([x, t]);
    expectClose(r.loss, [0.06146617702461725], 1e-5, 'loss');
    expectClose(r.grad, [0.08836704021087188, -0.10921769014826864, 0.08836704021087188], 1e-5, 'grad');
  });

  it('normalizeProbabilities: matches the float64 reference (axis, targets, alpha, poly, weights, reductions)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        gammaArb,
        reductionArb,
        fc.constantFrom(0, 1),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(0, 0.5),
        (seed, gamma, reduction, axis, indexTargets, withWeight, polyEpsilon) => {
          const shape = axis === 1 ? [2, 3, 2] : [3, 4];
          const classes = shape[axis] as number;
          const lossShape = shape.filter((_, i) => i !== axis);
          const n = shape.reduce((a, b) => a * b, 1);
          const positions = n / classes;
          // rows that do not sum to 1, some entries clipped (tiny or > 1 - eps after the division)
          const xs = seededFloats(seed, n, 0.0000001, 2);
          const target = indexTargets
            ? Int32Array.from(seededFloats(seed + 1, positions, 0, classes - 0.001), Math.floor)
            : seededFloats(seed + 1, n, 0, 1);
          const ws = withWeight ? seededFloats(seed + 2, positions, 0, 2) : undefined;
          const options = { gamma, reduction, axis, fromLogits: false, normalizeProbabilities: true, alpha: 0.25, polyEpsilon };
          const targetShape = indexTargets ? lossShape : shape;
          const expected = softmaxReference(xs, shape, target, targetShape, options, ws && { data: ws, shape: lossShape });
          const x = tf.tensor(xs, shape);
          const t = indexTargets ? tf.tensor(target, targetShape, 'int32') : tf.tensor(target, shape);
          const w = ws ? tf.tensor(ws, lossShape) : null;
          const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { ...options, weight: w, composite }), x);
          tf.dispose([x, t, ...(w ? [w] : [])]);
          expectClose(r.loss, expected.loss, 1e-4, 'loss');
          expectClose(r.grad, expected.grad, 1e-4, 'grad');
        },
      ),
      { numRuns: 25, seed: 14 },
    );
  });

  it('a preset only changes defaults: "mmdet" softmax = alpha 0.25 gamma 2 mean, explicit options win', () => {
    const xs = seededFloats(5, 12, -4, 4);
    const x = tf.tensor(xs, [4, 3]);
    const t = tf.tensor1d([0, 2, 1, 2], 'int32');
    const viaPreset = valueAndGradOf((v) => softmaxFocalLoss(v, t, { preset: 'mmdet', gamma: 1, composite }), x);
    const explicit = valueAndGradOf((v) => softmaxFocalLoss(v, t, { alpha: 0.25, gamma: 1, composite }), x);
    tf.dispose([x, t]);
    expect(Array.from(viaPreset.loss)).toEqual(Array.from(explicit.loss));
    expect(Array.from(viaPreset.grad)).toEqual(Array.from(explicit.grad));
  });

  it('refuses normalizeProbabilities with logits (INVALID_OPTION)', () => {
    const x = tf.tensor2d([[0.5, 0.5]]);
    const t = tf.tensor1d([1], 'int32');
    expect(thrownCode(() => softmaxFocalLoss(x, t, { normalizeProbabilities: true, composite }))).toBe('INVALID_OPTION');
    tf.dispose([x, t]);
  });
});

it('declares what every path computes', () => {
  expect(TFJS_DECLARATION.implements).toContain('normalizeProbabilities');
  expect(TFJS_DECLARATION.implements).toContain('preset');
});
