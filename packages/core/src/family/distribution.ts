/**
 * Distribution Focal Loss (Li et al. 2020, GFL) is softmax cross-entropy against a two-hot target:
 * a continuous position y in [0, n] puts weight (left + 1 - y) on bin left = floor(y) and
 * y - left on bin left + 1, exactly mmdet's `distribution_focal_loss` (weight_left / weight_right).
 * So it needs no kernel of its own: build the target here, then call softmax_focal_loss with
 * gamma 0, alpha null and these probability targets (classes on the last axis).
 */
import { FocalLossError, describeValue } from '../errors.js';
import type { NumericOut } from '../fused-sigmoid.js';

/**
 * Writes the two-hot targets of `positions` (each in [0, bins - 1]) into `out`, row after row of
 * `bins` values (`out` must hold positions.length * bins; every entry is written). A position equal
 * to bins - 1 puts all its weight on the last bin (mmdet would index past it). NaN, infinities and
 * positions outside the range are INVALID_TARGET: a two-hot row must sum to 1.
 */
export function fillTwoHotTargets(positions: ArrayLike<number>, bins: number, out: NumericOut & { length: number }): void {
  if (!Number.isSafeInteger(bins) || bins < 1) {
    throw new FocalLossError('INVALID_OPTION', `bins must be an integer >= 1, got ${describeValue(bins)}`);
  }
  const n = positions.length;
  if (out.length !== n * bins) {
    throw new FocalLossError('SHAPE_MISMATCH', `two-hot target buffer has ${out.length} elements but ${n} positions of ${bins} bins need ${n * bins}`);
  }
  const last = bins - 1;
  for (let i = 0; i < n; i++) {
    const y = positions[i] as number;
    if (!(y >= 0 && y <= last)) {
      throw new FocalLossError('INVALID_TARGET', `position[${i}] = ${describeValue(y)} is outside [0, ${last}] (bins - 1)`);
    }
  }
  for (let i = 0; i < n; i++) {
    const y = positions[i] as number;
    const left = Math.min(Math.floor(y), last);
    const right = y - left; // exact: y and left are within a factor 2, or left = 0
    const row = i * bins;
    for (let c = 0; c < bins; c++) out[row + c] = 0;
    if (left === last) out[row + left] = 1;
    else {
      out[row + left] = left + 1 - y; // exact for the same reason
      out[row + left + 1] = right;
    }
  }
}

/** The two-hot targets of `positions` as a new Float64Array of positions.length * bins values. */
export function twoHotTargets(positions: ArrayLike<number>, bins: number): Float64Array {
  const count = positions.length * (Number.isSafeInteger(bins) && bins >= 1 ? bins : 0);
  const out = new Float64Array(count);
  fillTwoHotTargets(positions, bins, out);
  return out;
}
