/**
 * Contract 1.1: "mean" and "sum" are accurate for any length. The float32 adapter accumulates in
 * compensated float64, so a mean over 1e7 float32 elements matches the float64 computation on the
 * same values to far better than rtol 1e-5.
 */
import { describe, expect, it } from 'vitest';
import { sigmoidFocalLoss } from './sigmoid.js';

/** Deterministic uniform [0, 1) (mulberry32), so the data is the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = Math.imul(s ^ (s >>> 15), 1 | s);
    z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

describe('a mean over 1e7 float32 elements', () => {
  it('is within rtol 1e-5 of the float64 result, and so is the gradient scale', { timeout: 60_000 }, () => {
    const n = 10_000_000;
    const next = random(11);
    const x = new Float32Array(n);
    const t = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = (next() - 0.5) * 16;
      t[i] = next() < 0.1 ? 1 : 0;
    }
    const f32 = sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, { gradient: true });
    const f64 = sigmoidFocalLoss({ data: Float64Array.from(x), shape: [n] }, { data: Float64Array.from(t), shape: [n] }, { gradient: true });
    const mean = f64.loss.data[0] as number;
    expect(mean).toBeGreaterThan(0);
    expect(Math.abs((f32.loss.data[0] as number) - mean)).toBeLessThanOrEqual(1e-5 * mean);
    // the gradient carries the mean's 1/n: compare a few entries relative to their size
    for (const i of [0, 1, n >> 1, n - 1]) {
      const g = f64.gradInput?.data[i] as number;
      expect(Math.abs((f32.gradInput?.data[i] as number) - g)).toBeLessThanOrEqual(1e-5 * Math.abs(g) + 1e-30);
    }
  });
});
