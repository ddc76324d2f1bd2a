/**
 * Everything of @focal-loss/tfjs without side effects: the losses run the composite formulation
 * unless the fused kernels are registered (the main entry registers them; so does
 * `import '@focal-loss/tfjs/register-kernels'`).
 */
export { sigmoidFocalLoss, type SigmoidFocalLossTensorOptions } from './sigmoid.js';
export { softmaxFocalLoss, type SoftmaxFocalLossTensorOptions } from './softmax.js';
export {
  sigmoidFocalLossFn,
  softmaxFocalLossFn,
  sparseSoftmaxFocalLossFn,
  COMPILE_FROM_LOGITS_DEFAULT,
  type CompileLoss,
} from './compile-loss.js';
export {
  recordFocalLoss,
  restoreFocalLoss,
  focalLossFromSpec,
  FOCAL_LOSS_METADATA_KEY,
  type FocalLossSpec,
  type ModelWithMetadata,
} from './saved-loss.js';
export { TENSOR_OPTION_NAMES, TFJS_DECLARATION, type TensorCallOptions } from './call-plan.js';
export { accurateSum } from './accurate-sum.js';
export { computesInFloat16 } from './precision-warning.js';
export {
  SIGMOID_FOCAL_LOSS,
  SOFTMAX_FOCAL_LOSS,
  type FocalLossInputs,
  type SigmoidFocalLossAttrs,
  type SoftmaxFocalLossAttrs,
} from './kernels/kernel-names.js';
export { FocalLossError, isFocalLossError, type FocalLossErrorCode } from '@focal-loss/core';
// the focal-loss family (issue 15)
export * from './family/index.js';
