/**
 * What the cpu and wasm kernels share: the core's fused loops (@focal-loss/core sigmoidFocalLoop /
 * softmaxFocalLoop, the same code as @focal-loss/typed-array) run over whatever memory the backend
 * holds, typed-array views either way. The kernels differ only in where that memory lives.
 */
import { EXPANDED_IGNORED, expandClassIndexTargets, reductionScale, sigmoidFocalLoop, softmaxFocalLoop } from '@focal-loss/core';
import type { SigmoidLoop, SoftmaxLoop } from './wasm/focal-loops.js';
import type { SigmoidFocalLossAttrs, SoftmaxFocalLossAttrs } from './kernel-names.js';

type Numbers = ArrayLike<number>;
type Out = { [index: number]: number };

export interface FusedMemory {
  readonly input: Numbers;
  readonly target: Numbers;
  readonly weight: Numbers | null;
  /** One element for "mean" / "sum", the unreduced loss otherwise. */
  readonly loss: Out;
  readonly grad: Out | null;
}

/**
 * Issue 14's targets as the core's loop reads them (as @focal-loss/typed-array's prepare.ts): class
 * indices expanded to dense 0/1 with ignored positions marked EXPANDED_IGNORED, and the mean's count
 * of the elements not ignored, read from the backend's memory.
 */
function sigmoidLoopTargets(
  target: Numbers,
  attrs: SigmoidFocalLossAttrs,
): { target: Numbers; ignoreIndex: number | null; scale: number } {
  const ignore = Number.isNaN(attrs.ignoreIndex) ? null : attrs.ignoreIndex;
  let dense = target;
  let loopIgnore = ignore;
  if (attrs.classIndexTargets) {
    const layout = { axis: 0, outer: attrs.classOuter, classes: attrs.classes, inner: attrs.classInner };
    dense = expandClassIndexTargets(target, layout, ignore);
    loopIgnore = ignore === null ? null : EXPANDED_IGNORED;
  }
  if (loopIgnore === null) return { target: dense, ignoreIndex: null, scale: attrs.scale };
  const counted = dense.length - countedPositions(dense, loopIgnore, true);
  const scale = reductionScale(attrs.reduction, attrs.normalizer === 0 ? null : attrs.normalizer, counted);
  return { target: dense, ignoreIndex: loopIgnore, scale };
}

/**
 * Sigmoid: loss (reduced in compensated float64, then scaled) and gradient, one pass. `loop`: the
 * core's, unless the wasm backend's was replaced (./wasm/focal-loops.ts: the SIMD kernel, opt-in).
 */
export function sigmoidFocalImpl(memory: FusedMemory, attrs: SigmoidFocalLossAttrs, loop: SigmoidLoop = sigmoidFocalLoop): void {
  const reduce = attrs.reduction !== 'none';
  const { target, ignoreIndex, scale } = sigmoidLoopTargets(memory.target, attrs);
  const sum = loop({
    input: memory.input,
    target,
    weight: memory.weight,
    lossOut: reduce ? null : memory.loss,
    gradOut: memory.grad,
    scale,
    gamma: attrs.gamma,
    alphaPos: attrs.alphaPos,
    alphaNeg: attrs.alphaNeg,
    smoothing: attrs.smoothing,
    fromLogits: attrs.fromLogits,
    eps: attrs.eps,
    polyEpsilon: attrs.polyEpsilon,
    posWeight: attrs.posWeight,
    posWeights: attrs.posWeights.length === 0 ? null : attrs.posWeights,
    classInner: attrs.classInner,
    classes: attrs.classes,
    ignoreIndex,
  });
  if (reduce) memory.loss[0] = sum * scale;
}

/**
 * Positions whose index is not `ignoreIndex` (or, with `equal`, those that are): the mean's count,
 * read from the backend's memory.
 */
function countedPositions(target: Numbers, ignoreIndex: number, equal = false): number {
  let counted = 0;
  for (let i = 0; i < target.length; i++) if ((target[i] === ignoreIndex) === equal) counted++;
  return counted;
}

/** Softmax: the mean's count (ignored positions left out), then loss and gradient in one pass (`loop` as sigmoid's). */
export function softmaxFocalImpl(memory: FusedMemory, attrs: SoftmaxFocalLossAttrs, loop: SoftmaxLoop = softmaxFocalLoop): void {
  const reduce = attrs.reduction !== 'none';
  const ignoreIndex = attrs.targetKind === 'index' && !Number.isNaN(attrs.ignoreIndex) ? attrs.ignoreIndex : null;
  const positions = attrs.outer * attrs.inner;
  const counted =
    attrs.reduction === 'mean' && attrs.normalizer === 0 && ignoreIndex !== null
      ? countedPositions(memory.target, ignoreIndex)
      : positions;
  const scale = reductionScale(attrs.reduction, attrs.normalizer === 0 ? null : attrs.normalizer, counted);
  const sum = loop({
    input: memory.input,
    target: memory.target,
    targetKind: attrs.targetKind,
    ignoreIndex,
    weight: memory.weight,
    lossOut: reduce ? null : memory.loss,
    gradOut: memory.grad,
    scale,
    outer: attrs.outer,
    classes: attrs.classes,
    inner: attrs.inner,
    gamma: attrs.gamma,
    classWeights: attrs.classWeights,
    smoothing: attrs.smoothing,
    fromLogits: attrs.fromLogits,
    eps: attrs.eps,
    polyEpsilon: attrs.polyEpsilon,
    normalizeProbabilities: attrs.normalizeProbabilities,
  });
  if (reduce) memory.loss[0] = sum * scale;
}
