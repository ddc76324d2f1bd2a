import { FocalLossError, describeValue } from './errors.js';

/**
 * Target checks run over the whole target before any loss is computed, so a bad value never leaves
 * a half-written output behind. NaN is not a valid target (unlike NaN in the input, which
 * propagates): a NaN label is a data bug the caller wants to hear about.
 */
export function checkUnitIntervalTargets(target: ArrayLike<number>, what = 'target'): void {
  for (let i = 0; i < target.length; i++) {
    const t = target[i] as number;
    if (!(t >= 0 && t <= 1)) {
      throw new FocalLossError(
        'INVALID_TARGET',
        `${what}[${i}] = ${describeValue(t)} is outside [0, 1]`,
      );
    }
  }
}

/**
 * Checks class indices against C classes and `ignoreIndex`; returns the number of counted
 * (not ignored) positions, which is what `reduction: "mean"` divides by.
 */
export function checkClassIndexTargets(
  target: ArrayLike<number>,
  classes: number,
  ignoreIndex: number | null,
): number {
  let counted = 0;
  for (let i = 0; i < target.length; i++) {
    const k = target[i] as number;
    if (k === ignoreIndex) continue;
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      throw new FocalLossError(
        'INVALID_TARGET',
        `target[${i}] = ${describeValue(k)} is not a class index in [0, ${classes})` +
          (ignoreIndex === null ? '' : ` nor ignoreIndex ${ignoreIndex}`),
      );
    }
    counted++;
  }
  return counted;
}

/** Integer sigmoid targets (int32 or bool, contract 1.1): 0 or 1, the same as the floats 0 and 1. */
export function checkBinaryTargets(target: ArrayLike<number | boolean>, what = 'target'): void {
  for (let i = 0; i < target.length; i++) {
    const t = target[i];
    if (t !== 0 && t !== 1 && t !== true && t !== false) {
      throw new FocalLossError(
        'INVALID_TARGET',
        `${what}[${i}] = ${describeValue(t)} is not 0 or 1 (integer sigmoid targets are binary labels)`,
      );
    }
  }
}
