/**
 * Distribution Focal Loss (GFL; mmdet `DistributionFocalLoss`) on tf.Tensors: softmax cross-entropy of
 * `input` ([..., bins], bins = n + 1 logits per box side) against the two-hot target of continuous
 * `positions` ([...], each in [0, n]). As in @focal-loss/typed-array, it is the core's `twoHotTargets`
 * plus `softmaxFocalLoss` with gamma 0 and alpha null, so value and gradient (softmax(x) - two-hot) are
 * that op's, on its fused kernel or composite path.
 *
 * The positions are read back to the host (`dataSync`) to be checked and spread over their two bins
 * (one number per row, `bins` times less than the input): NaN or a position outside [0, n] is
 * INVALID_TARGET, never a silently wrong target.
 */
import {
  FocalLossError,
  describeShape,
  describeValue,
  isPlainObject,
  resolveSoftmaxOptions,
  twoHotTargets,
  type Reduction,
} from '@focal-loss/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TensorCallOptions } from '../call-plan.js';
import { softmaxFocalLoss } from '../softmax.js';

export interface DistributionFocalLossOptions extends Omit<TensorCallOptions, 'checkTargets'> {
  /** Default "mean" (over the rows, i.e. the positions). */
  reduction?: Reduction;
  /** With "mean" only: divide the sum by this instead of the number of positions (mmdet's avg_factor). */
  normalizer?: number | null;
}

/** DFL's keys: its loss options (gamma, alpha and axis are fixed) and this adapter's. */
const DFL_KEYS: readonly string[] = ['reduction', 'normalizer', 'weight', 'composite'];

type Result<O> = O extends { reduction: 'none' } ? tf.Tensor : O extends { reduction?: 'mean' | 'sum' } ? tf.Scalar : tf.Tensor;

export function distributionFocalLoss<O extends DistributionFocalLossOptions = Record<never, never>>(input: tf.Tensor, positions: tf.Tensor, options?: O): Result<O> {
  // Options first (the contract's order), DFL's keys only: a gamma given here would have no effect.
  if (options !== undefined && !isPlainObject(options)) {
    throw new FocalLossError('INVALID_OPTION', `distributionFocalLoss options must be a plain object or absent, got ${describeValue(options)}`);
  }
  const given: Record<string, unknown> = options ?? {};
  for (const key of Object.keys(given)) {
    if (!DFL_KEYS.includes(key)) {
      throw new FocalLossError('INVALID_OPTION', `unknown option "${key}" for distributionFocalLoss (known: ${DFL_KEYS.join(', ')})`);
    }
  }
  resolveSoftmaxOptions({ reduction: given.reduction, normalizer: given.normalizer });
  for (const [name, tensor] of [['input', input], ['positions', positions]] as const) {
    if (!(tensor instanceof tf.Tensor) || tensor.isDisposed) {
      throw new FocalLossError('INVALID_OPTION', `${name} must be a live tf.Tensor, got ${describeValue(tensor)}`);
    }
  }
  if (positions.dtype !== 'float32' && positions.dtype !== 'int32') {
    throw new FocalLossError('INVALID_OPTION', `positions must have dtype float32 or int32, got ${describeValue(positions.dtype)}`);
  }
  if (input.rank === 0) {
    throw new FocalLossError('SHAPE_MISMATCH', 'distributionFocalLoss input needs a last axis of bins, got a scalar');
  }
  const bins = input.shape[input.rank - 1] as number;
  const rowShape = input.shape.slice(0, -1);
  if (positions.rank !== rowShape.length || positions.shape.some((d, i) => d !== rowShape[i])) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `positions shape ${describeShape(positions.shape)} must be the input shape without its last axis, ${describeShape(rowShape)}`,
    );
  }
  const twoHot = tf.tensor(Float32Array.from(twoHotTargets(positions.dataSync(), bins)), input.shape, 'float32');
  try {
    const call = { ...given, gamma: 0, alpha: null, axis: -1 };
    return softmaxFocalLoss(input, twoHot, call as Parameters<typeof softmaxFocalLoss>[2]) as Result<O>;
  } finally {
    twoHot.dispose();
  }
}
