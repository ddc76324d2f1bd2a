/**
 * The focal-loss family over Float32Array / Float64Array (issue 15): one function per variant,
 * each "plan, check targets, run the core's fused loop" (./run.ts). Targets have the input's shape:
 * floats in [0, 1] (soft / IoU targets) or an Int32Array of 0/1 labels; asymmetricLoss takes 0/1
 * labels only. The formulas, defaults and their reference implementations: core's docs/math.md.
 */
import {
  asymmetricLoop,
  type FamilyLoopBase,
  type FamilyOpName,
  type FamilyPlan,
  focalLossStarLoop,
  qualityFocalLoop,
  varifocalLoop,
  type AsymmetricLossOptions,
  type FocalLossStarOptions,
  type QualityFocalLossOptions,
  type VarifocalLossOptions,
} from '@focal-loss/core';
import type { CallOptions, FloatArray, FocalLossResult, TensorView } from '../types.js';
import { runFamilyOp } from './run.js';

export type FocalLossStarCallOptions = FocalLossStarOptions & CallOptions;
export type QualityFocalLossCallOptions = QualityFocalLossOptions & CallOptions;
export type VarifocalLossCallOptions = VarifocalLossOptions & CallOptions;
export type AsymmetricLossCallOptions = AsymmetricLossOptions & CallOptions;

type Target = TensorView<ArrayLike<number>>;

/**
 * Each variant's core loop from the base params and the plan's options: one table, used by the
 * ops below and by the pool's workers (over blocks: `begin`/`end` in the base).
 */
export const FAMILY_LOOPS: { readonly [Op in FamilyOpName]: (base: FamilyLoopBase, options: FamilyPlan<Op>['options']) => number } = {
  sigmoid_focal_loss_star: (base, o) => {
    const [alphaPos, alphaNeg] = o.alpha === null ? [1, 1] : [o.alpha, 1 - o.alpha];
    return focalLossStarLoop({ ...base, gamma: o.gamma, beta: o.beta, alphaPos, alphaNeg });
  },
  quality_focal_loss: (base, o) => qualityFocalLoop({ ...base, beta: o.beta }),
  varifocal_loss: (base, o) => varifocalLoop({ ...base, alpha: o.alpha, gamma: o.gamma, iouWeighted: o.iouWeighted }),
  asymmetric_loss: (base, o) => asymmetricLoop({ ...base, gammaPos: o.gammaPos, gammaNeg: o.gammaNeg, clip: o.clip }),
};

/** FL* (RetinaNet paper, appendix A; fvcore `sigmoid_focal_loss_star`): alpha_t softplus(-(gamma x_t + beta)) / gamma. */
export function sigmoidFocalLossStar<T extends FloatArray>(
  input: TensorView<T>,
  target: Target,
  options: FocalLossStarCallOptions = {},
): FocalLossResult<T> {
  return runFamilyOp('sigmoid_focal_loss_star', input, target, options, (base, plan) => FAMILY_LOOPS.sigmoid_focal_loss_star(base, plan.options));
}

/** Quality Focal Loss (GFL; mmdet `QualityFocalLoss` with dense targets): |t - p|^beta ce(x, t). */
export function qualityFocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: Target,
  options: QualityFocalLossCallOptions = {},
): FocalLossResult<T> {
  return runFamilyOp('quality_focal_loss', input, target, options, (base, plan) => FAMILY_LOOPS.quality_focal_loss(base, plan.options));
}

/** Varifocal Loss (VarifocalNet; mmdet `VarifocalLoss`): t ce for t > 0, alpha p^gamma ce for t = 0. */
export function varifocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: Target,
  options: VarifocalLossCallOptions = {},
): FocalLossResult<T> {
  return runFamilyOp('varifocal_loss', input, target, options, (base, plan) => FAMILY_LOOPS.varifocal_loss(base, plan.options));
}

/** Asymmetric Loss (Ridnik et al.; Alibaba-MIIL/ASL `AsymmetricLoss`) over 0/1 multi-label targets. */
export function asymmetricLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: Target,
  options: AsymmetricLossCallOptions = {},
): FocalLossResult<T> {
  return runFamilyOp('asymmetric_loss', input, target, options, (base, plan) => FAMILY_LOOPS.asymmetric_loss(base, plan.options));
}
