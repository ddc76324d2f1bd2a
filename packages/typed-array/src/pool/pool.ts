/**
 * A pool of workers running the SIMD kernel on shares of one call's blocks. Results do not depend
 * on the number of threads: blocks are fixed by the input, each block's sum is computed the same
 * way wherever it runs, and the sums are added in block order (see ../simd/prepare.ts finishCall).
 */
import { sigmoidFocalLoss as scalarSigmoidFocalLoss, type SigmoidCallOptions } from '../sigmoid.js';
import { softmaxFocalLoss as scalarSoftmaxFocalLoss, type SoftmaxCallOptions } from '../softmax.js';
import { checkUnitIntervalTargets, type FamilyOpName } from '@focal-loss/core';
import { distributionFocalLoss, type DistributionFocalLossOptions } from '../family/distribution.js';
import {
  asymmetricLoss,
  qualityFocalLoss,
  sigmoidFocalLossStar,
  varifocalLoss,
  type AsymmetricLossCallOptions,
  type FocalLossStarCallOptions,
  type QualityFocalLossCallOptions,
  type VarifocalLossCallOptions,
} from '../family/ops.js';
import { prepareFamilyCall } from '../family/run.js';
import type { FamilyTask } from './family-blocks.js';
import { simdSupported } from '../simd/feature.js';
import { finishCall, POOL_DECLARATION, prepareSigmoid, prepareSoftmax, type PreparedCall } from '../simd/prepare.js';

/** The options beyond the contract's 1.1 base the pool implements (core's AdapterDeclaration). */
export { POOL_DECLARATION };
import { runSigmoidBlocks, SIGMOID_BLOCK, sigmoidBlockCount, type SigmoidTask } from '../simd/sigmoid-blocks.js';
import { softmaxBlockPositions, type SoftmaxTask } from '../simd/softmax-blocks.js';
import type { FloatArray, FocalLossResult, TensorView } from '../types.js';
import type { PoolRequest, PoolResponse } from './protocol.js';
import { forEachRun, shareBlocks } from './split.js';
import type { SpawnWorker, WorkerPort } from './worker-port.js';

export interface FocalLossPoolOptions {
  /** Workers to start (default 2). */
  readonly threads?: number;
  /**
   * How arrays reach the workers: "shared" (SharedArrayBuffer: Node, cross-origin isolated pages),
   * "transfer" (copies of each worker's share, transferred), or "auto" (default): shared when the
   * runtime allows it.
   */
  readonly memory?: 'auto' | 'shared' | 'transfer';
}

