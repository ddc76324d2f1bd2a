/**
 * What the GPU programs of the softmax focal loss share: the variant (structure, in the shader key)
 * and the uniforms (numbers). The programs see the input as [outer, C, inner] (a free reshape), so
 * one program serves every class axis; C is part of the program, as shapes are of every tfjs
 * program. They return the weighted per-position loss and the weighted gradient, unscaled: the
 * mean's count may be known only on the device (ignored positions), so the caller scales.
 */
import { float32AtLeast, float32AtMost } from '../float32-math.js';
import type { SoftmaxFocalLossAttrs } from './kernel-names.js';

export interface SoftmaxShaderVariant {
  readonly output: 'loss' | 'grad';
  readonly fromLogits: boolean;
  readonly targetKind: 'index' | 'probability';
  readonly hasIgnore: boolean;
  readonly hasWeight: boolean;
  readonly gammaKind: '0' | '1' | '2' | 'pow';
  readonly classes: number;
  /** Poly-1's term is in the program (polyEpsilon != 0); without it the program is the focal loss's. */
  readonly poly: boolean;
}

export function softmaxVariant(output: 'loss' | 'grad', attrs: SoftmaxFocalLossAttrs, hasWeight: boolean): SoftmaxShaderVariant {
  const g = attrs.gamma;
  return {
    output,
    fromLogits: attrs.fromLogits,
    targetKind: attrs.targetKind,
    hasIgnore: attrs.targetKind === 'index' && !Number.isNaN(attrs.ignoreIndex),
    hasWeight,
    gammaKind: g === 0 ? '0' : g === 1 ? '1' : g === 2 ? '2' : 'pow',
    classes: attrs.classes,
    poly: attrs.polyEpsilon !== 0,
  };
}

export function softmaxVariantKey(v: SoftmaxShaderVariant): string {
  return (
    `focal_softmax_${v.output}_${v.fromLogits ? 'logits' : 'probabilities'}_${v.targetKind}` +
    `_${v.hasIgnore ? 'ignore' : 'all'}_${v.hasWeight ? 'w' : 'nw'}_g${v.gammaKind}_c${v.classes}${v.poly ? '_poly' : ''}`
  );
}

/** Float uniform names, in the order of `softmaxUniformValues`. */
export const SOFTMAX_FLOAT_UNIFORMS = ['gamma', 'smoothing', 'eps', 'epsLow', 'epsHigh', 'logEps', 'log1mEps', 'polyEpsilon'] as const;

export function softmaxUniformValues(attrs: SoftmaxFocalLossAttrs): number[] {
  const eps = attrs.eps;
  return [attrs.gamma, attrs.smoothing, eps, float32AtLeast(eps), float32AtMost(1 - eps), Math.log(eps), Math.log1p(-eps), attrs.polyEpsilon];
}
