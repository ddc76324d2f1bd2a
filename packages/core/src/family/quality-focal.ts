/**
 * Quality Focal Loss (Li et al., Generalized Focal Loss, NeurIPS 2020, arXiv:2006.04388), in the
 * dense form of mmdet's `quality_focal_loss_tensor_target` (a one-hot label times its IoU score,
 * shown equal to the (label, score) form by mmdet's own test):
 *   d    = t - p,   written t q - (1 - t) p: exact-signed and without cancellation for t in {0, 1}
 *   ce   = t softplus(-x) + (1 - t) softplus(x)
 *   loss = |d|^beta ce
 *   d/dx = -|d|^beta (d + beta p q ce / d)      (dd/dx = -p q, dce/dx = -d)
 * At d = 0 the gradient is 0 (for beta > 1 the derivative; for beta <= 1 the loss has a cusp
 * there and 0 is the choice of torch's autograd, abs'(0) = 0). For beta < 1 and t strictly
 * inside (0, 1) the derivative really is unbounded as p -> t: that is the loss, not rounding.
 * p q / d is evaluated as (p q / d) ce, which stays finite at saturation (t = 1: p q / q = p).
 */
import { createElementResult, type ElementResult } from '../sigmoid-math.js';
import { createLogistic, logistic, powFamily } from './logistic.js';
import { runFamilyLoop, type FamilyLoopBase } from './loop.js';

const l = createLogistic();

export function qualityFocalElement(x: number, t: number, beta: number, out: ElementResult): void {
  const t1 = 1 - t;
  if (x === Infinity || x === -Infinity) {
    // p -> 1 (or 0): d -> -(1 - t) (or t); the term p q ce / d is O(|x| e^-|x|) -> 0
    const d = x > 0 ? -t1 : t;
    if (d === 0) {
      out.loss = 0;
      out.grad = 0;
      return;
    }
    const m = powFamily(Math.abs(d), beta);
    out.loss = Infinity;
    out.grad = -m * d;
    return;
  }
  logistic(x, l);
  const { p, q } = l;
  const d = t * q - t1 * p;
  const ce = t * l.softplusNeg + t1 * l.softplusPos;
  const m = powFamily(Math.abs(d), beta);
  out.loss = m * ce;
  out.grad = d === 0 ? 0 : -m * (d + beta * ((p * q) / d) * ce);
}

export interface QualityFocalLoopParams extends FamilyLoopBase {
  readonly beta: number;
}

const element = createElementResult();

/** The fused loop of QFL; returns the compensated sum of weighted losses when lossOut is null. */
export function qualityFocalLoop(params: QualityFocalLoopParams): number {
  const { beta } = params;
  return runFamilyLoop(params, (x, t, out) => qualityFocalElement(x, t, beta, out), element);
}
