/**
 * The focal-loss family (issue 15) over a range of fixed blocks, for the pool's workers. There is
 * no SIMD kernel for these ops: each block runs the core's float64 loop of the op (the table the
 * scalar ops use, ../family/ops.ts), on the sigmoid's blocks of SIGMOID_BLOCK elements. A block's
 * sum never depends on who computes it, and the pool adds the sums in block order, so results are
 * the same bits for any number of threads.
 */
import type { FamilyLoopBase, FamilyOpName, FamilyPlan } from '@focal-loss/core';
import { FAMILY_LOOPS } from '../family/ops.js';
import { SIGMOID_BLOCK, type TargetArray } from '../simd/sigmoid-blocks.js';
import type { FloatArray } from '../types.js';

/** One family call's arrays and resolved options (structured-clonable, for the workers). */
export interface FamilyTask {
  readonly name: FamilyOpName;
  readonly options: FamilyPlan['options'];
  readonly input: Float32Array;
  readonly target: TargetArray;
  readonly weight: FloatArray | null;
  /** The unreduced loss, or null to reduce (then `sums` receives one sum per block). */
  readonly lossOut: FloatArray | null;
  readonly gradOut: FloatArray | null;
  readonly scale: number;
}

type AnyFamilyLoop = (base: FamilyLoopBase, options: FamilyPlan['options']) => number;

/**
 * Runs blocks [firstBlock, endBlock) of an input of `total` elements; the task's arrays may be a
 * slice starting at element `origin` (a worker without shared memory). Block boundaries stay those
 * of the whole input.
 */
export function runFamilyBlocks(
  task: FamilyTask,
  firstBlock: number,
  endBlock: number,
  sums: Float64Array | null,
  origin = 0,
  total = task.input.length,
): void {
  const loop = FAMILY_LOOPS[task.name] as AnyFamilyLoop;
  const { input, target, weight, lossOut, gradOut, scale } = task;
  for (let b = firstBlock; b < endBlock; b++) {
    const begin = b * SIGMOID_BLOCK - origin;
    const end = Math.min(total, (b + 1) * SIGMOID_BLOCK) - origin;
    const sum = loop({ input, target, weight, lossOut, gradOut, scale, begin, end }, task.options);
    if (sums !== null) sums[b - firstBlock] = sum;
  }
}
