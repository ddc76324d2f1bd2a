/**
 * The sigmoid's INVALID_TARGET pass (float targets in [0, 1]) by the SIMD kernel: at 1e7 float32
 * targets the core's JS loop takes 15-25 ms, a fifth of a whole SIMD call; the kernel checks a
 * block of 8192 in a few microseconds after copying it in. Only answers whether (and where) a
 * value is outside: the caller then runs the core's check, which throws the contract's error.
 */
import type { SimdKernel } from './kernel.js';

const CHUNK = 8192;

/** The index of the first target outside [0, 1] (NaN included) in [begin, end), or -1. */
export function firstTargetOutsideUnit(kernel: SimdKernel, target: Float32Array, begin = 0, end = target.length): number {
  kernel.reserve(CHUNK, 0);
  const { f32 } = kernel;
  const at = kernel.y >> 2;
  const check = kernel.exports.first_outside_unit;
  for (let first = begin; first < end; first += CHUNK) {
    const last = Math.min(end, first + CHUNK);
    const n = last - first;
    f32.set(target.subarray(first, last), at);
    // zeros up to the next multiple of 4: the kernel reads whole vectors
    for (let k = n; k % 4 !== 0; k++) f32[at + k] = 0;
    const bad = check(kernel.y, n);
    if (bad >= 0) return first + bad;
  }
  return -1;
}
