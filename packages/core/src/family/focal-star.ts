/**
 * FL*, the focal-loss variant of Lin et al. 2017 (arXiv:1708.02002, appendix A), as fvcore's
 * `sigmoid_focal_loss_star` computes it, with the paper's shift beta:
 *   z    = gamma x (2t - 1) + beta           (x_t = x for t = 1, -x for t = 0; linear in soft t)
 *   loss = alpha_t softplus(-z) / gamma      (= -log sigmoid(z) / gamma)
 *   d/dx = -alpha_t (2t - 1) sigmoid(-z)
 * softplus(-z) and sigmoid(-z) come from one exp(-|z|), so both are exact to an ulp at any z,
 * including |z| = gamma * 1e4; the gradient involves no pow and no 1 - p.
 */
import { createElementResult, type ElementResult } from '../sigmoid-math.js';
import { expNeg, log1pUnit } from '../kernels.js';
import { runFamilyLoop, type FamilyLoopBase } from './loop.js';

/**
 * One element. `alphaPos` / `alphaNeg` are (alpha, 1 - alpha), or (1, 1) without alpha.
 * At x = +-Infinity, z is +-Infinity (its sign that of x (2t - 1)), or beta when t = 1/2.
 */
export function focalLossStarElement(
  x: number,
  t: number,
  gamma: number,
  beta: number,
  alphaPos: number,
  alphaNeg: number,
  out: ElementResult,
): void {
  const s = 2 * t - 1;
  let z: number;
  if (x === Infinity || x === -Infinity) z = s === 0 ? beta : (x > 0) === (s > 0) ? Infinity : -Infinity;
  else z = gamma * s * x + beta;
  const e = expNeg(Math.abs(z)); // exp(-|z|); Math.exp inside for |z| >= 708, Infinity and NaN
  let softplusNegZ: number; // -log sigmoid(z)
  let sigmoidNegZ: number; // sigmoid(-z) = 1 - sigmoid(z)
  if (z >= 0) {
    softplusNegZ = log1pUnit(e);
    sigmoidNegZ = e / (1 + e);
  } else {
    // also NaN, which then flows through both results
    softplusNegZ = log1pUnit(e) - z;
    sigmoidNegZ = 1 / (1 + e);
  }
  const alphaT = alphaPos * t + alphaNeg * (1 - t);
  // alpha_t = 0 times the limit +Infinity is 0 (contract 1.1), not NaN
  out.loss = alphaT === 0 && softplusNegZ === Infinity ? 0 : (alphaT * softplusNegZ) / gamma;
  out.grad = -alphaT * s * sigmoidNegZ;
}

export interface FocalLossStarLoopParams extends FamilyLoopBase {
  readonly gamma: number;
  readonly beta: number;
  readonly alphaPos: number;
  readonly alphaNeg: number;
}

const element = createElementResult();

/** The fused loop of FL*; returns the compensated sum of weighted losses when lossOut is null. */
export function focalLossStarLoop(params: FocalLossStarLoopParams): number {
  const { gamma, beta, alphaPos, alphaNeg } = params;
  return runFamilyLoop(params, (x, t, out) => focalLossStarElement(x, t, gamma, beta, alphaPos, alphaNeg, out), element);
}
