import {
  binaryAlphaPair,
  checkUnitIntervalTargets,
  createElementResult,
  reducedShape,
  reductionScale,
  resolveSigmoidLayout,
  resolveSigmoidOptions,
  sigmoidFocalFromLogit,
  sigmoidFocalFromProbability,
  type SigmoidFocalLossOptions,
} from '@focal-loss/core';
import { CompensatedSum } from './compensated-sum.js';
import type { CallOptions, FloatArray, FocalLossResult, TensorView } from './types.js';
import { outputBuffer, requireFloatView, requireTargetView } from './views.js';

export type SigmoidCallOptions = SigmoidFocalLossOptions & CallOptions;

// One result slot reused by every call: the element functions write into it instead of returning
// a fresh object, which keeps the hot loop free of allocation.
const element = createElementResult();

/**
 * Sigmoid focal loss (binary and multi-label) of `input` (logits, or probabilities with
 * `fromLogits: false`) against `target` in [0, 1] of the same shape.
 *
 * Everything is checked before any work: options (`INVALID_OPTION`), shapes (`SHAPE_MISMATCH`)
 * and every target value (`INVALID_TARGET`). Loss and gradient come from one pass; reductions
 * accumulate in compensated float64.
 */
export function sigmoidFocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: TensorView<ArrayLike<number>>,
  options: SigmoidCallOptions = {},
): FocalLossResult<T> {
  const { weight = null, gradient = false, out = {}, ...lossOptions } = options;
  const opts = resolveSigmoidOptions(lossOptions);
  requireFloatView(input, 'input');
  requireTargetView(target);
  if (weight !== null) requireFloatView(weight, 'weight');
  const layout = resolveSigmoidLayout(input.shape, target.shape, weight?.shape);
  checkUnitIntervalTargets(target.data);

  const n = layout.size;
  const reduce = opts.reduction !== 'none';
  const lossShape = reducedShape(opts.reduction, layout.lossShape);
  const lossData = outputBuffer(out.loss, input.data, reduce ? 1 : n, 'loss', lossShape);
  const gradData = gradient
    ? outputBuffer(out.gradInput, input.data, n, 'gradInput', input.shape)
    : null;

  const scale = reductionScale(opts.reduction, opts.normalizer, n);
  const [alphaPos, alphaNeg] = binaryAlphaPair(opts.alpha);
  const { gamma, fromLogits, eps, labelSmoothing: s } = opts;
  const x = input.data;
  const y = target.data;
  const w = weight === null ? null : weight.data;
  const total = new CompensatedSum();

  for (let i = 0; i < n; i++) {
    const t = s === 0 ? (y[i] as number) : (y[i] as number) * (1 - s) + s / 2;
    if (fromLogits) sigmoidFocalFromLogit(x[i] as number, t, gamma, alphaPos, alphaNeg, element);
    else sigmoidFocalFromProbability(x[i] as number, t, gamma, alphaPos, alphaNeg, eps, element);
    const wi = w === null ? 1 : (w[i] as number);
    const loss = wi * element.loss;
    if (reduce) total.add(loss);
    else lossData[i] = loss;
    if (gradData !== null) gradData[i] = scale * wi * element.grad;
  }
  if (reduce) lossData[0] = total.value * scale;

  return {
    loss: { data: lossData as T, shape: lossShape },
    gradInput: gradData === null ? null : { data: gradData as T, shape: [...input.shape] },
  };
}
