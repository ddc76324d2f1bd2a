export {
  sigmoidFocalLossStar,
  qualityFocalLoss,
  varifocalLoss,
  asymmetricLoss,
  type FocalLossStarCallOptions,
  type QualityFocalLossCallOptions,
  type VarifocalLossCallOptions,
  type AsymmetricLossCallOptions,
} from './ops.js';
export { distributionFocalLoss, type DistributionFocalLossOptions } from './distribution.js';
export { twoHotTargets } from '@focal-loss/core';
