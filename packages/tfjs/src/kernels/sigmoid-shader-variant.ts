/**
 * What the GPU programs of the sigmoid focal loss share: the variant (structure, part of the shader
 * key: a new gamma or alpha never compiles a shader) and the uniforms (numbers, in a fixed order).
 */
import { float32AtLeast, float32AtMost } from '../float32-math.js';
import type { SigmoidFocalLossAttrs } from './kernel-names.js';

export interface SigmoidShaderVariant {
  /** Which output this program writes: the per-element loss, or the scaled gradient. */
  readonly output: 'loss' | 'grad';
  readonly fromLogits: boolean;
  readonly hasWeight: boolean;
  /** gamma 0, 1 and 2 are products (0^0 = 1 by the contract); any other gamma uses pow. */
  readonly gammaKind: '0' | '1' | '2' | 'pow';
  /** Poly-1's term is in the program (polyEpsilon != 0); without it the program is the focal loss's. */
  readonly poly: boolean;
}

export function sigmoidVariant(output: 'loss' | 'grad', attrs: SigmoidFocalLossAttrs, hasWeight: boolean): SigmoidShaderVariant {
  const g = attrs.gamma;
  return {
    output,
    fromLogits: attrs.fromLogits,
    hasWeight,
    gammaKind: g === 0 ? '0' : g === 1 ? '1' : g === 2 ? '2' : 'pow',
    poly: attrs.polyEpsilon !== 0,
  };
}

export function variantKey(v: SigmoidShaderVariant): string {
  return `focal_sigmoid_${v.output}_${v.fromLogits ? 'logits' : 'probabilities'}_${v.hasWeight ? 'w' : 'nw'}_g${v.gammaKind}${v.poly ? '_poly' : ''}`;
}

/** Uniform names, in the order of `sigmoidUniformValues`. */
export const SIGMOID_UNIFORMS = [
  'gamma',
  'alphaPos',
  'alphaNeg',
  'smoothing',
  'scale',
  'eps',
  'epsLow',
  'epsHigh',
  'logEps',
  'log1mEps',
  'polyEpsilon',
] as const;

/**
 * The numbers of a call. The clip thresholds are the float32s that give the float64 decision for
 * every float32 input, and log(eps), log1p(-eps) come from the host in float64 (docs/math.md
 * "From probabilities"; 1 - eps is not a float32).
 */
export function sigmoidUniformValues(attrs: SigmoidFocalLossAttrs): number[] {
  const eps = attrs.eps;
  return [
    attrs.gamma,
    attrs.alphaPos,
    attrs.alphaNeg,
    attrs.smoothing,
    attrs.scale,
    eps,
    float32AtLeast(eps),
    float32AtMost(1 - eps),
    Math.log(eps),
    Math.log1p(-eps),
    attrs.polyEpsilon,
  ];
}
