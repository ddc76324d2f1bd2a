export { sigmoidFocalLoss, type SigmoidCallOptions } from './sigmoid.js';
export { softmaxFocalLoss, type SoftmaxCallOptions } from './softmax.js';
export type {
  FloatArray,
  Float16ArrayLike,
  InputArray,
  TensorView,
  OutputBuffers,
  CallOptions,
  FocalLossResult,
} from './types.js';
export { FocalLossError, isFocalLossError, type FocalLossErrorCode } from '@focal-loss/core';
// the focal-loss family (issue 15)
export * from './family/index.js';
// what the scalar ops implement beyond the contract's 1.1 base (the conformance adapters skip the rest)
export { SCALAR_OPS_DECLARATION } from './prepare.js';
// float16 inputs (issue 14): Float16Array taken by the scalar ops; binary16 bits widened exactly to float32 before a call
export { fromFloat16, float16Tensor, halfBitsToNumber, isFloat16Array, FLOAT16_INPUTS } from './float16.js';
