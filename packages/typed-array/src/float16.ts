/**
 * float16 inputs (issue 14). JavaScript has no half-precision arithmetic, and `Float16Array` exists only
 * in recent runtimes, so half-precision data usually arrives as a `Uint16Array` of IEEE binary16 bits
 * (what WebGPU, ONNX and safetensors hand over). The ops compute in float32 or float64: `fromFloat16`
 * widens the data to a Float32Array first, which is exact (every half value is a float32 value), and the
 * result is then an ordinary float32 call, judged by the ordinary float32 tolerance.
 */
import type { TensorView } from './types.js';

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
