/**
 * The fused softmax focal loss on tfjs-backend-webgpu: WGSL programs over the input seen as
 * [outer, C, inner], one writing the weighted per-position loss, one the weighted gradient (each
 * entry loops over its row). Unscaled: the caller applies the mean's scale and reduces. The same
 * steps as the WebGL program (../webgl/SoftmaxFocalLoss.ts), following packages/core/docs/math.md.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SOFTMAX_FOCAL_LOSS, type FocalLossInputs, type SoftmaxFocalLossAttrs } from '../kernel-names.js';
import {
  SOFTMAX_FLOAT_UNIFORMS,
  softmaxUniformValues,
  softmaxVariant,
  softmaxVariantKey,
  type SoftmaxShaderVariant,
} from '../softmax-shader-variant.js';

interface WebGpuBackendLike {
  runWebGPUProgram(
    program: SoftmaxFocalWebGpuProgram,
    inputs: TensorInfo[],
    outputDtype: 'float32',
    programDefinedUniform?: { type: 'float32' | 'int32'; data: number[] }[],
  ): TensorInfo;
}

const WORKGROUP_SIZE = 64;

const WGSL_HELPERS = `
  fn focalLog1p(v : f32) -> f32 {
    if (abs(v) < 0.03125) {
      return v * (1.0 - v * (0.5 - v * (1.0 / 3.0 - v * (0.25 - v * (0.2 - v / 6.0)))));
    }
    return log(1.0 + v);
  }
  // f(v) = -log(1 - v) - v given s = -log(1 - v) (core's logOneMinusExcess), as the WebGL program.
  fn focalExcess(v : f32, s : f32) -> f32 {
    if (!(v < 0.5)) { return s - v; }
    let r = v / (2.0 - v);
    let r2 = r * r;
    var h = 1.0 / 15.0;
    h = 1.0 / 13.0 + r2 * h; h = 1.0 / 11.0 + r2 * h; h = 1.0 / 9.0 + r2 * h;
    h = 1.0 / 7.0 + r2 * h; h = 1.0 / 5.0 + r2 * h; h = 1.0 / 3.0 + r2 * h;
    return 2.0 * r2 / (1.0 + r) + 2.0 * r * r2 * h;
  }
`;

function powGamma(kind: SoftmaxShaderVariant['gammaKind'], q: string): string {
  if (kind === '0') return '1.0';
  if (kind === '1') return q;
  if (kind === '2') return `(${q} * ${q})`;
  return `select(0.0, pow(${q}, uniforms.gamma), ${q} > 0.0)`;
}

/** t_c with label smoothing. */
function smoothedTarget(v: SoftmaxShaderVariant, c: string): string {
  const raw = v.targetKind === 'probability' ? `f32(getT(o, ${c}, i))` : `select(0.0, 1.0, ${c} == index)`;
  return `(${raw} * (1.0 - uniforms.smoothing) + uniforms.smoothing / f32(C))`;
}

function classWeight(v: SoftmaxShaderVariant, c: string): string {
  return `f32(getA(${c})) * ${smoothedTarget(v, c)}`;
}

// Poly-1 as in the WebGL program (../webgl/SoftmaxFocalLoss.ts polyAccumulate): u = sum_c t_c q_c +
// (1 - sum_c t_c); loss + eps u^(g+1); gradient -eps (g+1) u^g p_k (t_k q_k - (p_t - t_k p_k)) from
// logits, -eps (g+1) u^g t_k from probabilities (0 where clipped).

