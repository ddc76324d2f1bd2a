/** The bounded LRU session cache on fake sessions: eviction order, release timing, failures, close. */
import { describe, expect, it } from 'vitest';
import { SessionCache } from './session-cache.js';

class FakeSession {
  released = false;
  constructor(readonly name: string) {}
  release(): Promise<void> {
    if (this.released) throw new Error(`${this.name} released twice`);
    this.released = true;
    return Promise.resolve();
  }
}

const refused = () => new Error('closed');
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SessionCache', () => {
  it('evicts the least recently used session and releases it', async () => {
    const cache = new SessionCache<FakeSession>(2, refused);
    const made: Record<string, FakeSession> = {};
    const use = (key: string) =>
      cache.use(key, async () => (made[key] = new FakeSession(key)), async (s) => s.name);
    await use('a');
    await use('b');
    await use('a'); // a is now the most recent
    await use('c'); // evicts b
    await tick();
    expect(cache.size).toBe(2);
    expect(made.b?.released).toBe(true);
    expect(made.a?.released).toBe(false);
    expect(made.c?.released).toBe(false);
  });

  it('releases an evicted session only after its run in flight settles', async () => {
    const cache = new SessionCache<FakeSession>(1, refused);
    const a = new FakeSession('a');
    const running = deferred<string>();
    const first = cache.use('a', async () => a, () => running.promise);
    await tick();
    await cache.use('b', async () => new FakeSession('b'), async () => 'b'); // evicts a, still running
    await tick();
    expect(a.released).toBe(false);
    running.resolve('done');
    await expect(first).resolves.toBe('done');
    await tick();
    expect(a.released).toBe(true);
  });

  it('never caches a failed creation; the next use retries', async () => {
    const cache = new SessionCache<FakeSession>(4, refused);
    await expect(cache.use('a', () => Promise.reject(new Error('boom')), async () => 1)).rejects.toThrow('boom');
    expect(cache.size).toBe(0);
    await expect(cache.use('a', async () => new FakeSession('a'), async () => 2)).resolves.toBe(2);
    expect(cache.size).toBe(1);
  });

  it('close(): refuses new uses and uses waiting for creation, lets started runs finish, then resolves', async () => {
    const cache = new SessionCache<FakeSession>(4, refused);
    const ready = new FakeSession('ready');
    await cache.use('ready', async () => ready, async () => 0);
    const running = deferred<string>();
    const started = cache.use('ready', async () => ready, () => running.promise);
    const creating = deferred<FakeSession>();
    const pending = new FakeSession('pending');
    const waiting = cache.use('pending', () => creating.promise, async () => 'never');
    await tick();
    let closed = false;
    const close = cache.close().then(() => (closed = true));
    await expect(cache.use('x', async () => new FakeSession('x'), async () => 1)).rejects.toThrow('closed');
    creating.resolve(pending);
    await expect(waiting).rejects.toThrow('closed');
    await tick();
    expect(closed).toBe(false); // the started run still holds "ready"
    expect(ready.released).toBe(false);
    running.resolve('finished');
    await expect(started).resolves.toBe('finished');
    await close;
    expect(ready.released && pending.released).toBe(true);
    expect(cache.alive).toBe(0);
  });
});
