/**
 * Varifocal Loss (Zhang et al., VarifocalNet, CVPR 2021, arXiv:2008.13367), as mmdet's
 * `varifocal_loss` computes it (its focal weight is not detached, so the negatives' gradient goes
 * through p^gamma):
 *   t > 0 (positive, t the IoU):  loss = w ce(x, t),          w = t (iouWeighted) or 1
 *                                 d/dx = w (p - t),           p - t written p (1 - t) - q t
 *   t = 0 (negative):             loss = alpha p^gamma softplus(x)
 *                                 d/dx = alpha p^gamma (gamma q softplus(x) + p)
 * The negatives' gradient has p^gamma q where autograd of |p - t|^gamma has p^(gamma - 1): finite
 * for gamma in [0, 1) (torch gives NaN at p = 0 there).
 */
import { createElementResult, type ElementResult } from '../sigmoid-math.js';
import { createLogistic, logistic, powFamily } from './logistic.js';
import { runFamilyLoop, type FamilyLoopBase } from './loop.js';

const l = createLogistic();

export function varifocalElement(
  x: number,
  t: number,
  alpha: number,
  gamma: number,
  iouWeighted: boolean,
  out: ElementResult,
): void {
  const infinite = x === Infinity || x === -Infinity;
  if (t > 0) {
    const w = iouWeighted ? t : 1;
    const t1 = 1 - t;
    if (infinite) {
      const gap = x > 0 ? t1 : t; // the limit of |p - t|, 0 only when the prediction is exact
      out.loss = gap === 0 ? 0 : Infinity;
      out.grad = x > 0 ? w * t1 : -w * t;
      return;
    }
    logistic(x, l);
    out.loss = w * (t * l.softplusNeg + t1 * l.softplusPos);
    out.grad = w * (l.p * t1 - l.q * t);
    return;
  }
  if (infinite) {
    // x = +Infinity: p = 1, loss alpha * Infinity, gradient alpha (q softplus(x) -> 0);
    // x = -Infinity: p^gamma softplus(x) -> 0 and its derivative too
    out.loss = x > 0 && alpha !== 0 ? Infinity : 0;
    out.grad = x > 0 ? alpha : 0;
    return;
  }
  logistic(x, l);
  const focal = alpha * powFamily(l.p, gamma);
  out.loss = focal * l.softplusPos;
  out.grad = focal * (gamma * l.q * l.softplusPos + l.p);
}

export interface VarifocalLoopParams extends FamilyLoopBase {
  readonly alpha: number;
  readonly gamma: number;
  readonly iouWeighted: boolean;
}

const element = createElementResult();

/** The fused loop of VFL; returns the compensated sum of weighted losses when lossOut is null. */
export function varifocalLoop(params: VarifocalLoopParams): number {
  const { alpha, gamma, iouWeighted } = params;
  return runFamilyLoop(params, (x, t, out) => varifocalElement(x, t, alpha, gamma, iouWeighted, out), element);
}