function fromLogits(v: SoftmaxShaderVariant): string {
  const qPow = powGamma(v.gammaKind, 'q');
  return `
    var m = getX(o, 0, i);
    var top = 0;
    var nanSeen = isnan(m);
    for (var c = 1; c < C; c++) {
      let xv = getX(o, c, i);
      if (isnan(xv)) { nanSeen = true; }
      if (xv > m) { m = xv; top = c; }
    }
    if (nanSeen || !(m > -3.4028234e38 && m < 3.4028234e38)) { return uniforms.NAN; }
    var others = 0.0;
    for (var c = 0; c < C; c++) { if (c != top) { others += exp(getX(o, c, i) - m); } }
    let logSum = focalLog1p(others);
    let invSum = 1.0 / (1.0 + others);
    var result = 0.0;
    var gTotal = 0.0; var gK = 0.0; var pK = 0.0; var qK = 0.0;
    var sumT = 0.0; var sumTQ = 0.0; var pT = 0.0; var tK = 0.0; // Poly-1's sums
    var hotCount = 0; var hotT = 0.0; var pHot = 0.0; var qHot = 0.0; var sHot = 0.0; var aHot = 0.0;
    for (var c = 0; c < C; c++) {
      let d = getX(o, c, i) - m;
      let p = exp(d) * invSum;
      var q = 1.0 - p; // p <= 1/2 off the top
      if (c == top) { q = others * invSum; }
      let s = logSum - d; // -log p_c >= 0, +Infinity for a -Infinity logit
      let wc = ${classWeight(v, 'c')};
      let qPow = ${qPow};
      ${
        v.poly
          ? `let tc = ${smoothedTarget(v, 'c')}; sumT += tc; sumTQ += tc * q; pT += tc * p;
      if (tc != 0.0) { hotCount += 1; hotT = tc; pHot = p; qHot = q; sHot = s; aHot = wc; }`
          : ''
      }
      ${v.poly && v.output === 'grad' ? 'if (c == k) { tK = tc; }' : ''}
      ${
        v.output === 'loss'
          ? 'if (wc != 0.0) { result += wc * qPow * s; } // 0 * inf skipped: masking'
          : `var sOverQ = 1.0; // -log p / (1 - p) -> 1 as p -> 1
      if (q > 0.0) { sOverQ = s / q; }
      // p s -> 0 as p -> 0: a -Infinity logit has the finite limit wc q^g
      var gC = 0.0;
      if (wc != 0.0) {
        gC = wc * qPow;
        if (p > 0.0) { gC = wc * qPow * (1.0 + uniforms.gamma * p * sOverQ); }
      }
      gTotal += gC;
      if (c == k) { gK = gC; pK = p; qK = q; }`
      }
    }
    ${v.output === 'grad' ? 'result = pK * (gTotal - gK) - qK * gK;' : ''}
    ${
      !v.poly
        ? ''
        : `if (hotCount == 1 && hotT == 1.0 && pHot > 0.0) {
      // a one-hot row, regrouped as the WebGL program's oneHotPolyGlsl (core's oneHotPolyRow)
      let fH = focalExcess(qHot, sHot);
      let qPowH = ${powGamma(v.gammaKind, 'qHot')};
      let bothH = aHot + uniforms.polyEpsilon;
      ${
        v.output === 'loss'
          ? 'return qPowH * (aHot * fH + bothH * qHot);'
          : `if (tK == 1.0) { return -qPowH * (aHot * qHot * qHot + aHot * uniforms.gamma * pHot * fH + (uniforms.gamma + 1.0) * bothH * pHot * qHot); }
      var fOverQ = 0.0;
      if (qHot > 0.0) { fOverQ = fH / qHot; }
      return pK * qPowH * (aHot * qHot + aHot * uniforms.gamma * pHot * fOverQ + (uniforms.gamma + 1.0) * bothH * pHot);`
      }
    }
    let u = sumTQ + (1.0 - sumT);
    let uPow = ${powGamma(v.gammaKind, 'u')};
    ${
      v.output === 'loss'
        ? 'result += uniforms.polyEpsilon * u * uPow;'
        : 'result -= uniforms.polyEpsilon * (uniforms.gamma + 1.0) * uPow * pK * (tK * qK - (pT - tK * pK));'
    }`
    }
    return result;`;
}

function perClassProbability(v: SoftmaxShaderVariant, c: string): string {
  return `
      let pIn = getX(o, ${c}, i);
      let low = pIn < uniforms.epsLow;
      let high = pIn > uniforms.epsHigh;
      var p = pIn;
      var q = 1.0 - pIn;
      var logP = 0.0;
      if (low) { p = uniforms.eps; q = 1.0 - p; logP = uniforms.logEps; }
      else if (high) { p = 1.0 - uniforms.eps; q = uniforms.eps; logP = uniforms.log1mEps; }
      else if (p > 0.5) { logP = focalLog1p(-q); }
      else { logP = log(p); }
      let s = -logP;
      let wc = ${classWeight(v, c)};
      let qPow = ${powGamma(v.gammaKind, 'q')};`;
}

