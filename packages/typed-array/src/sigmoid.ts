import {
  binaryAlphaPair,
  checkBinaryTargets,
  checkUnitIntervalTargets,
  planSigmoidCall,
  readBooleanOption,
  sigmoidFocalLoop,
  splitCallOptions,
  type SigmoidFocalLossOptions,
} from '@focal-loss/core';
import type { CallOptions, FloatArray, FocalLossResult, TensorView } from './types.js';
import { ADAPTER_KEYS, FLOAT_DTYPES, outputBuffer, readOut, tensorInfo } from './views.js';

export type SigmoidCallOptions = SigmoidFocalLossOptions & CallOptions;

/**
 * Sigmoid focal loss (binary and multi-label) of `input` (logits, or probabilities with
 * `fromLogits: false`) against `target` of the same shape: floats in [0, 1], or an Int32Array of
 * 0/1 labels.
 *
 * Everything is checked before any work, in the core's order: options (`INVALID_OPTION`), dtypes,
 * shapes (`SHAPE_MISMATCH`) and every target value (`INVALID_TARGET`). Loss and gradient come from
 * one pass of the core's fused loop; reductions accumulate in compensated float64.
 */
export function sigmoidFocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: TensorView<ArrayLike<number>>,
  options: SigmoidCallOptions = {},
): FocalLossResult<T> {
  const { adapter, loss: lossOptions } = splitCallOptions(options, 'sigmoid_focal_loss', ADAPTER_KEYS);
  const gradient = readBooleanOption('gradient', adapter.gradient, false);
  const out = readOut(adapter.out);
  const weight = (adapter.weight ?? null) as TensorView<FloatArray> | null;
  const plan = planSigmoidCall(
    lossOptions,
    {
      input: tensorInfo(input, 'input'),
      target: tensorInfo(target, 'target'),
      weight: weight === null ? null : tensorInfo(weight, 'weight'),
    },
    FLOAT_DTYPES,
  );
  const { options: opts, layout, outputShape, scale } = plan;
  const reduce = opts.reduction !== 'none';
  const n = layout.size;
  const lossData = outputBuffer(out.loss, input.data, reduce ? 1 : n, 'loss', outputShape);
  const gradData = gradient ? outputBuffer(out.gradInput, input.data, n, 'gradInput', input.shape) : null;
  if (plan.targetKind === 'binary') checkBinaryTargets(target.data);
  else checkUnitIntervalTargets(target.data);

  const [alphaPos, alphaNeg] = binaryAlphaPair(opts.alpha);
  const sum = sigmoidFocalLoop({
    input: input.data,
    target: target.data,
    weight: weight === null ? null : weight.data,
    lossOut: reduce ? null : lossData,
    gradOut: gradData,
    scale,
    gamma: opts.gamma,
    alphaPos,
    alphaNeg,
    smoothing: opts.labelSmoothing,
    fromLogits: opts.fromLogits,
    eps: opts.eps,
  });
  if (reduce) lossData[0] = sum * scale;

  return {
    loss: { data: lossData as T, shape: outputShape },
    gradInput: gradData === null ? null : { data: gradData as T, shape: [...input.shape] },
  };
}
