/**
 * The prologue of a float32 call on the SIMD path: the package's shared prologue (../prepare.ts),
 * whose loop parameters are the block runners' task once the input is known to be float32. The
 * pool uses it too, so a pooled call fails exactly as a direct call would, before any work.
 */
import { checkUnitIntervalTargets, CompensatedSum, SIGMOID_CLASS_INDEX_TARGETS, type AdapterDeclaration } from '@focal-loss/core';
import { prepareSigmoid as prepareSigmoidCall, prepareSoftmax as prepareSoftmaxCall, type PreparedCall } from '../prepare.js';
import type { FloatArray, FocalLossResult, TensorView } from '../types.js';
import type { SimdKernel } from './kernel.js';
import type { SigmoidTask } from './sigmoid-blocks.js';
import { firstTargetOutsideUnit } from './target-check.js';
import type { SoftmaxTask } from './softmax-blocks.js';

export type { PreparedCall } from '../prepare.js';

/**
 * What the SIMD ops and the pool implement beyond the contract's 1.1 base: the kernel computes
 * none of these options itself; a call that uses one (polyEpsilon != 0, a preset that sets
 * posWeight, ignored elements, class-index targets with ignored labels, normalized probabilities)
 * runs the core's float64 loops block by block (sigmoid-blocks.ts, softmax-blocks.ts; in the
 * pool's workers too): the scalar ops' values, at the JS loop's speed. Presets that only set
 * gamma, alpha, the reduction or smoothing, and dense class-index targets, stay on the kernel.
 */
const IMPLEMENTS = Object.freeze([
  'polyEpsilon',
  'preset',
  'posWeight',
  'ignoreIndex',
  'normalizeProbabilities',
  SIGMOID_CLASS_INDEX_TARGETS,
]);
export const SIMD_DECLARATION: AdapterDeclaration = Object.freeze({ adapter: '@focal-loss/typed-array/simd', implements: IMPLEMENTS });
export const POOL_DECLARATION: AdapterDeclaration = Object.freeze({ adapter: '@focal-loss/typed-array/pool', implements: IMPLEMENTS });

/**
 * The prologue's check of float targets in [0, 1] by the SIMD kernel (float32 targets): ~5x
 * faster than the core's JS loop, which still runs when a value is outside, to throw the
 * contract's exact error (same code, message, index).
 */
export function simdUnitIntervalCheck(kernel: SimdKernel): (data: ArrayLike<number>) => void {
  return (data) => {
    if (!(data instanceof Float32Array) || firstTargetOutsideUnit(kernel, data) >= 0) checkUnitIntervalTargets(data);
  };
}

/**
 * Sigmoid: checks everything, allocates (or takes) the outputs, returns the task. `unitIntervalCheck`
 * checks plain float targets (the prologue's last step; it must throw the core's error).
 */
export function prepareSigmoid(
  input: TensorView<Float32Array>,
  target: TensorView<ArrayLike<number>>,
  options: unknown,
  declaration: AdapterDeclaration,
  unitIntervalCheck: (data: ArrayLike<number>) => void = checkUnitIntervalTargets,
): PreparedCall<SigmoidTask> {
  // the same fields; the input is float32 by this function's type, the targets checked
  return prepareSigmoidCall(input, target, options, declaration, unitIntervalCheck) as PreparedCall<SigmoidTask>;
}

/** Softmax: checks everything, counts the positions, allocates (or takes) the outputs. */
export function prepareSoftmax(
  input: TensorView<Float32Array>,
  target: TensorView<ArrayLike<number>>,
  options: unknown,
  declaration: AdapterDeclaration,
): PreparedCall<SoftmaxTask> {
  return prepareSoftmaxCall(input, target, options, declaration) as PreparedCall<SoftmaxTask>;
}

/**
 * The result: the reduced loss from the blocks' sums, added in block order (compensated float64,
 * so the value does not depend on how the blocks were shared out), or the unreduced loss as written.
 */
export function finishCall<T extends FloatArray>(call: PreparedCall<unknown>, sums: Float64Array | null): FocalLossResult<T> {
  if (sums !== null) {
    const total = new CompensatedSum();
    for (let b = 0; b < sums.length; b++) total.add(sums[b] as number);
    call.loss.data[0] = total.value * call.scale;
  }
  return { loss: call.loss as TensorView<T>, gradInput: call.gradInput as TensorView<T> | null };
}
