/**
 * Softmax focal loss over a range of fixed blocks of positions of a float32 input laid out
 * (outer, classes, inner), with the SIMD kernel. A block is cut into segments that are rectangles
 * of the layout (whole outer slices, or part of the inner range of one slice), each copied into the
 * kernel's memory as a small (outer, classes, inner) block of its own. As for the sigmoid, a block's
 * result does not depend on which thread computes it.
 */
import { CompensatedSum, softmaxFocalRow } from '@focal-loss/core';
import type { FloatArray } from '../types.js';
import type { SimdKernel } from './kernel.js';
import { gammaKind, PARAM_FLOAT, PARAM_INT, PARAM_SMOOTHING_ON } from './layout.js';
import { writeClipConstants } from './probability-clip.js';

/** Input elements per block (positions x classes), at least one position. */
const BLOCK_ELEMENTS = 8192;

export function softmaxBlockPositions(classes: number): number {
  return Math.max(1, Math.floor(BLOCK_ELEMENTS / Math.max(1, classes)));
}

export function softmaxBlockCount(positions: number, classes: number): number {
  return Math.ceil(positions / softmaxBlockPositions(classes));
}

/** One call's arrays and numbers (core's SoftmaxLoopParams over typed arrays). */
export interface SoftmaxTask {
  readonly input: Float32Array;
  /** int32 class indices (one per position) or probabilities laid out like the input. */
  readonly target: Int32Array | FloatArray;
  readonly targetKind: 'index' | 'probability';
  readonly ignoreIndex: number | null;
  readonly weight: FloatArray | null;
  readonly lossOut: FloatArray | null;
  readonly gradOut: FloatArray | null;
  readonly scale: number;
  readonly outer: number;
  readonly classes: number;
  readonly inner: number;
  readonly gamma: number;
  readonly classWeights: ArrayLike<number>;
  readonly smoothing: number;
  readonly fromLogits: boolean;
  readonly eps: number;
  /** Poly-1's epsilon; 0 or absent: the SIMD kernel, else the core's float64 rows per block. */
  readonly polyEpsilon?: number;
  /** Issue 14: probabilities divided by their row's sum first; the core's float64 rows. */
  readonly normalizeProbabilities?: boolean;
}

/** Whether the call needs the core's float64 rows (the kernel has no Poly-1 term, no row normalization). */
export function softmaxNeedsCoreRows(task: SoftmaxTask): boolean {
  return (task.polyEpsilon ?? 0) !== 0 || task.normalizeProbabilities === true;
}

function writeParams(kernel: SimdKernel, task: SoftmaxTask): void {
  const { i32, f32 } = kernel;
  const base = kernel.params >> 2;
  i32[base + PARAM_INT.hasWeight] = task.weight === null ? 0 : 1;
  i32[base + PARAM_INT.wantLoss] = task.lossOut === null ? 0 : 1;
  i32[base + PARAM_INT.wantGrad] = task.gradOut === null ? 0 : 1;
  i32[base + PARAM_INT.gammaKind] = gammaKind(task.gamma);
  i32[base + PARAM_INT.fromLogits] = task.fromLogits ? 1 : 0;
  i32[base + PARAM_INT.classes] = task.classes;
  i32[base + PARAM_INT.indexTargets] = task.targetKind === 'index' ? 1 : 0;
  i32[base + PARAM_INT.hasIgnore] = task.ignoreIndex === null ? 0 : 1;
  i32[base + PARAM_INT.ignoreIndex] = task.ignoreIndex ?? 0;
  i32[base + PARAM_SMOOTHING_ON] = task.smoothing === 0 ? 0 : 1;
  f32[base + PARAM_FLOAT.scale] = task.scale;
  f32[base + PARAM_FLOAT.gamma] = task.gamma;
  f32[base + PARAM_FLOAT.oneMinusS] = 1 - task.smoothing;
  f32[base + PARAM_FLOAT.sShare] = task.classes === 0 ? 0 : task.smoothing / task.classes;
  writeClipConstants(f32, base, task.eps);
  for (let c = 0; c < task.classes; c++) f32[(kernel.alpha >> 2) + c] = task.classWeights[c] as number;
}

/** Copies a rectangle between a (outer, classes, inner) array and the kernel's dense block. */
function copyRectangle(
  kernel: SimdKernel,
  array: FloatArray,
  region: number,
  toKernel: boolean,
  first: number,
  count: number,
  task: SoftmaxTask,
): void {
  const { classes, inner } = task;
  const at = region >> 2;
  const o = Math.floor(first / inner);
  const i0 = first - o * inner;
  if (i0 === 0 && count % inner === 0) {
    // whole outer slices: one contiguous run
    if (toKernel) kernel.f32.set(array.subarray(first * classes, (first + count) * classes), at);
    else array.set(kernel.f32.subarray(at, at + count * classes), first * classes);
    return;
  }
  for (let c = 0; c < classes; c++) {
    const from = o * classes * inner + c * inner + i0;
    if (toKernel) kernel.f32.set(array.subarray(from, from + count), at + c * count);
    else array.set(kernel.f32.subarray(at + c * count, at + (c + 1) * count), from);
  }
}

