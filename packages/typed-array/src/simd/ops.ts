/**
 * The SIMD ops: the API of the scalar ops (../sigmoid.ts, ../softmax.ts), computed by the
 * WebAssembly SIMD kernel for Float32Array inputs when the runtime has SIMD; Float64Array inputs
 * (and runtimes without SIMD) take the scalar ops unchanged, float64 exact.
 */
import { sigmoidFocalLoss as scalarSigmoidFocalLoss, type SigmoidCallOptions } from '../sigmoid.js';
import { softmaxFocalLoss as scalarSoftmaxFocalLoss, type SoftmaxCallOptions } from '../softmax.js';
import type { FloatArray, FocalLossResult, TensorView } from '../types.js';
import { simdSupported } from './feature.js';
import { compileKernel, sharedKernel, SimdKernel } from './kernel.js';
import { finishCall, prepareSigmoid, prepareSoftmax, SIMD_DECLARATION, simdUnitIntervalCheck } from './prepare.js';
import { runSigmoidBlocks, sigmoidBlockCount } from './sigmoid-blocks.js';
import { runSoftmaxBlocks, softmaxBlockCount } from './softmax-blocks.js';

let kernel: SimdKernel | null = null;
let unavailable: string | null = null;

/** This thread's kernel, or null when the scalar loops must do (the reason in simdStatus()). */
function readyKernel(): SimdKernel | null {
  if (kernel !== null || unavailable !== null) return kernel;
  if (!simdSupported()) {
    unavailable = 'this runtime has no WebAssembly SIMD';
    return null;
  }
  try {
    kernel = sharedKernel();
  } catch (error) {
    // e.g. a browser main thread refusing a synchronous compile: initSimd() compiles asynchronously
    unavailable = `the SIMD kernel could not be compiled synchronously (${error instanceof Error ? error.message : String(error)}); await initSimd() first`;
  }
  return kernel;
}

/**
 * Compiles and starts the SIMD kernel without blocking (browsers refuse large synchronous
 * compiles on the main thread). Resolves to true when float32 calls use it from now on.
 */
export async function initSimd(): Promise<boolean> {
  if (kernel !== null) return true;
  if (!simdSupported()) {
    unavailable = 'this runtime has no WebAssembly SIMD';
    return false;
  }
  kernel = new SimdKernel(await compileKernel());
  unavailable = null;
  return true;
}

/** Which code computes float32 calls: the SIMD kernel, or the scalar loops and why. */
export function simdStatus(): { readonly backend: 'wasm-simd128' | 'javascript'; readonly reason?: string } {
  const ready = readyKernel();
  return ready !== null ? { backend: 'wasm-simd128' } : { backend: 'javascript', reason: unavailable ?? '' };
}

function isFloat32View(view: unknown): view is TensorView<Float32Array> {
  return typeof view === 'object' && view !== null && (view as { data?: unknown }).data instanceof Float32Array;
}

/** Sigmoid focal loss; the API and results of ../sigmoid.ts (float32 inputs within float32 rounding). */
export function sigmoidFocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: TensorView<ArrayLike<number>>,
  options: SigmoidCallOptions = {},
): FocalLossResult<T> {
  const k = isFloat32View(input) ? readyKernel() : null;
  if (k === null) return scalarSigmoidFocalLoss(input, target, options);
  const call = prepareSigmoid(input as TensorView<Float32Array>, target, options, SIMD_DECLARATION, simdUnitIntervalCheck(k));
  const blocks = sigmoidBlockCount(call.task.input.length);
  const sums = call.reduce ? new Float64Array(blocks) : null;
  runSigmoidBlocks(k, call.task, 0, blocks, sums);
  return finishCall<T>(call, sums);
}

/** Softmax focal loss; the API and results of ../softmax.ts (float32 inputs within float32 rounding). */
export function softmaxFocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: TensorView<ArrayLike<number>>,
  options: SoftmaxCallOptions = {},
): FocalLossResult<T> {
  const k = isFloat32View(input) ? readyKernel() : null;
  if (k === null) return scalarSoftmaxFocalLoss(input, target, options);
  const call = prepareSoftmax(input as TensorView<Float32Array>, target, options, SIMD_DECLARATION);
  const { outer, inner, classes } = call.task;
  const blocks = softmaxBlockCount(outer * inner, classes);
  const sums = call.reduce ? new Float64Array(blocks) : null;
  if (classes === 0) call.loss.data.fill(0);
  else runSoftmaxBlocks(k, call.task, 0, blocks, sums);
  return finishCall<T>(call, classes === 0 ? null : sums);
}
