export {
  FAMILY_OPS,
  FAMILY_DEFAULTS,
  FAMILY_OPTION_NAMES,
  isFamilyOp,
  resolveFamilyOptions,
  splitFamilyCallOptions,
  type FamilyOpName,
  type FamilyCommonOptions,
  type FocalLossStarOptions,
  type QualityFocalLossOptions,
  type VarifocalLossOptions,
  type AsymmetricLossOptions,
  type FamilyOptionsByOp,
  type ResolvedFamilyOptionsByOp,
  type ResolvedFamilyCommon,
  type ResolvedFocalLossStarOptions,
  type ResolvedQualityFocalLossOptions,
  type ResolvedVarifocalLossOptions,
  type ResolvedAsymmetricLossOptions,
} from './options.js';
export { planFamilyCall, checkFamilyTargets, type FamilyPlan } from './plan.js';
export { type FamilyLoopBase } from './loop.js';
export { focalLossStarElement, focalLossStarLoop, type FocalLossStarLoopParams } from './focal-star.js';
export { qualityFocalElement, qualityFocalLoop, type QualityFocalLoopParams } from './quality-focal.js';
export { varifocalElement, varifocalLoop, type VarifocalLoopParams } from './varifocal.js';
export { asymmetricElement, asymmetricLoop, type AsymmetricLoopParams } from './asymmetric.js';
export { fillTwoHotTargets, twoHotTargets } from './distribution.js';