/** Rows computed by the core (float64) where the kernel found a non-finite or huge value. */
function recomputeRow(task: SoftmaxTask, position: number, scratch: Float64Array): number {
  const { classes, inner } = task;
  const o = Math.floor(position / inner);
  const offset = o * classes * inner + (position - o * inner);
  const index = task.targetKind === 'index' ? (task.target[position] as number) : -1;
  const w = task.weight === null ? 1 : (task.weight[position] as number);
  const loss = softmaxFocalRow(
    task.input,
    { offset, stride: inner, classes },
    { probabilities: task.targetKind === 'index' ? null : task.target, index, smoothing: task.smoothing },
    {
      gamma: task.gamma,
      classWeights: task.classWeights,
      fromLogits: task.fromLogits,
      eps: task.eps,
      polyEpsilon: task.polyEpsilon ?? 0,
      normalizeProbabilities: task.normalizeProbabilities ?? false,
    },
    task.gradOut,
    task.scale * w,
    scratch,
  );
  const weighted = w * loss;
  if (task.lossOut !== null) task.lossOut[position] = weighted;
  return weighted;
}

/** recomputeRow, or loss 0 and gradient 0 for an ignored position (its weight is not read). */
function exactRow(task: SoftmaxTask, position: number, scratch: Float64Array): number {
  if (task.targetKind === 'index' && task.ignoreIndex !== null && task.target[position] === task.ignoreIndex) {
    const { classes, inner, gradOut } = task;
    const o = Math.floor(position / inner);
    const offset = o * classes * inner + (position - o * inner);
    if (gradOut !== null) for (let c = 0; c < classes; c++) gradOut[offset + c * inner] = 0;
    if (task.lossOut !== null) task.lossOut[position] = 0;
    return 0;
  }
  return recomputeRow(task, position, scratch);
}

/** Runs one segment: `count` positions from `first`, inside one outer slice or whole slices. */
function runSegment(kernel: SimdKernel, task: SoftmaxTask, first: number, count: number, scratch: Float64Array): number {
  const { i32 } = kernel;
  const base = kernel.params >> 2;
  const o = Math.floor(first / task.inner);
  const wholeSlices = first === o * task.inner && count % task.inner === 0;
  i32[base + PARAM_INT.n] = count;
  i32[base + PARAM_INT.inner] = wholeSlices ? task.inner : count;
  copyRectangle(kernel, task.input, kernel.x, true, first, count, task);
  if (task.targetKind === 'index') kernel.i32.set(task.target.subarray(first, first + count), kernel.y >> 2);
  else copyRectangle(kernel, task.target as FloatArray, kernel.y, true, first, count, task);
  if (task.weight !== null) kernel.f32.set(task.weight.subarray(first, first + count), kernel.w >> 2);
  let sum = kernel.exports.softmax_focal(
    kernel.params,
    kernel.x,
    kernel.y,
    kernel.w,
    kernel.alpha,
    kernel.loss,
    kernel.grad,
    kernel.specials,
    kernel.scratch,
    kernel.xt,
    kernel.yt,
  );
  if (task.lossOut !== null) task.lossOut.set(kernel.f32.subarray(kernel.loss >> 2, (kernel.loss >> 2) + count), first);
  if (task.gradOut !== null) copyRectangle(kernel, task.gradOut, kernel.grad, false, first, count, task);
  const specials = i32[base + PARAM_INT.specialCount] as number;
  for (let k = 0; k < specials; k++) sum += recomputeRow(task, first + (i32[(kernel.specials >> 2) + k] as number), scratch);
  return sum;
}

/**
 * Runs blocks [firstBlock, endBlock) of the `total` positions. With `task.lossOut` null,
 * `sums[b - firstBlock]` receives the float64 sum of block b's weighted losses. The task's arrays
 * may hold whole outer slices of the input starting at position `origin` (a multiple of `inner`; a
 * pool worker without shared memory); block boundaries stay those of the whole input.
 */
export function runSoftmaxBlocks(
  kernel: SimdKernel,
  task: SoftmaxTask,
  firstBlock: number,
  endBlock: number,
  sums: Float64Array | null,
  origin = 0,
  total = task.outer * task.inner,
): void {
  const { classes, inner } = task;
  const perBlock = softmaxBlockPositions(classes);
  const scratch = new Float64Array(2 * classes);
  if (softmaxNeedsCoreRows(task)) {
    // The kernel has neither: every row of the block by the core's float64 code (the scalar op's
    // values), summed per block like the kernel's blocks.
    for (let b = firstBlock; b < endBlock; b++) {
      const blockEnd = Math.min(total, (b + 1) * perBlock) - origin;
      const sum = new CompensatedSum();
      for (let position = b * perBlock - origin; position < blockEnd; position++) sum.add(exactRow(task, position, scratch));
      if (sums !== null) sums[b - firstBlock] = sum.value;
    }
    return;
  }
  kernel.reserve(Math.max(perBlock * Math.max(1, classes), perBlock), classes);
  writeParams(kernel, task);
  for (let b = firstBlock; b < endBlock; b++) {
    const blockEnd = Math.min(total, (b + 1) * perBlock) - origin;
    let sum = 0;
    // segments: up to the end of the current outer slice, then whole slices, then the rest
    for (let first = b * perBlock - origin; first < blockEnd; ) {
      const o = Math.floor(first / inner);
      const sliceEnd = (o + 1) * inner;
      let count: number;
      if (first === o * inner && blockEnd - first >= inner) count = Math.floor((blockEnd - first) / inner) * inner;
      else count = Math.min(blockEnd, sliceEnd) - first;
      sum += runSegment(kernel, task, first, count, scratch);
      first += count;
    }
    if (sums !== null) sums[b - firstBlock] = sum;
  }
}
