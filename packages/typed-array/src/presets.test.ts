/**
 * Issue 14 through the public ops: class-index targets, sigmoid ignoreIndex and per-class posWeight mean
 * the dense formulation they stand for; gradients against finite differences; float32 agrees with
 * float64; normalizeProbabilities is scale-invariant per row. (The formulas against mpmath: core's
 * presets.test.ts and the presets/ fixtures.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sigmoidFocalLoss } from './sigmoid.js';
import { softmaxFocalLoss } from './softmax.js';
import { closeTo, gammaArb, numericGradient, reductionArb, thrownCode } from './test-helpers.js';

const f64 = (data: number[], shape = [data.length]) => ({ data: Float64Array.from(data), shape });
const i32 = (data: number[], shape = [data.length]) => ({ data: Int32Array.from(data), shape });

describe('sigmoid class-index targets, ignoreIndex, posWeight', () => {
  it('class indices (C = background, ignored positions) = one-hot float targets with the ignored elements left out', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        gammaArb,
        reductionArb,
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (outer, classes, inner, gamma, reduction, seed) => {
          let s = seed;
          const rand = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
          const n = outer * classes * inner;
          const x = Array.from({ length: n }, () => Math.round((rand() * 8 - 4) * 64) / 64);
          const labels = Array.from({ length: outer * inner }, () => Math.floor(rand() * (classes + 2)) - 1); // -1 .. C
          const posWeight = Array.from({ length: classes }, () => Math.round(rand() * 16) / 4);
          const options = { gamma, reduction, ignoreIndex: -1, axis: 1, posWeight, gradient: true } as const;
          const byIndex = sigmoidFocalLoss(f64(x, [outer, classes, inner]), i32(labels, [outer, inner]), options);
          // the same call with dense float targets, ignored elements marked -1
          const dense: number[] = new Array(n).fill(0);
          for (let o = 0; o < outer; o++) {
            for (let i = 0; i < inner; i++) {
              const k = labels[o * inner + i] as number;
              for (let c = 0; c < classes; c++) dense[o * classes * inner + c * inner + i] = k === -1 ? -1 : k === c ? 1 : 0;
            }
          }
          const byDense = sigmoidFocalLoss(f64(x, [outer, classes, inner]), f64(dense, [outer, classes, inner]), options);
          expect([...byIndex.loss.data]).toEqual([...byDense.loss.data]);
          expect([...(byIndex.gradInput?.data ?? [])]).toEqual([...(byDense.gradInput?.data ?? [])]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gradient with posWeight, ignoreIndex and class-index targets matches finite differences', () => {
    const x = Float64Array.from([0.5, -1.25, 2, 0.75, -0.5, 1.5, -2, 0.25, 1]);
    const labels = i32([2, 3, -1]);
    const options = { alpha: 0.3, gamma: 1.5, posWeight: [2, 0.5, 4], ignoreIndex: -1, labelSmoothing: 0.1 };
    const r = sigmoidFocalLoss({ data: x, shape: [3, 3] }, labels, { ...options, gradient: true });
    const numeric = numericGradient((v) => sigmoidFocalLoss({ data: v, shape: [3, 3] }, labels, options).loss.data[0] as number, x);
    numeric.forEach((g, k) => expect(closeTo(r.gradInput?.data[k] as number, g, 1e-6, 1e-10)).toBe(true));
    // the ignored position: gradient 0; the mean divides by the 6 counted elements
    expect([...(r.gradInput?.data.slice(6) ?? [])]).toEqual([0, 0, 0]);
  });

  it('float32 agrees with float64', () => {
    const x = [0.5, -1.25, 2, 0.75, -0.5, 1.5];
    const opts = { preset: 'kornia' as const, posWeight: [1, 2, 5], reduction: 'sum' as const, gradient: true };
    const t = [1, 0, -100, 1, 0, 0.5];
    const a = sigmoidFocalLoss({ data: Float32Array.from(x), shape: [1, 3, 2] }, { data: Float32Array.from(t), shape: [1, 3, 2] }, opts);
    const b = sigmoidFocalLoss(f64(x, [1, 3, 2]), f64(t, [1, 3, 2]), opts);
    expect(closeTo(a.loss.data[0] as number, b.loss.data[0] as number, 1e-6)).toBe(true);
    b.gradInput?.data.forEach((g, k) => expect(closeTo(a.gradInput?.data[k] as number, g, 1e-6, 1e-9)).toBe(true));
  });

  it('error codes through the public op', () => {
    const x = f64([0.5, -1, 2, 0, 1, -0.5], [2, 3]);
    expect(thrownCode(() => sigmoidFocalLoss(x, i32([0, 4]), {}))).toBe('INVALID_TARGET');
    expect(thrownCode(() => sigmoidFocalLoss(x, f64([1, 0, 0, 0, 1, 0], [2, 3]), { posWeight: [1, 2] }))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => sigmoidFocalLoss(x, f64([1, 0, 0, 0, 1, 0], [2, 3]), { axis: 0 }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => softmaxFocalLoss(x, i32([0, 1]), { preset: 'optax' }))).toBe('INVALID_OPTION');
  });
});

describe('softmax normalizeProbabilities', () => {
  it('scaling a row changes nothing; the gradient matches finite differences', () => {
    const p = Float64Array.from([0.2, 0.5, 0.9, 1.5, 0.25, 0.75]);
    const t = i32([2, 0]);
    const options = { preset: 'keras' as const, gamma: 1.5 };
    const r = softmaxFocalLoss({ data: p, shape: [2, 3] }, t, { ...options, gradient: true });
    const scaled = softmaxFocalLoss({ data: p.map((v, k) => (k < 3 ? v * 7 : v)), shape: [2, 3] }, t, options);
    expect(closeTo(scaled.loss.data[0] as number, r.loss.data[0] as number, 1e-14)).toBe(true);
    const numeric = numericGradient((v) => softmaxFocalLoss({ data: v, shape: [2, 3] }, t, options).loss.data[0] as number, p);
    numeric.forEach((g, k) => expect(closeTo(r.gradInput?.data[k] as number, g, 1e-6, 1e-10)).toBe(true));
  });
});
