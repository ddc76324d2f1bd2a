/**
 * float16 inputs (issue 14). JavaScript has no half-precision arithmetic. Where the runtime has
 * `Float16Array` (ES2025: Node >= 24, Chromium 135+), the scalar ops take one directly as input, float
 * target or weight, and widen it to a Float32Array after the checks (exact: every half value is a float32
 * value), so the call is an ordinary float32 call with float32 outputs, judged by the float32 tolerance.
 * Elsewhere half data arrives as a `Uint16Array` of IEEE binary16 bits (what WebGPU, ONNX and safetensors
 * hand over), which the caller widens with `fromFloat16` / `float16Tensor`: a plain Uint16Array given to
 * an op is refused (INVALID_OPTION naming "Uint16Array"), never guessed to hold half bits.
 */
import type { Float16ArrayLike, TensorView } from './types.js';

/**
 * The name of float16 inputs in an adapter declaration's `implements`: the ops whose prologue accepts
 * Float16Array data (the scalar ops of this entry; ../prepare.ts widens it).
 */
export const FLOAT16_INPUTS = 'float16Inputs';

/** True for a `Float16Array` of this runtime (none where the runtime has no Float16Array). */
export function isFloat16Array(value: unknown): value is Float16ArrayLike {
  // Looked up per call, not cached at load: the global is the runtime's (or a test's stand-in).
  const constructor = (globalThis as { Float16Array?: unknown }).Float16Array;
  return typeof constructor === 'function' && value instanceof (constructor as new () => object);
}

/** A Float16Array widened exactly to a new Float32Array; any other data unchanged. */
export function widenFloat16<T>(data: T): T | Float32Array {
  return isFloat16Array(data) ? new Float32Array(data) : data;
}

// Every half value, decoded once on first use (256 KiB), so widening is a table lookup per element.
let table: Float32Array | null = null;

function decodeTable(): Float32Array {
  if (table !== null) return table;
  table = new Float32Array(0x10000);
  for (let bits = 0; bits < 0x10000; bits++) table[bits] = halfBitsToNumber(bits);
  return table;
}

/** The value of IEEE binary16 bits: subnormals, ±Infinity and NaN included. */
export function halfBitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * Half-precision data as a Float32Array, exactly: a `Uint16Array` is read as binary16 bits; anything
 * else that holds numbers (a `Float16Array` where the runtime has one, a plain array) is copied as is.
 */
export function fromFloat16(data: Uint16Array | ArrayLike<number>): Float32Array {
  if (data instanceof Uint16Array) {
    const values = decodeTable();
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = values[data[i] as number] as number;
    return out;
  }
  return Float32Array.from(data);
}

/** A half-precision tensor view widened to float32 (same shape), ready for the ops. */
export function float16Tensor(view: TensorView<Uint16Array | ArrayLike<number>>): TensorView<Float32Array> {
  return { data: fromFloat16(view.data), shape: view.shape };
}
