/**
 * The focal-loss family on tf.Tensors, in every Node environment (cpu / wasm x fused kernel /
 * composite): values and gradients against @focal-loss/typed-array in float64 (itself checked
 * against mpmath and finite differences), the limits at infinite logits, finiteness at +-1e4 and
 * gamma in [0, 1), float32 finite differences of the tfjs loss itself, and the error codes.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {
  asymmetricLoss as asymmetricLoss64,
  qualityFocalLoss as qualityFocalLoss64,
  sigmoidFocalLossStar as sigmoidFocalLossStar64,
  varifocalLoss as varifocalLoss64,
} from '@focal-loss/typed-array';
import { expect, it } from 'vitest';
import { asymmetricLoss, qualityFocalLoss, sigmoidFocalLossStar, varifocalLoss } from '../index.js';
import { describeEachEnv } from '../test-envs.js';
import { expectClose, reductionArb, seededFloats, shapeArb, sizeOf, thrownCode, valueAndGradOf } from '../test-helpers.js';

type TensorOp = (x: tf.Tensor, t: tf.Tensor, options?: Record<string, unknown>) => tf.Tensor;
type View = { data: Float64Array | Int32Array; shape: number[] };
type ReferenceOp = (x: View, t: View, options: Record<string, unknown>) => { loss: { data: ArrayLike<number> }; gradInput: { data: ArrayLike<number> } | null };

interface Variant {
  readonly name: string;
  readonly op: TensorOp;
  readonly reference: ReferenceOp;
  readonly options: fc.Arbitrary<Record<string, unknown>>;
  /** What targets look like: soft in [0, 1], IoU (0 or in (0, 1]), 0/1 labels. */
  readonly targets: 'soft' | 'iou' | 'binary';
  /** Options whose gamma-like exponents lie in [0, 1) (finite gradients there too). */
  readonly smallExponents: Record<string, unknown>;
}

const exponent = fc.constantFrom(0, 0.25, 0.5, 1, 2, 3.5, 4);
const VARIANTS: readonly Variant[] = [
  {
    name: 'sigmoidFocalLossStar',
    op: sigmoidFocalLossStar as TensorOp,
    reference: sigmoidFocalLossStar64 as unknown as ReferenceOp,
    options: fc.record({ gamma: fc.constantFrom(0.25, 0.5, 1, 2, 4), beta: fc.constantFrom(-2, 0, 0.5, 3), alpha: fc.constantFrom(null, 0, 0.25, 1) }),
    targets: 'soft',
    smallExponents: { gamma: 0.3, beta: 0.5, alpha: 0.25 },
  },
  {
    name: 'qualityFocalLoss',
    op: qualityFocalLoss as TensorOp,
    reference: qualityFocalLoss64 as unknown as ReferenceOp,
    options: fc.record({ beta: exponent }),
    targets: 'soft',
    smallExponents: { beta: 0.5 },
  },
  {
    name: 'varifocalLoss',
    op: varifocalLoss as TensorOp,
    reference: varifocalLoss64 as unknown as ReferenceOp,
    options: fc.record({ alpha: fc.constantFrom(0, 0.75, 2), gamma: exponent, iouWeighted: fc.boolean() }),
    targets: 'iou',
    smallExponents: { gamma: 0.5, alpha: 0.75 },
  },
  {
    name: 'asymmetricLoss',
    op: asymmetricLoss as TensorOp,
    reference: asymmetricLoss64 as unknown as ReferenceOp,
    options: fc.record({ gammaPos: exponent, gammaNeg: exponent, clip: fc.constantFrom(0, 0.05, 0.2, 0.6) }),
    targets: 'binary',
    smallExponents: { gammaPos: 0.5, gammaNeg: 0.25, clip: 0 },
  },
];

/** Deterministic targets of a kind. */
function targetsOf(kind: Variant['targets'], seed: number, n: number): Float32Array {
  const u = seededFloats(seed, n, 0, 1);
  return u.map((v, i) => {
    if (kind === 'binary') return v < 0.4 ? 1 : 0;
    if (kind === 'iou') return i % 2 === 0 ? 0 : Math.fround(0.05 + 0.95 * v);
    return i % 3 === 0 ? Math.round(v) : v;
  });
}

