import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { softmaxFocalLoss } from './softmax.js';
import { closeTo, gammaArb, numericGradient, reductionArb, thrownCode } from './test-helpers.js';

const f64 = (values: number[], shape: number[]) => ({ data: Float64Array.from(values), shape });
const i32 = (values: number[], shape: number[]) => ({ data: Int32Array.from(values), shape });

function logSumExp(x: number[]): number {
  const m = Math.max(...x);
  return m + Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0));
}

describe('softmaxFocalLoss over typed arrays', () => {
  it('gradient equals central finite differences over random shapes, axes, options and targets', () => {
    const caseArb = fc
      .record({
        shape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
        axisPick: fc.nat(),
        negative: fc.boolean(),
        gamma: gammaArb,
        alphaKind: fc.constantFrom('scalar', 'array', 'null'),
        reduction: reductionArb,
        labelSmoothing: fc.constantFrom(0, 0.1),
        probabilityTarget: fc.boolean(),
        seed: fc.integer(),
      })
      .map((c) => {
        const shape = [...c.shape];
        const rank = shape.length;
        const ax = c.axisPick % rank;
        if ((shape[ax] as number) < 2) shape[ax] = 2;
        return { ...c, shape, ax, axis: c.negative ? ax - rank : ax };
      });
    fc.assert(
      fc.property(caseArb, (c) => {
        const rng = mulberry32(c.seed);
        const n = c.shape.reduce((a, b) => a * b, 1);
        const classes = c.shape[c.ax] as number;
        const lossShape = c.shape.filter((_, i) => i !== c.ax);
        const positions = n / classes;
        const x = Float64Array.from({ length: n }, () => 8 * rng() - 4);
        const indices = Array.from({ length: positions }, () => Math.floor(rng() * classes));
        const target = c.probabilityTarget
          ? f64(Array.from({ length: n }, () => rng()), c.shape)
          : i32(indices, lossShape);
        const alpha = c.alphaKind === 'null' ? null : c.alphaKind === 'scalar' ? 0.4 : Array.from({ length: classes }, (_, k) => 0.1 + 0.2 * k);
        const options = { gamma: c.gamma, alpha, reduction: c.reduction, labelSmoothing: c.labelSmoothing, axis: c.axis };
        const sum = (xs: Float64Array) =>
          softmaxFocalLoss({ data: xs, shape: c.shape }, target, options).loss.data.reduce((a, b) => a + b, 0);
        const r = softmaxFocalLoss({ data: x, shape: c.shape }, target, { ...options, gradient: true });
        const numeric = numericGradient(sum, x);
        return numeric.every((g, i) => closeTo(r.gradInput?.data[i] as number, g, 1e-6, 1e-9));
      }),
      { numRuns: 150 },
    );
  });

  it('gamma = 0, alpha = null is categorical cross-entropy, on axis 1 of NCHW', () => {
    // shape [1, 3, 2]: two positions, three classes along axis 1
    const x = [0.1, 2, -1, 0.5, 3, -2];
    const r = softmaxFocalLoss(f64(x, [1, 3, 2]), i32([2, 0], [1, 2]), { gamma: 0, alpha: null, axis: 1, reduction: 'none' });
    expect(r.loss.shape).toEqual([1, 2]);
    const pos0 = [0.1, -1, 3];
    const pos1 = [2, 0.5, -2];
    expect(closeTo(r.loss.data[0] as number, logSumExp(pos0) - 3, 1e-14)).toBe(true);
    expect(closeTo(r.loss.data[1] as number, logSumExp(pos1) - 2, 1e-14)).toBe(true);
  });

  it('ignoreIndex positions contribute 0, get gradient 0 and are not counted', () => {
    const x = [1, 2, 0, 0.5, -1, 3];
    const all = softmaxFocalLoss(f64(x, [2, 3]), i32([1, -100], [2]), { ignoreIndex: -100, gradient: true });
    const first = softmaxFocalLoss(f64(x.slice(0, 3), [1, 3]), i32([1], [1]), {});
    expect(all.loss.data[0]).toBeCloseTo(first.loss.data[0] as number, 15);
    expect(Array.from(all.gradInput?.data.slice(3) ?? [])).toEqual([0, 0, 0]);
    const none = softmaxFocalLoss(f64(x, [2, 3]), i32([-1, -1], [2]), { ignoreIndex: -1, gradient: true });
    expect(Array.from(none.loss.data)).toEqual([0]);
    expect(Array.from(none.gradInput?.data ?? [])).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('one-hot float targets equal integer targets', () => {
    const x = [1, 2, 0, 0.5, -1, 3];
    const a = softmaxFocalLoss(f64(x, [2, 3]), i32([1, 2], [2]), { gradient: true, labelSmoothing: 0.1 });
    const b = softmaxFocalLoss(f64(x, [2, 3]), f64([0, 1, 0, 0, 0, 1], [2, 3]), { gradient: true, labelSmoothing: 0.1 });
    expect(a.loss.data[0]).toBeCloseTo(b.loss.data[0] as number, 15);
    a.gradInput?.data.forEach((g, i) => expect(g).toBeCloseTo(b.gradInput?.data[i] as number, 15));
  });

  it('is finite at saturation for every gamma', () => {
    for (const big of [40, 100, 1e4]) {
      for (const gamma of [0, 0.5, 1, 2, 5]) {
        const r = softmaxFocalLoss(f64([big, -big, 0, -big, big, 0], [2, 3]), i32([0, 0], [2]), { gamma, gradient: true, reduction: 'none' });
        expect(Array.from(r.loss.data).every(Number.isFinite)).toBe(true);
        expect(Array.from(r.gradInput?.data ?? []).every(Number.isFinite)).toBe(true);
      }
    }
  });

  it('validates targets, shapes and options with codes', () => {
    expect(thrownCode(() => softmaxFocalLoss(f64([1, 2, 3], [1, 3]), i32([3], [1])))).toBe('INVALID_TARGET');
    expect(thrownCode(() => softmaxFocalLoss(f64([1, 2, 3], [1, 3]), i32([-1], [1])))).toBe('INVALID_TARGET');
    expect(thrownCode(() => softmaxFocalLoss(f64([1, 2, 3], [1, 3]), f64([0, 2, 0], [1, 3])))).toBe('INVALID_TARGET');
    expect(thrownCode(() => softmaxFocalLoss(f64([1, 2, 3], [1, 3]), i32([0], [1]), { axis: 2 }))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(f64([1, 2, 3], [1, 3]), i32([0], [1]), { alpha: [0.5, 0.5] }))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(f64([1], []), i32([0], [])))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(f64([1, 2, 3], [1, 3]), i32([0], [1]), { ignoreIndex: 0.5 }))).toBe('INVALID_OPTION');
    expect(() => softmaxFocalLoss(f64([1, 2, 3], [1, 3]), i32([7], [1]))).toThrow('target[0] = 7 is not a class index in [0, 3)');
  });
});

/** A tiny seeded generator, so a failing property replays the same tensors. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
