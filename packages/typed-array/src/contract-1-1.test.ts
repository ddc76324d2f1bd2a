/** The contract's version 1.1 rules on the typed-array adapter (docs/fixture-format.md). */
import { describe, expect, it } from 'vitest';
import { sigmoidFocalLoss } from './sigmoid.js';
import { softmaxFocalLoss } from './softmax.js';
import { thrownCode } from './test-helpers.js';

const f64 = (data: number[], shape = [data.length]) => ({ data: Float64Array.from(data), shape });
const i32 = (data: number[], shape = [data.length]) => ({ data: Int32Array.from(data), shape });

describe('contract 1.1 sizes: answered at once, never a hang', () => {
  it('zero classes with 2^40 positions is SHAPE_MISMATCH before any work', { timeout: 2000 }, () => {
    const shape = [2 ** 20, 0, 2 ** 20];
    const empty = { data: new Float32Array(0), shape };
    const started = performance.now();
    expect(thrownCode(() => softmaxFocalLoss(empty, empty, { axis: 1 }))).toBe('SHAPE_MISMATCH');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('zero classes: mean and sum are 0 without a pass over 2^30 positions', { timeout: 2000 }, () => {
    const shape = [2 ** 15, 0, 2 ** 15];
    const empty = { data: new Float32Array(0), shape };
    for (const reduction of ['mean', 'sum'] as const) {
      const started = performance.now();
      const r = softmaxFocalLoss(empty, empty, { axis: 1, reduction, gradient: true });
      expect(performance.now() - started).toBeLessThan(100);
      expect([...r.loss.data, r.gradInput?.data.length]).toEqual([0, 0]);
    }
  });

  it('zero classes with "none": a zero loss per position; an int32 target is INVALID_TARGET unless ignored', () => {
    const input = { data: new Float64Array(0), shape: [3, 0] };
    expect(softmaxFocalLoss(input, { data: new Float64Array(0), shape: [3, 0] }, { reduction: 'none' }).loss).toEqual({
      data: new Float64Array(3),
      shape: [3],
    });
    expect(thrownCode(() => softmaxFocalLoss(input, i32([0, 0, 0])))).toBe('INVALID_TARGET');
    expect(softmaxFocalLoss(input, i32([-1, -1, -1]), { ignoreIndex: -1 }).loss.data[0]).toBe(0);
  });

  it('an empty input: empty loss, 0 for mean and sum, empty gradient', () => {
    const input = f64([], [0, 4]);
    expect(sigmoidFocalLoss(input, f64([], [0, 4]), { reduction: 'none', gradient: true })).toEqual({
      loss: { data: new Float64Array(0), shape: [0, 4] },
      gradInput: { data: new Float64Array(0), shape: [0, 4] },
    });
    expect(softmaxFocalLoss(input, i32([], [0])).loss.data[0]).toBe(0);
  });
});

describe('contract 1.1 infinities', () => {
  it('sigmoid at ±Infinity gives the limits', () => {
    const r = sigmoidFocalLoss(f64([Infinity, Infinity, -Infinity, -Infinity]), f64([1, 0, 0, 1]), { reduction: 'none', gradient: true });
    expect([...r.loss.data]).toEqual([0, Infinity, 0, Infinity]);
    expect([...(r.gradInput?.data ?? [])]).toEqual([0, 0.75, 0, -0.25]);
  });

  it('softmax -Infinity masking: a masked non-target class changes nothing, a +Infinity row is NaN', () => {
    const masked = softmaxFocalLoss(f64([2, -Infinity, 0.5], [1, 3]), i32([0]), { gradient: true });
    const plain = softmaxFocalLoss(f64([2, 0.5], [1, 2]), i32([0]), { gradient: true });
    expect(masked.loss.data[0]).toBeCloseTo(plain.loss.data[0] as number, 15);
    expect(masked.gradInput?.data[1]).toBe(0);
    const nan = softmaxFocalLoss(f64([Infinity, 0, 1, 0, 1, 2], [2, 3]), i32([1, 1]), { reduction: 'none', gradient: true });
    expect(Number.isNaN(nan.loss.data[0])).toBe(true);
    expect(Number.isFinite(nan.loss.data[1])).toBe(true);
    expect([...(nan.gradInput?.data ?? [])].slice(0, 3).every(Number.isNaN)).toBe(true);
  });

  it('weights are applied by IEEE arithmetic; ignored positions read no weight', () => {
    const r = sigmoidFocalLoss(f64([1, Infinity]), f64([1, 1]), { weight: f64([NaN, Infinity]), reduction: 'none', gradient: true });
    expect([...r.loss.data].map(Number.isNaN)).toEqual([true, true]); // NaN * loss, Infinity * 0
    expect([...(r.gradInput?.data ?? [])].map(Number.isNaN)).toEqual([true, true]);
    const ignored = softmaxFocalLoss(f64([1, 2, 3, 4], [2, 2]), i32([-100, 0]), {
      ignoreIndex: -100,
      weight: f64([NaN, 1]),
      gradient: true,
    });
    expect(Number.isFinite(ignored.loss.data[0])).toBe(true);
    expect([ignored.gradInput?.data[0], ignored.gradInput?.data[1]]).toEqual([0, 0]);
  });
});

describe('contract 1.1 targets and options', () => {
  it('int32 0/1 sigmoid targets mean the same as the floats', () => {
    const x = f64([0.5, -2, 3]);
    const ints = sigmoidFocalLoss(x, i32([1, 0, 1]), { gradient: true });
    const floats = sigmoidFocalLoss(x, f64([1, 0, 1]), { gradient: true });
    expect(ints).toEqual(floats);
    expect(thrownCode(() => sigmoidFocalLoss(x, i32([1, 2, 0])))).toBe('INVALID_TARGET');
  });

  it.each([[5], [true], [null], [[]], [() => ({})], [new Map()]])('options %o are INVALID_OPTION', (options) => {
    expect(thrownCode(() => sigmoidFocalLoss(f64([1]), f64([1]), options as never))).toBe('INVALID_OPTION');
  });

  it('gradient must be a boolean; unknown out keys are refused', () => {
    expect(thrownCode(() => sigmoidFocalLoss(f64([1]), f64([1]), { gradient: 'false' as never }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => sigmoidFocalLoss(f64([1]), f64([1]), { out: { los: new Float64Array(1) } as never }))).toBe('INVALID_OPTION');
  });

  it('a non-array shape is SHAPE_MISMATCH; a wrong dtype names what it got', () => {
    expect(thrownCode(() => sigmoidFocalLoss({ data: new Float64Array(1), shape: '1' as never }, f64([1])))).toBe('SHAPE_MISMATCH');
    expect(() => sigmoidFocalLoss({ data: new Uint8Array(1) as never, shape: [1] }, f64([1]))).toThrow(/got "Uint8Array"/);
  });

  it('ignoreIndex beyond int32 and with float targets are INVALID_OPTION', () => {
    expect(thrownCode(() => softmaxFocalLoss(f64([1, 2], [1, 2]), i32([1]), { ignoreIndex: 4294967297 }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => softmaxFocalLoss(f64([1, 2], [1, 2]), f64([0, 1], [1, 2]), { ignoreIndex: 0 }))).toBe('INVALID_OPTION');
  });
});
