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

/** The sum of every element of `x` (float32), accurate for any length; IEEE for NaN and infinities. */
export function accurateSum(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    let v: tf.Tensor = tf.reshape(x, [-1]);
    while (v.size > SUM_BLOCK) {
      const blocks = Math.ceil(v.size / SUM_BLOCK);
      const padding = blocks * SUM_BLOCK - v.size;
      // Zeros change no sum (x + 0 = x, also for infinities and NaN).
      const padded = padding === 0 ? v : tf.pad(v, [[0, padding]]);
      v = tf.sum(tf.reshape(padded, [blocks, SUM_BLOCK]), 1);
    }
    return tf.sum(v);
  });
}
