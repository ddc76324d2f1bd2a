/**
 * The fused softmax focal loss on tfjs-backend-webgl: GPGPU programs over the input seen as
 * [outer, C, inner], one writing the weighted per-position loss, one the weighted gradient (each
 * gradient entry loops over its row: O(C) per entry). Unscaled: the caller applies the mean's scale
 * (the count of non-ignored positions may only be known on the device) and reduces.
 *
 * Step by step as packages/core/docs/math.md "Softmax focal loss" (core's rowFromLogits and
 * rowFromProbabilities): m the row maximum and its first index `top`; e_c = exp(x_c - m), e_top = 1
 * exactly; 1 - p_top = others / (1 + others), never by subtraction; -log p_c = log1p(others) -
 * (x_c - m); G_c = a_c t_c q_c^g (1 + g p_c s_c / q_c); grad_k = p_k (G - G_k) - q_k G_k. A row
 * whose maximum is not finite, or with a NaN, is NaN; -Infinity logits mask their classes.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SOFTMAX_FOCAL_LOSS, type FocalLossInputs, type SoftmaxFocalLossAttrs } from '../kernel-names.js';
import {
  SOFTMAX_FLOAT_UNIFORMS,
  softmaxUniformValues,
  softmaxVariant,
  type SoftmaxShaderVariant,
} from '../softmax-shader-variant.js';

interface WebGlBackendLike {
  runWebGLProgram(program: SoftmaxFocalProgram, inputs: TensorInfo[], outputType: 'float32', customUniformValues?: number[][]): TensorInfo;
}

const GLSL_HELPERS = `
  float focalLog1p(float v) {
    if (abs(v) < 0.03125) {
      return v * (1.0 - v * (0.5 - v * (1.0 / 3.0 - v * (0.25 - v * (0.2 - v / 6.0)))));
    }
    return log(1.0 + v);
  }
  // f(v) = -log(1 - v) - v given s = -log(1 - v) (core's logOneMinusExcess): below 1/2 from
  // r = v / (2 - v), 2 r^2 / (1 + r) + 2 (r^3/3 + ... + r^15/15), every term >= 0; else s - v.
  float focalExcess(float v, float s) {
    if (!(v < 0.5)) { return s - v; }
    float r = v / (2.0 - v);
    float r2 = r * r;
    float h = 1.0 / 15.0;
    h = 1.0 / 13.0 + r2 * h; h = 1.0 / 11.0 + r2 * h; h = 1.0 / 9.0 + r2 * h;
    h = 1.0 / 7.0 + r2 * h; h = 1.0 / 5.0 + r2 * h; h = 1.0 / 3.0 + r2 * h;
    return 2.0 * r2 / (1.0 + r) + 2.0 * r * r2 * h;
  }
`;

function powGamma(kind: SoftmaxShaderVariant['gammaKind'], q: string): string {
  if (kind === '0') return '1.0';
  if (kind === '1') return q;
  if (kind === '2') return `(${q} * ${q})`;
  return `(${q} > 0.0 ? pow(${q}, gamma) : 0.0)`;
}

/** t_c with label smoothing (of class `c`, a GLSL int expression). */
function smoothedTarget(v: SoftmaxShaderVariant, c = 'c'): string {
  const raw = v.targetKind === 'probability' ? `getT(o, ${c}, i)` : `(float(${c}) == index ? 1.0 : 0.0)`;
  return `(${raw} * (1.0 - smoothing) + smoothing / float(C))`;
}

/** t_c smoothed, then times a_c: the class's weight in the loss. */
function classWeight(v: SoftmaxShaderVariant): string {
  return `getA(c) * ${smoothedTarget(v)}`;
}

/**
 * Poly-1 (docs/math.md, s2 decisions), per position and not times a_c: u = 1 - p_t = sum_c t_c q_c
 * + (1 - sum_c t_c), a sum without cancellation (q_k itself for a one-hot target); the loss gains
 * eps u^(g+1). From logits the gradient gains -eps (g+1) u^g p_k (t_k - p_t), with t_k - p_t =
 * t_k q_k - (p_t - t_k p_k); from probabilities -eps (g+1) u^g t_k, 0 where p_k was clipped.
 */
function polyAccumulate(v: SoftmaxShaderVariant): string {
  return v.poly
    ? `float tc = ${smoothedTarget(v)}; sumT += tc; sumTQ += tc * q; pT += tc * p;
      if (tc != 0.0) { hotCount += 1; hotT = tc; pHot = p; qHot = q; sHot = s; aHot = wc; }`
    : '';
}

