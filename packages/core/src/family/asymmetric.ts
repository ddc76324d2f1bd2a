/**
 * Asymmetric Loss (Ridnik et al., ICCV 2021, arXiv:2009.14119), as Alibaba-MIIL/ASL's
 * `AsymmetricLoss` (src/loss_functions/losses.py) computes it for binary multi-label targets, with
 * the gradient of the loss itself (that file's focal weight takes part in autograd):
 *   t = 1:  loss = q^gp softplus(-x)                     d/dx = -q^gp (gp p softplus(-x) + q)
 *   t = 0:  p_m  = max(p - m, 0)   (the "clip": probability margin m)
 *           loss = p_m^gn (-log(1 - p_m))                d/dx = p q p_m^gn (gn (-log(1 - p_m)) / p_m + 1 / (1 - p_m))
 *           (p_m = 0: loss 0, gradient 0);  m = 0 is the focal negative p^gn softplus(x).
 * -log(1 - p_m) is log1p(-p_m) while p_m < 1/2 (no cancellation when p is just above m), else
 * -log(q + m); (-log(1 - p_m)) / p_m -> 1 keeps gn < 1 finite. Unlike the reference, log p is not
 * clamped at 1e-8: we compute it from the logit, so the loss keeps growing past x = -18.4.
 */
import { createElementResult, type ElementResult } from '../sigmoid-math.js';
import { createLogistic, logistic, powFamily } from './logistic.js';
import { runFamilyLoop, type FamilyLoopBase } from './loop.js';

const l = createLogistic();

export function asymmetricElement(
  x: number,
  t: number,
  gammaPos: number,
  gammaNeg: number,
  clip: number,
  out: ElementResult,
): void {
  if (t === 1) {
    if (x === Infinity || x === -Infinity) {
      out.loss = x > 0 ? 0 : Infinity;
      out.grad = x > 0 ? 0 : -1; // -q^gp (gp p softplus(-x) + q) with p softplus(-x) -> 0, q -> 1
      return;
    }
    logistic(x, l);
    const focal = powFamily(l.q, gammaPos);
    out.loss = focal * l.softplusNeg;
    out.grad = -focal * (gammaPos * l.p * l.softplusNeg + l.q);
    return;
  }
  if (x === -Infinity) {
    out.loss = 0;
    out.grad = 0;
    return;
  }
  if (clip === 0) {
    if (x === Infinity) {
      out.loss = Infinity;
      out.grad = 1; // p^gn (gn q softplus(x) + p) with q softplus(x) -> 0
      return;
    }
    logistic(x, l);
    const focal = powFamily(l.p, gammaNeg);
    out.loss = focal * l.softplusPos;
    out.grad = focal * (gammaNeg * l.q * l.softplusPos + l.p);
    return;
  }
  // With a margin every piece stays finite at x = +Infinity (p = 1, q = 0, 1 - p_m = m > 0).
  logistic(x === Infinity ? Number.MAX_VALUE : x, l);
  const { p, q } = l;
  if (!(p > clip)) {
    // p <= m: the reference's clamp(1 - p + m, max = 1) makes the loss 0; NaN stays NaN
    out.loss = p <= clip ? 0 : NaN;
    out.grad = out.loss;
    return;
  }
  const pm = p - clip; // > 0; exact while p <= 2m (Sterbenz)
  const oneMinusPm = q + clip;
  const nlog = pm < 0.5 ? -Math.log1p(-pm) : -Math.log(oneMinusPm);
  const focal = powFamily(pm, gammaNeg);
  out.loss = focal * nlog;
  out.grad = p * q * focal * (gammaNeg * (nlog / pm) + 1 / oneMinusPm);
}

export interface AsymmetricLoopParams extends FamilyLoopBase {
  readonly gammaPos: number;
  readonly gammaNeg: number;
  readonly clip: number;
}

const element = createElementResult();

/** The fused loop of ASL; returns the compensated sum of weighted losses when lossOut is null. */
export function asymmetricLoop(params: AsymmetricLoopParams): number {
  const { gammaPos, gammaNeg, clip } = params;
  return runFamilyLoop(params, (x, t, out) => asymmetricElement(x, t, gammaPos, gammaNeg, clip, out), element);
}
