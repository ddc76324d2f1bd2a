import { describe, expect, it } from 'vitest';
import { compareOutput } from './compare.js';

const tol = { rtol: 1e-3, atol: 1e-6 };
const out = (data: number[], shape = [data.length]) => ({ shape, data });

describe('compareOutput', () => {
  it('computes the worst ratio |a - e| / (atol + rtol |e|)', () => {
    const c = compareOutput(out([1.0005, 2]), out([1, 2]), tol);
    expect(c.worstRatio).toBeCloseTo(0.0005 / (1e-6 + 1e-3), 9);
    expect(c.maxAbsError).toBeCloseTo(0.0005, 12);
    expect(c.maxRelError).toBeCloseTo(0.0005, 12);
    expect(c.firstFailure).toBeUndefined();
  });

  it('fails just beyond the boundary and passes on it', () => {
    const e = 1;
    const allowed = tol.atol + tol.rtol * e;
    expect(compareOutput(out([e + allowed * 0.999]), out([e]), tol).worstRatio).toBeLessThanOrEqual(1);
    const beyond = compareOutput(out([e + allowed * 1.01]), out([e]), tol);
    expect(beyond.worstRatio).toBeGreaterThan(1);
    expect(beyond.firstFailure).toEqual({ index: 0, actual: e + allowed * 1.01, expected: e });
  });

  it('matches NaN only with NaN', () => {
    expect(compareOutput(out([NaN]), out([NaN]), tol).worstRatio).toBe(0);
    expect(compareOutput(out([0]), out([NaN]), tol).worstRatio).toBe(Infinity);
    expect(compareOutput(out([NaN]), out([0]), tol).worstRatio).toBe(Infinity);
  });

  it('matches an infinity only with the same infinity', () => {
    expect(compareOutput(out([Infinity]), out([Infinity]), tol).worstRatio).toBe(0);
    expect(compareOutput(out([-Infinity]), out([Infinity]), tol).worstRatio).toBe(Infinity);
    expect(compareOutput(out([1e308]), out([Infinity]), tol).worstRatio).toBe(Infinity);
    expect(compareOutput(out([Infinity]), out([1]), tol).worstRatio).toBe(Infinity);
  });

  it('with atol 0 demands relative accuracy, and an exact 0 matches 0', () => {
    const strict = { rtol: 1e-4, atol: 0 };
    expect(compareOutput(out([0]), out([0]), strict).worstRatio).toBe(0);
    expect(compareOutput(out([1e-30]), out([0]), strict).worstRatio).toBe(Infinity);
    expect(compareOutput(out([1.00002e-30]), out([1e-30]), strict).worstRatio).toBeCloseTo(0.2, 6);
  });

  it('rejects a different shape, even with the same number of values', () => {
    const c = compareOutput(out([1, 2], [2, 1]), out([1, 2], [2]), tol);
    expect(c.worstRatio).toBe(Infinity);
    expect(c.shapeMismatch).toContain('expected [2]');
    expect(compareOutput(out([5], []), out([5], []), tol).worstRatio).toBe(0);
  });
});
