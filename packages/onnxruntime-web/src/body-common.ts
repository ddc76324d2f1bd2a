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
 * -log(p) for a probability p whose complement q = 1 - p is known accurately. Near p = 1, float32
 * Log(p) loses q's digits (p = 1 - 1e-7 rounds to 1 - 1.19e-7), so there the series
 * q + q^2/2 + q^3/3 (error below q^4/4) is used instead.
 */
export function negLogFromComplement(b: BodyEmitter, p: string, q: string): string {
  const series = b.op('Mul', [
    q,
    b.op('Add', [b.float(1), b.op('Mul', [q, b.op('Add', [b.float(0.5), b.op('Mul', [q, b.float(1 / 3)])])])]),
  ]);
  return b.op('Where', [b.op('Less', [q, b.float(1e-3)]), series, b.op('Neg', [b.op('Log', [p])])]);
}

/**
 * The factor from the sum of per-position losses to the returned loss (and on each gradient):
 * 1 for "sum"/"none", 1 / normalizer, or 1 / count with 0 for a count of 0 (mean over nothing is 0).
 * `count` is a float32 scalar, used only for "mean" without normalizer.
 */
export function reductionScale(b: BodyEmitter, v: CommonVariant, count: () => string): string | null {
  if (v.reduction !== 'mean') return null;
  if (v.hasNormalizer) return b.op('Reciprocal', [b.param('normalizer', 'float')]);
  const n = count();
  const inverse = b.op('Reciprocal', [b.op('Max', [n, b.float(1)])]);
  return b.op('Where', [b.op('Greater', [n, b.float(0)]), inverse, b.float(0)]);
}

/** Number of elements of a tensor as a float32 scalar. */
export function sizeAsFloat(b: BodyEmitter, tensor: string): string {
  return b.cast(b.op('Size', [tensor]), DataType.FLOAT);
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
  // No axes input: ReduceSum reduces every axis (noop_with_empty_axes = 0); an empty tensor sums to 0.
  const total = b.op('ReduceSum', [perPosition], [intAttr('keepdims', 0)]);
  if (scale === null) b.opNamed('Identity', [total], output);
  else b.opNamed('Mul', [total, scale], output);
}

/** Multiplies by the optional weight and the optional reduction scale. */
export function scaled(b: BodyEmitter, value: string, factors: readonly (string | null)[]): string {
  let out = value;
  for (const f of factors) if (f !== null) out = b.op('Mul', [out, f]);
  return out;
}
