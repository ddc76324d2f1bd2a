// ./simd offers the family ops with the main entry's API: they are the scalar ops (no SIMD kernel),
// so their results are bit-identical to the main entry's, float32 and float64 alike.
import { describe, expect, it } from 'vitest';
import * as main from '../index.js';
import * as simd from './index.js';

const x = Float32Array.from([1.5, -2, -0.5, 0.25, 3, -7.5, 0, 12]);
const soft = Float32Array.from([0.8, 0, 0, 1, 0.3, 0, 0.55, 1]);
const labels = Int32Array.from([1, 0, 0, 1, 1, 0, 0, 1]);

describe('./simd family ops', () => {
  type Name = 'sigmoidFocalLossStar' | 'qualityFocalLoss' | 'varifocalLoss' | 'asymmetricLoss';
  const cases: Array<[Name, Float32Array | Int32Array, Record<string, unknown>]> = [
    ['sigmoidFocalLossStar', soft, { gamma: 2, beta: 1, alpha: 0.25 }],
    ['qualityFocalLoss', soft, { beta: 2 }],
    ['varifocalLoss', soft, { alpha: 0.75, gamma: 2, iouWeighted: true }],
    ['asymmetricLoss', labels, { gammaPos: 1, gammaNeg: 4, clip: 0.05 }],
  ];
  it.each(cases)('%s equals the main entry (loss "none" and "sum", gradient)', (name, target, options) => {
    const simdOp = simd[name] as typeof main.qualityFocalLoss;
    const mainOp = main[name] as typeof main.qualityFocalLoss;
    for (const reduction of ['none', 'sum'] as const) {
      const a = simdOp({ data: x, shape: [2, 4] }, { data: target, shape: [2, 4] }, { ...options, reduction, gradient: true } as never);
      const b = mainOp({ data: x, shape: [2, 4] }, { data: target, shape: [2, 4] }, { ...options, reduction, gradient: true } as never);
      expect(a.loss.data).toBeInstanceOf(Float32Array);
      expect(Array.from(a.loss.data)).toEqual(Array.from(b.loss.data));
      expect(Array.from(a.gradInput?.data ?? [])).toEqual(Array.from(b.gradInput?.data ?? []));
      expect(a.gradInput?.data.some((g) => g !== 0)).toBe(true);
    }
  });

  it('distributionFocalLoss equals the main entry, and twoHotTargets is the same function', () => {
    const input = { data: Float32Array.from([0.5, -1, 2, 0.25, 3, 0, -2, 1]), shape: [2, 4] };
    const positions = { data: Float32Array.from([1.75, 0.25]), shape: [2] };
    const a = simd.distributionFocalLoss(input, positions, { gradient: true });
    const b = main.distributionFocalLoss(input, positions, { gradient: true });
    expect(a.loss.data[0]).toBe(b.loss.data[0]);
    expect(a.loss.data[0]).toBeGreaterThan(0);
    expect(Array.from(a.gradInput?.data ?? [])).toEqual(Array.from(b.gradInput?.data ?? []));
    expect(simd.twoHotTargets).toBe(main.twoHotTargets);
  });
});
