/**
 * The SIMD target check (first_outside_unit) that replaces the core's JS loop in the SIMD and pool
 * prologues: finds the first float32 target outside [0, 1] anywhere in a long input, accepts the
 * edges, and the calls then fail with the scalar op's exact error (code and message).
 */
import { describe, expect, it } from 'vitest';
import { createFocalLossPool } from '../pool/node.js';
import { sigmoidFocalLoss as scalarSigmoid } from '../sigmoid.js';
import { sharedKernel } from './kernel.js';
import { sigmoidFocalLoss } from './ops.js';
import { firstTargetOutsideUnit } from './target-check.js';

const n = 3 * 8192 + 5;

function errorOf(run: () => unknown): { code?: unknown; message: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    return { code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
}

describe('firstTargetOutsideUnit', () => {
  const kernel = sharedKernel();

  it('accepts 0, -0, 1, and everything between', () => {
    const t = new Float32Array(n);
    for (let i = 0; i < n; i++) t[i] = (i % 9) / 8;
    t[3] = -0;
    t[n - 1] = 1;
    expect(firstTargetOutsideUnit(kernel, t)).toBe(-1);
  });

  it('finds the first value outside, in any block and in the last partial vector', () => {
    for (const [at, value] of [
      [0, -1e-30],
      [8191, 1.0000001],
      [8192, Number.NaN],
      [2 * 8192 + 3, Infinity],
      [n - 1, -Infinity],
      [n - 2, 2],
    ] as const) {
      const t = new Float32Array(n).fill(0.5);
      t[at] = value;
      if (at + 7 < n) t[at + 7] = 5; // a later one does not hide the first
      expect(firstTargetOutsideUnit(kernel, t), `at ${at}`).toBe(at);
    }
  });
});

describe('SIMD and pool calls with an invalid target fail as the scalar op does', () => {
  it('same code and message, before any output is written', { timeout: 60_000 }, async () => {
    const x = new Float32Array(n).fill(0.25);
    const t = new Float32Array(n).fill(1);
    t[2 * 8192 + 1] = 1.5;
    const gradInput = new Float32Array(n).fill(7);
    const call = () => ({ gradient: true, out: { gradInput } });
    const expected = errorOf(() => scalarSigmoid({ data: x, shape: [n] }, { data: t, shape: [n] }, call()));
    expect(expected?.code).toBe('INVALID_TARGET');
    expect(errorOf(() => sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, call()))).toEqual(expected);
    // the pool: plain targets are checked on the calling thread, targets in shared memory by the workers
    const sharedTarget = new Float32Array(new SharedArrayBuffer(4 * n));
    sharedTarget.set(t);
    const pool = createFocalLossPool({ threads: 2, memory: 'shared' });
    try {
      for (const targets of [t, sharedTarget]) {
        const pooled = await pool.sigmoidFocalLoss({ data: x, shape: [n] }, { data: targets, shape: [n] }, call()).then(
          () => null,
          (error: Error & { code?: unknown }) => ({ code: error.code, message: error.message }),
        );
        expect(pooled).toEqual(expected);
      }
      // and valid shared targets pass the workers' check
      sharedTarget[2 * 8192 + 1] = 1;
      const ok = await pool.sigmoidFocalLoss({ data: x, shape: [n] }, { data: sharedTarget, shape: [n] });
      expect(ok.loss.data[0]).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
    expect(gradInput.every((v) => v === 7)).toBe(true);
  });
});
