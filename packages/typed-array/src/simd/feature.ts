/**
 * Runtime detection of WebAssembly SIMD128: validating the smallest module that uses a v128
 * instruction (i8x16.splat, i8x16.popcnt), as wasm-feature-detect does. Runtimes without
 * WebAssembly, or with it but without SIMD (old Safari, some locked-down webviews), answer false
 * and the package keeps its scalar JavaScript loops.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let cached: boolean | undefined;

import { webAssembly } from './wasm-api.js';

/** Whether this runtime can run the WebAssembly SIMD kernel. */
export function simdSupported(): boolean {
  if (cached === undefined) {
    try {
      cached = webAssembly()?.validate(SIMD_PROBE) === true;
    } catch {
      cached = false;
    }
  }
  return cached === true;
}
