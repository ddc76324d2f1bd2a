/**
 * The fused sigmoid focal loss on tfjs-backend-webgl: a GPGPU program (GLSL ES 3.0) run twice per
 * kernel call, once writing the per-element loss and once the scaled gradient (a WebGL program has
 * one output). The numbers are uniforms; the structure (from logits, weight, gamma 0/1/2/other,
 * which output) is in the program text, so each variant compiles once. The reduction is done by
 * the caller with the blocked sum (../../accurate-sum.ts).
 *
 * Step by step as packages/core/docs/math.md, with the same accuracy tricks: p and q = 1 - p both
 * from e = exp(-|x|), never 1 - p by subtraction; log1p by its series below 1/32 (a GPU's log() is
 * only absolutely accurate near 1); no derivative of pow (the gradient uses p q / u); the limits at
 * infinite logits by skipping products with a zero factor.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SIGMOID_FOCAL_LOSS, type FocalLossInputs, type SigmoidFocalLossAttrs } from '../kernel-names.js';
import {
  SIGMOID_UNIFORMS,
  sigmoidUniformValues,
  sigmoidVariant,
  type SigmoidShaderVariant,
} from '../sigmoid-shader-variant.js';

/** The little of MathBackendWebGL used here (typed structurally: tfjs-backend-webgl is the user's). */
interface WebGlBackendLike {
  runWebGLProgram(
    program: SigmoidFocalProgram,
    inputs: TensorInfo[],
    outputType: 'float32',
    customUniformValues?: number[][],
  ): TensorInfo;
}

