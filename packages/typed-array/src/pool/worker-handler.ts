/** What a pool worker does with one request (shared by the Node and the browser worker entries). */
import { sharedKernel } from '../simd/kernel.js';
import { runSigmoidBlocks } from '../simd/sigmoid-blocks.js';
import { runSoftmaxBlocks } from '../simd/softmax-blocks.js';
import { firstTargetOutsideUnit } from '../simd/target-check.js';
import { runFamilyBlocks } from './family-blocks.js';
import type { PoolRequest, PoolResponse } from './protocol.js';

export function handleRequest(request: PoolRequest): { response: PoolResponse; transfer: ArrayBuffer[] } {
  try {
    if (request.op === 'check') {
      const outside = firstTargetOutsideUnit(sharedKernel(), request.target, request.begin, request.end);
      return { response: { id: request.id, sums: null, loss: null, grad: null, outside }, transfer: [] };
    }
    const { firstBlock, endBlock, origin, total, allocate } = request;
    const sums = request.wantSums ? new Float64Array(endBlock - firstBlock) : null;
    const loss = allocate !== null && allocate.loss > 0 ? new Float32Array(allocate.loss) : null;
    const grad = allocate !== null && allocate.grad > 0 ? new Float32Array(allocate.grad) : null;
    if (request.op === 'family') {
      // the core's float64 loops: no kernel needed
      const task = allocate === null ? request.task : { ...request.task, lossOut: loss, gradOut: grad };
      runFamilyBlocks(task, firstBlock, endBlock, sums, origin, total);
    } else if (request.op === 'sigmoid') {
      const task = allocate === null ? request.task : { ...request.task, lossOut: loss, gradOut: grad };
      runSigmoidBlocks(sharedKernel(), task, firstBlock, endBlock, sums, origin, total);
    } else {
      const task = allocate === null ? request.task : { ...request.task, lossOut: loss, gradOut: grad };
      runSoftmaxBlocks(sharedKernel(), task, firstBlock, endBlock, sums, origin, total);
    }
    const transfer: ArrayBuffer[] = [];
    for (const array of [sums, loss, grad]) if (array !== null) transfer.push(array.buffer as ArrayBuffer);
    return { response: { id: request.id, sums, loss, grad }, transfer };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    return {
      response: { id: request.id, sums: null, loss: null, grad: null, error: typeof code === 'string' ? { message, code } : { message } },
      transfer: [],
    };
  }
}
