/**
 * The loops the wasm backend's fused kernels run, replaceable: the core's (the default), or those
 * of `@focal-loss/tfjs/wasm-simd` (../../wasm-simd.ts), which hand float32 calls to the SIMD kernel
 * of `@focal-loss/typed-array/simd`. Only the loop is replaced: the kernels keep their call plan,
 * validation and output allocation. This module imports nothing but the core, so the main entry
 * stays free of typed-array and of its wasm binary.
 */
import { sigmoidFocalLoop, softmaxFocalLoop, type SigmoidLoopParams, type SoftmaxLoopParams } from '@focal-loss/core';

/** The core loop's contract: outputs written, and the unscaled float64 sum returned when `lossOut` is null. */
export type SigmoidLoop = (params: SigmoidLoopParams) => number;
export type SoftmaxLoop = (params: SoftmaxLoopParams) => number;

export interface FocalLoops {
  readonly sigmoid: SigmoidLoop;
  readonly softmax: SoftmaxLoop;
}

/** Read by the wasm kernels at every call. */
export const wasmFocalLoops: { sigmoid: SigmoidLoop; softmax: SoftmaxLoop } = { sigmoid: sigmoidFocalLoop, softmax: softmaxFocalLoop };

/** The core's loops, the default. */
export const CORE_FOCAL_LOOPS: FocalLoops = /* @__PURE__ */ Object.freeze({ sigmoid: sigmoidFocalLoop, softmax: softmaxFocalLoop });

/** Installs `loops` for the wasm backend's fused kernels; null restores the core's. */
export function setWasmFocalLoops(loops: FocalLoops | null): void {
  const next = loops ?? CORE_FOCAL_LOOPS;
  wasmFocalLoops.sigmoid = next.sigmoid;
  wasmFocalLoops.softmax = next.softmax;
}