const GLSL_HELPERS = `
  // log(1 + v), v >= -1: the series below |v| = 1/32 (docs/math.md "Computing it accurately").
  float focalLog1p(float v) {
    if (abs(v) < 0.03125) {
      return v * (1.0 - v * (0.5 - v * (1.0 / 3.0 - v * (0.25 - v * (0.2 - v / 6.0)))));
    }
    return log(1.0 + v);
  }
  // a * b, and 0 where a is 0: the limit at infinite logits (0 * inf would be NaN).
  float timesUnlessZero(float a, float b) {
    return a == 0.0 ? 0.0 : a * b;
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

function powGammaGlsl(kind: SigmoidShaderVariant['gammaKind'], u: string): string {
  if (kind === '0') return '1.0'; // 0^0 = 1
  if (kind === '1') return u;
  if (kind === '2') return `(${u} * ${u})`;
  return `(${u} > 0.0 ? pow(${u}, gamma) : 0.0)`;
}

/**
 * Poly-1 (docs/math.md, s2 decisions): + eps u^(g+1), not times alpha_t; from logits its derivative
 * is eps (g+1) u^g p q (1 - 2t) (0 at infinite logits: p q = 0), from probabilities eps (g+1) u^g
 * (1 - 2t), 0 where clipped. `result` holds the focal part (gradients already times scale).
 */
function polyGlsl(v: SigmoidShaderVariant): string {
  if (!v.poly) return '';
  const uPow = powGammaGlsl(v.gammaKind, 'u');
  const derivative = v.fromLogits ? `${uPow} * p * q * (t1 - t)` : `${uPow} * (t1 - t)`;
  const clipped = v.fromLogits ? '' : '(low || high) ? 0.0 : ';
  const plain = v.output === 'loss' ? `result += polyEpsilon * u * ${uPow};` : `result += ${clipped}polyEpsilon * (gamma + 1.0) * ${derivative} * scale;`;
  if (!v.fromLogits) return plain;
  // From a finite logit, the whole element regrouped as core's sigmoidPolyFromParts (math.md
  // Poly-1 "Accuracy"), so that nothing cancels when eps ~ -alpha_t: D = ce - u = t f(q) +
  // (1 - t) f(p); loss = u^g (alpha_t D + (alpha_t + eps) u); d/dx = u^g (alpha_t g (p q / u)(1 - 2t) D
  // + alpha_t (p^2 (1 - t) - q^2 t) + (g + 1)(alpha_t + eps) p q (1 - 2t)). Infinite logits: the plain sum.
  return `
    if (abs(x) <= 3.4028234e38) {
      float uPowR = ${uPow};
      float dR = timesUnlessZero(t, focalExcess(q, softplusNeg)) + timesUnlessZero(t1, focalExcess(p, softplusPos));
      float bothR = alphaT + polyEpsilon;
      ${
        v.output === 'loss'
          ? 'result = uPowR * (alphaT * dR + bothR * u);'
          : `float pqOverUR = u > 0.0 ? p * q / u : 0.0;
      result = uPowR * (alphaT * gamma * pqOverUR * (t1 - t) * dR + alphaT * (p * p * t1 - q * q * t) + (gamma + 1.0) * bothR * p * q * (t1 - t)) * scale;`
      }
    } else {
      ${plain}
    }`;
}

function fromLogitsGlsl(v: SigmoidShaderVariant): string {
  const focal = `alphaT * ${powGammaGlsl(v.gammaKind, 'u')}`;
  return `
    // e = exp(-|x|) in (0, 1]: p = 1/(1+e), q = e/(1+e) or the other way round; NaN takes the else.
    float e = exp(-abs(x));
    float inv = 1.0 / (1.0 + e);
    float p; float q;
    if (x >= 0.0) { p = inv; q = e * inv; } else { p = e * inv; q = inv; }
    // softplus(x) = max(x, 0) + log1p(e) = -log q; softplus(-x) = -log p
    float log1pE = focalLog1p(e);
    float softplusPos = max(x, 0.0) + log1pE;
    float softplusNeg = max(-x, 0.0) + log1pE;
    float ce = timesUnlessZero(t, softplusNeg) + timesUnlessZero(t1, softplusPos);
    // u = 1 - p_t = p (1 - t) + q t: non-negative terms, no cancellation
    float u = p * t1 + q * t;
    float focal = ${focal};
    ${
      v.output === 'loss'
        ? 'result = timesUnlessZero(focal, ce);'
        : `// dL/dx = alpha_t u^g [ g (p q / u)(1 - 2t) ce + (p - t) ], p q / u := 0 where u = 0
    float pqOverU = u > 0.0 ? p * q / u : 0.0;
    float pMinusT = p * t1 - q * t;
    result = focal * (timesUnlessZero(pqOverU * gamma * (t1 - t), ce) + pMinusT) * scale;`
    }
    ${polyGlsl(v)}`;
}

function fromProbabilitiesGlsl(v: SigmoidShaderVariant): string {
  const focal = `alphaT * ${powGammaGlsl(v.gammaKind, 'u')}`;
  return `
    // p clipped to [eps, 1 - eps]; q = 1 - p exact (eps where clipped high); both logs from the
    // original value, log p = log1p(-q) above 1/2 (docs/math.md "From probabilities").
    bool low = x < epsLow;
    bool high = x > epsHigh;
    float p = low ? eps : (high ? 1.0 - eps : x);
    float q = high ? eps : 1.0 - p;
    float logP = low ? logEps : (high ? log1mEps : (p > 0.5 ? focalLog1p(-q) : log(p)));
    float logQ = high ? logEps : (low ? log1mEps : focalLog1p(-p));
    float ce = -(t * logP + t1 * logQ);
    float u = p * t1 + q * t; // >= eps
    float focal = ${focal};
    ${
      v.output === 'loss'
        ? 'result = focal * ce;'
        : `// dL/dp = alpha_t [ g u^(g-1) (1 - 2t) ce + u^g ((1 - t)/q - t/p) ]; 0 where clipped
    result = (low || high) ? 0.0 : focal * (gamma * ce * (t1 - t) / u + (t1 / q - t / p)) * scale;`
    }
    ${polyGlsl(v)}`;
}

/** One output of the sigmoid focal loss, elementwise over same-shaped x, t (and w). */
export class SigmoidFocalProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly userCode: string;
  readonly customUniforms = SIGMOID_UNIFORMS.map((name) => ({ name, type: 'float' as const }));

  constructor(shape: readonly number[], variant: SigmoidShaderVariant) {
    this.variableNames = variant.hasWeight ? ['x', 't', 'w'] : ['x', 't'];
    this.outputShape = [...shape];
    this.userCode = `
      ${GLSL_HELPERS}
      void main() {
        float x = getXAtOutCoords();
        // t = target (1 - s) + s / 2 (int32 / bool targets are 0.0 / 1.0 in textures)
        float t = getTAtOutCoords() * (1.0 - smoothing) + smoothing * 0.5;
        float t1 = 1.0 - t;
        float alphaT = alphaPos * t + alphaNeg * t1;
        float result;
        ${variant.fromLogits ? fromLogitsGlsl(variant) : fromProbabilitiesGlsl(variant)}
        // the weight by IEEE arithmetic (NaN and infinities propagate)
        ${variant.hasWeight ? 'result = result * getWAtOutCoords();' : ''}
        setOutput(result);
      }
    `;
  }
}

function sigmoidFocalLossWebGl(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const backend = args.backend as unknown as WebGlBackendLike;
  const { input, target, weight } = args.inputs as FocalLossInputs;
  const attrs = args.attrs as unknown as SigmoidFocalLossAttrs;
  const inputs = weight === undefined ? [input, target] : [input, target, weight];
  const uniforms = sigmoidUniformValues(attrs).map((v) => [v]);
  const run = (output: 'loss' | 'grad') =>
    backend.runWebGLProgram(
      new SigmoidFocalProgram(input.shape, sigmoidVariant(output, attrs, weight !== undefined)),
      inputs,
      'float32',
      uniforms,
    );
  return attrs.gradient ? [run('loss'), run('grad')] : [run('loss')];
}

export const sigmoidFocalLossWebGlConfig: KernelConfig = {
  kernelName: SIGMOID_FOCAL_LOSS,
  backendName: 'webgl',
  kernelFunc: sigmoidFocalLossWebGl as unknown as KernelFunc,
};
