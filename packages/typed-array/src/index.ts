export { sigmoidFocalLoss, type SigmoidCallOptions } from './sigmoid.js';
export { softmaxFocalLoss, type SoftmaxCallOptions } from './softmax.js';
export type { FloatArray, TensorView, OutputBuffers, CallOptions, FocalLossResult } from './types.js';
export { FocalLossError, isFocalLossError, type FocalLossErrorCode } from '@focal-loss/core';
// the focal-loss family (issue 15)
export * from './family/index.js';