function referenceOf(variant: Variant, x: Float32Array, t: Float32Array, shape: number[], options: Record<string, unknown>, w?: Float32Array) {
  const r = variant.reference(
    { data: Float64Array.from(x), shape },
    { data: Float64Array.from(t), shape },
    { ...options, gradient: true, weight: w ? { data: Float64Array.from(w), shape } : null },
  );
  return { loss: r.loss.data, grad: (r.gradInput as { data: ArrayLike<number> }).data };
}

for (const variant of VARIANTS) {
  describeEachEnv(variant.name, (env) => {
    const op: TensorOp = (x, t, options = {}) => variant.op(x, t, { ...options, composite: env.composite });

    it('matches the float64 typed-array reference over random shapes, options, reductions and weights', () => {
      fc.assert(
        fc.property(
          shapeArb,
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          variant.options,
          reductionArb,
          fc.boolean(),
          (shape, seed, options, reduction, withWeight) => {
            const n = sizeOf(shape);
            const xs = seededFloats(seed, n, -12, 12);
            const ts = targetsOf(variant.targets, seed + 1, n);
            const ws = withWeight ? seededFloats(seed + 2, n, 0, 2) : undefined;
            const call = { ...options, reduction };
            const expected = referenceOf(variant, xs, ts, shape, call, ws);
            const x = tf.tensor(xs, shape);
            const t = tf.tensor(ts, shape);
            const w = ws ? tf.tensor(ws, shape) : null;
            const r = valueAndGradOf((v) => op(v, t, { ...call, weight: w }), x);
            tf.dispose([x, t, ...(w ? [w] : [])]);
            expectClose(r.loss, expected.loss, 1e-4, 'loss');
            expectClose(r.grad, expected.grad, 1e-4, 'grad');
          },
        ),
        { numRuns: 25, seed: 15 },
      );
    });

    it('takes the limits at +-Infinity, stays finite at +-1e4 and with exponents in [0, 1), propagates NaN', () => {
      const logits = [Infinity, -Infinity, 1e4, -1e4, 90, -90, 40, -40, 0, NaN];
      const targetValues = variant.targets === 'binary' ? [0, 1] : [0, 0.25, 0.5, 1];
      const xs = Float32Array.from(logits.flatMap((v) => targetValues.map(() => v)));
      const ts = Float32Array.from(logits.flatMap(() => targetValues));
      const shape = [xs.length];
      for (const options of [{}, variant.smallExponents]) {
        const call = { ...options, reduction: 'none' };
        const expected = referenceOf(variant, xs, ts, shape, call);
        const x = tf.tensor(xs, shape);
        const t = tf.tensor(ts, shape);
        const r = valueAndGradOf((v) => op(v, t, call), x);
        tf.dispose([x, t]);
        expectClose(r.loss, expected.loss, 1e-4, `loss ${JSON.stringify(options)}`);
        expectClose(r.grad, expected.grad, 1e-4, `grad ${JSON.stringify(options)}`);
        // finite wherever the logit is (the reference's limits decide the infinite ones)
        for (let i = 0; i < xs.length; i++) {
          if (Number.isFinite(xs[i])) expect(Number.isFinite(r.loss[i]) && Number.isFinite(r.grad[i]), `x = ${xs[i]}, t = ${ts[i]}`).toBe(true);
        }
      }
    });

    it('gradient equals float32 central finite differences of the tfjs loss itself', () => {
      const n = 12;
      const xs = seededFloats(7, n, -4, 4);
      const ts = targetsOf(variant.targets, 8, n);
      const t = tf.tensor1d(ts);
      const options = { ...variant.smallExponents, reduction: 'sum' };
      const lossAt = (values: Float32Array) => tf.tidy(() => op(tf.tensor1d(values), t, options).dataSync()[0] as number);
      const x = tf.tensor1d(xs);
      const { grad } = valueAndGradOf((v) => op(v, t, options), x);
      tf.dispose([x]);
      const h = 1e-2;
      for (let i = 0; i < n; i++) {
        const p = xs.slice();
        const m = xs.slice();
        p[i] = (xs[i] as number) + h;
        m[i] = (xs[i] as number) - h;
        const fd = (lossAt(p) - lossAt(m)) / (2 * h);
        expect(Math.abs((grad[i] as number) - fd), `element ${i}: ${grad[i]} vs ${fd}`).toBeLessThan(2e-3 + 1e-2 * Math.abs(fd));
      }
      t.dispose();
    });

    it('int32 and bool 0/1 labels mean the same as float 0/1', () => {
      const x = tf.tensor1d([0.5, -1, 2, 0.25]);
      const labels = [1, 0, 0, 1];
      const fromFloat = valueAndGradOf((v) => op(v, tf.tensor1d(labels), { reduction: 'none' }), x);
      const fromInt = valueAndGradOf((v) => op(v, tf.tensor1d(labels, 'int32'), { reduction: 'none' }), x);
      const fromBool = valueAndGradOf((v) => op(v, tf.tensor1d(labels, 'bool'), { reduction: 'none' }), x);
      expect(Array.from(fromInt.loss)).toEqual(Array.from(fromFloat.loss));
      expect(Array.from(fromBool.grad)).toEqual(Array.from(fromFloat.grad));
      x.dispose();
    });

    it('an empty input gives 0 ("mean") and an empty gradient', () => {
      const x = tf.zeros([0, 3]);
      const t = tf.zeros([0, 3]);
      const r = valueAndGradOf((v) => op(v, t), x);
      expect(Array.from(r.loss)).toEqual([0]);
      expect(r.grad.length).toBe(0);
      tf.dispose([x, t]);
    });

    it('errors: options before tensors before dtypes before shapes before target values, with the core codes', () => {
      const x = tf.tensor1d([0.5, -1]);
      const t = tf.tensor1d([1, 0]);
      expect(thrownCode(() => op(x, t, { reduction: 'max' }))).toBe('INVALID_OPTION');
      expect(thrownCode(() => op(x, t, { unknownOption: 1 }))).toBe('INVALID_OPTION');
      expect(thrownCode(() => op(x, t, { normalizer: 2, reduction: 'sum' }))).toBe('INVALID_OPTION');
      expect(thrownCode(() => variant.op(x, t, { checkTargets: 'yes' }))).toBe('INVALID_OPTION');
      expect(thrownCode(() => variant.op(x, t, 5 as unknown as Record<string, unknown>))).toBe('INVALID_OPTION');
      // an option error comes before a shape error
      expect(thrownCode(() => op(x, tf.tensor1d([1, 0, 1]), { reduction: 'max' }))).toBe('INVALID_OPTION');
      expect(thrownCode(() => op(tf.tensor1d([1, 2], 'int32'), t))).toBe('INVALID_OPTION');
      expect(thrownCode(() => op(x, tf.tensor1d([1, 0, 1])))).toBe('SHAPE_MISMATCH');
      expect(thrownCode(() => op(x, t, { weight: tf.tensor1d([1, 2, 3]) }))).toBe('SHAPE_MISMATCH');
      expect(thrownCode(() => op(x, tf.tensor1d([1, 2]), { checkTargets: true }))).toBe('INVALID_TARGET');
      expect(thrownCode(() => op(x, tf.tensor1d([1, NaN]), { checkTargets: true }))).toBe('INVALID_TARGET');
      tf.dispose([x, t]);
    });
  });
}

describeEachEnv('asymmetricLoss targets', () => {
  it('takes 0/1 labels only: a soft float target is INVALID_TARGET with checkTargets', () => {
    const x = tf.tensor1d([0.5, -1]);
    expect(thrownCode(() => asymmetricLoss(x, tf.tensor1d([0.5, 0]), { checkTargets: true }))).toBe('INVALID_TARGET');
    x.dispose();
  });
});