function fromProbabilities(v: SoftmaxShaderVariant): string {
  const polyU = !v.poly
    ? ''
    : `
    var sumT = 0.0; var sumTQ = 0.0;
    for (var c = 0; c < C; c++) {
      ${perClassProbability(v, 'c')}
      let tc = ${smoothedTarget(v, 'c')};
      sumT += tc; sumTQ += tc * q;
    }
    let u = sumTQ + (1.0 - sumT);
    let uPow = ${powGamma(v.gammaKind, 'u')};`;
  if (v.output === 'loss') {
    return `
    var result = 0.0;
    for (var c = 0; c < C; c++) {
      ${perClassProbability(v, 'c')}
      if (wc != 0.0) { result += wc * qPow * s; }
    }
    ${polyU}
    ${v.poly ? 'result += uniforms.polyEpsilon * u * uPow;' : ''}
    return result;`;
  }
  return `
    ${polyU}
    ${perClassProbability(v, 'k')}
    // d/dp [q^g s] = -q^g (g s / q + 1 / p); 0 where clipped
    if (low || high) { return 0.0; }
    var result = 0.0;
    if (wc != 0.0) { result = -wc * qPow * (uniforms.gamma * s / q + 1.0 / p); }
    ${v.poly ? `result -= uniforms.polyEpsilon * (uniforms.gamma + 1.0) * uPow * ${smoothedTarget(v, 'k')};` : ''}
    return result;`;
}

/** One output of the softmax focal loss over x [outer, C, inner]. */
export class SoftmaxFocalWebGpuProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  readonly size = true;
  readonly uniforms = `${SOFTMAX_FLOAT_UNIFORMS.map((name) => `${name} : f32,`).join(' ')} ignoreIndex : i32,`;
  private readonly variant: SoftmaxShaderVariant;

  constructor(outer: number, inner: number, variant: SoftmaxShaderVariant) {
    this.variant = variant;
    this.variableNames = ['x', 't', 'a', ...(variant.hasWeight ? ['w'] : [])];
    this.outputShape = variant.output === 'grad' ? [outer, variant.classes, inner] : [outer, inner];
    this.shaderKey = softmaxVariantKey(variant);
    this.dispatchLayout = { x: this.outputShape.map((_, i) => i) };
    const elements = this.outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(elements / WORKGROUP_SIZE), 1, 1];
  }

  getUserCode(): string {
    const v = this.variant;
    const grad = v.output === 'grad';
    const index = v.targetKind === 'index' ? 'i32(getT(o, i))' : '-1';
    return `
      ${WGSL_HELPERS}
      const C = ${v.classes};
      fn position(o : i32, k : i32, i : i32) -> f32 {
        let index = ${index};
        // an ignored position: loss 0, gradient 0, its weight not read
        ${v.hasIgnore ? 'if (index == uniforms.ignoreIndex) { return 0.0; }' : ''}
        ${v.fromLogits ? fromLogits(v) : fromProbabilities(v)}
      }
      fn main(flatIndex : i32) {
        if (flatIndex < uniforms.size) {
          let coords = getCoordsFromIndex(flatIndex);
          ${grad ? 'let o = coords[0]; let k = coords[1]; let i = coords[2];' : 'let o = coords[0]; let k = 0; let i = coords[1];'}
          var result = position(o, k, i);
          // the position's weight by IEEE arithmetic (not read where ignored)
          ${v.hasWeight ? `${v.hasIgnore ? `if (${index} != uniforms.ignoreIndex) { result = result * getW(o, i); }` : 'result = result * getW(o, i);'}` : ''}
          setOutputAtIndex(flatIndex, result);
        }
      }
    `;
  }
}

function softmaxFocalLossWebGpu(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const backend = args.backend as unknown as WebGpuBackendLike;
  const { input, target, weight, classWeights } = args.inputs as FocalLossInputs;
  const attrs = args.attrs as unknown as SoftmaxFocalLossAttrs;
  if (classWeights === undefined) throw new Error('focal loss webgpu kernel: classWeights input missing');
  const inputs = weight === undefined ? [input, target, classWeights] : [input, target, classWeights, weight];
  const uniforms = [
    ...softmaxUniformValues(attrs).map((v) => ({ type: 'float32' as const, data: [v] })),
    { type: 'int32' as const, data: [Number.isNaN(attrs.ignoreIndex) ? 0 : attrs.ignoreIndex] },
  ];
  const run = (output: 'loss' | 'grad') =>
    backend.runWebGPUProgram(
      new SoftmaxFocalWebGpuProgram(attrs.outer, attrs.inner, softmaxVariant(output, attrs, weight !== undefined)),
      inputs,
      'float32',
      uniforms,
    );
  return attrs.gradient ? [run('loss'), run('grad')] : [run('loss')];
}

export const softmaxFocalLossWebGpuConfig: KernelConfig = {
  kernelName: SOFTMAX_FOCAL_LOSS,
  backendName: 'webgpu',
  kernelFunc: softmaxFocalLossWebGpu as unknown as KernelFunc,
};
