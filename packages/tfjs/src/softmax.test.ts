import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { softmaxFocalLoss as softmaxFocalLossOf, type SoftmaxFocalLossTensorOptions } from './index.js';
import { describeEachEnv } from './test-envs.js';
import { expectClose, gammaArb, reductionArb, seededFloats, softmaxReference, sizeOf, valueAndGradOf } from './test-helpers.js';

describeEachEnv('softmaxFocalLoss', (env) => {
  // Every call of this suite runs on the environment's path (fused kernel or composite).
  const softmaxFocalLoss = (x: tf.Tensor, t: tf.Tensor, options: SoftmaxFocalLossTensorOptions = {}): tf.Tensor =>
    softmaxFocalLossOf(x, t, { ...options, composite: env.composite });

  it('matches the float64 typed-array reference over random shapes, axes, targets and options', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        gammaArb,
        fc.constantFrom<'scalar' | 'array' | 'null'>('scalar', 'array', 'null'),
        reductionArb,
        fc.constantFrom(0, 0.1),
        fc.constantFrom<'index' | 'ignore' | 'probability'>('index', 'ignore', 'probability'),
        fc.boolean(),
        fc.boolean(),
        (shape, axisPick, seed, gamma, alphaKind, reduction, labelSmoothing, targetKind, fromLogits, withWeight) => {
          const rank = shape.length;
          const axis = (axisPick % (2 * rank)) - rank; // both negative and positive spellings
          const ax = axis < 0 ? axis + rank : axis;
          const classes = shape[ax]!;
          const lossShape = shape.filter((_, i) => i !== ax);
          const n = sizeOf(shape);
          const xs = fromLogits ? seededFloats(seed, n, -8, 8) : seededFloats(seed, n, 0.0001, 0.9999);
          const alpha =
            alphaKind === 'null' ? null : alphaKind === 'scalar' ? 0.25 : Array.from(seededFloats(seed + 3, classes, 0, 1));
          const positions = sizeOf(lossShape);
          let target: Int32Array | Float32Array;
          let targetShape: number[];
          if (targetKind === 'probability') {
            target = seededFloats(seed + 1, n, 0, 1);
            targetShape = shape;
          } else {
            target = Int32Array.from(seededFloats(seed + 1, positions, 0, classes), Math.floor);
            if (targetKind === 'ignore') target = target.map((v, i) => (i % 3 === 1 ? -100 : v));
            targetShape = lossShape;
          }
          const ws = withWeight ? seededFloats(seed + 2, positions, 0, 2) : undefined;
          const options = {
            gamma, alpha, reduction, labelSmoothing, fromLogits, axis,
            ...(targetKind === 'ignore' ? { ignoreIndex: -100 } : {}),
          };
          const expected = softmaxReference(xs, shape, target, targetShape, options, ws && { data: ws, shape: lossShape });
          const x = tf.tensor(xs, shape);
          const t = tf.tensor(target, targetShape, target instanceof Int32Array ? 'int32' : 'float32');
          const w = ws ? tf.tensor(ws, lossShape) : null;
          const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { ...options, weight: w }), x);
          tf.dispose([x, t, ...(w ? [w] : [])]);
          expectClose(r.loss, expected.loss, 1e-4, 'loss');
          expectClose(r.grad, expected.grad, 1e-4, 'grad');
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  it('works on NCHW input with the class axis 1 and ignoreIndex 255 counted on the device', () => {
    const shape = [2, 3, 2, 2];
    const xs = seededFloats(11, sizeOf(shape), -4, 4);
    const ts = Int32Array.from([0, 1, 2, 255, 2, 2, 1, 0]);
    const expected = softmaxReference(xs, shape, ts, [2, 2, 2], { axis: 1, ignoreIndex: 255 });
    const x = tf.tensor(xs, shape);
    const t = tf.tensor(ts, [2, 2, 2], 'int32');
    // checkTargets off: the mean's count of non-ignored positions is computed on the device.
    const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { axis: 1, ignoreIndex: 255 }), x);
    expectClose(r.loss, expected.loss, 1e-5, 'loss');
    expectClose(r.grad, expected.grad, 1e-5, 'grad');
    tf.dispose([x, t]);
  });

  it('stays finite and accurate for confident rows (logit gaps 40, 100, 1e4) and every gamma', () => {
    for (const gap of [40, 100, 1e4]) {
      for (const gamma of [0, 0.5, 1, 2, 5]) {
        const xs = Float32Array.from([gap, 0, -gap, 0, gap, 1]);
        const ts = Int32Array.from([0, 2]); // right, and confidently wrong
        const x = tf.tensor(xs, [2, 3]);
        const t = tf.tensor(ts, [2], 'int32');
        const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { gamma, reduction: 'none' }), x);
        tf.dispose([x, t]);
        for (const v of [...r.loss, ...r.grad]) expect(Number.isFinite(v)).toBe(true);
        const e = softmaxReference(xs, [2, 3], ts, [2], { gamma, reduction: 'none' });
        [...r.loss, ...r.grad].forEach((a, i) => {
          const ref = i < 2 ? e.loss[i]! : e.grad[i - 2]!;
          expect(Math.abs(a - ref)).toBeLessThanOrEqual(5e-4 * Math.abs(ref) + 1e-37);
        });
      }
    }
  });

  it('propagates a NaN logit to its whole row only, and ignored rows stay 0', () => {
    const x = tf.tensor2d([[0.5, Number.NaN, 1], [1, 2, 3], [Number.NaN, 0, 0]]);
    const t = tf.tensor1d([1, 0, -1], 'int32');
    const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { reduction: 'none', ignoreIndex: -1 }), x);
    expect(Number.isNaN(r.loss[0]!)).toBe(true);
    expect(Number.isFinite(r.loss[1]!)).toBe(true);
    expect(r.loss[2]).toBe(0);
    expect(Array.from(r.grad.slice(0, 3)).every(Number.isNaN)).toBe(true);
    expect(Array.from(r.grad.slice(6))).toEqual([0, 0, 0]);
    tf.dispose([x, t]);
  });

  it('gives 0 for an empty batch (mean) and the right shapes for empty "none"', () => {
    const x = tf.zeros([0, 4]);
    const t = tf.zeros([0], 'int32');
    const r = valueAndGradOf((v) => softmaxFocalLoss(v, t), x);
    expect(Array.from(r.loss)).toEqual([0]);
    const none = softmaxFocalLoss(x, t, { reduction: 'none' });
    expect(none.shape).toEqual([0]);
    const nchw = tf.zeros([2, 3, 0, 5]);
    const nchwTarget = tf.zeros([2, 0, 5], 'int32');
    const nchwLoss = softmaxFocalLoss(nchw, nchwTarget, { axis: 1, reduction: 'none' });
    expect(nchwLoss.shape).toEqual([2, 0, 5]);
    tf.dispose([x, t, none, nchw, nchwTarget, nchwLoss]);
  });

  it('treats an int32 target as a constant: tf.grads gives the input gradient and float32 zeros for it', () => {
    const xs = seededFloats(21, 6, -3, 3);
    const ts = Int32Array.from([2, 0]);
    const x = tf.tensor(xs, [2, 3]);
    const t = tf.tensor(ts, [2], 'int32');
    const [dx, dt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => softmaxFocalLoss(a, b))([x, t]) as [tf.Tensor, tf.Tensor];
    expectClose(dx.dataSync(), softmaxReference(xs, [2, 3], ts, [2], {}).grad, 1e-5, 'input');
    expect(dt.dtype).toBe('float32');
    expect(Array.from(dt.dataSync())).toEqual([0, 0]);
    tf.dispose([x, t, dx, dt]);
  });
});

