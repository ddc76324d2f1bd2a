/**
 * Poly-1 (`polyEpsilon`, issue 15) on both focal losses, in every Node environment (cpu / wasm x
 * fused kernel / composite): values and gradients against @focal-loss/typed-array in float64
 * (whose Poly-1 the core checks against mpmath and finite differences), the limits at infinite
 * logits, polyEpsilon 0 = the focal loss bit for bit, and the option's validation.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { describeEachEnv } from './test-envs.js';
import {
  expectClose,
  gammaArb,
  reductionArb,
  seededFloats,
  shapeArb,
  sigmoidReference,
  sizeOf,
  softmaxReference,
  thrownCode,
  valueAndGradOf,
} from './test-helpers.js';

const polyArb = fc.constantFrom(-1, -0.5, 0.5, 1, 2);

describeEachEnv('polyEpsilon', (env) => {
  const composite = env.composite;

  it('sigmoid: matches the float64 reference (logits and probabilities, smoothing, alpha, weights, reductions)', () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        gammaArb,
        polyArb,
        fc.constantFrom(0.25, null),
        reductionArb,
        fc.constantFrom(0, 0.1),
        fc.boolean(),
        fc.boolean(),
        (shape, seed, gamma, polyEpsilon, alpha, reduction, labelSmoothing, fromLogits, withWeight) => {
          const n = sizeOf(shape);
          const xs = fromLogits ? seededFloats(seed, n, -12, 12) : seededFloats(seed, n, 0.001, 0.999);
          const ts = seededFloats(seed + 1, n, 0, 1).map((v, i) => (i % 3 === 0 ? v : Math.round(v)));
          const ws = withWeight ? seededFloats(seed + 2, n, 0, 2) : undefined;
          const options = { gamma, alpha, reduction, labelSmoothing, fromLogits, polyEpsilon };
          const expected = sigmoidReference(xs, ts, shape, options, ws);
          const x = tf.tensor(xs, shape);
          const t = tf.tensor(ts, shape);
          const w = ws ? tf.tensor(ws, shape) : null;
          const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { ...options, weight: w, composite }), x);
          tf.dispose([x, t, ...(w ? [w] : [])]);
          expectClose(r.loss, expected.loss, 1e-4, 'loss');
          expectClose(r.grad, expected.grad, 1e-4, 'grad');
        },
      ),
      { numRuns: 30, seed: 21 },
    );
  });

  it('sigmoid: the limits at +-Infinity and finite values at +-1e4 (gamma 0, 0.5, 2)', () => {
    const logits = [Infinity, -Infinity, 1e4, -1e4, 30, -30];
    const targets = [0, 0.25, 1];
    const xs = Float32Array.from(logits.flatMap((v) => targets.map(() => v)));
    const ts = Float32Array.from(logits.flatMap(() => targets));
    for (const gamma of [0, 0.5, 2]) {
      const options = { gamma, polyEpsilon: 1.5, alpha: 0.25, reduction: 'none' as const };
      const expected = sigmoidReference(xs, ts, [xs.length], options);
      const x = tf.tensor1d(xs);
      const t = tf.tensor1d(ts);
      const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { ...options, composite }), x);
      tf.dispose([x, t]);
      expectClose(r.loss, expected.loss, 1e-4, `loss gamma ${gamma}`);
      expectClose(r.grad, expected.grad, 1e-4, `grad gamma ${gamma}`);
    }
  });

  it('sigmoid from logits, eps = -alpha_t (the cancelling case): float32 relative accuracy up to x = 17', () => {
    // alpha_t u^g ce + eps u^(g+1) = u^g (alpha_t (ce - u)), ce - u ~ u^2 / 2: the plain sum loses every digit
    const xs = Float32Array.from([2, 5, 9, 12, 17, -2, -5, -9, -12, -17]);
    const ts = Float32Array.from([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    for (const [alpha, polyEpsilon] of [[null, -1], [0.5, -0.5]] as const) {
      const options = { gamma: 2, alpha, polyEpsilon, reduction: 'none' as const };
      const expected = sigmoidReference(xs, ts, [xs.length], options);
      const x = tf.tensor1d(xs);
      const t = tf.tensor1d(ts);
      const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { ...options, composite }), x);
      tf.dispose([x, t]);
      for (let i = 0; i < xs.length; i++) {
        expect(Math.abs((r.loss[i] as number) / (expected.loss[i] as number) - 1), `loss at x = ${xs[i]}`).toBeLessThan(2e-6);
        expect(Math.abs((r.grad[i] as number) / (expected.grad[i] as number) - 1), `grad at x = ${xs[i]}`).toBeLessThan(2e-6);
      }
    }
  });

  it('softmax one-hot rows, eps = -a_k (the cancelling case): float32 relative accuracy up to a margin of 12', () => {
    const margins = [2, 5, 9, 12];
    const xs = Float32Array.from(margins.flatMap((m) => [m, 0, -Infinity]));
    const ids = Int32Array.from(margins.map(() => 0));
    for (const gamma of [0, 2]) {
      const options = { gamma, alpha: [0.5, 0.3, 0.2], polyEpsilon: -0.5, reduction: 'none' as const };
      const expected = softmaxReference(xs, [margins.length, 3], ids, [margins.length], options);
      const x = tf.tensor2d(xs, [margins.length, 3]);
      const t = tf.tensor1d(ids, 'int32');
      const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { ...options, composite }), x);
      tf.dispose([x, t]);
      for (let i = 0; i < margins.length; i++) {
        expect(Math.abs((r.loss[i] as number) / (expected.loss[i] as number) - 1), `loss at margin ${margins[i]}`).toBeLessThan(2e-6);
        for (const c of [0, 1]) {
          const e = expected.grad[3 * i + c] as number;
          expect(Math.abs((r.grad[3 * i + c] as number) / e - 1), `grad[${c}] at margin ${margins[i]}`).toBeLessThan(2e-6);
        }
        expect(r.grad[3 * i + 2]).toBe(0);
      }
    }
  });

  it('softmax: matches the float64 reference (index / probability targets, NCHW, ignoreIndex, class alphas, probabilities)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        gammaArb,
        polyArb,
        reductionArb,
        fc.constantFrom('index' as const, 'probability' as const),
        fc.boolean(),
        fc.constantFrom(0, 0.1),
        fc.boolean(),
        (seed, gamma, polyEpsilon, reduction, kind, fromLogits, labelSmoothing, nchw) => {
          const [n, c, h] = [2, 3, 2];
          const shape = nchw ? [n, c, h] : [n, h, c];
          const axis = nchw ? 1 : -1;
          const size = n * c * h;
          const xs = fromLogits ? seededFloats(seed, size, -8, 8) : seededFloats(seed, size, 0.001, 0.999);
          const rowShape = [n, h];
          let target: Int32Array | Float32Array;
          let targetShape: number[];
          if (kind === 'index') {
            target = Int32Array.from(seededFloats(seed + 1, n * h, 0, 3), (v, i) => (i === 1 ? -100 : Math.floor(v)));
            targetShape = rowShape;
          } else {
            target = seededFloats(seed + 1, size, 0, 1);
            targetShape = shape;
          }
          const options = {
            gamma,
            polyEpsilon,
            reduction,
            fromLogits,
            labelSmoothing,
            axis,
            alpha: [0.2, 0.5, 0.3],
            ...(kind === 'index' ? { ignoreIndex: -100 } : {}),
          };
          const expected = softmaxReference(xs, shape, target, targetShape, options);
          const x = tf.tensor(xs, shape);
          const t = kind === 'index' ? tf.tensor(target, targetShape, 'int32') : tf.tensor(target, targetShape);
          const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { ...options, composite }), x);
          tf.dispose([x, t]);
          expectClose(r.loss, expected.loss, 1e-4, 'loss');
          expectClose(r.grad, expected.grad, 1e-4, 'grad');
        },
      ),
      { numRuns: 30, seed: 22 },
    );
  });

  it('softmax: saturated rows and -Infinity masked classes stay finite; NaN rows stay NaN', () => {
    const xs = Float32Array.from([1e4, 0, -1e4, -Infinity, 2, 1, 40, -Infinity, -40, NaN, 1, 2]);
    const target = Int32Array.from([0, 1, 2, 0]);
    const options = { gamma: 0.5, polyEpsilon: 1, reduction: 'none' as const };
    const expected = softmaxReference(xs, [4, 3], target, [4], options);
    const x = tf.tensor(xs, [4, 3]);
    const t = tf.tensor(target, [4], 'int32');
    const r = valueAndGradOf((v) => softmaxFocalLoss(v, t, { ...options, composite }), x);
    tf.dispose([x, t]);
    expectClose(r.loss, expected.loss, 1e-4, 'loss');
    expectClose(r.grad, expected.grad, 1e-4, 'grad');
    expect(Number.isNaN(r.loss[3])).toBe(true);
  });

  it('polyEpsilon 0 is the focal loss bit for bit; values outside [-1, inf) are INVALID_OPTION', () => {
    const x = tf.tensor2d([[0.5, -2, 3], [1, 0, -1]]);
    const t = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
    const ids = tf.tensor1d([0, 1], 'int32');
    for (const reduction of ['none', 'sum'] as const) {
      const plain = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { reduction, composite }), x);
      const zero = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { reduction, composite, polyEpsilon: 0 }), x);
      expect(Array.from(zero.loss)).toEqual(Array.from(plain.loss));
      expect(Array.from(zero.grad)).toEqual(Array.from(plain.grad));
      const plainSoftmax = valueAndGradOf((v) => softmaxFocalLoss(v, ids, { reduction, composite }), x);
      const zeroSoftmax = valueAndGradOf((v) => softmaxFocalLoss(v, ids, { reduction, composite, polyEpsilon: 0 }), x);
      expect(Array.from(zeroSoftmax.grad)).toEqual(Array.from(plainSoftmax.grad));
    }
    for (const bad of [-1.5, Infinity, NaN, '1']) {
      expect(thrownCode(() => sigmoidFocalLoss(x, t, { polyEpsilon: bad as number, composite }))).toBe('INVALID_OPTION');
      expect(thrownCode(() => softmaxFocalLoss(x, ids, { polyEpsilon: bad as number, composite }))).toBe('INVALID_OPTION');
    }
    tf.dispose([x, t, ids]);
  });
});
