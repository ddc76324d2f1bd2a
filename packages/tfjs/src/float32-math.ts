/**
 * Small building blocks shared by both losses, written with kernels that both the cpu and the wasm
 * backend register and compute accurately (Abs, Exp, Log, Select, Pow, Square, ...). None of them uses
 * Softplus: tfjs-cpu computes it as log(exp(x) + 1) for -13.9 < x < 13.9, with a relative error up
 * to ~1e-2 near x = -13, so the losses build softplus from max(x, 0) + log1p(exp(-|x|)) instead.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * u^gamma, or null for gamma = 0 (the factor is 1; 0^0 is 1 by the contract, so no pow kernel is
 * asked about it). Integer gammas 1 and 2 skip Pow, the slowest and least accurate kernel here.
 */
export function powGamma(u: tf.Tensor, gamma: number): tf.Tensor | null {
  if (gamma === 0) return null;
  if (gamma === 1) return u;
  if (gamma === 2) return tf.square(u);
  return tf.pow(u, tf.scalar(gamma, 'float32'));
}

/** Below this |x|, log1p uses its Taylor series (6 terms: relative truncation error < 5e-9). */
const LOG1P_SERIES_BOUND = 1 / 32;

/**
 * log(1 + x) with float32 relative accuracy on every backend, from Add, Mul, Log, Div, Abs, Less
 * and Select only. The wasm backend's Log1p kernel evaluates log(1 + x) in float32, which returns 0
 * for |x| < 6e-8; and GPU backends (WebGL, WebGPU) bound log() only in absolute error (~1e-7), so
 * no formula that takes the log of a number near 1 is accurate there. Hence:
 *  - |x| < 1/32: the Taylor series x - x^2/2 + ... - x^6/6 (Horner), only products and sums;
 *  - otherwise log(u) * x / (u - 1) with u = 1 + x rounded (Goldberg 1991, "What every computer
 *    scientist should know about floating-point arithmetic", thm. 4): |log1p(x)| >= 0.03 there, so
 *    an absolute error of 1e-7 is a relative one of 3e-6 at worst, and none on cpu / wasm.
 * Valid for x >= -1; our arguments are in [-1, C].
 */
export function log1p(x: tf.Tensor): tf.Tensor {
  // Horner: x (1 - x (1/2 - x (1/3 - x (1/4 - x (1/5 - x/6)))))
  let series = tf.sub(tf.scalar(1 / 5), tf.mul(x, tf.scalar(1 / 6)));
  for (const c of [1 / 4, 1 / 3, 1 / 2, 1]) series = tf.sub(tf.scalar(c), tf.mul(x, series));
  series = tf.mul(x, series);
  const u = tf.add(x, tf.scalar(1));
  const uMinus1 = tf.sub(u, tf.scalar(1));
  // uMinus1 is 0 only where |x| is below the series bound, so the division's 0/0 is never selected.
  const direct = tf.mul(tf.log(u), tf.div(x, uMinus1));
  return tf.where(tf.less(tf.abs(x), tf.scalar(LOG1P_SERIES_BOUND)), series, direct);
}

/**
 * f(v) = -log(1 - v) - v given s = -log(1 - v) (core's logOneMinusExcess): below v = 1/2 from
 * r = v / (2 - v), f = 2 r^2 / (1 + r) + 2 (r^3/3 + r^5/5 + ... + r^15/15) (every term >= 0; r <= 1/3,
 * so the dropped terms are below float32's precision); from 1/2 on, s - v loses at most two bits.
 */
export function logOneMinusExcess(v: tf.Tensor, s: tf.Tensor): tf.Tensor {
  const r = tf.div(v, tf.sub(tf.scalar(2), v));
  const r2 = tf.square(r);
  let horner = tf.scalar(1 / 15);
  for (const k of [13, 11, 9, 7, 5, 3]) horner = tf.add(tf.scalar(1 / k), tf.mul(r2, horner));
  const series = tf.add(tf.div(tf.mul(r2, tf.scalar(2)), tf.add(r, tf.scalar(1))), tf.mul(tf.mul(tf.mul(r, r2), horner), tf.scalar(2)));
  return tf.where(tf.less(v, tf.scalar(0.5)), series, tf.sub(s, v));
}

