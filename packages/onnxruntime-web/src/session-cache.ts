/**
 * A bounded, least-recently-used cache of ORT sessions keyed by the loss structure, in the manner
 * of TanStack's QueryCache (get-or-build by key, remove -> destroy):
 * - at most `maxSessions` sessions are kept; using one makes it the most recent, and creating one
 *   beyond the bound evicts the least recently used;
 * - a session is released only when nothing uses it: an evicted or closed entry waits for its
 *   runs in flight (releasing a session under a running `session.run` makes ORT's wasm spin for
 *   ever, and neither promise settles);
 * - a failed creation is never cached, so the next call retries;
 * - after `close()`, new uses are refused, and so are uses still waiting for their session; a run
 *   already started completes. Every promise settles.
 */

/** What the cache needs from a session: ORT's `InferenceSession.release`. */
export interface Releasable {
  release(): Promise<void>;
}

interface Entry<S> {
  readonly session: Promise<S>;
  /** Uses holding the entry, from asking for the session to the end of the run. */
  users: number;
  /** Out of the map (evicted, failed or closed): released when the last user leaves. */
  retired: boolean;
  /** Retired while in use: counted in `retiredInUse` until it is released. */
  releaseDeferred: boolean;
}

export class SessionCache<S extends Releasable> {
  private readonly entries = new Map<string, Entry<S>>();
  private readonly releases = new Set<Promise<void>>();
  private retiredInUse = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  /**
   * @param maxSessions the most sessions kept at once (an integer >= 1).
   * @param refused the error thrown by a use after `close()`.
   */
  constructor(
    readonly maxSessions: number,
    private readonly refused: () => Error,
  ) {}

  /** Sessions cached now (in-flight evicted ones excluded). */
  get size(): number {
    return this.entries.size;
  }

  /** Sessions created and not yet released, cached or evicted but still in use. */
  get alive(): number {
    return this.entries.size + this.retiredInUse + this.releases.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Runs `work` on the session cached under `key`, creating it with `create` when it is not
   * there. The session stays alive until `work` settles, even if it is evicted meanwhile.
   */
  async use<T>(key: string, create: () => Promise<S>, work: (session: S) => Promise<T>): Promise<T> {
    if (this.closed) throw this.refused();
    const entry = this.acquire(key, create);
    try {
      const session = await entry.session;
      // closed while the session was being created: refuse rather than run on a released session
      if (this.closed) throw this.refused();
      return await work(session);
    } finally {
      entry.users -= 1;
      if (entry.retired && entry.users === 0) {
        if (entry.releaseDeferred) {
          entry.releaseDeferred = false;
          this.retiredInUse -= 1;
        }
        this.release(entry);
      }
    }
  }

  private acquire(key: string, create: () => Promise<S>): Entry<S> {
    const known = this.entries.get(key);
    if (known !== undefined) {
      // most recently used goes last: a Map iterates in insertion order
      this.entries.delete(key);
      this.entries.set(key, known);
      known.users += 1;
      return known;
    }
    const entry: Entry<S> = { session: create(), users: 1, retired: false, releaseDeferred: false };
    this.entries.set(key, entry);
    entry.session.catch(() => {
      // never keep a failed creation; the user's finally releases it (a no-op)
      if (this.entries.get(key) === entry) this.entries.delete(key);
      entry.retired = true;
    });
    this.evictBeyond(this.maxSessions);
    return entry;
  }

  private evictBeyond(limit: number): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= limit) break;
      this.entries.delete(key);
      this.retire(entry);
    }
  }

  private retire(entry: Entry<S>): void {
    if (entry.retired) return;
    entry.retired = true;
    if (entry.users === 0) {
      this.release(entry);
    } else {
      entry.releaseDeferred = true;
      this.retiredInUse += 1;
    }
  }

  private release(entry: Entry<S>): void {
    const done = entry.session
      .then(
        (session) => session.release(),
        () => undefined, // a failed creation has nothing to release
      )
      .catch(() => undefined); // a failing release must not reject close() nor go unhandled
    this.releases.add(done);
    void done.then(() => {
      this.releases.delete(done);
      this.settleIfIdle();
    });
  }

  private settleIfIdle(): void {
    if (!this.closed || this.releases.size > 0 || this.retiredInUse > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Refuses new uses, then resolves once every session is released (after its runs settle). */
  close(): Promise<void> {
    this.closed = true;
    this.evictBeyond(0);
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.settleIfIdle();
    return idle;
  }
}
