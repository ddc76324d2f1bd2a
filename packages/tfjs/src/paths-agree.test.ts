/**
 * The composite formulation against the fused kernel (the core's loop, the project's reference) on
 * random calls, non-finite values included: the same values within float32 tolerance, and NaN and
 * infinities in the same places. Seeded and bounded.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { describeEachEnv, TEST_ENVS } from './test-envs.js';

const special = fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 40, -40, 0);
const value = fc.oneof({ weight: 8, arbitrary: fc.float({ min: -12, max: 12, noNaN: true }) }, { weight: 1, arbitrary: special });
const weightValue = fc.oneof({ weight: 8, arbitrary: fc.float({ min: 0, max: 2, noNaN: true }) }, { weight: 1, arbitrary: special });

function expectSameOutputs(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  let scale = 0;
  for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i])) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!Number.isFinite(y) || !Number.isFinite(x)) expect(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)), `${what}[${i}]: ${x} vs ${y}`).toBe(true);
    else expect(Math.abs(x - y), `${what}[${i}]: ${x} vs ${y}`).toBeLessThanOrEqual(2e-4 * Math.abs(y) + 1e-6 * scale + 1e-30);
  }
}

function bothPaths(run: (input: tf.Tensor, composite: boolean) => tf.Tensor, x: tf.Tensor): void {
  const [composite, fused] = [true, false].map((useComposite) => {
    const { value: v, grad } = tf.valueAndGrad((input: tf.Tensor) => run(input, useComposite))(x);
    const out = { loss: v.dataSync().slice(), grad: grad.dataSync().slice() };
    tf.dispose([v, grad]);
    return out;
  });
  expectSameOutputs(composite!.loss, fused!.loss, 'loss');
  expectSameOutputs(composite!.grad, fused!.grad, 'grad');
}

describeEachEnv('composite and fused agree on random calls', () => {
  it('sigmoid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.record({
            xs: fc.array(value, { minLength: n, maxLength: n }),
            ts: fc.array(fc.oneof(fc.constantFrom(0, 1), fc.float({ min: 0, max: 1, noNaN: true })), { minLength: n, maxLength: n }),
            ws: fc.option(fc.array(weightValue, { minLength: n, maxLength: n })),
            gamma: fc.constantFrom(0, 0.5, 1, 2, 3.5),
            alpha: fc.constantFrom(null, 0, 0.25, 1),
            reduction: fc.constantFrom('none' as const, 'mean' as const, 'sum' as const),
            labelSmoothing: fc.constantFrom(0, 0.1),
            fromLogits: fc.boolean(),
          }),
        ),
        ({ xs, ts, ws, gamma, alpha, reduction, labelSmoothing, fromLogits }) => {
          const probabilities = xs.map((v) => (Number.isFinite(v) ? Math.abs(Math.sin(v)) : v));
          const x = tf.tensor1d(fromLogits ? xs : probabilities);
          const t = tf.tensor1d(ts);
          const w = ws === null ? null : tf.tensor1d(ws);
          const options = { gamma, alpha, reduction, labelSmoothing, fromLogits, weight: w };
          bothPaths((input, composite) => sigmoidFocalLoss(input, t, { ...options, composite }), x);
          tf.dispose([x, t, ...(w ? [w] : [])]);
        },
      ),
      { numRuns: 150, seed: 1129 },
    );
  });

  it('softmax', () => {
    fc.assert(
      fc.property(
        fc.record({ rows: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 1, max: 5 }) }).chain(({ rows, classes }) =>
          fc.record({
            rows: fc.constant(rows),
            classes: fc.constant(classes),
            xs: fc.array(value, { minLength: rows * classes, maxLength: rows * classes }),
            ids: fc.array(fc.oneof(fc.integer({ min: 0, max: classes - 1 }), fc.constant(-1)), { minLength: rows, maxLength: rows }),
            ws: fc.option(fc.array(weightValue, { minLength: rows, maxLength: rows })),
            gamma: fc.constantFrom(0, 0.5, 2),
            alpha: fc.constantFrom(null, 0.25),
            reduction: fc.constantFrom('none' as const, 'mean' as const, 'sum' as const),
            labelSmoothing: fc.constantFrom(0, 0.1),
            fromLogits: fc.boolean(),
          }),
        ),
        ({ rows, classes, xs, ids, ws, gamma, alpha, reduction, labelSmoothing, fromLogits }) => {
          const probabilities = xs.map((v) => (Number.isFinite(v) ? Math.abs(Math.sin(v)) : v));
          const x = tf.tensor2d(fromLogits ? xs : probabilities, [rows, classes]);
          const t = tf.tensor1d(ids, 'int32');
          const w = ws === null ? null : tf.tensor1d(ws);
          const options = { gamma, alpha, reduction, labelSmoothing, fromLogits, weight: w, ignoreIndex: -1 };
          bothPaths((input, composite) => softmaxFocalLoss(input, t, { ...options, composite }), x);
          tf.dispose([x, t, ...(w ? [w] : [])]);
        },
      ),
      { numRuns: 150, seed: 1130 },
    );
  });
}, TEST_ENVS.filter((env) => !env.composite));
