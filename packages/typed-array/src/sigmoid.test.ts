import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sigmoidFocalLoss } from './sigmoid.js';
import type { TensorView } from './types.js';
import { closeTo, gammaArb, numericGradient, reductionArb, shapeArb, thrownCode } from './test-helpers.js';

const f64 = (values: number[], shape: number[] = [values.length]) => ({ data: Float64Array.from(values), shape });
const f32 = (values: number[], shape: number[] = [values.length]) => ({ data: Float32Array.from(values), shape });

describe('sigmoidFocalLoss over typed arrays', () => {
  it('gives the worked example and its gradient', () => {
    const r = sigmoidFocalLoss(f64([Math.log(4)]), f64([1]), { gradient: true });
    expect(r.loss.shape).toEqual([]);
    expect(r.loss.data[0]).toBeCloseTo(0.0022314355131420976, 16);
    // -alpha q^g (q - g p ln p) at p = 0.8
    expect(r.gradInput?.data[0]).toBeCloseTo(-0.25 * 0.04 * (0.2 - 2 * 0.8 * Math.log(0.8)), 15);
  });

  it('gradient equals central finite differences over random shapes, options and targets', () => {
    const caseArb = shapeArb.chain((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.record({
        shape: fc.constant(shape),
        x: fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: n, maxLength: n }),
        t: fc.array(fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: n, maxLength: n }),
        w: fc.option(fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: n, maxLength: n }), { nil: undefined }),
        gamma: gammaArb,
        alpha: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
        reduction: reductionArb,
        labelSmoothing: fc.constantFrom(0, 0.1),
        normalizer: fc.constantFrom(null, 3),
      });
    });
    fc.assert(
      fc.property(caseArb, ({ shape, x, t, w, ...drawn }) => {
        // a normalizer only divides a mean (contract 1.1: elsewhere it is an error)
        const options = { ...drawn, normalizer: drawn.reduction === 'mean' ? drawn.normalizer : null };
        const target = f64(t, shape);
        const weight = w === undefined ? null : f64(w, shape);
        const sum = (xs: Float64Array) =>
          sigmoidFocalLoss({ data: xs, shape }, target, { ...options, weight }).loss.data.reduce((a, b) => a + b, 0);
        const r = sigmoidFocalLoss(f64(x, shape), target, { ...options, weight, gradient: true });
        const numeric = numericGradient(sum, Float64Array.from(x));
        return numeric.every((g, i) => closeTo(r.gradInput?.data[i] as number, g, 1e-6, 1e-9));
      }),
      { numRuns: 200 },
    );
  });

  it('reductions: sum, mean, normalizer, and a mean over nothing is 0', () => {
    const x = [0.5, -1, 2];
    const t = [1, 0, 1];
    const none = sigmoidFocalLoss(f64(x), f64(t), { reduction: 'none' }).loss.data;
    const total = none.reduce((a, b) => a + b, 0);
    expect(sigmoidFocalLoss(f64(x), f64(t), { reduction: 'sum' }).loss.data[0]).toBeCloseTo(total, 15);
    expect(sigmoidFocalLoss(f64(x), f64(t)).loss.data[0]).toBeCloseTo(total / 3, 15);
    expect(sigmoidFocalLoss(f64(x), f64(t), { normalizer: 2 }).loss.data[0]).toBeCloseTo(total / 2, 15);
    const empty = sigmoidFocalLoss(f64([], [0, 3]), f64([], [0, 3]), { gradient: true });
    expect(Array.from(empty.loss.data)).toEqual([0]);
    expect(empty.gradInput?.data.length).toBe(0);
    expect(sigmoidFocalLoss(f64([], [0]), f64([], [0]), { reduction: 'none' }).loss.shape).toEqual([0]);
  });

  it('a scalar input gives a scalar loss', () => {
    const r = sigmoidFocalLoss(f64([0.3], []), f64([1], []), { reduction: 'none', gradient: true });
    expect(r.loss.shape).toEqual([]);
    expect(r.gradInput?.shape).toEqual([]);
  });

  it('gamma = 0 with alpha = null is binary cross-entropy', () => {
    const x = [-3, 0.2, 5];
    const t = [0, 1, 0.4];
    const r = sigmoidFocalLoss(f64(x), f64(t), { gamma: 0, alpha: null, reduction: 'none' });
    x.forEach((xi, i) => {
      const ti = t[i] as number;
      const bce = Math.max(xi, 0) - xi * ti + Math.log1p(Math.exp(-Math.abs(xi)));
      expect(closeTo(r.loss.data[i] as number, bce, 1e-14)).toBe(true);
    });
  });

  it('is finite at saturated logits for gamma in {0, 0.5, 1, 2, 5}', () => {
    const x = [-1e4, -100, -40, 40, 100, 1e4];
    for (const gamma of [0, 0.5, 1, 2, 5]) {
      for (const y of [0, 1]) {
        for (const make of [f32, f64] as Array<(v: number[]) => TensorView>) {
          const r = sigmoidFocalLoss(make(x), make(x.map(() => y)), { gamma, reduction: 'none', gradient: true });
          expect(Array.from(r.loss.data).every(Number.isFinite)).toBe(true);
          expect(Array.from(r.gradInput?.data ?? []).every(Number.isFinite)).toBe(true);
          expect(Array.from(r.loss.data).every((v) => v >= 0)).toBe(true);
        }
      }
    }
  });

  it('float32 and float64 paths agree within float32 tolerance', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 30 }),
        gammaArb,
        (values, gamma) => {
          const x = Array.from(Float32Array.from(values));
          const t = x.map((_, i) => (i % 3 === 0 ? 1 : 0));
          const a = sigmoidFocalLoss(f32(x), f32(t), { gamma, reduction: 'none', gradient: true });
          const b = sigmoidFocalLoss(f64(x), f64(t), { gamma, reduction: 'none', gradient: true });
          return (
            x.every((_, i) => closeTo(a.loss.data[i] as number, b.loss.data[i] as number, 1e-6, 1e-37)) &&
            x.every((_, i) => closeTo(a.gradInput?.data[i] as number, b.gradInput?.data[i] as number, 1e-6, 1e-37))
          );
        },
      ),
    );
  });

  it('returns the input array type', () => {
    expect(sigmoidFocalLoss(f32([1]), f32([1])).loss.data).toBeInstanceOf(Float32Array);
    expect(sigmoidFocalLoss(f64([1]), f32([1])).loss.data).toBeInstanceOf(Float64Array);
  });

  it('writes into caller buffers and allocates none of its own', () => {
    const loss = new Float32Array(3);
    const gradInput = new Float32Array(3);
    const r = sigmoidFocalLoss(f32([1, 2, 3]), f32([1, 0, 1]), { reduction: 'none', gradient: true, out: { loss, gradInput } });
    expect(r.loss.data).toBe(loss);
    expect(r.gradInput?.data).toBe(gradInput);
    expect(loss[1]).toBeGreaterThan(0);
    expect(thrownCode(() => sigmoidFocalLoss(f32([1, 2]), f32([1, 0]), { out: { loss: new Float32Array(2) } }))).toBe('SHAPE_MISMATCH');
  });

  it('weights multiply each element', () => {
    const r1 = sigmoidFocalLoss(f64([0.3, -0.2]), f64([1, 0]), { reduction: 'none' }).loss.data;
    const r2 = sigmoidFocalLoss(f64([0.3, -0.2]), f64([1, 0]), { reduction: 'none', weight: f64([2, 0]) }).loss.data;
    expect(r2[0]).toBe(2 * (r1[0] as number));
    expect(r2[1]).toBe(0);
  });

  it('NaN in the input propagates without a throw', () => {
    const r = sigmoidFocalLoss(f64([Number.NaN, 1]), f64([1, 0]), { gradient: true, reduction: 'none' });
    expect(r.loss.data[0]).toBeNaN();
    expect(r.loss.data[1]).not.toBeNaN();
    expect(r.gradInput?.data[0]).toBeNaN();
  });

  it('validates before any work, with codes', () => {
    const gradInput = new Float64Array(2);
    expect(thrownCode(() => sigmoidFocalLoss(f64([1, 2]), f64([1, 1.5]), { gradient: true, out: { gradInput } }))).toBe('INVALID_TARGET');
    expect(Array.from(gradInput)).toEqual([0, 0]); // nothing written
    expect(thrownCode(() => sigmoidFocalLoss(f64([1, 2]), f64([1, Number.NaN])))).toBe('INVALID_TARGET');
    expect(thrownCode(() => sigmoidFocalLoss(f64([1, 2]), f64([1, 0], [1, 2])))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => sigmoidFocalLoss(f64([1, 2], [3]), f64([1, 0])))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => sigmoidFocalLoss(f64([1, 2]), f64([1, 0]), { weight: f64([1]) }))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => sigmoidFocalLoss(f64([1]), f64([1]), { gamma: -1 }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => sigmoidFocalLoss(f64([1]), f64([1]), { axis: 0 } as never))).toBe('INVALID_OPTION');
    expect(thrownCode(() => sigmoidFocalLoss({ data: [1] as never, shape: [1] }, f64([1])))).toBe('INVALID_OPTION');
  });

  it('the target message names the index and the value', () => {
    expect(() => sigmoidFocalLoss(f64([1, 2]), f64([1, 1.5]))).toThrow('target[1] = 1.5 is outside [0, 1]');
  });
});
