/**
 * Distribution Focal Loss (GFL; mmdet `DistributionFocalLoss`): softmax cross-entropy of `input`
 * (shape [..., bins], bins = n + 1 logits per box side) against the two-hot target of continuous
 * `positions` (shape [...], each in [0, n]). It is `softmaxFocalLoss` with gamma 0, alpha null and
 * the targets of the core's `twoHotTargets`, so the gradient is softmax(x) - two-hot.
 */
import {
  FocalLossError,
  describeShape,
  describeValue,
  fillTwoHotTargets,
  isPlainObject,
  resolveSoftmaxOptions,
  type Reduction,
} from '@focal-loss/core';
import { softmaxFocalLoss } from '../softmax.js';
import type { CallOptions, FloatArray, FocalLossResult, TensorView } from '../types.js';

export interface DistributionFocalLossOptions extends CallOptions {
  reduction?: Reduction;
  normalizer?: number | null;
  /**
   * A Float64Array of input-length to build the two-hot target in (with `out`, the call then
   * allocates nothing); by default a new one per call.
   */
  targetBuffer?: Float64Array;
}

/** What DFL takes: its loss options (gamma, alpha and axis are fixed) and the adapter's keys. */
const DFL_KEYS: readonly string[] = ['reduction', 'normalizer', 'weight', 'gradient', 'out', 'targetBuffer'];

export function distributionFocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  positions: TensorView<ArrayLike<number>>,
  options: DistributionFocalLossOptions = {},
): FocalLossResult<T> {
  // Options first (the contract's order): a plain object with DFL's keys only, since a gamma or an
  // alpha given here would silently have no effect.
  if (!isPlainObject(options)) {
    throw new FocalLossError('INVALID_OPTION', `distributionFocalLoss options must be a plain object or absent, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!DFL_KEYS.includes(key)) {
      throw new FocalLossError('INVALID_OPTION', `unknown option "${key}" for distributionFocalLoss (known: ${DFL_KEYS.join(', ')})`);
    }
  }
  const { targetBuffer, ...rest } = options;
  resolveSoftmaxOptions({ reduction: rest.reduction, normalizer: rest.normalizer });
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new FocalLossError('SHAPE_MISMATCH', `distributionFocalLoss input needs a last axis of bins, got shape ${describeValue(shape)}`);
  }
  const bins = shape[shape.length - 1] as number;
  const positionShape = shape.slice(0, -1);
  if (positions.shape.length !== positionShape.length || positions.shape.some((d, i) => d !== positionShape[i])) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `positions shape ${describeShape(positions.shape)} must be the input shape without its last axis, ${describeShape(positionShape)}`,
    );
  }
  const length = positions.data.length * bins;
  if (targetBuffer !== undefined && !(targetBuffer instanceof Float64Array)) {
    throw new FocalLossError('INVALID_OPTION', `option "targetBuffer" must be a Float64Array, got ${describeValue(targetBuffer)}`);
  }
  const twoHot = targetBuffer ?? new Float64Array(length);
  fillTwoHotTargets(positions.data, bins, twoHot);
  return softmaxFocalLoss(input, { data: twoHot, shape: [...shape] }, { ...rest, gamma: 0, alpha: null, axis: -1 });
}
