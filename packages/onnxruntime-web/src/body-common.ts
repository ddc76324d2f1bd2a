/** Pieces shared by the sigmoid and softmax loss bodies. */
import type { Reduction } from '@focal-loss/core';
import type { BodyEmitter } from './body-emitter.js';
import { DataType, intAttr } from './protos.js';

/** The structural choices of a body; the numeric options are attributes (see body-emitter.ts). */
export interface CommonVariant {
  readonly reduction: Reduction;
  readonly fromLogits: boolean;
  readonly hasWeight: boolean;
  /** With reduction "mean": divide by the `normalizer` attribute instead of the count. */
  readonly hasNormalizer: boolean;
}

export interface BodyIO {
  readonly input: string;
  readonly target: string;
  readonly weight: string | null;
}

/** Output names to write; null = do not emit that output. */
export interface BodyOutputs {
  readonly loss: string | null;
  readonly gradInput: string | null;
}

/**
 * u^gamma. ONNX Pow gives pow(0, 0) = 1 (C's pow), which is the contract's 0^0 = 1, and
 * pow(0, gamma > 0) = 0; the gradient formulas never raise u to gamma - 1, so gamma < 1 stays finite.
 */
export function powGamma(b: BodyEmitter, base: string): string {
  return b.op('Pow', [base, b.param('gamma', 'float')]);
}

/**
 * -log(v) for a probability v whose complement c = 1 - v is known accurately. Near v = 1, float32
 * Log(v) loses c's digits (1 - 1e-6 rounds by 6 %, 1 - 1e-7 to 1 - 1.19e-7), so for c < 1e-3 the
 * series c + c^2/2 + c^3/3 (relative error below c^3/4) is used instead. This is log1p(-c), which
 * ONNX lacks.
 */
export function negLogFromComplement(b: BodyEmitter, v: string, c: string): string {
  const series = b.op('Mul', [
    c,
    b.op('Add', [b.float(1), b.op('Mul', [c, b.op('Add', [b.float(0.5), b.op('Mul', [c, b.float(1 / 3)])])])]),
  ]);
  return b.op('Where', [b.op('Less', [c, b.float(1e-3)]), series, b.op('Neg', [b.op('Log', [v])])]);
}

/**
 * Clipped probability p = clip(x, eps, 1 - eps) and its complement q = clip(1 - x, eps, 1 - eps),
 * each computed on its own so that both keep their relative precision (1 - x is exact in float32
 * for x >= 1/2); `clipped` marks where the clip is active (gradient 0 there). Written with Less and
 * Where (a NaN passes through, as in the core), not Min/Max/Or, which ORT's WebGPU EP places on
 * the CPU (see the notes on the WebGPU EP below).
 */
export function clippedProbability(b: BodyEmitter, x: string): { p: string; q: string; clipped: (value: string) => string } {
  const one = b.float(1);
  const eps = b.param('eps', 'float');
  const hi = b.op('Sub', [one, eps]);
  const qRaw = b.op('Sub', [one, x]);
  const low = b.op('Less', [x, eps]);
  const high = b.op('Less', [qRaw, eps]);
  const clip = (v: string, below: string) => b.op('Where', [below, eps, b.op('Where', [b.op('Greater', [v, hi]), hi, v])]);
  return {
    p: clip(x, low),
    q: clip(qRaw, high),
    // 0 where either clip is active: two Wheres instead of Or
    clipped: (value: string) => b.op('Where', [low, b.float(0), b.op('Where', [high, b.float(0), value])]),
  };
}

/**
 * log1p(v) for v >= 0 (ONNX has no Log1p), accurate to a few ulp: with u = 1 + v rounded,
 * log1p(v) = log(u) * v / (u - 1), and v itself where u rounds to 1 (Goldberg, "What every computer
 * scientist should know about floating-point arithmetic", thm. 4). NaN and +Infinity pass through.
 */
export function log1p(b: BodyEmitter, v: string): string {
  const u = b.op('Add', [b.float(1), v]);
  const d = b.op('Sub', [u, b.float(1)]);
  return b.op('Where', [b.op('Equal', [d, b.float(0)]), v, b.op('Mul', [b.op('Log', [u]), b.op('Div', [v, d])])]);
}

/*
 * Notes on ORT's WebGPU execution provider (onnxruntime-web 1.30), which shape these bodies:
 * Softplus, And, Or, Not, Min and Max have no WebGPU kernel there (or are placed on the CPU), and
 * a graph that mixes CPU and WebGPU nodes on float values gets wrong values: with two
 * MemcpyFromHost copies in one run, one copy's data ends up in the other's buffer (reproduced on
 * SwiftShader: Neg(x) returned Softplus(x)). The bodies therefore use only ops with WebGPU
 * kernels on float and bool values (the shape arithmetic of accurateSum stays on the CPU, on
 * int64 values that the GPU kernels read from CPU memory).
 */

/**
 * The factor from the sum of per-position losses to the returned loss (and on each gradient):
 * 1 for "sum"/"none", 1 / normalizer, or 1 / count with 0 for a count of 0 (mean over nothing is 0).
 * `count` is a float32 scalar, used only for "mean" without normalizer.
 */
