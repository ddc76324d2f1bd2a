export { sigmoidFocalLoss, type SigmoidFocalLossTensorOptions } from './sigmoid.js';
export { softmaxFocalLoss, type SoftmaxFocalLossTensorOptions } from './softmax.js';
export {
  sigmoidFocalLossFn,
  softmaxFocalLossFn,
  COMPILE_FROM_LOGITS_DEFAULT,
  type CompileLoss,
} from './compile-loss.js';
export type { TensorCallOptions } from './tensor-checks.js';
export { FocalLossError, isFocalLossError, type FocalLossErrorCode } from '@focal-loss/core';
