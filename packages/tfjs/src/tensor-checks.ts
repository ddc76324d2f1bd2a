/**
 * Host-side checks of the tensors a loss receives. They run before any kernel, so a bad call never
 * starts work on the backend and always throws a FocalLossError with the core's codes.
 */
import { FocalLossError, describeValue } from '@focal-loss/core';
import * as tf from '@tensorflow/tfjs-core';

/** What the TensorFlow.js losses accept besides the core's loss options. */
export interface TensorCallOptions {
  /** Per-position weights with the shape of the unreduced loss (float32). Default none. */
  weight?: tf.Tensor | null;
  /**
   * Check every target value on the host (INVALID_TARGET): sigmoid targets and probability targets
   * in [0, 1], class indices in [0, C) or equal to `ignoreIndex`. Off by default because it reads the
   * target back with `dataSync()`, which stalls an asynchronous backend (webgl, webgpu).
   */
  checkTargets?: boolean;
}

export function requireTensor(value: unknown, name: string): tf.Tensor {
  if (!(value instanceof tf.Tensor)) {
    throw new FocalLossError('INVALID_OPTION', `${name} must be a tf.Tensor, got ${describeValue(value)}`);
  }
  if (value.isDisposed) {
    throw new FocalLossError('INVALID_OPTION', `${name} is a disposed tf.Tensor (shape [${value.shape.join(', ')}])`);
  }
  return value;
}

/** The losses compute in float32, the dtype every backend supports; other dtypes are refused, not cast. */
export function requireFloat32(tensor: tf.Tensor, name: string): void {
  if (tensor.dtype !== 'float32') {
    throw new FocalLossError('INVALID_OPTION', `${name} must be a float32 tensor, got dtype ${describeValue(tensor.dtype)}`);
  }
}

/** Splits the adapter's own options from the core's loss options (which reject unknown names). */
export function splitCallOptions<T extends object>(
  options: (T & TensorCallOptions) | undefined | null,
): { weight: tf.Tensor | null; checkTargets: boolean; lossOptions: unknown } {
  if (options === undefined || options === null || typeof options !== 'object' || Array.isArray(options)) {
    // Let the core's resolver produce its INVALID_OPTION message for non-objects.
    return { weight: null, checkTargets: false, lossOptions: options };
  }
  const { weight = null, checkTargets = false, ...lossOptions } = options;
  if (typeof checkTargets !== 'boolean') {
    throw new FocalLossError('INVALID_OPTION', `option "checkTargets" must be a boolean, got ${describeValue(checkTargets)}`);
  }
  if (weight !== null) {
    requireTensor(weight, 'option "weight"');
    requireFloat32(weight, 'option "weight"');
  }
  return { weight, checkTargets, lossOptions };
}
