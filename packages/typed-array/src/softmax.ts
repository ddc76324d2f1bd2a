import {
  checkClassIndexTargets,
  checkUnitIntervalTargets,
  classWeights,
  reducedShape,
  reductionScale,
  resolveSoftmaxLayout,
  resolveSoftmaxOptions,
  softmaxFocalRow,
  type RowLayout,
  type RowTarget,
  type SoftmaxFocalLossOptions,
} from '@focal-loss/core';
import { CompensatedSum } from './compensated-sum.js';
import type { CallOptions, FloatArray, FocalLossResult, TensorView } from './types.js';
import { outputBuffer, requireFloatView, requireTargetView } from './views.js';

export type SoftmaxCallOptions = SoftmaxFocalLossOptions & CallOptions;

// Per-row scratch (2 C numbers), grown on demand and reused across calls so that a call with
// caller-supplied outputs allocates no buffer.
let scratch = new Float64Array(64);
function scratchFor(classes: number): Float64Array {
  if (scratch.length < 2 * classes) scratch = new Float64Array(2 * classes);
  return scratch;
}

/**
 * Softmax focal loss (multi-class, one label per position) of `input` with a class axis
 * (`axis`, default -1). `target` is an Int32Array of class indices (the input's shape without
 * the class axis; `ignoreIndex` allowed) or a float array of per-class probabilities (the input's
 * shape). Checks options, shapes and targets before any work.
 */
export function softmaxFocalLoss<T extends FloatArray>(
  input: TensorView<T>,
  target: TensorView<ArrayLike<number>>,
  options: SoftmaxCallOptions = {},
): FocalLossResult<T> {
  const { weight = null, gradient = false, out = {}, ...lossOptions } = options;
  const opts = resolveSoftmaxOptions(lossOptions);
  requireFloatView(input, 'input');
  requireTargetView(target);
  if (weight !== null) requireFloatView(weight, 'weight');
  const kind = target.data instanceof Int32Array ? 'index' : 'probability';
  const layout = resolveSoftmaxLayout(input.shape, target.shape, kind, opts.axis, weight?.shape, opts.alpha);
  const { outer, classes, inner, positions } = layout;
  const ignoreIndex = kind === 'index' ? opts.ignoreIndex : null;
  let counted = positions;
  if (kind === 'index') counted = checkClassIndexTargets(target.data, classes, ignoreIndex);
  else checkUnitIntervalTargets(target.data);

  const reduce = opts.reduction !== 'none';
  const lossShape = reducedShape(opts.reduction, layout.lossShape);
  const lossData = outputBuffer(out.loss, input.data, reduce ? 1 : positions, 'loss', lossShape);
  const gradData = gradient
    ? outputBuffer(out.gradInput, input.data, input.data.length, 'gradInput', input.shape)
    : null;

  const scale = reductionScale(opts.reduction, opts.normalizer, counted);
  const params = {
    gamma: opts.gamma,
    classWeights: classWeights(opts.alpha, classes),
    fromLogits: opts.fromLogits,
    eps: opts.eps,
  };
  const row: RowLayout = { offset: 0, stride: inner, classes };
  const rowTarget: RowTarget = {
    probabilities: kind === 'probability' ? target.data : null,
    index: -1,
    smoothing: opts.labelSmoothing,
  };
  const work = scratchFor(classes);
  const w = weight === null ? null : weight.data;
  const total = new CompensatedSum();

  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const position = o * inner + i;
      row.offset = o * classes * inner + i;
      let loss = 0;
      const index = kind === 'index' ? (target.data[position] as number) : -1;
      if (kind === 'index' && index === ignoreIndex) {
        if (gradData !== null) for (let c = 0; c < classes; c++) gradData[row.offset + c * inner] = 0;
      } else {
        rowTarget.index = index;
        const wi = w === null ? 1 : (w[position] as number);
        loss = wi * softmaxFocalRow(input.data, row, rowTarget, params, gradData, scale * wi, work);
      }
      if (reduce) total.add(loss);
      else lossData[position] = loss;
    }
  }
  if (reduce) lossData[0] = total.value * scale;

  return {
    loss: { data: lossData as T, shape: lossShape },
    gradInput: gradData === null ? null : { data: gradData as T, shape: [...input.shape] },
  };
}
