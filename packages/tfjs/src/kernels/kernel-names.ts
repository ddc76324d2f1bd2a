/**
 * The fused kernels' names, inputs and attributes, in one place (as tfjs-core's kernel_names.ts).
 * Each kernel computes the loss and, when asked, the scaled gradient of one call in one pass; the
 * gradient is handed to tf.customGrad (../fused-op.ts). Structure (from logits or not, target
 * kind, reduction) and numbers travel as attributes; the backends' kernels live in ./<backend>/.
 */
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

export const SIGMOID_FOCAL_LOSS = 'FocalLossSigmoidFused';
export const SOFTMAX_FOCAL_LOSS = 'FocalLossSoftmaxFused';

/**
 * input (float32), target (float32, int32 or bool), weight (float32, optional). The GPU softmax
 * kernels also take classWeights (float32 [C]) as a tensor, and see input/target/weight reshaped
 * to [outer, C, inner] / [outer, inner].
 */
export type FocalLossInputs = { input: TensorInfo; target: TensorInfo; weight?: TensorInfo; classWeights?: TensorInfo };

/** Attributes common to both kernels. */
export interface FocalLossCommonAttrs extends NamedAttrMap {
  gamma: number;
  smoothing: number;
  fromLogits: boolean;
  eps: number;
  /** "mean" and "sum" return a scalar; "none" the unreduced loss. */
  reduction: 'none' | 'mean' | 'sum';
  /** Also compute the gradient (second output); false when no gradient tape records. */
  gradient: boolean;
  /** Poly-1's epsilon (Leng et al. 2022): adds eps (1 - p_t)^(gamma+1) per element / position; 0: no term. */
  polyEpsilon: number;
}

export interface SigmoidFocalLossAttrs extends FocalLossCommonAttrs {
  alphaPos: number;
  alphaNeg: number;
  /** The mean's factor, known on the host for sigmoid (recomputed by the kernel when elements are ignored). */
  scale: number;
  /** Issue 14: the positive term's weight, one number (1: none) or, when posWeights is not empty, per class. */
  posWeight: number;
  posWeights: number[];
  /** The class axis as outer x classes x inner (all 1 when no option needs it). */
  classOuter: number;
  classes: number;
  classInner: number;
  /** int32 class indices of the input's shape without the class axis, label `classes` = background. */
  classIndexTargets: boolean;
  /** Targets (or labels) equal to it are ignored; NaN for none (attributes cannot be null). */
  ignoreIndex: number;
  /** The mean's divisor given by the user, or 0 for none. */
  normalizer: number;
}

export interface SoftmaxFocalLossAttrs extends FocalLossCommonAttrs {
  /** a_c for every class. */
  classWeights: number[];
  /** Issue 14: rows divided by their sum before the clip (probabilities only); the core's loop does it. */
  normalizeProbabilities: boolean;
  targetKind: 'index' | 'probability';
  /** Ignored class index, or NaN for none (attributes cannot be null). */
  ignoreIndex: number;
  /** The mean's divisor given by the user, or 0 for none (a normalizer is > 0). */
  normalizer: number;
  /** The class axis (non-negative) and the input's shape as outer x classes x inner. */
  axis: number;
  outer: number;
  classes: number;
  inner: number;
}
