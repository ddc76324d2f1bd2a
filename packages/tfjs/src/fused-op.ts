/**
 * The fused path: one kernel call computes the loss and the scaled gradient, and tf.customGrad
 * hands that gradient back (times dy) in the backward pass. Chosen once per call, at the top of
 * each loss (as tfjs-core's fused conv2d does): when a kernel of ours is registered for the active
 * backend and the caller did not ask for the composite formulation.
 */
import { binaryAlphaPair, classWeights, reductionScale } from '@focal-loss/core';
import * as tf from '@tensorflow/tfjs-core';
import type { SigmoidTensorCall, SoftmaxTensorCall } from './call-plan.js';
import { accurateSum } from './accurate-sum.js';
import { deviceScale } from './composite/softmax-composite.js';
import { customGradOverInput } from './custom-grad.js';
import {
  SIGMOID_FOCAL_LOSS,
  SOFTMAX_FOCAL_LOSS,
  type SigmoidFocalLossAttrs,
  type SoftmaxFocalLossAttrs,
} from './kernels/kernel-names.js';

/**
 * Backends whose memory is on the host: reads are synchronous and cheap, and their kernels reduce
 * in float64 themselves. The GPU kernels (webgl, webgpu) return the unreduced loss, which is then
 * summed here with the blocked sum.
 */
export const HOST_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm']);

/** Whether the active backend's kernels are the host ones (cpu, wasm), which run the core's loops. */
export function onHostBackend(): boolean {
  return HOST_BACKENDS.has(tf.getBackend());
}

