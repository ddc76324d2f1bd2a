/**
 * The runner's life cycle (issue 11, items 1 and 8): dispose() with runs in flight settles every
 * promise, a call after dispose() throws RUNNER_DISPOSED, and the session cache stays bounded.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { describe, expect, it, vi } from 'vitest';
// test-only reference; a devDependency
import { sigmoidFocalLoss } from '@focal-loss/typed-array';
import { DEFAULT_MAX_SESSIONS, FocalLossError, FocalLossRunner, RUNNER_DISPOSED, isFocalLossError } from './index.js';

const CHILD = fileURLToPath(new URL('../test/dispose-in-flight.child.ts', import.meta.url));
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');

describe('dispose() while runs are in flight', () => {
  it('settles every run (ok or RUNNER_DISPOSED) and dispose itself, cold and warm cache', () => {
    // a child process: the old failure was a synchronous spin inside ORT, which only a kill can bound
    const child = spawnSync(process.execPath, [TSX_CLI, CHILD], { encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
    expect(child.signal, `child killed after 120 s (hang); stderr: ${child.stderr}`).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    const { cold, warm } = JSON.parse(child.stdout) as Record<'cold' | 'warm', { runs: string[]; dispose: string }>;
    for (const { runs, dispose } of [cold, warm]) {
      expect(runs).toHaveLength(6);
      for (const outcome of runs) expect(['ok', RUNNER_DISPOSED]).toContain(outcome);
      expect(dispose).toBe('ok');
    }
    // the cold calls were all waiting for their sessions: refused, never run on a released one
    expect(cold.runs).toEqual(Array(6).fill(RUNNER_DISPOSED));
    // the warm ones had started on the cached session: they complete
    expect(warm.runs).toEqual(Array(6).fill('ok'));
  }, 130_000);
});

describe('after dispose()', () => {
  it('a call rejects with a FocalLossError of code RUNNER_DISPOSED, and dispose() again resolves', async () => {
    const runner = new FocalLossRunner();
    const x = { data: Float32Array.of(1, -1), shape: [2] };
    const t = { data: Float32Array.of(1, 0), shape: [2] };
    await runner.sigmoidFocalLoss(x, t);
    await runner.dispose();
    const error = await runner.softmaxFocalLoss({ data: new Float32Array(4), shape: [2, 2] }, { data: Int32Array.of(0, 1), shape: [2] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FocalLossError);
    expect(isFocalLossError(error)).toBe(true);
    expect(error).toMatchObject({ code: RUNNER_DISPOSED, message: expect.stringMatching(/disposed/) });
    expect(runner.sessionCount).toBe(0);
    await expect(runner.dispose()).resolves.toBeUndefined();
  });
});

describe('session cache bound', () => {
  it(`defaults to ${DEFAULT_MAX_SESSIONS} and refuses a bad maxSessions with INVALID_OPTION`, () => {
    expect(new FocalLossRunner().maxSessions).toBe(DEFAULT_MAX_SESSIONS);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => new FocalLossRunner({ maxSessions: bad })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }) as never);
    }
  });

  it('2,000 option sets keep sessionCount <= maxSessions, evicted sessions are released, values stay right', async () => {
    const maxSessions = 4;
    const runner = new FocalLossRunner({ maxSessions });
    // InferenceSession is typed as a factory; at run time it is the session class
    const sessionClass = ort.InferenceSession as unknown as { prototype: { release(): Promise<void> } };
    const release = vi.spyOn(sessionClass.prototype, 'release');
    const x = Float32Array.of(0.5, -2, 3);
    const t = Float32Array.of(1, 0, 1);
    let worst = 0;
    let structures = 0;
    for (let i = 0; i < 2000; i++) {
      // every call its own numbers; every 50 calls a new structure (rank, gradient, reduction), in a
      // cycle of 8 > maxSessions, so that the least recently used session is evicted each time
      const s = Math.floor(i / 50) % 8;
      if (i % 50 === 0) structures += 1;
      const shape = [...Array(s % 4).fill(1), 3];
      const reduction = (['sum', 'none'] as const)[s % 2];
      const gamma = 1 + i / 1000;
      const r = await runner.sigmoidFocalLoss({ data: x, shape }, { data: t, shape }, { gamma, reduction, gradient: s >= 4 });
      if (i % 97 === 0) {
        const ref = sigmoidFocalLoss({ data: Float64Array.from(x), shape }, { data: Float64Array.from(t), shape }, { gamma, reduction });
        expectClose(r.loss.data, ref.loss.data);
      }
      worst = Math.max(worst, runner.sessionCount);
    }
    expect(worst).toBe(maxSessions);
    // every evicted session was released, and dispose releases the rest
    const created = release.mock.calls.length + runner.sessionCount;
    expect(created).toBeGreaterThanOrEqual(structures);
    await runner.dispose();
    expect(runner.sessionCount).toBe(0);
    expect(release.mock.calls.length).toBe(created);
    release.mockRestore();
  }, 120_000);
});

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs((actual[i] as number) - (expected[i] as number))).toBeLessThanOrEqual(1e-5 * Math.abs(expected[i] as number) + 1e-7);
  }
}
