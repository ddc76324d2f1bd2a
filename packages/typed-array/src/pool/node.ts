/**
 * `@focal-loss/typed-array/pool` in Node: the pool over worker_threads. Workers are unreferenced
 * while idle, so a forgotten pool does not keep the process alive; `close()` stops them.
 */
import { Worker } from 'node:worker_threads';
import type { PoolResponse } from './protocol.js';
import { createPool, type FocalLossPool, type FocalLossPoolOptions } from './pool.js';
import type { WorkerPort } from './worker-port.js';

function spawnNodeWorker(): WorkerPort {
  const worker = import.meta.url.endsWith('.ts')
    ? // Run from the TypeScript sources (the package's own tests): the worker loads its .ts entry
      // through tsx's loader, registered inside the worker.
      new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./worker-node.ts', import.meta.url).href)}); });`,
        { eval: true },
      )
    : new Worker(new URL('./worker-node.js', import.meta.url));
  let terminating = false;
  return {
    post(request, transfer) {
      worker.postMessage(request, transfer);
    },
    listen(onResponse, onFailure) {
      worker.on('message', (response: PoolResponse) => onResponse(response));
      worker.on('error', (error: Error) => onFailure(error));
      worker.on('exit', (code: number) => {
        if (!terminating) onFailure(new Error(`pool worker exited with code ${code}`));
      });
      // idle until a request: unreferenced after the listeners are attached (attaching refs it)
      worker.unref();
    },
    setBusy(busy) {
      if (busy) worker.ref();
      else worker.unref();
    },
    async terminate() {
      terminating = true;
      await worker.terminate();
    },
  };
}

/** Starts a pool of `threads` worker_threads running the SIMD kernel. */
export function createFocalLossPool(options: FocalLossPoolOptions = {}): FocalLossPool {
  return createPool(spawnNodeWorker, options);
}

export { POOL_DECLARATION, sharedMemoryAvailable, type FocalLossPool, type FocalLossPoolOptions } from './pool.js';
