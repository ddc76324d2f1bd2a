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
import { sigmoidFocalLoss as referenceSigmoid } from '@focal-loss/typed-array';
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

  it('posWeight: math.md worked number (x 0.5, t 1, alpha 0.25, gamma 2, posWeight 3)', () => {
    const x = tf.tensor1d([0.5]);
    const t = tf.tensor1d([1]);
    const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { posWeight: 3, composite }), x);
    tf.dispose([x, t]);
    expectClose(r.loss, [0.050680117888127735], 1e-5, 'loss');
    expectClose(r.grad, [-0.10345274801318584], 1e-5, 'grad');
  });

  it('sigmoid posWeight / ignoreIndex / class-index targets: match the float64 reference', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        gammaArb,
        reductionArb,
        fc.constantFrom(-1, 1),
        fc.constantFrom('float', 'binary', 'classIndex'),
        fc.constantFrom(1, 0, 2.5, 'perClass'),
        fc.constantFrom(null, -1),
        fc.boolean(),
        fc.constantFrom(0, -0.5),
        fc.constantFrom(0, 0.1),
        (seed, gamma, reduction, axis, kind, pw, ignoreIndex, fromLogits, polyEpsilon, labelSmoothing) => {
          const shape = [2, 3, 2];
          const ax = axis < 0 ? axis + shape.length : axis;
          const classes = shape[ax] as number;
          const n = 12;
          const labelShape = shape.filter((_, i) => i !== ax);
          const xs = fromLogits ? seededFloats(seed, n, -8, 8) : seededFloats(seed, n, 0.001, 0.999);
          const count = kind === 'classIndex' ? n / classes : n;
          const raw = seededFloats(seed + 1, count, 0, 1);
          const ts =
            kind === 'classIndex'
              ? Int32Array.from(raw, (v, i) => (ignoreIndex !== null && i % 4 === 1 ? ignoreIndex : Math.floor(v * (classes + 1))))
              : Float32Array.from(raw, (v, i) => (ignoreIndex !== null && i % 5 === 2 ? ignoreIndex : kind === 'binary' ? Math.round(v) : v));
          const tShape = kind === 'classIndex' ? labelShape : shape;
          const ws = seededFloats(seed + 2, n, 0, 2);
          const posWeight: number | number[] = pw === 'perClass' ? Array.from({ length: classes }, (_, c) => 0.5 + c) : (pw as number);
          // axis is only accepted where it places something (class-index targets, per-class posWeight)
          const axisOption = kind === 'classIndex' || pw === 'perClass' ? { axis } : {};
          const options = { gamma, reduction, ...axisOption, fromLogits, polyEpsilon, labelSmoothing, posWeight, ignoreIndex, alpha: 0.25 };
          const ref = referenceSigmoid(
            { data: Float64Array.from(xs), shape },
            { data: kind === 'float' ? Float64Array.from(ts) : Int32Array.from(ts), shape: tShape },
            { ...options, gradient: true, weight: { data: Float64Array.from(ws), shape } },
          );
          const x = tf.tensor(xs, shape);
          const t = tf.tensor(ts, tShape, kind === 'float' ? 'float32' : 'int32');
          const w = tf.tensor(ws, shape);
          const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { ...options, weight: w, composite }), x);
          tf.dispose([x, t, w]);
          expectClose(r.loss, ref.loss.data, 1e-4, 'loss');
          expectClose(r.grad, ref.gradInput!.data, 1e-4, 'grad');
        },
      ),
      { numRuns: 40, seed: 14 },
    );
  });

  it('ignoreIndex: ignored elements are 0 even with NaN logits and infinite weights; mean counts the others', () => {
    const x = tf.tensor1d([Number.NaN, 0.5, -1]);
    const t = tf.tensor1d([-100, 1, 0]);
    const w = tf.tensor1d([Number.POSITIVE_INFINITY, 1, 1]);
    const none = sigmoidFocalLoss(x, t, { preset: 'kornia', weight: w, composite });
    const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { preset: 'kornia', reduction: 'mean', weight: w, composite }), x);
    const rest = valueAndGradOf((v) => sigmoidFocalLoss(v, tf.tensor1d([1, 0]), { alpha: 0.25, composite }), tf.tensor1d([0.5, -1]));
    expect(none.dataSync()[0]).toBe(0);
    expect(r.grad[0]).toBe(0);
    expectClose(r.loss, rest.loss, 1e-6, 'loss');
    expectClose(r.grad.slice(1), rest.grad, 1e-6, 'grad');
    tf.dispose([x, t, w, none]);
  });

  it('class-index targets: label C is background (mmdet preset), checkTargets refuses C + 1', () => {
    const x = tf.tensor2d([[0.3, -0.2], [1.5, 0.1]]);
    const labels = tf.tensor1d([2, 0], 'int32');
    const dense = tf.tensor2d([[0, 0], [1, 0]]);
    const a = sigmoidFocalLoss(x, labels, { preset: 'mmdet', composite });
    const b = sigmoidFocalLoss(x, dense, { alpha: 0.25, composite });
    expectClose(a.dataSync(), b.dataSync(), 1e-6, 'loss');
    const bad = tf.tensor1d([3, 0], 'int32');
    expect(thrownCode(() => sigmoidFocalLoss(x, bad, { checkTargets: true, composite }))).toBe('INVALID_TARGET');
    tf.dispose([x, labels, dense, a, b, bad]);
  });

  it('refuses invalid issue-14 values with the core codes', () => {
    const x = tf.tensor2d([[0.5, -0.5]]);
    const t = tf.tensor2d([[1, 0]]);
    expect(thrownCode(() => sigmoidFocalLoss(x, t, { preset: 'pytorch' as never, composite }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => sigmoidFocalLoss(x, t, { posWeight: -1, composite }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => sigmoidFocalLoss(x, t, { posWeight: [1, 2, 3], composite }))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(x, t, { preset: 'torchvision', composite }))).toBe('INVALID_OPTION');
    tf.dispose([x, t]);
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
  for (const name of ['posWeight', 'ignoreIndex', 'sigmoidClassIndexTargets']) expect(TFJS_DECLARATION.implements).toContain(name);
});