export function reductionScale(b: BodyEmitter, v: CommonVariant, count: () => string): string | null {
  if (v.reduction !== 'mean') return null;
  if (v.hasNormalizer) return b.op('Reciprocal', [b.param('normalizer', 'float')]);
  const n = count();
  // 1 / n, and 0 for n = 0 (the Where keeps Reciprocal(0) = Infinity out)
  const positive = b.op('Greater', [n, b.float(0)]);
  const inverse = b.op('Reciprocal', [b.op('Where', [positive, n, b.float(1)])]);
  return b.op('Where', [positive, inverse, b.float(0)]);
}

/** Number of elements of a tensor as a float32 scalar. */
export function sizeAsFloat(b: BodyEmitter, tensor: string): string {
  return b.cast(b.op('Size', [tensor]), DataType.FLOAT);
}

/** Elements summed per block at each stage of `accurateSum`. */
export const SUM_BLOCK = 256;
/** Stages of `accurateSum`: SUM_BLOCK ** SUM_STAGES = 2^32 covers every size up to MAX_ELEMENTS. */
export const SUM_STAGES = 4;

/**
 * The sum of every element of `v` as a float32 scalar, accurate for any length (contract 1.1,
 * math.md "Reductions"). ORT's ReduceSum adds in one float32 running sum, whose error grows with
 * the length (3.8e-3 relative for a mean of 1e7 elements). Here the flat vector is padded with
 * zeros to a multiple of SUM_BLOCK, reshaped to [blocks, SUM_BLOCK] and summed per block, SUM_STAGES
 * times: each stage's partial sums have at most SUM_BLOCK terms, so the error is that of a sum of
 * 256 terms per stage (about 4 x 256 ulp in the worst case, ~ 4 x 16 ulp typically), whatever the
 * length. Float32 throughout, so the same graph runs on execution providers without float64
 * (WebGPU). Padding adds zeros, which leave sums (and IEEE infinities and NaN) unchanged.
 */
export function accurateSum(b: BodyEmitter, v: string): string {
  if (b.sums === 'plain') return b.op('ReduceSum', [v], [intAttr('keepdims', 0)]);
  const block = b.int(SUM_BLOCK);
  const blocks = b.ints([-1, SUM_BLOCK]);
  let flat = b.op('Reshape', [v, b.ints([-1])]);
  for (let stage = 0; stage < SUM_STAGES; stage++) {
    // pad to a multiple of the block: (-n) mod K zeros at the end (Mod of int64 takes the divisor's sign)
    const padEnd = b.op('Mod', [b.op('Neg', [b.op('Size', [flat])]), block]);
    const pads = b.op('Concat', [b.ints([0]), b.op('Unsqueeze', [padEnd, b.ints([0])])], [intAttr('axis', 0)]);
    const padded = b.op('Pad', [flat, pads]);
    flat = b.op('ReduceSum', [b.op('Reshape', [padded, blocks]), b.ints([1])], [intAttr('keepdims', 0)]);
  }
  // at most 2^31 / 2^32 rounded up = 1 element is left; ReduceSum of an empty tensor is 0
  return b.op('ReduceSum', [flat], [intAttr('keepdims', 0)]);
}

/**
 * `a * b` with 0 wherever `a` is 0, even where `b` is infinite: a term whose factor is exactly 0
 * (a zero target weight, a zero focal factor) is absent from the formula, and its limit is 0, not
 * IEEE's 0 * Infinity = NaN (contract 1.1 "Non-finite inputs").
 */
export function mulAbsentIfZero(b: BodyEmitter, a: string, value: string): string {
  return b.op('Where', [b.op('Equal', [a, b.float(0)]), b.float(0), b.op('Mul', [a, value])]);
}

/** Writes the loss output from the per-position loss (already weighted): as is, or summed and scaled. */
export function emitReducedLoss(
  b: BodyEmitter,
  v: CommonVariant,
  perPosition: string,
  scale: string | null,
  output: string,
): void {
  if (v.reduction === 'none') {
    b.opNamed('Identity', [perPosition], output);
    return;
  }
  const total = accurateSum(b, perPosition);
  if (scale === null) b.opNamed('Identity', [total], output);
  else b.opNamed('Mul', [total, scale], output);
}

/** Multiplies by the optional weight and the optional reduction scale. */
export function scaled(b: BodyEmitter, value: string, factors: readonly (string | null)[]): string {
  let out = value;
  for (const f of factors) if (f !== null) out = b.op('Mul', [out, f]);
  return out;
}

/**
 * A per-class vector (one value per class) shaped [C, 1, ..., 1], so that it broadcasts along the
 * class axis: as many trailing 1s as the input has axes after the class axis (int64 shape
 * arithmetic). The softmax body's per-class alpha, the sigmoid body's per-class posWeight.
 */
export function alongClassAxis(b: BodyEmitter, x: string, axisScalar: string, perClass: () => string): string {
  const shape = b.op('Shape', [x]);
  const rank = b.op('Size', [shape]);
  // the axis from 0: axis mod rank (Mod of int64 takes the divisor's sign)
  const axis = b.op('Mod', [axisScalar, rank]);
  const after = b.op('Slice', [shape, b.op('Unsqueeze', [b.op('Add', [axis, b.int(1)]), b.ints([0])]), b.ints([2 ** 31 - 1])]);
  const trailingOnes = b.op('Add', [b.op('Mul', [after, b.int(0)]), b.int(1)]);
  const vectorShape = b.op('Concat', [b.ints([-1]), trailingOnes], [intAttr('axis', 0)]);
  // the vector last, as it always was (the emitted node order stays that of earlier releases)
  return b.op('Reshape', [perClass(), vectorShape]);
}
