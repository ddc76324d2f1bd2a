/**
 * The family ops on the pool (issue 15): the core's float64 loops in the workers over the fixed
 * blocks, sums added in block order, so 1 and 2 threads (shared or transferred memory) give the
 * same bits; the values are the scalar op's (unreduced: bit for bit; reduced: to float32 rounding).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { distributionFocalLoss, qualityFocalLoss, varifocalLoss } from '../family/index.js';
import { createFocalLossPool, type FocalLossPool } from './node.js';

const TIMEOUT = 60_000;
const N = 3 * 8192 + 517; // four blocks, the last one partial

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

const x = new Float32Array(N);
const t = new Float32Array(N);
const w = new Float32Array(N);
for (let i = 0; i < N; i++) {
  x[i] = 9 * Math.sin(i * 0.731);
  t[i] = i % 6 === 0 ? 0 : ((i * 37) % 101) / 100;
  w[i] = 0.25 + (i % 4) / 3;
}
const input = { data: x, shape: [N] };
const target = { data: t, shape: [N] };
const weight = { data: w, shape: [N] };

const pools: FocalLossPool[] = [];
function pool(threads: number, memory: 'shared' | 'transfer'): FocalLossPool {
  const created = createFocalLossPool({ threads, memory });
  pools.push(created);
  return created;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
}, TIMEOUT);

describe('family ops on the pool', () => {
  it(
    'qualityFocalLoss: 1 and 2 threads, shared and transfer, give the same bits; close to the scalar op',
    async () => {
      const options = { beta: 2, reduction: 'mean' as const, weight, gradient: true };
      const one = await pool(1, 'shared').qualityFocalLoss(input, target, options);
      const scalar = qualityFocalLoss(input, target, options);
      expect(one.loss.data).toBeInstanceOf(Float32Array);
      expect(one.loss.data[0]).toBeGreaterThan(0);
      for (const [threads, memory] of [[2, 'shared'], [2, 'transfer'], [1, 'transfer']] as const) {
        const other = await pool(threads, memory).qualityFocalLoss(input, target, options);
        expect(sameBits(other.loss.data, one.loss.data)).toBe(true);
        expect(sameBits(other.gradInput?.data ?? [], one.gradInput?.data ?? [])).toBe(true);
      }
      // the gradient is elementwise: the scalar op's bits; the reduced loss within float32 rounding
      expect(sameBits(one.gradInput?.data ?? [], scalar.gradInput?.data ?? [])).toBe(true);
      expect(Math.abs((one.loss.data[0] as number) - (scalar.loss.data[0] as number))).toBeLessThanOrEqual(
        2 ** -23 * (scalar.loss.data[0] as number),
      );
    },
    TIMEOUT,
  );

  it(
    'varifocalLoss unreduced equals the scalar op bit for bit; errors are the scalar op\'s; DFL runs',
    async () => {
      const p = pool(2, 'transfer');
      const options = { alpha: 0.75, gamma: 2, iouWeighted: true, reduction: 'none' as const, gradient: true };
      const pooled = await p.varifocalLoss(input, target, options);
      const scalar = varifocalLoss(input, target, options);
      expect(sameBits(pooled.loss.data, scalar.loss.data)).toBe(true);
      expect(sameBits(pooled.gradInput?.data ?? [], scalar.gradInput?.data ?? [])).toBe(true);
      const bad = { data: Float32Array.from([0.5, 1.5]), shape: [2] };
      await expect(p.sigmoidFocalLossStar({ data: Float32Array.from([0, 1]), shape: [2] }, bad)).rejects.toMatchObject({
        code: 'INVALID_TARGET',
      });
      await expect(p.asymmetricLoss(input, target, { gammaNeg: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
      const bins = { data: Float32Array.from([0.5, -1, 2, 0.25]), shape: [1, 4] };
      const positions = { data: Float32Array.from([1.75]), shape: [1] };
      expect((await p.distributionFocalLoss(bins, positions)).loss.data[0]).toBe(distributionFocalLoss(bins, positions).loss.data[0]);
    },
    TIMEOUT,
  );
});
