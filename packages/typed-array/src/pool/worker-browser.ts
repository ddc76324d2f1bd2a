/** The Web Worker entry of the pool (module worker). */
import type { PoolRequest } from './protocol.js';
import { handleRequest } from './worker-handler.js';

interface WorkerScope {
  onmessage: ((event: { data: PoolRequest }) => void) | null;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (event) => {
  const { response, transfer } = handleRequest(event.data);
  scope.postMessage(response, transfer);
};
