import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipProbability, float32AtLeast, float32AtMost, log1p, powGamma } from './float32-math.js';
import './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('float32 building blocks', () => {
  it('log1p keeps relative accuracy from 1e-30 up to C - 1, and is exact at 0 and -1', () => {
    const xs = [1e-30, 1e-10, 3e-8, 1e-4, 0.01, 0.5, 1, 9, 0, -0.5, -1e-9, -1];
    const x = tf.tensor1d(xs);
    const y = log1p(x);
    const values = y.dataSync();
    xs.forEach((v, i) => {
      const expected = Math.log1p(Math.fround(v));
      if (expected === 0 || !Number.isFinite(expected)) expect(values[i]).toBe(expected);
      else expect(Math.abs(values[i]! / expected - 1)).toBeLessThan(3e-7);
    });
    tf.dispose([x, y]);
  });

  it('float32 thresholds give the float64 clip decision for every float32 probability', () => {
    for (const eps of [1e-7, 1e-3, 0.1, 0.25]) {
      const lo = float32AtLeast(eps);
      const hi = float32AtMost(1 - eps);
      expect(lo).toBeGreaterThanOrEqual(eps);
      expect(hi).toBeLessThanOrEqual(1 - eps);
      expect(Math.fround(lo)).toBe(lo);
      expect(Math.fround(hi)).toBe(hi);
      // the float32 just below lo is below eps; the one just above hi is above 1 - eps
      const below = new Float32Array([lo]);
      new Uint32Array(below.buffer)[0]! -= 1;
      expect(below[0]).toBeLessThan(eps);
      const above = new Float32Array([hi]);
      new Uint32Array(above.buffer)[0]! += 1;
      expect(above[0]).toBeGreaterThan(1 - eps);
    }
  });

  it('clipProbability returns q = eps (not 1 - fround(1 - eps)) on the high side', () => {
    const x = tf.tensor1d([1, 0.5, 0]);
    const { p, q, logQ, clipped } = clipProbability(x, 1e-7);
    const qs = q.dataSync();
    expect(qs[0]).toBe(Math.fround(1e-7));
    expect(qs[1]).toBe(0.5);
    expect(p.dataSync()[2]).toBe(Math.fround(1e-7));
    expect(logQ.dataSync()[0]).toBeCloseTo(Math.log(1e-7), 5);
    expect(Array.from(clipped.dataSync())).toEqual([1, 0, 1]);
    tf.dispose([x, p, q, logQ, clipped]);
  });

  it('powGamma: 0^0 is 1 (the factor is left out), 0^0.5 is 0', () => {
    const u = tf.tensor1d([0, 0.25]);
    expect(powGamma(u, 0)).toBeNull();
    const half = powGamma(u, 0.5)!;
    expect(Array.from(half.dataSync())).toEqual([0, 0.5]);
    const two = powGamma(u, 2)!;
    expect(Array.from(two.dataSync())).toEqual([0, 0.0625]);
    tf.dispose([u, half, two]);
  });
});