/** a * b where b may stand for 1 (null). */
export function mulMaybe(a: tf.Tensor, b: tf.Tensor | null): tf.Tensor {
  return b === null ? a : tf.mul(a, b);
}

const scratch = new DataView(new ArrayBuffer(4));

/** The float32 next to `value` (a float32) in the direction of `direction` (+1 or -1); finite, positive values only. */
function float32Step(value: number, direction: 1 | -1): number {
  scratch.setFloat32(0, value);
  scratch.setUint32(0, scratch.getUint32(0) + direction);
  return scratch.getFloat32(0);
}

/** The smallest float32 >= value (for finite positive value). */
export function float32AtLeast(value: number): number {
  const f = Math.fround(value);
  return f >= value ? f : float32Step(f, 1);
}

/** The largest float32 <= value (for finite positive value). */
export function float32AtMost(value: number): number {
  const f = Math.fround(value);
  return f <= value ? f : float32Step(f, -1);
}

export interface ClippedProbability {
  /** The probability clipped to [eps, 1 - eps] (as a float32: fround(1 - eps) on the high side). */
  readonly p: tf.Tensor;
  /** 1 - p: exact (eps itself where clipped high), never 1 - fround(1 - eps). */
  readonly q: tf.Tensor;
  /** log p, from the float64 constants log(eps) and log1p(-eps) where clipped. */
  readonly logP: tf.Tensor;
  /** log q, accurate for tiny p too. */
  readonly logQ: tf.Tensor;
  /** Where the clip is active (the gradient is 0 there). */
  readonly clipped: tf.Tensor;
}

/**
 * Clips probabilities to [eps, 1 - eps] as the contract does in float64, with the complement and
 * both logarithms taken from the original value rather than from the clipped float32 (as the ORT
 * graphs do): 1 - eps is not a float32, and fround(1 - 1e-7) = 1 - 1.19e-7, so log(fround(1 - eps))
 * is 19 % off -log1p(-eps), the loss of a probability of exactly 1 with target 1. The thresholds
 * are the float32s that give the same decision as the float64 comparison for every float32 input
 * (1 - eps rounded to float32 may lie above 1 - eps). NaN passes through unclipped.
 */
export function clipProbability(x: tf.Tensor, eps: number): ClippedProbability {
  const low = tf.less(x, tf.scalar(float32AtLeast(eps)));
  const high = tf.greater(x, tf.scalar(float32AtMost(1 - eps)));
  const p = tf.where(low, tf.scalar(eps), tf.where(high, tf.scalar(1 - eps), x));
  // q = clip(1 - x, eps, 1 - eps) from the original value: exact for x >= 1/2 (Sterbenz), and on
  // the high side eps itself.
  const q = tf.where(high, tf.scalar(eps), tf.sub(tf.scalar(1), p));
  // Both logs from float64 constants where clipped: log(eps), log1p(-eps).
  const logOfEps = tf.scalar(Math.log(eps));
  const logOfOneMinusEps = tf.scalar(Math.log1p(-eps));
  // Above 1/2, log p = log1p(-q) with q exact: a GPU's log() of a number near 1 is off in every digit.
  const logP = tf.where(
    low,
    logOfEps,
    tf.where(high, logOfOneMinusEps, tf.where(tf.greater(p, tf.scalar(0.5)), log1p(tf.neg(q)), tf.log(p))),
  );
  // For tiny p, q = 1 - p rounds (maybe to 1), so log1p(-p) carries p's information.
  const logQ = tf.where(high, logOfEps, tf.where(low, logOfOneMinusEps, log1p(tf.neg(p))));
  return { p, q, logP, logQ, clipped: tf.logicalOr(low, high) };
}
