/**
 * `@focal-loss/typed-array/simd`: the typed-array ops computed by a WebAssembly SIMD kernel for
 * Float32Array inputs, with the scalar loops as the fallback (no SIMD, or float64 inputs).
 */
export { sigmoidFocalLoss, softmaxFocalLoss, initSimd, simdStatus } from './ops.js';
export { simdSupported } from './feature.js';
/** The options beyond the contract's 1.1 base these ops implement (core's AdapterDeclaration). */
export { SIMD_DECLARATION } from './prepare.js';
export type { SigmoidCallOptions } from '../sigmoid.js';
export type { SoftmaxCallOptions } from '../softmax.js';
export type { FloatArray, TensorView, OutputBuffers, CallOptions, FocalLossResult } from '../types.js';
export { FocalLossError, isFocalLossError, type FocalLossErrorCode } from '@focal-loss/core';
