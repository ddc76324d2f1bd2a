/**
 * A float32 sum that stays accurate for any length, from tf ops only (so it runs on every backend).
 *
 * The backends' own Sum kernels differ: tfjs-cpu accumulates in a JavaScript number (float64), but
 * tfjs-wasm adds into a float32 running sum, whose error grows with the length (a mean over 1e7
 * float32 elements came out 3.8e-3 relative off). Summing in blocks of BLOCK elements, then the
 * block sums in blocks, and so on (a blocked pairwise sum), keeps every running sum short: the
 * error is about (stages * BLOCK) ulps at worst and ~sqrt(BLOCK) ulps per stage typically, for
 * stages = ceil(log_BLOCK(n)) (4 stages up to 2^28 elements).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Elements per running sum: small enough for ~1e-6 relative error per stage, large enough to cost little. */
export const SUM_BLOCK = 128;

/**
 * Backends whose contiguous Slice is a view (no copy): there each stage slices off its remainder.
 * Elsewhere (wasm: Slice copies, and slowly: 27 ms vs 1.2 ms for padding, 1e6 elements) a stage
 * pads its input to whole blocks with zeros, which change no sum.
 */
const SLICE_IS_A_VIEW = new Set(['cpu', 'webgl']);

/**
 * The sum of every element of `x` (float32), accurate for any length; IEEE for NaN and infinities.
 * Each stage sums whole blocks of SUM_BLOCK elements; a remainder is padded, or (where slicing is
 * free) summed on its own and added at the end.
 */
export function accurateSum(x: tf.Tensor): tf.Scalar {
  // tfjs-wasm's Sum of an empty tensor returns whatever its output memory held (seen: 3.6e-41).
  if (x.size === 0) return tf.scalar(0);
  const slices = SLICE_IS_A_VIEW.has(tf.getBackend());
  return tf.tidy(() => {
    let v: tf.Tensor = tf.reshape(x, [-1]);
    const remainders: tf.Tensor[] = [];
    while (v.size > SUM_BLOCK) {
      const blocks = slices ? Math.floor(v.size / SUM_BLOCK) : Math.ceil(v.size / SUM_BLOCK);
      const whole = blocks * SUM_BLOCK;
      let body = v;
      if (whole < v.size) {
        remainders.push(tf.slice(v, whole));
        body = tf.slice(v, 0, whole);
      } else if (whole > v.size) {
        body = tf.pad(v, [[0, whole - v.size]]);
      }
      v = tf.sum(tf.reshape(body, [blocks, SUM_BLOCK]), 1);
    }
    return remainders.reduce<tf.Scalar>((total, rest) => tf.add(total, tf.sum(rest)), tf.sum(v));
  });
}
