import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { sigmoidFocalLoss as sigmoidFocalLossOf, type SigmoidFocalLossTensorOptions } from './index.js';
import { describeEachEnv } from './test-envs.js';
import { compositeSigmoidFocalLoss } from './test-composite.js';
import {
  expectClose,
  float32Arb,
  gammaArb,
  reductionArb,
  seededFloats,
  shapeArb,
  sigmoidReference,
  sizeOf,
  valueAndGradOf,
} from './test-helpers.js';

describeEachEnv('sigmoidFocalLoss', (env) => {
  // Every call of this suite runs on the environment's path (fused kernel or composite).
  const sigmoidFocalLoss = (x: tf.Tensor, t: tf.Tensor, options: SigmoidFocalLossTensorOptions = {}): tf.Tensor =>
    sigmoidFocalLossOf(x, t, { ...options, composite: env.composite });

  it('gives the worked example of docs/math.md: FL(p = 0.8, y = 1) and its derivative', () => {
    const x = tf.tensor1d([Math.log(4)]);
    const t = tf.tensor1d([1]);
    const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t), x);
    expect(r.loss[0]).toBeCloseTo(0.00223144, 7);
    expect(r.grad[0]).toBeCloseTo(-0.0055703, 6);
    tf.dispose([x, t]);
  });

  it('matches the float64 typed-array reference over random shapes and options', () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        gammaArb,
        fc.constantFrom(0.25, null, 0.9),
        reductionArb,
        fc.constantFrom(0, 0.1),
        fc.boolean(),
        fc.boolean(),
        (shape, seed, gamma, alpha, reduction, labelSmoothing, fromLogits, withWeight) => {
          const n = sizeOf(shape);
          const xs = fromLogits ? seededFloats(seed, n, -12, 12) : seededFloats(seed, n, 0.001, 0.999);
          const ts = seededFloats(seed + 1, n, 0, 1).map((v, i) => (i % 3 === 0 ? v : Math.round(v)));
          const ws = withWeight ? seededFloats(seed + 2, n, 0, 2) : undefined;
          const options = { gamma, alpha, reduction, labelSmoothing, fromLogits };
          const expected = sigmoidReference(xs, ts, shape, options, ws);
          const x = tf.tensor(xs, shape);
          const t = tf.tensor(ts, shape);
          const w = ws ? tf.tensor(ws, shape) : null;
          const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { ...options, weight: w }), x);
          tf.dispose([x, t, ...(w ? [w] : [])]);
          expectClose(r.loss, expected.loss, 1e-4, 'loss');
          expectClose(r.grad, expected.grad, 1e-4, 'grad');
        },
      ),
      { numRuns: 40, seed: 4 },
    );
  });

  it('has the gradient of a central difference of its own float64 reference at a few points', () => {
    // The typed-array reference is itself checked against finite differences; here one spot check
    // that our gradient is d(loss)/d(input) and not, e.g., its negative or a per-element mean.
    const xs = Float32Array.from([-3, -0.5, 0, 0.7, 4]);
    const ts = Float32Array.from([0, 1, 0.3, 1, 0]);
    const x = tf.tensor1d(xs);
    const t = tf.tensor1d(ts);
    const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { gamma: 1.5, reduction: 'sum' }), x);
    const h = 1e-4;
    for (let i = 0; i < xs.length; i++) {
      const up = Float32Array.from(xs);
      const down = Float32Array.from(xs);
      up[i] = xs[i]! + h;
      down[i] = xs[i]! - h;
      const f = (v: Float32Array) => sigmoidReference(v, ts, [5], { gamma: 1.5, reduction: 'sum' }).loss[0]!;
      const numeric = (f(up) - f(down)) / (Math.fround(xs[i]! + h) - Math.fround(xs[i]! - h));
      expect(Math.abs(r.grad[i]! - numeric)).toBeLessThan(1e-4 * Math.max(1, Math.abs(numeric)));
    }
    tf.dispose([x, t]);
  });

  it('stays finite and accurate at saturated logits for gamma in {0, 0.5, 1, 2, 5}', () => {
    const logits = [40, -40, 100, -100, 1e4, -1e4];
    for (const gamma of [0, 0.5, 1, 2, 5]) {
      for (const target of [0, 1, 0.3]) {
        const xs = Float32Array.from(logits);
        const ts = new Float32Array(logits.length).fill(target);
        const x = tf.tensor1d(xs);
        const t = tf.tensor1d(ts);
        const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { gamma, reduction: 'none' }), x);
        tf.dispose([x, t]);
        for (const v of [...r.loss, ...r.grad]) expect(Number.isFinite(v)).toBe(true);
        const expected = sigmoidReference(xs, ts, [logits.length], { gamma, reduction: 'none' });
        // Tail tolerance of the conformance suite: relative accuracy down to float32's normal range.
        for (let i = 0; i < xs.length; i++) {
          for (const [a, e] of [[r.loss[i]!, expected.loss[i]!], [r.grad[i]!, expected.grad[i]!]] as const) {
            expect(Math.abs(a - e)).toBeLessThanOrEqual(5e-4 * Math.abs(e) + 1e-37);
          }
        }
      }
    }
  });

  it('keeps float32 relative accuracy for the cross-entropy of tiny probabilities (x from -13 to -88)', () => {
    const xs = Float32Array.from([-13, -13.5, -20, -40, -87.5]);
    const ts = new Float32Array(xs.length); // target 0: ce = softplus(x) ~ exp(x)
    const x = tf.tensor1d(xs);
    const t = tf.tensor1d(ts);
    const ours = sigmoidFocalLoss(x, t, { gamma: 0, alpha: null, reduction: 'none' });
    const expected = sigmoidReference(xs, ts, [xs.length], { gamma: 0, alpha: null, reduction: 'none' }).loss;
    const values = ours.dataSync();
    for (let i = 0; i < xs.length; i++) expect(Math.abs(values[i]! / expected[i]! - 1)).toBeLessThan(1e-6);
    tf.dispose([x, t, ours]);
  });

  it('where a composite pow/autograd implementation gives NaN gradients at saturation, gives finite ones', () => {
    const xs = Float32Array.from([40, -40, 100]);
    const ts = Float32Array.from([1, 0, 1]); // confidently right: u = 1 - p_t underflows to 0
    const x = tf.tensor1d(xs);
    const t = tf.tensor1d(ts);
    for (const gamma of [0, 0.5]) {
      const composite = valueAndGradOf((v) => compositeSigmoidFocalLoss(v, t, 0.25, gamma), x);
      expect(Number.isFinite(composite.loss[0])).toBe(true);
      expect(Array.from(composite.grad).some(Number.isNaN)).toBe(true);
      const ours = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { gamma }), x);
      expect(Array.from(ours.grad).every(Number.isFinite)).toBe(true);
      expectClose(ours.grad, sigmoidReference(xs, ts, [3], { gamma }).grad, 5e-4, `gamma ${gamma}`);
    }
    tf.dispose([x, t]);
  });

  it('clips probabilities with fromLogits false and gives a zero gradient where the clip is active', () => {
    const xs = Float32Array.from([0, 1e-9, 0.3, 0.99999994, 1]);
    const ts = Float32Array.from([1, 0, 1, 0, 1]);
    const x = tf.tensor1d(xs);
    const t = tf.tensor1d(ts);
    const options = { fromLogits: false, reduction: 'none' as const, gamma: 2 };
    const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, options), x);
    const expected = sigmoidReference(xs, ts, [5], options);
    expectClose(r.loss, expected.loss, 1e-4, 'loss');
    expectClose(r.grad, expected.grad, 1e-4, 'grad');
    expect([r.grad[0], r.grad[1], r.grad[3], r.grad[4]]).toEqual([0, 0, 0, 0]);
    tf.dispose([x, t]);
  });

  it('handles scalar and empty inputs', () => {
    const x = tf.scalar(0.5);
    const t = tf.scalar(1);
    const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, { reduction: 'none' }), x);
    const expected = sigmoidReference(Float32Array.from([0.5]), Float32Array.from([1]), [], { reduction: 'none' });
    expectClose(r.loss, expected.loss, 1e-5);
    expectClose(r.grad, expected.grad, 1e-5);
    const empty = tf.zeros([0, 3]);
    const mean = valueAndGradOf((v) => sigmoidFocalLoss(v, empty), empty);
    expect(Array.from(mean.loss)).toEqual([0]);
    expect(mean.grad.length).toBe(0);
    const none = sigmoidFocalLoss(empty, empty, { reduction: 'none' });
    expect(none.shape).toEqual([0, 3]);
    tf.dispose([x, t, empty, none]);
  });

  it('treats target and weight as constants: tf.grads over all three gives the input gradient and zeros', () => {
    const xs = Float32Array.from([-2, 0.5, 3]);
    const ts = Float32Array.from([0, 1, 0.25]);
    const ws = Float32Array.from([1, 0.5, 2]);
    const [x, t, w] = [tf.tensor1d(xs), tf.tensor1d(ts), tf.tensor1d(ws)];
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => sigmoidFocalLoss(a, b, { weight: c, gamma: 0.5 }))([
      x, t, w,
    ]);
    const expected = sigmoidReference(xs, ts, [3], { gamma: 0.5 }, ws);
    expectClose(grads[0]!.dataSync(), expected.grad, 1e-5, 'input');
    expect(Array.from(grads[1]!.dataSync())).toEqual([0, 0, 0]);
    expect(Array.from(grads[2]!.dataSync())).toEqual([0, 0, 0]);
    tf.dispose([x, t, w, ...grads]);
  });
});
