// The pool's bookkeeping with stand-in workers (no threads): a worker that fails rejects the calls
// it holds, close() still settles, and later calls reject instead of hanging.
import { describe, expect, it } from 'vitest';
import { createPool } from './pool.js';
import type { PoolRequest, PoolResponse } from './protocol.js';
import type { WorkerPort } from './worker-port.js';

/** A worker that never answers and fails when told to. */
function silentWorker(): WorkerPort & { fail(error: Error): void; terminated: boolean; busy: boolean } {
  let failure: (error: Error) => void = () => {};
  const port = {
    terminated: false,
    busy: false,
    post(_request: PoolRequest) {},
    listen(_onResponse: (response: PoolResponse) => void, onFailure: (error: Error) => void) {
      failure = onFailure;
    },
    setBusy(busy: boolean) {
      port.busy = busy;
    },
    async terminate() {
      port.terminated = true;
    },
    fail(error: Error) {
      failure(error);
    },
  };
  return port;
}

const input = { data: new Float32Array(20_000).fill(0.5), shape: [20_000] };
const target = { data: new Float32Array(20_000), shape: [20_000] };

describe('pool failure handling', () => {
  it('rejects the calls a failed worker holds, then every later call; close() settles', { timeout: 10_000 }, async () => {
    const workers: ReturnType<typeof silentWorker>[] = [];
    const pool = createPool(() => {
      const w = silentWorker();
      workers.push(w);
      return w;
    }, { threads: 2, memory: 'transfer' });
    const call = pool.sigmoidFocalLoss(input, target, { gradient: true });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(workers.map((w) => w.busy)).toEqual([true, true]);
    workers[0]!.fail(new Error('worker crashed'));
    workers[1]!.fail(new Error('worker crashed'));
    await expect(call).rejects.toThrow('worker crashed');
    expect(workers.map((w) => w.busy)).toEqual([false, false]);
    await expect(pool.sigmoidFocalLoss(input, target)).rejects.toThrow('worker crashed');
    await pool.close();
    expect(workers.every((w) => w.terminated)).toBe(true);
    await expect(pool.sigmoidFocalLoss(input, target)).rejects.toThrow(/closed/);
  });

  it('close({ timeoutMs }) rejects the calls a worker never answers, and settles', { timeout: 10_000 }, async () => {
    const workers: ReturnType<typeof silentWorker>[] = [];
    const pool = createPool(() => {
      const w = silentWorker();
      workers.push(w);
      return w;
    }, { threads: 2 });
    const call = pool.sigmoidFocalLoss(input, target);
    const outcome = call.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await pool.close({ timeoutMs: 50 });
    expect(await outcome).toBe('the focal loss pool was closed before the call finished');
    expect(workers.every((w) => w.terminated)).toBe(true);
  });

  it('refuses a bad thread count', () => {
    expect(() => createPool(silentWorker, { threads: 0 })).toThrow(RangeError);
    expect(() => createPool(silentWorker, { threads: 1.5 })).toThrow(RangeError);
  });
});
