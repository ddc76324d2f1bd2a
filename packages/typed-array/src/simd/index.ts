/**
 * `@focal-loss/typed-array/simd`: the typed-array ops computed by a WebAssembly SIMD kernel for
 * Float32Array inputs, with the scalar loops as the fallback (no SIMD, or float64 inputs).
 */
export { sigmoidFocalLoss, softmaxFocalLoss, initSimd, simdStatus } from './ops.js';
export { simdSupported } from './feature.js';
/**
 * The focal-loss family (issue 15): the main entry's scalar ops, re-exported so this entry offers
 * the same API. There is no SIMD kernel for them: they run the core's float64 loops (one pass,
 * compensated sum), so their results are exactly those of `@focal-loss/typed-array`.
 */
export {
  sigmoidFocalLossStar,
  qualityFocalLoss,
  varifocalLoss,
  asymmetricLoss,
  distributionFocalLoss,
  twoHotTargets,
  type FocalLossStarCallOptions,
  type QualityFocalLossCallOptions,
  type VarifocalLossCallOptions,
  type AsymmetricLossCallOptions,
  type DistributionFocalLossOptions,
} from '../family/index.js';
/** The options beyond the contract's 1.1 base these ops implement (core's AdapterDeclaration). */
export { SIMD_DECLARATION } from './prepare.js';
export type { SigmoidCallOptions } from '../sigmoid.js';
export type { SoftmaxCallOptions } from '../softmax.js';
export type { FloatArray, TensorView, OutputBuffers, CallOptions, FocalLossResult } from '../types.js';
export { FocalLossError, isFocalLossError, type FocalLossErrorCode } from '@focal-loss/core';