/** Whether `kernelName` runs this call: registered for the active backend, and not refused. */
export function useFusedKernel(kernelName: string, composite: boolean): boolean {
  return !composite && tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/**
 * dy times the saved gradient. With a reduced loss dy is a scalar, and nearly always exactly 1 (the
 * loss is the objective): on a host backend, where reading a scalar costs nothing, the kernel's
 * gradient is then returned as is (a clone shares its memory), so the backward pass allocates nothing.
 */
function dyTimes(dy: tf.Tensor, grad: tf.Tensor, reduce: boolean): tf.Tensor {
  if (reduce && dy.size === 1 && HOST_BACKENDS.has(tf.getBackend()) && dy.dataSync()[0] === 1) return tf.clone(grad);
  return tf.mul(dy, grad);
}

/** The attributes runFused reads (every kernel of this package has them). */
export type FusedAttrs = tf.NamedAttrMap & { reduction: 'none' | 'mean' | 'sum'; scale?: number };

/** One kernel call for loss and gradient under customGrad (also the family's host kernels). */
export function runFused(
  kernelName: string,
  call: { input: tf.Tensor; target: tf.Tensor; weight: tf.Tensor | null },
  attrs: FusedAttrs,
  dyForInput: (dy: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  const { input, target, weight } = call;
  const constants = weight === null ? [target] : [target, weight];
  const reduce = attrs.reduction !== 'none';
  const reduceInKernel = HOST_BACKENDS.has(tf.getBackend());
  const kernelAttrs = reduceInKernel ? attrs : { ...attrs, reduction: 'none' as const };
  return tf.tidy(() =>
    customGradOverInput(input, constants, (x, save) => {
      const inputs: tf.NamedTensorMap = weight === null ? { input: x, target } : { input: x, target, weight };
      const outputs = tf.engine().runKernel(kernelName, inputs, kernelAttrs) as tf.Tensor[];
      const [loss, grad] = outputs as [tf.Tensor, tf.Tensor | undefined];
      if (grad !== undefined) save([grad]);
      const value = reduce && !reduceInKernel ? tf.mul(accurateSum(loss), tf.scalar(reductionScaleOf(attrs))) : loss;
      return {
        value,
        gradFunc: (dy, saved) => {
          const g = saved[0];
          if (g === undefined) throw new Error('focal loss: the gradient was not computed (no tape was recording)');
          return dyTimes(dyForInput(dy), g, reduce);
        },
      };
    }),
  );
}

/** The mean's factor of a GPU call (only sigmoid runs there; softmax's count needs the targets). */
function reductionScaleOf(attrs: FusedAttrs): number {
  if (typeof attrs.scale !== 'number') throw new Error('focal loss: no GPU reduction for this kernel');
  return attrs.scale as number;
}

/**
 * Whether a gradient tape records this call. Asked before the kernel runs (inside customGrad's
 * forward pass the engine reports no tape); without a tape the kernel skips the gradient.
 */
export function recording(): boolean {
  return tf.engine().isTapeOn();
}

export function sigmoidFused(call: SigmoidTensorCall): tf.Tensor {
  const { options, scale, classLayout, targetKind } = call.plan;
  const [alphaPos, alphaNeg] = binaryAlphaPair(options.alpha);
  const attrs: SigmoidFocalLossAttrs = {
    gamma: options.gamma,
    smoothing: options.labelSmoothing,
    fromLogits: options.fromLogits,
    eps: options.eps,
    reduction: options.reduction,
    gradient: recording(),
    polyEpsilon: options.polyEpsilon,
    alphaPos,
    alphaNeg,
    scale,
    posWeight: typeof options.posWeight === 'number' ? options.posWeight : 1,
    posWeights: typeof options.posWeight === 'number' ? [] : Array.from(options.posWeight),
    classOuter: classLayout?.outer ?? 1,
    classes: classLayout?.classes ?? 1,
    classInner: classLayout?.inner ?? 1,
    classIndexTargets: targetKind === 'classIndex',
    ignoreIndex: options.ignoreIndex ?? Number.NaN,
    normalizer: options.normalizer ?? 0,
  };
  return runFused(SIGMOID_FOCAL_LOSS, call, attrs, (dy) => dy);
}

export function softmaxFused(call: SoftmaxTensorCall): tf.Tensor {
  const { options, layout, targetKind, ignoreIndex } = call.plan;
  const attrs: SoftmaxFocalLossAttrs = {
    gamma: options.gamma,
    smoothing: options.labelSmoothing,
    fromLogits: options.fromLogits,
    eps: options.eps,
    reduction: options.reduction,
    gradient: recording(),
    polyEpsilon: options.polyEpsilon,
    classWeights: Array.from(classWeights(options.alpha, layout.classes)),
    normalizeProbabilities: options.normalizeProbabilities,
    targetKind,
    ignoreIndex: ignoreIndex ?? Number.NaN,
    normalizer: options.normalizer ?? 0,
    axis: layout.axis,
    outer: layout.outer,
    classes: layout.classes,
    inner: layout.inner,
  };
  const reduce = options.reduction !== 'none';
  if (!HOST_BACKENDS.has(tf.getBackend())) return softmaxOnDevice(call, attrs);
  // dy has the loss shape for "none": give it the class axis back.
  return runFused(SOFTMAX_FOCAL_LOSS, call, attrs, (dy) => (reduce ? dy : tf.expandDims(dy, layout.axis)));
}

/**
 * The GPU kernels see the input as [outer, C, inner] (a reshape, free on every backend) and return
 * the weighted loss per position and the weighted gradient, unscaled: the mean's count of
 * non-ignored positions is only known on the device when targets are not read back.
 */
function softmaxOnDevice(call: SoftmaxTensorCall, attrs: SoftmaxFocalLossAttrs): tf.Tensor {
  const { input, target, weight } = call;
  const { layout, options, targetKind, ignoreIndex } = call.plan;
  const { outer, classes, inner } = layout;
  const reduce = options.reduction !== 'none';
  const constants = weight === null ? [target] : [target, weight];
  return tf.tidy(() => {
    const target3 = tf.reshape(target, targetKind === 'index' ? [outer, inner] : [outer, classes, inner]);
    const weight2 = weight === null ? null : tf.reshape(weight, [outer, inner]);
    const alphas = tf.tensor1d(attrs.classWeights, 'float32');
    const scale =
      ignoreIndex === null || options.reduction !== 'mean' || options.normalizer !== null
        ? tf.scalar(reductionScale(options.reduction, options.normalizer, layout.positions))
        : deviceScale(options.reduction, options.normalizer, tf.notEqual(target3, tf.scalar(ignoreIndex, 'int32')));
    return customGradOverInput(input, constants, (x, save) => {
      const inputs: tf.NamedTensorMap = { input: tf.reshape(x, [outer, classes, inner]), target: target3, classWeights: alphas };
      if (weight2 !== null) inputs.weight = weight2;
      const outputs = tf.engine().runKernel(SOFTMAX_FOCAL_LOSS, inputs, { ...attrs, reduction: 'none' }) as tf.Tensor[];
      const [loss, grad] = outputs as [tf.Tensor, tf.Tensor | undefined];
      const rowLoss = tf.reshape(loss, [...layout.lossShape]);
      if (grad !== undefined) save([tf.mul(tf.reshape(grad, x.shape), scale)]);
      return {
        value: reduce ? tf.mul(accurateSum(rowLoss), scale) : rowLoss,
        gradFunc: (dy, saved) => {
          const g = saved[0];
          if (g === undefined) throw new Error('focal loss: the gradient was not computed (no tape was recording)');
          return tf.mul(reduce ? dy : tf.expandDims(dy, layout.axis), g);
        },
      };
    });
  });
}
