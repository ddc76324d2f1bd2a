/**
 * The float32 constants of `fromLogits: false` (clipping to [eps, 1 - eps]) for the kernel: the
 * comparisons that decide "clipped" exactly as the float64 comparisons of the core would, and the
 * logs of the clipped values computed in float64 (1 - eps does not exist in float32 for small eps).
 */
import { PARAM_FLOAT } from './layout.js';

const word = new Float32Array(1);
const bits = new Int32Array(word.buffer);

/** The float32 next to `v` (>= 0) towards +Infinity (step 1) or 0 (step -1). */
function stepFloat32(v: number, step: 1 | -1): number {
  word[0] = v;
  bits[0] = (bits[0] as number) + step;
  return word[0] as number;
}

/** Writes eps's constants into the parameter block (a Float32Array over it). */
export function writeClipConstants(params: Float32Array, base: number, eps: number): void {
  const hi = 1 - eps;
  let lo = Math.fround(eps);
  if (lo < eps) lo = stepFloat32(lo, 1); // x < eps  <=>  x < lo for float32 x
  let hiCmp = Math.fround(hi);
  if (hiCmp > hi) hiCmp = stepFloat32(hiCmp, -1); // x > hi  <=>  x > hiCmp
  params[base + PARAM_FLOAT.loCmp] = lo;
  params[base + PARAM_FLOAT.hiCmp] = hiCmp;
  params[base + PARAM_FLOAT.pLo] = eps;
  params[base + PARAM_FLOAT.pHi] = hi;
  params[base + PARAM_FLOAT.qHi] = 1 - hi;
  params[base + PARAM_FLOAT.logPLo] = Math.log(eps);
  params[base + PARAM_FLOAT.logQLo] = Math.log1p(-eps);
  params[base + PARAM_FLOAT.logPHi] = Math.log(hi);
  params[base + PARAM_FLOAT.logQHi] = Math.log1p(-hi);
}
