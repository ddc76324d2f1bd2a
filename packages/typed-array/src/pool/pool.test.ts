/**
 * The worker pool (Node worker_threads, from the TypeScript sources through tsx): results equal to
 * the one-thread SIMD op bit for bit whatever the number of threads and the memory mode, errors
 * before any work, clean shutdown. Every test is bounded in time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sigmoidFocalLoss, softmaxFocalLoss } from '../simd/ops.js';
import { createFocalLossPool, type FocalLossPool } from './node.js';

const TIMEOUT = 60_000;

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function sigmoidInputs(n: number) {
  const x = new Float32Array(n);
  const t = new Float32Array(n);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = 14 * Math.sin(i * 0.913);
    t[i] = i % 7 === 0 ? 1 : (i % 5) / 8;
    w[i] = 0.5 + (i % 3) / 2;
  }
  x[100] = Infinity;
  x[40_000] = -Infinity;
  return { x, t, w };
}

const pools: FocalLossPool[] = [];
function pool(threads: number, memory: 'shared' | 'transfer'): FocalLossPool {
  const created = createFocalLossPool({ threads, memory });
  pools.push(created);
  return created;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
}, TIMEOUT);

describe('createFocalLossPool', () => {
  const n = 70_001; // 9 blocks, the last one partial
  const { x, t, w } = sigmoidInputs(n);
  const call = (reduction: 'mean' | 'none') => ({ reduction, gradient: true, labelSmoothing: 0.05, weight: { data: w, shape: [n] } });
  const direct = {
    mean: sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, call('mean')),
    none: sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, call('none')),
  };

  for (const memory of ['shared', 'transfer'] as const) {
    it(`sigmoid: 1, 2 and 3 threads (${memory} memory) give the one-thread SIMD result bit for bit`, { timeout: TIMEOUT }, async () => {
      for (const threads of [1, 2, 3]) {
        const p = pool(threads, memory);
        expect(p.memory).toBe(memory);
        for (const reduction of ['mean', 'none'] as const) {
          const r = await p.sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, call(reduction));
          expect(sameBits(r.loss.data, direct[reduction].loss.data), `${threads} threads, ${reduction} loss`).toBe(true);
          expect(sameBits(r.gradInput!.data, direct[reduction].gradInput!.data), `${threads} threads, ${reduction} grad`).toBe(true);
        }
      }
    });

    it(`softmax over a long inner axis and over many rows (${memory} memory), 1 and 2 threads`, { timeout: TIMEOUT }, async () => {
      for (const [shape, axis] of [[[3, 5, 7_001], 1], [[30_000, 4], -1]] as const) {
        const size = shape.reduce<number>((a, b) => a * b, 1);
        const input = { data: Float32Array.from({ length: size }, (_, i) => 5 * Math.cos(i * 0.31)), shape };
        const tShape = shape.length === 3 ? [shape[0], shape[2]] : [shape[0]];
        const positions = tShape.reduce<number>((a, b) => a * b, 1);
        const target = { data: Int32Array.from({ length: positions }, (_, i) => (i % 9 === 0 ? -1 : i % shape[axis === 1 ? 1 : 1])), shape: tShape };
        const options = { axis, ignoreIndex: -1, gradient: true, gamma: 1.5 };
        const expected = softmaxFocalLoss(input, target, options);
        for (const threads of [1, 2]) {
          const r = await pool(threads, memory).softmaxFocalLoss(input, target, options);
          expect(sameBits(r.loss.data, expected.loss.data), `${shape} ${threads} threads loss`).toBe(true);
          expect(sameBits(r.gradInput!.data, expected.gradInput!.data), `${shape} ${threads} threads grad`).toBe(true);
        }
      }
    });
  }

  it('rejects invalid calls with the op codes, before any work, and keeps working', { timeout: TIMEOUT }, async () => {
    const p = pool(2, 'shared');
    await expect(p.sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, { gamma: -1 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    await expect(p.sigmoidFocalLoss({ data: x, shape: [n + 1] }, { data: t, shape: [n] })).rejects.toMatchObject({
      code: 'SHAPE_MISMATCH',
    });
    const r = await p.sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, call('mean'));
    expect(r.loss.data[0]).toBe(direct.mean.loss.data[0]);
  });

  it('float64 inputs take the exact scalar path', { timeout: TIMEOUT }, async () => {
    const x64 = Float64Array.from(x.subarray(0, 1000));
    const r = await pool(1, 'shared').sigmoidFocalLoss({ data: x64, shape: [1000] }, { data: t.subarray(0, 1000), shape: [1000] });
    expect(r.loss.data).toBeInstanceOf(Float64Array);
  });

  it('close() lets calls in flight finish, then refuses new ones; closing twice is fine', { timeout: TIMEOUT }, async () => {
    const p = createFocalLossPool({ threads: 2 });
    const inFlight = p.sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, call('mean'));
    const closing = p.close();
    await expect(inFlight).resolves.toMatchObject({ loss: { shape: [] } });
    await closing;
    await expect(p.sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] })).rejects.toThrow(/closed/);
    await p.close();
  });

  it('an idle pool does not keep Node alive, even unclosed', { timeout: TIMEOUT }, async () => {
    const { execFileSync } = await import('node:child_process');
    const script = `
      import { createFocalLossPool } from ${JSON.stringify(new URL('./node.ts', import.meta.url).href)};
      const pool = createFocalLossPool({ threads: 2 });
      const r = await pool.sigmoidFocalLoss({ data: Float32Array.of(1, -2), shape: [2] }, { data: Float32Array.of(1, 0), shape: [2] });
      console.log(r.loss.data[0] > 0 ? 'ok' : 'bad');
    `;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 50_000,
    });
    expect(output.trim()).toBe('ok');
  });
});