/**
 * A one-hot row (one class with t = 1, the rest 0) with p_k > 0, regrouped as core's oneHotPolyRow
 * (math.md Poly-1 "Accuracy": no cancellation when eps ~ -a_k); f = s_k - q_k = focalExcess:
 *   loss = q^g (a f + (a + eps) q);  dL/dx_k = -q^g (a q^2 + a g p f + (g + 1)(a + eps) p q);
 *   dL/dx_j = p_j q^g (a q + a g p (f / q) + (g + 1)(a + eps) p).
 */
function oneHotPolyGlsl(v: SoftmaxShaderVariant): string {
  const qPow = powGamma(v.gammaKind, 'qHot');
  const value =
    v.output === 'loss'
      ? 'result = qPowH * (aHot * fH + bothH * qHot);'
      : `result = tK == 1.0
        ? -qPowH * (aHot * qHot * qHot + aHot * gamma * pHot * fH + (gamma + 1.0) * bothH * pHot * qHot)
        : pK * qPowH * (aHot * qHot + aHot * gamma * pHot * (qHot > 0.0 ? fH / qHot : 0.0) + (gamma + 1.0) * bothH * pHot);`;
  return `float fH = focalExcess(qHot, sHot);
      float qPowH = ${qPow};
      float bothH = aHot + polyEpsilon;
      ${value}`;
}

function fromLogits(v: SoftmaxShaderVariant): string {
  const qPow = powGamma(v.gammaKind, 'q');
  return `
    // the row maximum and its first index; a NaN anywhere or a non-finite maximum: a NaN row
    float m = getX(o, 0, i);
    int top = 0;
    bool nanSeen = isnan(m);
    for (int c = 1; c < C; c++) {
      float v = getX(o, c, i);
      if (isnan(v)) nanSeen = true;
      if (v > m) { m = v; top = c; }
    }
    if (nanSeen || !(m > -3.4028234e38 && m < 3.4028234e38)) { setOutput(NAN); return; }
    // others = sum of e_c = exp(x_c - m) over c != top (e_top = 1)
    float others = 0.0;
    for (int c = 0; c < C; c++) { if (c != top) others += exp(getX(o, c, i) - m); }
    float logSum = focalLog1p(others);
    float invSum = 1.0 / (1.0 + others);
    float gTotal = 0.0; float gK = 0.0; float pK = 0.0; float qK = 0.0;
    float sumT = 0.0; float sumTQ = 0.0; float pT = 0.0; float tK = 0.0; // Poly-1's sums
    int hotCount = 0; float hotT = 0.0; float pHot = 0.0; float qHot = 0.0; float sHot = 0.0; float aHot = 0.0;
    for (int c = 0; c < C; c++) {
      float d = getX(o, c, i) - m;
      float p = exp(d) * invSum;
      float q = c == top ? others * invSum : 1.0 - p; // p <= 1/2 off the top
      float s = logSum - d; // -log p_c >= 0, +Infinity for a -Infinity logit
      float wc = ${classWeight(v)};
      float qPow = ${qPow};
      ${polyAccumulate(v)}
      ${v.poly && v.output === 'grad' ? `if (c == k) { tK = tc; }` : ''}
      ${
        v.output === 'loss'
          ? 'result += wc == 0.0 ? 0.0 : wc * qPow * s; // 0 * inf skipped: masking'
          : `float sOverQ = q > 0.0 ? s / q : 1.0; // -log p / (1 - p) -> 1 as p -> 1
      // p s -> 0 as p -> 0: a -Infinity logit has the finite limit wc q^g
      float gC = wc == 0.0 ? 0.0 : wc * qPow * (p > 0.0 ? 1.0 + gamma * p * sOverQ : 1.0);
      gTotal += gC;
      if (c == k) { gK = gC; pK = p; qK = q; }`
      }
    }
    ${v.output === 'grad' ? 'result = pK * (gTotal - gK) - qK * gK;' : ''}
    ${
      !v.poly
        ? ''
        : `if (hotCount == 1 && hotT == 1.0 && pHot > 0.0) {
      ${oneHotPolyGlsl(v)}
    } else {
    float u = sumTQ + (1.0 - sumT);
    float uPow = ${powGamma(v.gammaKind, 'u')};
    ${
      v.output === 'loss'
        ? 'result += polyEpsilon * u * uPow;'
        : 'result -= polyEpsilon * (gamma + 1.0) * uPow * pK * (tK * qK - (pT - tK * pK));'
    }
    }`
    }`;
}

