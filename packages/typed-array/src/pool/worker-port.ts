/** The little a pool needs of a worker, over Node's worker_threads and the browser's Web Workers. */
import type { PoolRequest, PoolResponse } from './protocol.js';

export interface WorkerPort {
  post(request: PoolRequest, transfer: ArrayBuffer[]): void;
  /** Called with each response, and with an Error when the worker fails or exits unexpectedly. */
  listen(onResponse: (response: PoolResponse) => void, onFailure: (error: Error) => void): void;
  /** Whether the worker keeps the process alive (Node); no-op in browsers. */
  setBusy(busy: boolean): void;
  terminate(): Promise<void>;
}

export type SpawnWorker = () => WorkerPort;
