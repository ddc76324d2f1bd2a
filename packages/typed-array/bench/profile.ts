/**
 * Where the time of a SIMD call goes, measured in the bench's run (bench.ts prints these rows
 * under the main table), so that the closing figures show what bounds the throughput:
 *   - the kernel alone on one block already in the module's memory (in cache; compute bound);
 *   - the kernel alone streaming the whole input from memory, the arrays placed in the module's
 *     memory beforehand (no copies: compute + memory traffic);
 *   - the data path: the per-block copies into and out of the module's memory, without the kernel;
 *   - the prologue's target check (the contract's INVALID_TARGET pass, before any work), by the
 *     SIMD kernel as the SIMD call does it, and by the core's JS loop for comparison;
 *   - the whole SIMD call, to compare with the sum of its parts;
 *   - the machine's memory bandwidth: a plain copy of the input (Float32Array.set), and the rate it
 *     allows at the 12 bytes per element forward+gradient moves (logit and target read, gradient
 *     written; a copy moves 8 bytes per element).
 * Each figure is the best of several calls (wall clock and, separately, CPU seconds of this
 * process): on a shared machine the best is the figure least disturbed by other processes.
 */
import { checkUnitIntervalTargets } from '@focal-loss/core';
import { SimdKernel, compileKernelSync, sharedKernel } from '../src/simd/kernel.js';
import { sigmoidFocalLoss } from '../src/simd/ops.js';
import { firstTargetOutsideUnit } from '../src/simd/target-check.js';
import { runSigmoidBlocks, SIGMOID_BLOCK, type SigmoidTask } from '../src/simd/sigmoid-blocks.js';

export interface ProfileRow {
  readonly name: string;
  /** Elements per wall-clock second (best call). */
  readonly rate: number;
  /** Elements per CPU second (best call). */
  readonly cpuRate: number;
  readonly note?: string;
}

function best(elements: number, run: () => void, calls: number): { rate: number; cpuRate: number } {
  run();
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < calls; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { rate: elements / wall, cpuRate: elements / Math.max(cpu, 1e-6) };
}

/** The bench's call (gamma 2, alpha 0.25, mean, gradient) as a block task over x, t. */
function benchTask(x: Float32Array, t: Float32Array, grad: Float32Array): SigmoidTask {
  return {
    input: x,
    target: t,
    weight: null,
    lossOut: null,
    gradOut: grad,
    scale: 1 / x.length,
    gamma: 2,
    alphaPos: 0.25,
    alphaNeg: 0.75,
    smoothing: 0,
    fromLogits: true,
    eps: 1e-7,
  };
}

export function profileRows(x: Float32Array, t: Float32Array): ProfileRow[] {
  const n = x.length;
  const rows: ProfileRow[] = [];
  const grad = new Float32Array(n);
  // A kernel instance of its own, large enough to hold the whole input in its memory.
  const kernel = new SimdKernel(compileKernelSync());
  kernel.reserve(SIGMOID_BLOCK, 0);
  const task = benchTask(x, t, grad);
  // one block to set the parameters (and copy block 0 into the kernel's regions)
  runSigmoidBlocks(kernel, task, 0, 1, new Float64Array(1));
  const { exports: k } = kernel;
  const blocks = Math.ceil(n / SIGMOID_BLOCK);
  const nParam = kernel.params >> 2;

  const inCache = best(
    blocks * SIGMOID_BLOCK,
    () => {
      kernel.i32[nParam] = SIGMOID_BLOCK;
      for (let b = 0; b < blocks; b++) k.sigmoid_focal(kernel.params, kernel.x, kernel.y, kernel.w, kernel.loss, kernel.grad, kernel.specials);
    },
    5,
  );
  rows.push({ name: 'kernel alone, one block in cache', ...inCache, note: 'compute bound, 1 thread' });

  // the whole input in the module's memory, after the kernel's own regions: x, t, gradient
  const base = Math.ceil((kernel.scratch + 64) / 16) * 16;
  const xAt = base;
  const tAt = xAt + 4 * (n + 8);
  const gAt = tAt + 4 * (n + 8);
  const end = gAt + 4 * (n + 8);
  const memory = k.memory;
  if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  const f32 = new Float32Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  f32.set(x, xAt >> 2);
  f32.set(t, tAt >> 2);
  const streaming = best(
    n,
    () => {
      for (let b = 0; b < blocks; b++) {
        const first = b * SIGMOID_BLOCK;
        i32[nParam] = Math.min(SIGMOID_BLOCK, n - first);
        k.sigmoid_focal(kernel.params, xAt + 4 * first, tAt + 4 * first, 0, 0, gAt + 4 * first, kernel.specials);
      }
    },
    5,
  );
  rows.push({ name: 'kernel alone, streaming (arrays in wasm memory)', ...streaming, note: 'no copies' });

  const copies = best(
    n,
    () => {
      for (let b = 0; b < blocks; b++) {
        const first = b * SIGMOID_BLOCK;
        const last = Math.min(n, first + SIGMOID_BLOCK);
        f32.set(x.subarray(first, last), kernel.x >> 2);
        f32.set(t.subarray(first, last), kernel.y >> 2);
        grad.set(f32.subarray(kernel.grad >> 2, (kernel.grad >> 2) + last - first), first);
      }
    },
    5,
  );
  rows.push({ name: 'data path: block copies in and out, no kernel', ...copies, note: 'x, t in; gradient out' });

  // this thread's kernel, as the SIMD call uses (the one above had its memory grown: its views are stale)
  const simdCheck = best(n, () => firstTargetOutsideUnit(sharedKernel(), t), 5);
  rows.push({ name: 'target check (SIMD kernel, as the call does)', ...simdCheck, note: 'INVALID_TARGET pass before any work' });
  const check = best(n, () => checkUnitIntervalTargets(t), 5);
  rows.push({ name: 'target check (core, JS loop)', ...check, note: 'what the SIMD call no longer runs' });

  const loss = new Float32Array(1);
  const call = best(n, () => sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, { gradient: true, out: { loss, gradInput: grad } }), 5);
  rows.push({ name: 'the whole SIMD call', ...call, note: 'about the sum of the parts above' });

  const copy = best(n, () => grad.set(x), 5);
  const gb = (copy.rate * 8) / 1e9;
  rows.push({ name: 'memory: plain copy (Float32Array.set)', ...copy, note: `${gb.toFixed(1)} GB/s moved` });
  rows.push({
    name: 'memory bound at 12 bytes/element',
    rate: (copy.rate * 8) / 12,
    cpuRate: (copy.cpuRate * 8) / 12,
    note: 'forward+gradient traffic at the copy bandwidth',
  });
  return rows;
}
