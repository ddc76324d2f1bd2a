export {
  sigmoidFocalLossStar,
  qualityFocalLoss,
  varifocalLoss,
  asymmetricLoss,
  type FocalLossStarTensorOptions,
  type QualityFocalLossTensorOptions,
  type VarifocalLossTensorOptions,
  type AsymmetricLossTensorOptions,
} from './ops.js';
export { distributionFocalLoss, type DistributionFocalLossOptions } from './distribution.js';
export { FAMILY_KERNEL_TABLE } from './kernel-table.js';
export { twoHotTargets } from '@focal-loss/core';
