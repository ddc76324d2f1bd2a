/**
 * The class axis of `sigmoid_focal_loss` (issue 14), which only two things need: a per-class
 * `posWeight` (kornia, BCEWithLogitsLoss(pos_weight)) and int32 class-index targets (mmdet, Detectron2:
 * one label per position, one-hot over the C classes, label C = background = all zeros). Also the target
 * checks of sigmoid with `ignoreIndex`, which return how many elements a "mean" counts.
 */
import { FocalLossError, describeShape, describeValue } from './errors.js';
import type { Shape } from './shapes.js';

export interface SigmoidClassLayout {
  /** The class axis, normalised to [0, rank). */
  readonly axis: number;
  readonly outer: number;
  readonly classes: number;
  /** Elements after the class axis: the stride between classes. Element i has class floor(i / inner) % classes. */
  readonly inner: number;
}

/** The class axis `axis` of a sigmoid input; SHAPE_MISMATCH for a scalar input or an axis out of range. */
export function sigmoidClassLayout(inputShape: Shape, axis: number, needs: string): SigmoidClassLayout {
  const rank = inputShape.length;
  if (rank === 0 || axis < -rank || axis >= rank) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `${needs} needs a class axis, but axis ${axis} is out of range for input shape ${describeShape(inputShape)} (rank ${rank})`,
    );
  }
  const ax = axis < 0 ? axis + rank : axis;
  const outer = inputShape.slice(0, ax).reduce((a, b) => a * b, 1);
  const inner = inputShape.slice(ax + 1).reduce((a, b) => a * b, 1);
  return { axis: ax, outer, classes: inputShape[ax] as number, inner };
}

/** The value an ignored element of expanded class-index targets holds: never 0 or 1, whatever ignoreIndex is. */
export const EXPANDED_IGNORED = 2;

/**
 * Dense 0/1 targets of the input's size from class indices (one per position): 1 at the label's class,
 * 0 elsewhere (label C: all 0, background), EXPANDED_IGNORED at every element of an ignored position.
 * The fused loop then reads them as binary targets with `ignoreIndex: EXPANDED_IGNORED`.
 */
export function expandClassIndexTargets(
  labels: ArrayLike<number>,
  layout: SigmoidClassLayout,
  ignoreIndex: number | null,
): Int32Array {
  const { outer, classes, inner } = layout;
  const dense = new Int32Array(outer * classes * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const label = labels[o * inner + i] as number;
      const base = o * classes * inner + i;
      if (label === ignoreIndex) {
        for (let c = 0; c < classes; c++) dense[base + c * inner] = EXPANDED_IGNORED;
      } else if (label < classes) {
        dense[base + label * inner] = 1;
      }
    }
  }
  return dense;
}

function outOfRange(i: number, value: unknown, rule: string, ignoreIndex: number | null): FocalLossError {
  return new FocalLossError(
    'INVALID_TARGET',
    `target[${i}] = ${describeValue(value)} ${rule}` + (ignoreIndex === null ? '' : ` nor ignoreIndex ${ignoreIndex}`),
  );
}

/**
 * Step 7 for sigmoid targets of the input's shape with an ignoreIndex: float targets in [0, 1], integer
 * targets 0 or 1, or equal to ignoreIndex. Returns the number of elements that are not ignored.
 */
export function checkSigmoidTargetsIgnoring(
  target: ArrayLike<number | boolean>,
  kind: 'float' | 'binary',
  ignoreIndex: number,
): number {
  let counted = 0;
  for (let i = 0; i < target.length; i++) {
    const t = target[i];
    if (t === ignoreIndex) continue;
    const ok = kind === 'float' ? typeof t === 'number' && t >= 0 && t <= 1 : t === 0 || t === 1 || t === true || t === false;
    if (!ok) throw outOfRange(i, t, kind === 'float' ? 'is outside [0, 1]' : 'is not 0 or 1', ignoreIndex);
    counted++;
  }
  return counted;
}

/**
 * Step 7 for class-index targets: integers in [0, C] (C = background) or equal to ignoreIndex. Returns
 * the number of counted elements: C per position that is not ignored.
 */
export function checkSigmoidClassIndexTargets(labels: ArrayLike<number>, classes: number, ignoreIndex: number | null): number {
  let positions = 0;
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i] as number;
    if (k === ignoreIndex) continue;
    if (!Number.isInteger(k) || k < 0 || k > classes) {
      throw outOfRange(i, k, `is not a class index in [0, ${classes}] (${classes} = background)`, ignoreIndex);
    }
    positions++;
  }
  return positions * classes;
}