export interface FocalLossPool {
  readonly threads: number;
  readonly memory: 'shared' | 'transfer';
  /** The sigmoid op of the package, computed by the workers for Float32Array inputs. */
  sigmoidFocalLoss<T extends FloatArray>(
    input: TensorView<T>,
    target: TensorView<ArrayLike<number>>,
    options?: SigmoidCallOptions,
  ): Promise<FocalLossResult<T>>;
  /** The softmax op of the package, computed by the workers for Float32Array inputs. */
  softmaxFocalLoss<T extends FloatArray>(
    input: TensorView<T>,
    target: TensorView<ArrayLike<number>>,
    options?: SoftmaxCallOptions,
  ): Promise<FocalLossResult<T>>;
  /**
   * The focal-loss family (issue 15), with the main entry's API. No SIMD kernel: the workers run
   * the core's float64 loop of the op on the sigmoid's fixed blocks of Float32Array inputs, the
   * block sums added in block order (the same bits for any number of threads; the reduced loss
   * may differ from the one-pass scalar op in its last bits). Float64 inputs, and runtimes
   * without SIMD, run the scalar op on the calling thread.
   */
  sigmoidFocalLossStar<T extends FloatArray>(
    input: TensorView<T>,
    target: TensorView<ArrayLike<number>>,
    options?: FocalLossStarCallOptions,
  ): Promise<FocalLossResult<T>>;
  qualityFocalLoss<T extends FloatArray>(
    input: TensorView<T>,
    target: TensorView<ArrayLike<number>>,
    options?: QualityFocalLossCallOptions,
  ): Promise<FocalLossResult<T>>;
  varifocalLoss<T extends FloatArray>(
    input: TensorView<T>,
    target: TensorView<ArrayLike<number>>,
    options?: VarifocalLossCallOptions,
  ): Promise<FocalLossResult<T>>;
  asymmetricLoss<T extends FloatArray>(
    input: TensorView<T>,
    target: TensorView<ArrayLike<number>>,
    options?: AsymmetricLossCallOptions,
  ): Promise<FocalLossResult<T>>;
  /** Distribution Focal Loss: the scalar op (a softmax with gamma 0), on the calling thread. */
  distributionFocalLoss<T extends FloatArray>(
    input: TensorView<T>,
    positions: TensorView<ArrayLike<number>>,
    options?: DistributionFocalLossOptions,
  ): Promise<FocalLossResult<T>>;
  /**
   * Lets the calls in flight finish (or, after `timeoutMs`, rejects those still running), then
   * stops the workers; later calls reject. Resolves once every call has settled.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
}

/** Block geometry of a call in the (outer, classes, inner) terms of the softmax; sigmoid: 1, 1. */
interface Geometry {
  readonly positions: number;
  readonly classes: number;
  readonly inner: number;
  readonly perBlock: number;
}

type AnyTask = SigmoidTask | SoftmaxTask | FamilyTask;
type PoolOp = 'sigmoid' | 'softmax' | 'family';
/** A request before its id (each member of the union without its id). */
type RequestWithoutId = PoolRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export function sharedMemoryAvailable(): boolean {
  const scope = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
  return typeof scope.SharedArrayBuffer === 'function' && scope.crossOriginIsolated !== false;
}

type TypedArray = Float32Array | Float64Array | Int32Array;

/** The array itself when it is already shared, else a shared copy (outputs: an empty one). */
function shared<A extends TypedArray | null>(array: A, copy: boolean): A {
  if (array === null || array.buffer instanceof SharedArrayBuffer) return array;
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => TypedArray;
  const result = new Ctor(new SharedArrayBuffer(array.byteLength));
  if (copy) result.set(array);
  return result as A;
}

function isFloat32View(view: unknown): boolean {
  return typeof view === 'object' && view !== null && (view as { data?: unknown }).data instanceof Float32Array;
}

function poolError(response: PoolResponse): Error {
  const error = new Error(response.error?.message ?? 'pool worker failed') as Error & { code?: string };
  if (response.error?.code !== undefined) error.code = response.error.code;
  return error;
}

export function createPool(spawn: SpawnWorker, options: FocalLossPoolOptions = {}): FocalLossPool {
  const threads = options.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be an integer >= 1, got ${threads}`);
  const memoryMode = options.memory ?? 'auto';
  if (memoryMode === 'shared' && !sharedMemoryAvailable()) {
    throw new Error('memory "shared" needs SharedArrayBuffer (Node, or a cross-origin isolated page)');
  }
  const memory = memoryMode === 'transfer' || !sharedMemoryAvailable() ? 'transfer' : 'shared';

  let nextId = 0;
  let closed = false;
  let failure: Error | null = null;
  const inFlight = new Set<Promise<unknown>>();
  const pending = new Map<number, { worker: number; resolve: (r: PoolResponse) => void; reject: (e: Error) => void }>();
  const busy: number[] = [];
  const workers: WorkerPort[] = [];

  function settleWorker(w: number, delta: number): void {
    busy[w] = (busy[w] as number) + delta;
    workers[w]?.setBusy((busy[w] as number) > 0);
  }

  for (let w = 0; w < threads; w++) {
    const port = spawn();
    busy.push(0);
    workers.push(port);
    port.listen(
      (response) => {
        const entry = pending.get(response.id);
        if (entry === undefined) return;
        pending.delete(response.id);
        settleWorker(w, -1);
        if (response.error !== undefined) entry.reject(poolError(response));
        else entry.resolve(response);
      },
      (error) => {
        failure ??= error;
        for (const [id, entry] of pending) {
          if (entry.worker !== w) continue;
          pending.delete(id);
          settleWorker(w, -1);
          entry.reject(error);
        }
      },
    );
  }

  function send(w: number, request: RequestWithoutId, transfer: ArrayBuffer[]): Promise<PoolResponse> {
    if (failure !== null) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { worker: w, resolve, reject });
      settleWorker(w, 1);
      (workers[w] as WorkerPort).post({ ...request, id } as PoolRequest, transfer);
    });
  }

  async function runShared(op: PoolOp, task: AnyTask, geometry: Geometry, ranges: Array<[number, number]>, wantSums: boolean) {
    const sharedTask = {
      ...task,
      input: shared(task.input, true),
      target: shared(task.target, true),
      weight: shared(task.weight, true),
      lossOut: shared(task.lossOut, false),
      gradOut: shared(task.gradOut, false),
    } as AnyTask;
    const responses = await Promise.all(
      ranges.map(([firstBlock, endBlock], w) =>
        send(w, { op, task: sharedTask, firstBlock, endBlock, origin: 0, total: geometry.positions, wantSums, allocate: null } as RequestWithoutId, []),
      ),
    );
    if (task.lossOut !== null && sharedTask.lossOut !== task.lossOut) task.lossOut.set(sharedTask.lossOut as FloatArray);
    if (task.gradOut !== null && sharedTask.gradOut !== task.gradOut) task.gradOut.set(sharedTask.gradOut as FloatArray);
    return responses;
  }

  async function runTransfer(op: PoolOp, task: AnyTask, geometry: Geometry, ranges: Array<[number, number]>, wantSums: boolean) {
    const { positions, classes, inner, perBlock } = geometry;
    return Promise.all(
      ranges.map(async ([firstBlock, endBlock], w) => {
        const first = firstBlock * perBlock;
        const end = Math.min(positions, endBlock * perBlock);
        // the whole outer slices holding [first, end), so the worker sees complete rows
        const origin = Math.floor(first / inner) * inner;
        const stop = Math.ceil(end / inner) * inner;
        const e0 = origin * classes;
        const e1 = stop * classes;
        const perElementTarget = op !== 'softmax' || (task as SoftmaxTask).targetKind === 'probability';
        const local = {
          ...task,
          input: task.input.slice(e0, e1),
          target: perElementTarget ? task.target.slice(e0, e1) : task.target.slice(origin, stop),
          weight: task.weight === null ? null : task.weight.slice(origin, stop),
          lossOut: null,
          gradOut: null,
          ...(op === 'softmax' ? { outer: (stop - origin) / inner } : {}),
        } as AnyTask;
        const transfer = [local.input.buffer, local.target.buffer, ...(local.weight === null ? [] : [local.weight.buffer])];
        const allocate = { loss: task.lossOut === null ? 0 : stop - origin, grad: task.gradOut === null ? 0 : e1 - e0 };
        const response = await send(
          w,
          { op, task: local, firstBlock, endBlock, origin, total: positions, wantSums, allocate } as RequestWithoutId,
          transfer as ArrayBuffer[],
        );
        if (task.lossOut !== null && response.loss !== null) task.lossOut.set(response.loss.subarray(first - origin, end - origin), first);
        const grad = response.grad;
        if (task.gradOut !== null && grad !== null) {
          const out = task.gradOut;
          forEachRun(first, end, classes, inner, (start, length) => out.set(grad.subarray(start - e0, start - e0 + length), start));
        }
        return response;
      }),
    );
  }

  async function run<T extends FloatArray>(op: PoolOp, call: PreparedCall<AnyTask>, geometry: Geometry): Promise<FocalLossResult<T>> {
    const blocks = Math.ceil(geometry.positions / geometry.perBlock);
    if (blocks === 0 || geometry.classes === 0) {
      if (geometry.classes === 0) call.loss.data.fill(0);
      return finishCall<T>(call, call.reduce && geometry.classes !== 0 ? new Float64Array(0) : null);
    }
    const ranges = shareBlocks(blocks, workers.length);
    const wantSums = call.reduce;
    const responses = await (memory === 'shared' ? runShared : runTransfer)(op, call.task, geometry, ranges, wantSums);
    let sums: Float64Array | null = null;
    if (wantSums) {
      sums = new Float64Array(blocks);
      responses.forEach((response, w) => sums!.set(response.sums as Float64Array, (ranges[w] as [number, number])[0]));
    }
    return finishCall<T>(call, sums);
  }

  /**
   * The prologue's last step for float32 targets in shared memory, shared out: on a value outside
   * [0, 1] the core's check runs here and throws the contract's error (first index, exact message).
   */
  async function checkInWorkers(target: Float32Array): Promise<void> {
    const ranges = shareBlocks(Math.ceil(target.length / SIGMOID_BLOCK), workers.length);
    const responses = await Promise.all(
      ranges.map(([first, end], w) =>
        send(w, { op: 'check', target, begin: first * SIGMOID_BLOCK, end: Math.min(target.length, end * SIGMOID_BLOCK) }, []),
      ),
    );
    if (responses.some((response) => (response.outside ?? -1) >= 0)) checkUnitIntervalTargets(target);
  }

  /**
   * A family op: the scalar op's prologue (the same errors, before any work), then the workers
   * over the fixed blocks; targets that are not a typed array the workers take are sent as float64.
   */
  function family<T extends FloatArray>(
    name: FamilyOpName,
    input: TensorView<T>,
    target: TensorView<ArrayLike<number>>,
    options: unknown,
    scalar: (input: TensorView<T>, target: TensorView<ArrayLike<number>>, options: never) => FocalLossResult<T>,
  ): Promise<FocalLossResult<T>> {
    return track(async () => {
      if (!isFloat32View(input) || !simdSupported()) return scalar(input, target, options as never);
      const prepared = prepareFamilyCall(name, input, target, options);
      const { base, plan } = prepared;
      const targets = base.target;
      const task: FamilyTask = {
        name,
        options: plan.options,
        input: base.input as Float32Array,
        target:
          targets instanceof Float32Array || targets instanceof Float64Array || targets instanceof Int32Array
            ? targets
            : Float64Array.from(targets),
        weight: base.weight as FloatArray | null,
        lossOut: base.lossOut as FloatArray | null,
        gradOut: base.gradOut as FloatArray | null,
        scale: base.scale,
      };
      const call: PreparedCall<FamilyTask> = {
        task,
        reduce: prepared.reduce,
        scale: plan.scale,
        loss: { data: prepared.lossData, shape: plan.outputShape },
        gradInput: prepared.gradData === null ? null : { data: prepared.gradData, shape: [...input.shape] },
      };
      return run<T>('family', call, { positions: task.input.length, classes: 1, inner: 1, perBlock: SIGMOID_BLOCK });
    });
  }

  /** Runs `work` as a call of this pool: refused once closed, awaited by close(). */
  function track<R>(work: () => Promise<R>): Promise<R> {
    if (closed) return Promise.reject(new Error('the focal loss pool is closed'));
    const promise = work();
    inFlight.add(promise);
    const forget = () => inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  return {
    threads,
    memory,
    sigmoidFocalLoss<T extends FloatArray>(input: TensorView<T>, target: TensorView<ArrayLike<number>>, options: SigmoidCallOptions = {}) {
      return track(async () => {
        // float64 inputs keep the exact scalar path, on this thread; so do runtimes without SIMD
        if (!isFloat32View(input) || !simdSupported()) return scalarSigmoidFocalLoss(input, target, options);
        // plain float32 targets in shared memory: the workers check them (in parallel, with the
        // SIMD kernel) before any work; anything else the core's check, here
        let deferred: Float32Array | null = null;
        const call = prepareSigmoid(input as unknown as TensorView<Float32Array>, target, options, POOL_DECLARATION, (data) => {
          if (memory === 'shared' && data instanceof Float32Array && data.buffer instanceof SharedArrayBuffer) deferred = data;
          else checkUnitIntervalTargets(data);
        });
        if (deferred !== null) await checkInWorkers(deferred);
        const n = call.task.input.length;
        if (memory === 'transfer' && (call.task.posWeights ?? null) !== null) {
          // per-class posWeights follow the element's absolute index, which a worker's slice does
          // not keep: the core's loop on this thread, on the same blocks (the same sums)
          const sums = call.reduce ? new Float64Array(sigmoidBlockCount(n)) : null;
          runSigmoidBlocks(null, call.task, 0, sigmoidBlockCount(n), sums);
          return finishCall<T>(call, sums);
        }
        return run<T>('sigmoid', call, { positions: n, classes: 1, inner: 1, perBlock: SIGMOID_BLOCK });
      });
    },
    softmaxFocalLoss<T extends FloatArray>(input: TensorView<T>, target: TensorView<ArrayLike<number>>, options: SoftmaxCallOptions = {}) {
      return track(async () => {
        if (!isFloat32View(input) || !simdSupported()) return scalarSoftmaxFocalLoss(input, target, options);
        const call = prepareSoftmax(input as unknown as TensorView<Float32Array>, target, options, POOL_DECLARATION);
        const { outer, classes, inner } = call.task;
        return run<T>('softmax', call, { positions: outer * inner, classes, inner, perBlock: softmaxBlockPositions(classes) });
      });
    },
    sigmoidFocalLossStar(input, target, options = {}) {
      return family('sigmoid_focal_loss_star', input, target, options, sigmoidFocalLossStar);
    },
    qualityFocalLoss(input, target, options = {}) {
      return family('quality_focal_loss', input, target, options, qualityFocalLoss);
    },
    varifocalLoss(input, target, options = {}) {
      return family('varifocal_loss', input, target, options, varifocalLoss);
    },
    asymmetricLoss(input, target, options = {}) {
      return family('asymmetric_loss', input, target, options, asymmetricLoss);
    },
    distributionFocalLoss(input, positions, options = {}) {
      // one softmax with gamma 0 over rows of bins: the calling thread (the scalar op)
      return track(async () => distributionFocalLoss(input, positions, options));
    },
    async close(closeOptions: { readonly timeoutMs?: number } = {}) {
      closed = true;
      const settled = Promise.allSettled([...inFlight]);
      const { timeoutMs } = closeOptions;
      if (timeoutMs === undefined) await settled;
      else {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
        if ((await Promise.race([settled, late])) === 'late') {
          // the workers are stopped below: what they hold will not come back
          for (const [id, entry] of pending) {
            pending.delete(id);
            entry.reject(new Error('the focal loss pool was closed before the call finished'));
          }
          await settled;
        }
        clearTimeout(timer);
      }
      await Promise.all(workers.map((port) => port.terminate()));
    },
  };
}
