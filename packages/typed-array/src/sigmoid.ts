import {
  binaryAlphaPair,
  powGamma,
  checkUnitIntervalTargets,
  createElementResult,
  reducedShape,
  reductionScale,
  resolveSigmoidLayout,
  resolveSigmoidOptions,
  sigmoidFocalFromProbability,
  type SigmoidFocalLossOptions,
} from '@focal-loss/core';
import { expNeg, log1pUnit } from './kernels.js';
import type { CallOptions, FloatArray, FocalLossResult, TensorView } from './types.js';
import { outputBuffer, requireFloatView, requireTargetView } from './views.js';

export type SigmoidCallOptions = SigmoidFocalLossOptions & CallOptions;

// One result slot reused by every call: the core's element function (from probabilities) writes
// into it instead of returning a fresh object, which keeps the hot loop free of allocation.
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
  const w = weight === null ? null : weight.data;
  const lossOut = reduce ? null : lossData;
  const sum = elementLoop(
    input.data, target.data, w, lossOut, gradData, scale, gamma, alphaPos, alphaNeg, s, fromLogits, eps,
  );
  if (reduce) lossData[0] = sum * scale;

  return {
    loss: { data: lossData as T, shape: lossShape },
    gradInput: gradData === null ? null : { data: gradData as T, shape: [...input.shape] },
  };
}

/**
 * The per-element loop, from logits or from probabilities. From logits, it mirrors
 * `sigmoidFocalFromLogit` of @focal-loss/core (same formulas, same order of operations) written
 * out inline, with exp / log1p from ./kernels.ts instead of Math.exp / Math.log1p: those are calls
 * TurboFan cannot inline, and they cost more than the rest of the element together.
 * kernels.test.ts checks that loop and core agree. Writes the unreduced loss into `lossOut` when
 * given, else returns the Neumaier-compensated sum of the losses (as CompensatedSum, inline).
 */
function elementLoop(
  x: FloatArray,
  y: ArrayLike<number>,
  w: FloatArray | null,
  lossOut: FloatArray | null,
  gradOut: FloatArray | null,
  scale: number,
  gamma: number,
  alphaPos: number,
  alphaNeg: number,
  smoothing: number,
  fromLogits: boolean,
  eps: number,
): number {
  const n = x.length;
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    const t = smoothing === 0 ? (y[i] as number) : (y[i] as number) * (1 - smoothing) + smoothing / 2;
    const t1 = 1 - t;
    let elementLoss: number;
    let elementGrad = 0;
    if (!fromLogits) {
      sigmoidFocalFromProbability(xi, t, gamma, alphaPos, alphaNeg, eps, element);
      elementLoss = element.loss;
      elementGrad = element.grad;
    } else {
      // For |x| >= 708, ±Infinity and NaN, expNeg is Math.exp and log1pUnit(e) = e: those elements
      // get exactly the core's values.
      const e = expNeg(Math.abs(xi));
      const log1pE = log1pUnit(e);
      const inv = 1 / (1 + e);
      let p: number;
      let q: number;
      let softplusPos: number; // softplus(x)  = -log(1 - p)
      let softplusNeg: number; // softplus(-x) = -log(p)
      if (xi >= 0) {
        p = inv;
        q = e * inv;
        softplusPos = xi + log1pE;
        softplusNeg = log1pE;
      } else {
        // Also taken by NaN, which then flows through every result.
        p = e * inv;
        q = inv;
        softplusPos = log1pE;
        softplusNeg = log1pE - xi;
      }
      const ce = t * softplusNeg + t1 * softplusPos;
      const u = p * t1 + q * t;
      const focal = (alphaPos * t + alphaNeg * t1) * powGamma(u, gamma);
      elementLoss = focal * ce;
      if (gradOut !== null) {
        const pqOverU = u > 0 ? (p * q) / u : 0;
        elementGrad = focal * (gamma * pqOverU * (1 - 2 * t) * ce + (p * t1 - q * t));
      }
    }
    const wi = w === null ? 1 : (w[i] as number);
    const loss = wi * elementLoss;
    if (lossOut === null) {
      const next = sum + loss;
      if (Math.abs(sum) >= Math.abs(loss)) compensation += sum - next + loss;
      else compensation += loss - next + sum;
      sum = next;
    } else lossOut[i] = loss;
    if (gradOut !== null) gradOut[i] = scale * wi * elementGrad;
  }
  return Number.isFinite(sum) ? sum + compensation : sum;
}
