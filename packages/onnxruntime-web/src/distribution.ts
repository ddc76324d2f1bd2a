/**
 * Distribution Focal Loss (Li et al. 2020, GFL; mmdet `DistributionFocalLoss`) needs no graph of
 * its own: it is softmax cross-entropy against a two-hot target (core's `fillTwoHotTargets`), i.e.
 * the softmax focal graph with gamma 0 and alpha null over probability targets on the last axis.
 * This turns a DFL call into that softmax call, with the checks in the contract's order.
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
import type { RunCallOptions } from './runner.js';
import { readTensor, type TensorInput } from './tensor-view.js';

export interface DistributionFocalLossOptions extends RunCallOptions {
  /** Default "mean" (over the positions, i.e. the box sides). */
  readonly reduction?: Reduction;
  /** With "mean": divide by this instead of the number of positions (mmdet's avg_factor). */
  readonly normalizer?: number | null;
}

/** DFL's keys: gamma, alpha and axis are fixed, so giving them would silently do nothing. */
const DFL_KEYS: readonly string[] = ['reduction', 'normalizer', 'weight', 'gradient'];

/** The softmax call that computes a DFL call: input as is, two-hot float32 targets, gamma 0, alpha null, last axis. */
export function distributionCall(
  input: TensorInput,
  positions: TensorInput,
  options: unknown,
): { input: TensorInput; target: TensorInput; options: object } {
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
  const shape = readTensor(input, 'input').view.shape;
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new FocalLossError('SHAPE_MISMATCH', `distributionFocalLoss input needs a last axis of bins, got shape ${describeValue(shape)}`);
  }
  const bins = shape[shape.length - 1] as number;
  const positionShape = shape.slice(0, -1);
  const position = readTensor(positions, 'positions').view;
  if (position.shape.length !== positionShape.length || position.shape.some((d, i) => d !== positionShape[i])) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `positions shape ${describeShape(position.shape)} must be the input shape without its last axis, ${describeShape(positionShape)}`,
    );
  }
  const twoHot = new Float32Array(position.data.length * bins);
  fillTwoHotTargets(position.data, bins, twoHot);
  return {
    input,
    target: { data: twoHot, shape: [...shape] },
    options: { ...given, gamma: 0, alpha: null, axis: -1 },
  };
}
