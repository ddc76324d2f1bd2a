/** The Node worker_threads entry of the pool. */
import { parentPort } from 'node:worker_threads';
import type { PoolRequest } from './protocol.js';
import { handleRequest } from './worker-handler.js';

const port = parentPort;
if (port === null) throw new Error('worker-node.js runs as a worker_threads Worker only');
port.on('message', (request: PoolRequest) => {
  const { response, transfer } = handleRequest(request);
  port.postMessage(response, transfer);
});