function fromProbabilities(v: SoftmaxShaderVariant): string {
  const perClass = (c: string) => `
      float pIn = getX(o, ${c}, i);
      bool low = pIn < epsLow;
      bool high = pIn > epsHigh;
      float p = low ? eps : (high ? 1.0 - eps : pIn);
      float q = high ? eps : 1.0 - p;
      // -log p from the original value: log1p(-q) above 1/2, float64 constants at the clip
      float s = -(low ? logEps : (high ? log1mEps : (p > 0.5 ? focalLog1p(-q) : log(p))));
      float wc = ${classWeight(v).replace(/\bc\b/g, c)};
      float qPow = ${powGamma(v.gammaKind, 'q')};`;
  // Poly-1: u = sum_c t_c q_c + (1 - sum_c t_c) over the clipped probabilities (none without C > 0)
  const polyU = !v.poly
    ? ''
    : `
    float sumT = 0.0; float sumTQ = 0.0;
    for (int c = 0; c < C; c++) {
      ${perClass('c')}
      float tc = ${smoothedTarget(v)};
      sumT += tc; sumTQ += tc * q;
    }
    float u = sumTQ + (1.0 - sumT);
    float uPow = ${powGamma(v.gammaKind, 'u')};`;
  return v.output === 'loss'
    ? `
    for (int c = 0; c < C; c++) {
      ${perClass('c')}
      result += wc == 0.0 ? 0.0 : wc * qPow * s;
    }
    ${polyU}
    ${v.poly ? 'result += polyEpsilon * u * uPow;' : ''}`
    : `
    ${polyU}
    {
      ${perClass('k')}
      // d/dp [q^g s] = -q^g (g s / q + 1 / p); 0 where clipped
      result = (low || high || wc == 0.0) ? 0.0 : -wc * qPow * (gamma * s / q + 1.0 / p);
      ${v.poly ? `if (!(low || high)) { result -= polyEpsilon * (gamma + 1.0) * uPow * ${smoothedTarget(v, 'k')}; }` : ''}
    }`;
}

/** One output of the softmax focal loss over x [outer, C, inner]. */
export class SoftmaxFocalProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly userCode: string;
  readonly customUniforms = [
    ...SOFTMAX_FLOAT_UNIFORMS.map((name) => ({ name, type: 'float' as const })),
    { name: 'ignoreIndex', type: 'float' as const },
  ];

  constructor(outer: number, inner: number, variant: SoftmaxShaderVariant) {
    this.variableNames = ['x', 't', 'a', ...(variant.hasWeight ? ['w'] : [])];
    const grad = variant.output === 'grad';
    this.outputShape = grad ? [outer, variant.classes, inner] : [outer, inner];
    const index = variant.targetKind === 'index' ? 'getT(o, i)' : '-1.0';
    this.userCode = `
      ${GLSL_HELPERS}
      const int C = ${variant.classes};
      void main() {
        ${grad ? 'ivec3 coords = getOutputCoords(); int o = coords.x; int k = coords.y; int i = coords.z;' : 'ivec2 coords = getOutputCoords(); int o = coords.x; int i = coords.y;'}
        float index = ${index};
        // an ignored position: loss 0, gradient 0, its weight not read
        ${variant.hasIgnore ? 'if (index == ignoreIndex) { setOutput(0.0); return; }' : ''}
        float result = 0.0;
        ${variant.fromLogits ? fromLogits(variant) : fromProbabilities(variant)}
        // the position's weight by IEEE arithmetic
        ${variant.hasWeight ? 'result = result * getW(o, i);' : ''}
        setOutput(result);
      }
    `;
  }
}

function softmaxFocalLossWebGl(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const backend = args.backend as unknown as WebGlBackendLike;
  const { input, target, weight, classWeights } = args.inputs as FocalLossInputs;
  const attrs = args.attrs as unknown as SoftmaxFocalLossAttrs;
  if (classWeights === undefined) throw new Error('focal loss webgl kernel: classWeights input missing');
  const inputs = weight === undefined ? [input, target, classWeights] : [input, target, classWeights, weight];
  const uniforms = [...softmaxUniformValues(attrs), Number.isNaN(attrs.ignoreIndex) ? 0 : attrs.ignoreIndex].map((v) => [v]);
  const run = (output: 'loss' | 'grad') =>
    backend.runWebGLProgram(
      new SoftmaxFocalProgram(attrs.outer, attrs.inner, softmaxVariant(output, attrs, weight !== undefined)),
      inputs,
      'float32',
      uniforms,
    );
  return attrs.gradient ? [run('loss'), run('grad')] : [run('loss')];
}

export const softmaxFocalLossWebGlConfig: KernelConfig = {
  kernelName: SOFTMAX_FOCAL_LOSS,
  backendName: 'webgl',
  kernelFunc: softmaxFocalLossWebGl as unknown as KernelFunc,
};
