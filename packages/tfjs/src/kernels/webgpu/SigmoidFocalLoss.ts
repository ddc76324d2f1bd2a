/**
 * The fused sigmoid focal loss on tfjs-backend-webgpu: a WGSL compute program run twice per kernel
 * call, once writing the per-element loss and once the scaled gradient (tfjs' WebGPU programs have
 * one output). Numbers are uniforms; the structure (from logits, weight, gamma 0/1/2/other, which
 * output) is in the shader key, so each variant compiles once. The caller reduces with the blocked
 * sum (../../accurate-sum.ts).
 *
 * Step by step as packages/core/docs/math.md, with the same accuracy tricks as the WebGL program
 * (../webgl/SigmoidFocalLoss.ts): p and q from e = exp(-|x|), log1p by its series below 1/32, no
 * derivative of pow, products with a zero factor skipped at infinite logits.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SIGMOID_FOCAL_LOSS, type FocalLossInputs, type SigmoidFocalLossAttrs } from '../kernel-names.js';
import {
  SIGMOID_UNIFORMS,
  sigmoidUniformValues,
  sigmoidVariant,
  variantKey,
  type SigmoidShaderVariant,
} from '../sigmoid-shader-variant.js';

/** The little of WebGPUBackend used here (typed structurally: tfjs-backend-webgpu is the user's). */
interface WebGpuBackendLike {
  runWebGPUProgram(
    program: SigmoidFocalWebGpuProgram,
    inputs: TensorInfo[],
    outputDtype: 'float32',
    programDefinedUniform?: { type: 'float32'; data: number[] }[],
  ): TensorInfo;
}

const WORKGROUP_SIZE = 64;

