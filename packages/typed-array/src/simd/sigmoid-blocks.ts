/**
 * Sigmoid focal loss over a range of fixed blocks of a float32 input with the SIMD kernel. The
 * same function serves one thread (all blocks) and each pool worker (its share): a block's result
 * never depends on who computes it, so neither does the reduced loss.
 */
import { sigmoidFocalLoop } from '@focal-loss/core';
import type { FloatArray } from '../types.js';
import type { SimdKernel } from './kernel.js';
import { gammaKind, PARAM_FLOAT, PARAM_INT, PARAM_SMOOTHING_ON } from './layout.js';
import { writeClipConstants } from './probability-clip.js';

/** Elements per block: the unit of copying, of the kernel's sums and of the pool's work. */
export const SIGMOID_BLOCK = 8192;

export type TargetArray = Float32Array | Float64Array | Int32Array;

/** One call's arrays and numbers (core's SigmoidLoopParams over typed arrays). */
export interface SigmoidTask {
  readonly input: Float32Array;
  readonly target: TargetArray;
  readonly weight: FloatArray | null;
  /** The unreduced loss, or null to reduce (then `sums` receives one sum per block). */
  readonly lossOut: FloatArray | null;
  readonly gradOut: FloatArray | null;
  readonly scale: number;
  readonly gamma: number;
  readonly alphaPos: number;
  readonly alphaNeg: number;
  readonly smoothing: number;
  readonly fromLogits: boolean;
  readonly eps: number;
  /** Poly-1's epsilon; 0 or absent: the SIMD kernel, else the core's float64 loop per block. */
  readonly polyEpsilon?: number;
  /**
   * Issue 14's options (core's SigmoidLoopParams): a positive-term weight other than 1 (one, or
   * per class of a class-index layout) and ignored elements run the core's float64 loop.
   */
  readonly posWeight?: number;
  readonly posWeights?: ArrayLike<number> | null;
  readonly classes?: number;
  readonly classInner?: number;
  readonly ignoreIndex?: number | null;
}

/** Whether the call needs the core's float64 loop: the kernel has no Poly-1 term, no posWeight, no ignored elements. */
export function sigmoidNeedsCoreLoop(task: SigmoidTask): boolean {
  return (
    (task.polyEpsilon ?? 0) !== 0 || (task.posWeight ?? 1) !== 1 || (task.posWeights ?? null) !== null || (task.ignoreIndex ?? null) !== null
  );
}

export function sigmoidBlockCount(size: number): number {
  return Math.ceil(size / SIGMOID_BLOCK);
}

function writeParams(kernel: SimdKernel, task: SigmoidTask): void {
  const i32 = kernel.i32;
  const f32 = kernel.f32;
  const base = kernel.params >> 2;
  i32[base + PARAM_INT.hasWeight] = task.weight === null ? 0 : 1;
  i32[base + PARAM_INT.wantLoss] = task.lossOut === null ? 0 : 1;
  i32[base + PARAM_INT.wantGrad] = task.gradOut === null ? 0 : 1;
  i32[base + PARAM_INT.gammaKind] = gammaKind(task.gamma);
  i32[base + PARAM_INT.fromLogits] = task.fromLogits ? 1 : 0;
  i32[base + PARAM_SMOOTHING_ON] = task.smoothing === 0 ? 0 : 1;
  f32[base + PARAM_FLOAT.scale] = task.scale;
  f32[base + PARAM_FLOAT.gamma] = task.gamma;
  f32[base + PARAM_FLOAT.alphaPos] = task.alphaPos;
  f32[base + PARAM_FLOAT.alphaNeg] = task.alphaNeg;
  f32[base + PARAM_FLOAT.oneMinusS] = 1 - task.smoothing;
  f32[base + PARAM_FLOAT.sShare] = task.smoothing / 2;
  writeClipConstants(f32, base, task.eps);
}

/**
 * Runs blocks [firstBlock, endBlock) of an input of `total` elements. With `task.lossOut` null,
 * `sums[b - firstBlock]` receives the float64 sum of block b's weighted losses. The task's arrays
 * may hold a slice of the whole input starting at element `origin` (a pool worker without shared
 * memory); block boundaries stay those of the whole input.
 */
export function runSigmoidBlocks(
  kernel: SimdKernel | null,
  task: SigmoidTask,
  firstBlock: number,
  endBlock: number,
  sums: Float64Array | null,
  origin = 0,
  total = task.input.length,
): void {
  const { input, target, weight, lossOut, gradOut } = task;
  if (sigmoidNeedsCoreLoop(task)) {
    // The kernel has none of these: the core's float64 loop, on the same blocks, so the reduced
    // loss is still added block by block in the same order whoever computes them. (Per-class
    // posWeights take the element's absolute index: callers pass the whole arrays, origin 0.)
    for (let b = firstBlock; b < endBlock; b++) {
      const begin = b * SIGMOID_BLOCK - origin;
      const end = Math.min(total, (b + 1) * SIGMOID_BLOCK) - origin;
      const sum = sigmoidFocalLoop({ ...task, lossOut, gradOut, begin, end });
      if (sums !== null) sums[b - firstBlock] = sum;
    }
    return;
  }
  if (kernel === null) throw new Error('runSigmoidBlocks: the SIMD kernel is needed for this call');
  kernel.reserve(SIGMOID_BLOCK, 0);
  writeParams(kernel, task);
  const { f32, i32 } = kernel;
  const base = kernel.params >> 2;
  const run = kernel.exports.sigmoid_focal;
  for (let b = firstBlock; b < endBlock; b++) {
    const begin = b * SIGMOID_BLOCK - origin;
    const end = Math.min(total, (b + 1) * SIGMOID_BLOCK) - origin;
    const n = end - begin;
    i32[base + PARAM_INT.n] = n;
    f32.set(input.subarray(begin, end), kernel.x >> 2);
    f32.set(target.subarray(begin, end), kernel.y >> 2);
    if (weight !== null) f32.set(weight.subarray(begin, end), kernel.w >> 2);
    let sum = run(kernel.params, kernel.x, kernel.y, kernel.w, kernel.loss, kernel.grad, kernel.specials);
    if (lossOut !== null) lossOut.set(f32.subarray(kernel.loss >> 2, (kernel.loss >> 2) + n), begin);
    if (gradOut !== null) gradOut.set(f32.subarray(kernel.grad >> 2, (kernel.grad >> 2) + n), begin);
    // Special elements (non-finite or huge logits, NaN probabilities): the core's float64 loop.
    const specials = i32[base + PARAM_INT.specialCount] as number;
    for (let k = 0; k < specials; k++) {
      const i = begin + (i32[(kernel.specials >> 2) + k] as number);
      sum += sigmoidFocalLoop({ ...task, lossOut, gradOut, begin: i, end: i + 1 });
    }
    if (sums !== null) sums[b - firstBlock] = sum;
  }
}
