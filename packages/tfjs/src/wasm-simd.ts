/**
 * `@focal-loss/tfjs/wasm-simd` (opt-in, issue 16): the tfjs-backend-wasm fused kernels compute
 * float32 calls with the WebAssembly SIMD kernel of `@focal-loss/typed-array/simd` instead of the
 * core's JS loop. A separate entry so that the main one never loads typed-array nor its wasm
 * binary (typed-array is an optional peer dependency, needed only by this entry).
 *
 * The kernels keep their call plan, validation and outputs; only their loop is replaced
 * (./kernels/wasm/focal-loops.ts). The replacement calls the SIMD op on the same heap views
 * (outputs written in place) when the SIMD kernel itself computes the call, and the core's loop
 * otherwise: options the kernel leaves to the core's float64 loop (SIMD_DECLARATION's: Poly-1,
 * posWeight, ignored elements, normalized probabilities), non-float32 memory, and anything the
 * loop's parameters cannot say as the op's options exactly.
 */
import { sigmoidFocalLoop, softmaxFocalLoop, type SigmoidLoopParams, type SoftmaxLoopParams } from '@focal-loss/core';
import { initSimd, sigmoidFocalLoss, simdStatus, softmaxFocalLoss } from '@focal-loss/typed-array/simd';
import { setWasmFocalLoops, wasmFocalLoops, type FocalLoops } from './kernels/wasm/focal-loops.js';

type Reduction = 'none' | 'sum' | 'mean';

/** How the loop's output and scale read as the op's reduction, or null when they cannot. */
function reductionOptions(lossOut: unknown, scale: number): { reduction: Reduction; normalizer?: number } | null {
  if (lossOut !== null) return scale === 1 ? { reduction: 'none' } : null;
  if (scale === 1) return { reduction: 'sum' };
  // the mean's factor (1 / count or 1 / normalizer) as a normalizer; 0 (nothing counted) stays on the core
  return scale > 0 && Number.isFinite(1 / scale) ? { reduction: 'mean', normalizer: 1 / scale } : null;
}

const isF32 = (a: unknown): a is Float32Array => a instanceof Float32Array;
const f32OrNull = (a: unknown): boolean => a === null || isF32(a);

/** The loop's sum from the op's reduced loss (the kernel multiplies it by `scale` again). */
function loopSum(loss: ArrayLike<number>, options: { reduction?: Reduction; normalizer?: number | null } | undefined): number {
  if (options?.reduction === 'none') return 0;
  const value = loss[0] as number;
  return typeof options?.normalizer === 'number' ? value * options.normalizer : value;
}

type SigmoidArgs = Parameters<typeof sigmoidFocalLoss>;
type SoftmaxArgs = Parameters<typeof softmaxFocalLoss>;

/** The op's output buffers: the loop's own views, written in place. */
function outBuffers(p: { lossOut: unknown; gradOut: unknown }): { loss?: Float32Array; gradInput?: Float32Array } {
  return {
    ...(p.lossOut === null ? {} : { loss: p.lossOut as Float32Array }),
    ...(p.gradOut === null ? {} : { gradInput: p.gradOut as Float32Array }),
  };
}

/** The SIMD op's arguments computing this sigmoid loop call with its kernel, or null (then the core's loop). */
export function sigmoidSimdArgs(p: SigmoidLoopParams): SigmoidArgs | null {
  const reduction = reductionOptions(p.lossOut, p.scale);
  const plain = (p.polyEpsilon ?? 0) === 0 && (p.posWeight ?? 1) === 1 && (p.posWeights ?? null) === null && (p.ignoreIndex ?? null) === null;
  // alpha: null is the pair (1, 1); alpha a is (a, 1 - a), as core's binaryAlphaPair
  const alpha = p.alphaPos === 1 && p.alphaNeg === 1 ? null : p.alphaNeg === 1 - p.alphaPos ? p.alphaPos : undefined;
  const whole = p.begin === undefined && p.end === undefined;
  if (
    reduction === null || !plain || alpha === undefined || !whole || p.input.length === 0 ||
    !isF32(p.input) || !(p.target instanceof Float32Array || p.target instanceof Float64Array) ||
    !f32OrNull(p.weight) || !f32OrNull(p.lossOut) || !f32OrNull(p.gradOut)
  ) {
    return null;
  }
  const shape = [p.input.length];
  return [{ data: p.input, shape }, { data: p.target, shape }, {
    ...reduction,
    alpha,
    gamma: p.gamma,
    labelSmoothing: p.smoothing,
    fromLogits: p.fromLogits,
    ...(p.fromLogits ? {} : { eps: p.eps }),
    weight: p.weight === null ? null : { data: p.weight as Float32Array, shape },
    gradient: p.gradOut !== null,
    out: outBuffers(p),
  }];
}