const WGSL_HELPERS = `
  // log(1 + v), v >= -1: the series below |v| = 1/32 (docs/math.md "Computing it accurately").
  fn focalLog1p(v : f32) -> f32 {
    if (abs(v) < 0.03125) {
      return v * (1.0 - v * (0.5 - v * (1.0 / 3.0 - v * (0.25 - v * (0.2 - v / 6.0)))));
    }
    return log(1.0 + v);
  }
  // a * b, and 0 where a is 0: the limit at infinite logits (0 * inf would be NaN).
  fn timesUnlessZero(a : f32, b : f32) -> f32 {
    if (a == 0.0) { return 0.0; }
    return a * b;
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

function powGammaWgsl(kind: SigmoidShaderVariant['gammaKind'], u: string): string {
  if (kind === '0') return '1.0'; // 0^0 = 1
  if (kind === '1') return u;
  if (kind === '2') return `(${u} * ${u})`;
  return `select(0.0, pow(${u}, uniforms.gamma), ${u} > 0.0)`;
}

/** Poly-1, as the WebGL program's polyGlsl: + eps u^(g+1); gradient eps (g+1) u^g p q (1 - 2t), or u^g (1 - 2t) from probabilities. */
function polyWgsl(v: SigmoidShaderVariant): string {
  if (!v.poly) return '';
  const uPow = powGammaWgsl(v.gammaKind, 'u');
  const derivative = v.fromLogits ? `${uPow} * p * q * (t1 - t)` : `${uPow} * (t1 - t)`;
  const term = `uniforms.polyEpsilon * (uniforms.gamma + 1.0) * ${derivative} * uniforms.scale`;
  const plain =
    v.output === 'loss'
      ? `result += uniforms.polyEpsilon * u * ${uPow};`
      : v.fromLogits
        ? `result += ${term};`
        : `result += select(${term}, 0.0, low || high);`;
  if (!v.fromLogits) return plain;
  // From a finite logit, regrouped as the WebGL program's polyGlsl (core's sigmoidPolyFromParts).
  return `
    if (abs(x) <= 3.4028234e38) {
      let uPowR = ${uPow};
      let dR = timesUnlessZero(t, focalExcess(q, softplusNeg)) + timesUnlessZero(t1, focalExcess(p, softplusPos));
      let bothR = alphaT + uniforms.polyEpsilon;
      ${
        v.output === 'loss'
          ? 'result = uPowR * (alphaT * dR + bothR * u);'
          : `var pqOverUR = 0.0;
      if (u > 0.0) { pqOverUR = p * q / u; }
      result = uPowR * (alphaT * uniforms.gamma * pqOverUR * (t1 - t) * dR + alphaT * (p * p * t1 - q * q * t) + (uniforms.gamma + 1.0) * bothR * p * q * (t1 - t)) * uniforms.scale;`
      }
    } else {
      ${plain}
    }`;
}

function fromLogitsWgsl(v: SigmoidShaderVariant): string {
  return `
    // e = exp(-|x|) in (0, 1]: p = 1/(1+e), q = e/(1+e) or the other way round; NaN takes the else.
    let e = exp(-abs(x));
    let inv = 1.0 / (1.0 + e);
    var p = e * inv;
    var q = inv;
    if (x >= 0.0) { p = inv; q = e * inv; }
    // softplus(x) = max(x, 0) + log1p(e) = -log q; softplus(-x) = -log p
    let log1pE = focalLog1p(e);
    let softplusPos = max(x, 0.0) + log1pE;
    let softplusNeg = max(-x, 0.0) + log1pE;
    let ce = timesUnlessZero(t, softplusNeg) + timesUnlessZero(t1, softplusPos);
    // u = 1 - p_t = p (1 - t) + q t: non-negative terms, no cancellation
    let u = p * t1 + q * t;
    let focal = alphaT * ${powGammaWgsl(v.gammaKind, 'u')};
    ${
      v.output === 'loss'
        ? 'result = timesUnlessZero(focal, ce);'
        : `// dL/dx = alpha_t u^g [ g (p q / u)(1 - 2t) ce + (p - t) ], p q / u := 0 where u = 0
    var pqOverU = 0.0;
    if (u > 0.0) { pqOverU = p * q / u; }
    let pMinusT = p * t1 - q * t;
    result = focal * (timesUnlessZero(pqOverU * uniforms.gamma * (t1 - t), ce) + pMinusT) * uniforms.scale;`
    }
    ${polyWgsl(v)}`;
}

function fromProbabilitiesWgsl(v: SigmoidShaderVariant): string {
  return `
    // p clipped to [eps, 1 - eps]; q = 1 - p exact (eps where clipped high); both logs from the
    // original value, log p = log1p(-q) above 1/2 (docs/math.md "From probabilities").
    let low = x < uniforms.epsLow;
    let high = x > uniforms.epsHigh;
    var p = x;
    var logP = 0.0;
    var logQ = 0.0;
    var q = 0.0;
    if (low) {
      p = uniforms.eps; q = 1.0 - p; logP = uniforms.logEps; logQ = uniforms.log1mEps;
    } else if (high) {
      p = 1.0 - uniforms.eps; q = uniforms.eps; logP = uniforms.log1mEps; logQ = uniforms.logEps;
    } else {
      q = 1.0 - p;
      if (p > 0.5) { logP = focalLog1p(-q); } else { logP = log(p); }
      logQ = focalLog1p(-p);
    }
    let ce = -(t * logP + t1 * logQ);
    let u = p * t1 + q * t; // >= eps
    let focal = alphaT * ${powGammaWgsl(v.gammaKind, 'u')};
    ${
      v.output === 'loss'
        ? 'result = focal * ce;'
        : `// dL/dp = alpha_t [ g u^(g-1) (1 - 2t) ce + u^g ((1 - t)/q - t/p) ]; 0 where clipped
    result = select(focal * (uniforms.gamma * ce * (t1 - t) / u + (t1 / q - t / p)) * uniforms.scale, 0.0, low || high);`
    }
    ${polyWgsl(v)}`;
}

/** One output of the sigmoid focal loss, elementwise over same-shaped x, t (and w). */
export class SigmoidFocalWebGpuProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  readonly size = true;
  readonly uniforms = SIGMOID_UNIFORMS.map((name) => `${name} : f32,`).join(' ');
  private readonly variant: SigmoidShaderVariant;

  constructor(shape: readonly number[], variant: SigmoidShaderVariant) {
    this.variant = variant;
    this.variableNames = variant.hasWeight ? ['x', 't', 'w'] : ['x', 't'];
    this.outputShape = [...shape];
    this.shaderKey = variantKey(variant);
    // A flat layout: element i is invocation i (the backend folds a dispatch over its limit).
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    const elements = shape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(elements / WORKGROUP_SIZE), 1, 1];
  }

  getUserCode(): string {
    const v = this.variant;
    return `
      ${WGSL_HELPERS}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let x = f32(getXByOutputIndex(index));
          // t = target (1 - s) + s / 2; int32 / bool targets are 0 / 1 (i32 buffers)
          let t = f32(getTByOutputIndex(index)) * (1.0 - uniforms.smoothing) + uniforms.smoothing * 0.5;
          let t1 = 1.0 - t;
          let alphaT = uniforms.alphaPos * t + uniforms.alphaNeg * t1;
          var result = 0.0;
          ${v.fromLogits ? fromLogitsWgsl(v) : fromProbabilitiesWgsl(v)}
          // the weight by IEEE arithmetic (NaN and infinities propagate)
          ${v.hasWeight ? 'result = result * f32(getWByOutputIndex(index));' : ''}
          setOutputAtIndex(index, result);
        }
      }
    `;
  }
}

function sigmoidFocalLossWebGpu(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const backend = args.backend as unknown as WebGpuBackendLike;
  const { input, target, weight } = args.inputs as FocalLossInputs;
  const attrs = args.attrs as unknown as SigmoidFocalLossAttrs;
  const inputs = weight === undefined ? [input, target] : [input, target, weight];
  const uniforms = sigmoidUniformValues(attrs).map((v) => ({ type: 'float32' as const, data: [v] }));
  const run = (output: 'loss' | 'grad') =>
    backend.runWebGPUProgram(
      new SigmoidFocalWebGpuProgram(input.shape, sigmoidVariant(output, attrs, weight !== undefined)),
      inputs,
      'float32',
      uniforms,
    );
  return attrs.gradient ? [run('loss'), run('grad')] : [run('loss')];
}

export const sigmoidFocalLossWebGpuConfig: KernelConfig = {
  kernelName: SIGMOID_FOCAL_LOSS,
  backendName: 'webgpu',
  kernelFunc: sigmoidFocalLossWebGpu as unknown as KernelFunc,
};
