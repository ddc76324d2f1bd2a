import {
  checkClassIndexTargets,
  checkUnitIntervalTargets,
  classWeights,
  planSoftmaxCall,
  readBooleanOption,
  reductionScale,
  softmaxFocalLoop,
  splitCallOptions,
  type SoftmaxFocalLossOptions,
} from '@focal-loss/core';
import type { CallOptions, FloatArray, FocalLossResult, TensorView } from './types.js';
import { ADAPTER_KEYS, FLOAT_DTYPES, outputBuffer, readOut, tensorInfo } from './views.js';

export type SoftmaxCallOptions = SoftmaxFocalLossOptions & CallOptions;

/**
 * Softmax focal loss (multi-class, one label per position) of `input` with a class axis
 * (`axis`, default -1). `target` is an Int32Array of class indices (the input's shape without
 * the class axis; `ignoreIndex` allowed) or a float array of per-class probabilities (the input's
 * shape). Checks options, dtypes, shapes and targets before any work, in the core's order.
 */
export function softmaxFocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: TensorView<ArrayLike<number>>,
  options: SoftmaxCallOptions = {},
): FocalLossResult<T> {
  const { adapter, loss: lossOptions } = splitCallOptions(options, 'softmax_focal_loss', ADAPTER_KEYS);
  const gradient = readBooleanOption('gradient', adapter.gradient, false);
  const out = readOut(adapter.out);
  const weight = (adapter.weight ?? null) as TensorView<FloatArray> | null;
  const plan = planSoftmaxCall(
    lossOptions,
    {
      input: tensorInfo(input, 'input'),
      target: tensorInfo(target, 'target'),
      weight: weight === null ? null : tensorInfo(weight, 'weight'),
    },
    FLOAT_DTYPES,
  );
  const { options: opts, layout, outputShape, targetKind, ignoreIndex } = plan;
  const { outer, classes, inner, positions } = layout;
  const reduce = opts.reduction !== 'none';
  const lossData = outputBuffer(out.loss, input.data, reduce ? 1 : positions, 'loss', outputShape);
  const gradData = gradient ? outputBuffer(out.gradInput, input.data, input.data.length, 'gradInput', input.shape) : null;
  const counted =
    targetKind === 'index' ? checkClassIndexTargets(target.data, classes, ignoreIndex) : (checkUnitIntervalTargets(target.data), positions);
  const scale = reductionScale(opts.reduction, opts.normalizer, counted);

  if (classes === 0) {
    // Zero classes: every position's loss is an empty sum (contract 1.1), answered without a
    // pass over the positions; the gradient has no elements.
    lossData.fill(0);
  } else {
    const sum = softmaxFocalLoop({
      input: input.data,
      target: target.data,
      targetKind,
      ignoreIndex,
      weight: weight === null ? null : weight.data,
      lossOut: reduce ? null : lossData,
      gradOut: gradData,
      scale,
      outer,
      classes,
      inner,
      gamma: opts.gamma,
      classWeights: classWeights(opts.alpha, classes),
      smoothing: opts.labelSmoothing,
      fromLogits: opts.fromLogits,
      eps: opts.eps,
    });
    if (reduce) lossData[0] = sum * scale;
  }

  return {
    loss: { data: lossData as T, shape: outputShape },
    gradInput: gradData === null ? null : { data: gradData as T, shape: [...input.shape] },
  };
}
