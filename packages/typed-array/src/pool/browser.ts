/** `@focal-loss/typed-array/pool` in browsers: the pool over module Web Workers. */
import type { PoolRequest, PoolResponse } from './protocol.js';
import { createPool, type FocalLossPool, type FocalLossPoolOptions } from './pool.js';
import type { WorkerPort } from './worker-port.js';

interface BrowserWorker {
  postMessage(message: PoolRequest, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: PoolResponse }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

// The browser's global (this package compiles without the DOM library).
declare const Worker: new (url: URL, options: { type: 'module' }) => BrowserWorker;

function spawnWebWorker(): WorkerPort {
  if (typeof Worker === 'undefined') throw new Error('this runtime has no Web Workers');
  // The literal `new Worker(new URL(...), { type: 'module' })` form lets bundlers emit the worker.
  const worker = new Worker(new URL('./worker-browser.js', import.meta.url), { type: 'module' });
  return {
    post(request, transfer) {
      worker.postMessage(request, transfer);
    },
    listen(onResponse, onFailure) {
      worker.addEventListener('message', (event) => onResponse(event.data));
      worker.addEventListener('error', (event) => onFailure(new Error(event.message ?? 'pool worker failed')));
    },
    setBusy() {},
    async terminate() {
      worker.terminate();
    },
  };
}

/** Starts a pool of `threads` Web Workers running the SIMD kernel. */
export function createFocalLossPool(options: FocalLossPoolOptions = {}): FocalLossPool {
  return createPool(spawnWebWorker, options);
}

export { POOL_DECLARATION, sharedMemoryAvailable, type FocalLossPool, type FocalLossPoolOptions } from './pool.js';
