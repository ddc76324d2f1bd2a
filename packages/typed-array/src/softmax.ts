import {
  checkClassIndexTargets,
  checkUnitIntervalTargets,
  classWeights,
  powGamma,
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
import { expNeg } from './kernels.js';
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
        const gradScale = scale * wi;
        loss =
          wi *
          (params.fromLogits
            ? rowFromLogits(input.data, row, rowTarget, params, gradData, gradScale, work)
            : softmaxFocalRow(input.data, row, rowTarget, params, gradData, gradScale, work));
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

/** The contract's smoothed target of class c (as the core's softmax-math.ts). */
function targetAt(target: RowTarget, layout: RowLayout, c: number): number {
  const raw =
    target.probabilities === null
      ? c === target.index
        ? 1
        : 0
      : (target.probabilities[layout.offset + c * layout.stride] as number);
  return target.smoothing === 0 ? raw : raw * (1 - target.smoothing) + target.smoothing / layout.classes;
}

/**
 * One position from logits. Mirrors `rowFromLogits` of @focal-loss/core (softmax-math.ts; same
 * formulas, same order of operations) with exp from ./kernels.ts instead of Math.exp, a call
 * TurboFan cannot inline, made once per element. kernels.test.ts checks that the two agree.
 */
function rowFromLogits(
  input: ArrayLike<number>,
  layout: RowLayout,
  target: RowTarget,
  params: { gamma: number; classWeights: ArrayLike<number> },
  grad: FloatArray | null,
  gradScale: number,
  scratch: Float64Array,
): number {
  const { offset, stride, classes } = layout;
  const { gamma, classWeights } = params;
  if (classes === 0) return 0;
  // Largest logit and its first index; a NaN anywhere reaches every output through `others`.
  let top = 0;
  let max = input[offset] as number;
  for (let c = 1; c < classes; c++) {
    const v = input[offset + c * stride] as number;
    if (v > max) {
      max = v;
      top = c;
    }
  }
  let others = 0; // sum of exp(x_c - max) over c != top; exp(x_top - max) is exactly 1
  for (let c = 0; c < classes; c++) {
    // max - x = -(x - max) exactly, and it is >= 0 (or NaN) as expNeg needs
    const e = expNeg(max - (input[offset + c * stride] as number));
    scratch[c] = e;
    if (c !== top) others += e;
  }
  if (Number.isNaN(max)) others = NaN;
  const logSum = Math.log1p(others);
  const invSum = 1 / (1 + others);
  let loss = 0;
  let gTotal = 0;
  for (let c = 0; c < classes; c++) {
    const t = targetAt(target, layout, c);
    const p = (scratch[c] as number) * invSum;
    const q = c === top ? others * invSum : 1 - p; // p <= 1/2 off the top: subtraction is exact enough
    const s = logSum - ((input[offset + c * stride] as number) - max); // -log p_c >= 0
    const weight = (classWeights[c] as number) * t;
    const qPow = powGamma(q, gamma);
    loss += weight === 0 ? 0 : weight * qPow * s;
    const sOverQ = q > 0 ? s / q : 1; // -log(p) / (1 - p) -> 1 as p -> 1
    const gC = weight === 0 ? 0 : weight * qPow * (1 + gamma * p * sOverQ);
    scratch[c] = p;
    scratch[classes + c] = gC;
    gTotal += gC;
  }
  if (grad !== null) {
    for (let c = 0; c < classes; c++) {
      const p = scratch[c] as number;
      const gC = scratch[classes + c] as number;
      const q = c === top ? others * invSum : 1 - p;
      grad[offset + c * stride] = gradScale * (p * (gTotal - gC) - q * gC);
    }
  }
  return loss;
}