/** The SIMD op's arguments computing this softmax loop call with its kernel, or null (then the core's loop). */
export function softmaxSimdArgs(p: SoftmaxLoopParams): SoftmaxArgs | null {
  const reduction = reductionOptions(p.lossOut, p.scale);
  const plain = (p.polyEpsilon ?? 0) === 0 && p.normalizeProbabilities !== true && p.ignoreIndex === null;
  const targetOk = p.targetKind === 'index' ? p.target instanceof Int32Array : isF32(p.target);
  if (
    reduction === null || !plain || !targetOk || p.input.length === 0 || p.classes === 0 ||
    !isF32(p.input) || !f32OrNull(p.weight) || !f32OrNull(p.lossOut) || !f32OrNull(p.gradOut)
  ) {
    return null;
  }
  const inputShape = [p.outer, p.classes, p.inner];
  const positionShape = [p.outer, p.inner];
  const target = { data: p.target, shape: p.targetKind === 'index' ? positionShape : inputShape };
  return [{ data: p.input, shape: inputShape }, target, {
    ...reduction,
    axis: 1,
    alpha: Array.from(p.classWeights),
    gamma: p.gamma,
    labelSmoothing: p.smoothing,
    fromLogits: p.fromLogits,
    ...(p.fromLogits ? {} : { eps: p.eps }),
    weight: p.weight === null ? null : { data: p.weight as Float32Array, shape: positionShape },
    gradient: p.gradOut !== null,
    out: outBuffers(p),
  }];
}

/** Sigmoid: the SIMD op when its kernel computes the call, else the core's loop. */
export function simdSigmoidLoop(p: SigmoidLoopParams): number {
  const args = sigmoidSimdArgs(p);
  if (args === null) return sigmoidFocalLoop(p);
  return loopSum(sigmoidFocalLoss(...args).loss.data, args[2]);
}

/** Softmax: the SIMD op when its kernel computes the call, else the core's loop. */
export function simdSoftmaxLoop(p: SoftmaxLoopParams): number {
  const args = softmaxSimdArgs(p);
  if (args === null) return softmaxFocalLoop(p);
  return loopSum(softmaxFocalLoss(...args).loss.data, args[2]);
}

export const SIMD_FOCAL_LOOPS: FocalLoops = Object.freeze({ sigmoid: simdSigmoidLoop, softmax: simdSoftmaxLoop });

export interface WasmSimdStatus {
  /** Whether the wasm backend's fused kernels now call the SIMD loops. */
  readonly installed: boolean;
  /** What computes their float32 calls: the SIMD kernel, or (no WebAssembly SIMD) typed-array's scalar loops and why. */
  readonly backend: 'wasm-simd128' | 'javascript';
  readonly reason?: string;
}

/**
 * Makes the wasm backend's fused focal-loss kernels compute float32 calls with the SIMD kernel.
 * Compiles it first without blocking (browsers refuse large synchronous compiles). Without
 * WebAssembly SIMD nothing is installed and the kernels keep the core's loop.
 */
export async function useSimdForWasmBackend(): Promise<WasmSimdStatus> {
  const ready = await initSimd();
  if (ready) setWasmFocalLoops(SIMD_FOCAL_LOOPS);
  return { installed: ready, ...simdStatus() };
}

/** Restores the core's JS loop in the wasm backend's fused kernels. */
export function useDefaultLoopForWasmBackend(): void {
  setWasmFocalLoops(null);
}

/** Whether the SIMD loops are installed. */
export function simdInstalledForWasmBackend(): boolean {
  return wasmFocalLoops.sigmoid === simdSigmoidLoop && wasmFocalLoops.softmax === simdSoftmaxLoop;
}
