/**
 * The comparison rule of the fixture format: |actual - expected| <= atol + rtol |expected| element
 * by element; NaN matches only NaN, an infinity only the same infinity; shapes must match exactly.
 */
import type { ExpectedOutput, Tolerance } from './adapter.js';

export interface OutputComparison {
  /** Largest |actual - expected| over finite pairs (Infinity when a non-finite value mismatches). */
  readonly maxAbsError: number;
  /** Largest |actual - expected| / |expected| over finite pairs with expected != 0. */
  readonly maxRelError: number;
  /** Largest |actual - expected| / (atol + rtol |expected|): <= 1 passes. */
  readonly worstRatio: number;
  /** The first element that fails, for the failure reason. */
  readonly firstFailure?: { index: number; actual: number; expected: number };
  /** Set when the shapes differ: then nothing else was compared. */
  readonly shapeMismatch?: string;
}

/**
 * The float16 tier: an adapter whose precision is 'float16' (e.g. TF.js WebGL with half-float
 * textures, what phones without float32 render targets get) is judged with
 *   |a - e| <= rtol |e| + atolFactor max|e|      (max over the output's finite expected values)
 * instead of the fixture's tolerance: TF.js's own 1e-1 for float16 backends, scaled to the output so
 * tiny elements next to large ones are judged against the output's size. NaN and infinities must
 * still match exactly, so the output is finite wherever the reference is. Error fixtures are unchanged.
 */
export const FLOAT16_TOLERANCE = Object.freeze({ rtol: 1e-1, atolFactor: 1e-1 });

/** The float16 tier's tolerance for one expected output. */
export function float16Tolerance(expected: ExpectedOutput): Tolerance {
  let largest = 0;
  for (const v of expected.data) if (Number.isFinite(v)) largest = Math.max(largest, Math.abs(v));
  return { rtol: FLOAT16_TOLERANCE.rtol, atol: FLOAT16_TOLERANCE.atolFactor * largest };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function compareOutput(
  actual: { readonly shape: readonly number[]; readonly data: ArrayLike<number> },
  expected: ExpectedOutput,
  tolerance: Tolerance,
): OutputComparison {
  if (!sameShape(actual.shape, expected.shape) || actual.data.length !== expected.data.length) {
    return {
      maxAbsError: Infinity,
      maxRelError: Infinity,
      worstRatio: Infinity,
      shapeMismatch: `shape [${actual.shape.join(', ')}] (${actual.data.length} values), expected [${expected.shape.join(', ')}]`,
    };
  }
  let maxAbsError = 0;
  let maxRelError = 0;
  let worstRatio = 0;
  let firstFailure: OutputComparison['firstFailure'];
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i] as number;
    const e = expected.data[i] as number;
    let ratio: number;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      ratio = Number.isNaN(e) && Number.isNaN(a) ? 0 : Infinity;
    } else if (!Number.isFinite(e) || !Number.isFinite(a)) {
      ratio = a === e ? 0 : Infinity;
    } else {
      const diff = Math.abs(a - e);
      maxAbsError = Math.max(maxAbsError, diff);
      if (e !== 0) maxRelError = Math.max(maxRelError, diff / Math.abs(e));
      const allowed = tolerance.atol + tolerance.rtol * Math.abs(e);
      ratio = diff === 0 ? 0 : allowed > 0 ? diff / allowed : Infinity;
    }
    if (ratio === Infinity) maxAbsError = Infinity;
    if (ratio > 1 && firstFailure === undefined) firstFailure = { index: i, actual: a, expected: e };
    if (ratio > worstRatio) worstRatio = ratio;
  }
  return firstFailure === undefined
    ? { maxAbsError, maxRelError, worstRatio }
    : { maxAbsError, maxRelError, worstRatio, firstFailure };
}
