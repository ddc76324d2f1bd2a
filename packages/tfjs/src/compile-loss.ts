/**
 * Loss functions for `model.compile({ loss })` of @tensorflow/tfjs-layers, which calls
 * `loss(yTrue, yPred)` and expects a scalar.
 */
import {
  FocalLossError,
  describeValue,
  resolveSigmoidOptions,
  resolveSoftmaxOptions,
  splitCallOptions,
  type LossOpName,
  type Reduction,
} from '@focal-loss/core';
import { TENSOR_OPTION_NAMES } from './call-plan.js';
import * as tf from '@tensorflow/tfjs-core';
import { sigmoidFocalLoss, type SigmoidFocalLossTensorOptions } from './sigmoid.js';
import { softmaxFocalLoss, type SoftmaxFocalLossTensorOptions } from './softmax.js';

/** A loss for `model.compile`: arguments in Keras order, target first. */
export type CompileLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/**
 * The factories' default for `fromLogits`: false, as in Keras' focal losses, because a Keras-style
 * model usually ends in a sigmoid or softmax activation and outputs probabilities. A model whose
 * last layer is linear outputs logits: pass `fromLogits: true` (more accurate at confident outputs).
 */
export const COMPILE_FROM_LOGITS_DEFAULT = false;

function compileOptions<T extends { reduction?: Reduction; fromLogits?: boolean }>(
  options: T,
  op: LossOpName,
  factory: string,
): T {
  // A plain object (or INVALID_OPTION) before anything is read from it.
  splitCallOptions(options, op, TENSOR_OPTION_NAMES);
  if (options.reduction === 'none') {
    throw new FocalLossError(
      'INVALID_OPTION',
      `option "reduction" of ${factory} must be "mean" or "sum" (model.compile needs a scalar), got ${describeValue('none')}`,
    );
  }
  return { ...options, fromLogits: options.fromLogits ?? COMPILE_FROM_LOGITS_DEFAULT };
}

/**
 * `(yTrue, yPred) => scalar` sigmoid focal loss for `model.compile`. **`fromLogits` defaults to
 * false here** (yPred holds probabilities, as from a sigmoid output layer); every other option has
 * the default of `sigmoidFocalLoss`. Options are checked once, now, and again on each call.
 */
export function sigmoidFocalLossFn(options: SigmoidFocalLossTensorOptions = {}): CompileLoss {
  const resolved = compileOptions(options, 'sigmoid_focal_loss', 'sigmoidFocalLossFn');
  // Fail at compile time, not in the first batch.
  resolveSigmoidOptions(splitCallOptions(resolved, 'sigmoid_focal_loss', TENSOR_OPTION_NAMES).loss);
  return (yTrue, yPred) => sigmoidFocalLoss(yPred, yTrue, resolved as SigmoidFocalLossTensorOptions & { reduction?: 'mean' | 'sum' });
}

/**
 * `(yTrue, yPred) => scalar` softmax focal loss for `model.compile`. **`fromLogits` defaults to
 * false here** (yPred holds probabilities, as from a softmax output layer). yTrue is float32 one-hot
 * (or soft) labels of yPred's shape; `model.fit` insists on that shape. Called directly, the loss also
 * takes int32 class indices of yPred's shape without the class axis.
 */
export function softmaxFocalLossFn(options: SoftmaxFocalLossTensorOptions = {}): CompileLoss {
  const resolved = compileOptions(options, 'softmax_focal_loss', 'softmaxFocalLossFn');
  // Fail at compile time, not in the first batch.
  resolveSoftmaxOptions(splitCallOptions(resolved, 'softmax_focal_loss', TENSOR_OPTION_NAMES).loss);
  return (yTrue, yPred) => softmaxFocalLoss(yPred, yTrue, resolved as SoftmaxFocalLossTensorOptions & { reduction?: 'mean' | 'sum' });
}

/**
 * `(yTrue, yPred) => scalar` softmax focal loss with **sparse integer labels**: yTrue holds one class
 * id per position (yPred's shape without the class axis, optionally with a trailing 1 as Keras'
 * sparse losses take, any numeric dtype: ids are cast to int32). `fromLogits` defaults to false, as
 * in the other factories; `ignoreIndex` works as in `softmaxFocalLoss`.
 *
 * tfjs-layers' `model.fit` checks every target against the output's shape for any loss except its
 * own sparseCategoricalCrossentropy, so it refuses `[N, 1]` labels for an `[N, C]` output whatever
 * the loss: use this factory with `model.fitDataset` (which does not check the shape; see the
 * README) or in a custom loop (`optimizer.minimize`).
 */
export function sparseSoftmaxFocalLossFn(options: SoftmaxFocalLossTensorOptions = {}): CompileLoss {
  const resolved = compileOptions(options, 'softmax_focal_loss', 'sparseSoftmaxFocalLossFn');
  resolveSoftmaxOptions(splitCallOptions(resolved, 'softmax_focal_loss', TENSOR_OPTION_NAMES).loss);
  return (yTrue, yPred) =>
    tf.tidy(() => {
      // [N, 1] (Keras' sparse layout) -> [N]: the class axis' place holds one id, not C scores.
      const squeezed = yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === 1 ? tf.squeeze(yTrue, [yTrue.rank - 1]) : yTrue;
      const ids = squeezed.dtype === 'int32' ? squeezed : tf.cast(squeezed, 'int32');
      return softmaxFocalLoss(yPred, ids, resolved as SoftmaxFocalLossTensorOptions & { reduction?: 'mean' | 'sum' });
    });
}
