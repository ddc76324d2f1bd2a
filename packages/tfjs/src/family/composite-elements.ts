/**
 * The family's per-element loss and analytic gradient as tf ops (the composite formulation: every
 * backend; webgl and webgpu always run it, cpu and wasm with `composite: true`). Each function
 * follows its core counterpart (packages/core/src/family/*.ts and docs/math.md) step by step:
 *  - p, q = 1 - p, softplus(x) = -log q and softplus(-x) = -log p all from one e = exp(-|x|), with
 *    ../float32-math.ts log1p (series below 1/32: a GPU's log() is only absolutely accurate): never
 *    1 - p by subtraction, so each keeps its relative precision at saturated logits;
 *  - no derivative of pow: the gradients are the closed forms of math.md (u^g q, not g u^(g-1));
 *  - the limits at x = +-Infinity exactly as the core returns them: the finite formula is computed
 *    everywhere and the limit, a function of t only, selected where x is infinite (where a product
 *    0 * inf would otherwise be NaN). NaN logits give NaN through the finite formula.
 * Targets t arrive as float32 (int32 / bool labels cast by the caller).
 */
import * as tf from '@tensorflow/tfjs-core';
import { log1p } from '../float32-math.js';
import type { FamilyOpAttrs } from './kernel-table.js';

/** Per-element loss and d loss / d x, before weight and reduction. */
export interface ElementTerms {
  readonly loss: tf.Tensor;
  readonly grad: tf.Tensor;
}

export type CompositeElement = (x: tf.Tensor, t: tf.Tensor, attrs: FamilyOpAttrs) => ElementTerms;

const scalar = (v: number) => tf.scalar(v, 'float32');

/** p, q, softplus(x) = -log q and softplus(-x) = -log p from e = exp(-|x|) (core family/logistic.ts). */
function logistic(x: tf.Tensor): { p: tf.Tensor; q: tf.Tensor; softplusPos: tf.Tensor; softplusNeg: tf.Tensor } {
  const e = tf.exp(tf.neg(tf.abs(x)));
  const log1pE = log1p(e);
  const inv = tf.reciprocal(tf.add(e, scalar(1)));
  const eInv = tf.mul(e, inv);
  // NaN fails x >= 0 and takes the second branch, where e = NaN carries it to every result.
  const nonNegative = tf.greaterEqual(x, scalar(0));
  // max(x, 0), not relu: tfjs-webgl's packed Relu is x * (x >= 0), NaN at x = -Infinity.
  return {
    p: tf.where(nonNegative, inv, eInv),
    q: tf.where(nonNegative, eInv, inv),
    softplusPos: tf.add(tf.maximum(x, scalar(0)), log1pE),
    softplusNeg: tf.add(tf.maximum(tf.neg(x), scalar(0)), log1pE),
  };
}

/**
 * u^g for u >= 0 with 0^0 = 1 (core powFamily): products for g = 0, 1, 2, 4; otherwise Pow, with
 * 0 selected at u = 0 (a GPU's pow(0, g) is exp2(g log2 0), which the GLSL spec leaves undefined).
 */
function powNonNegative(u: tf.Tensor, g: number): tf.Tensor {
  if (g === 0) return tf.onesLike(u);
  if (g === 1) return u;
  if (g === 2) return tf.square(u);
  if (g === 4) return tf.square(tf.square(u));
  return tf.where(tf.greater(u, scalar(0)), tf.pow(u, scalar(g)), tf.zerosLike(u));
}

/** Where x is +-Infinity, the limits (functions of t); elsewhere the finite formula. */
function withLimits(x: tf.Tensor, finite: ElementTerms, atPlusInf: ElementTerms, atMinusInf: ElementTerms): ElementTerms {
  const infinite = tf.isInf(x);
  const positive = tf.greater(x, scalar(0));
  const pick = (f: tf.Tensor, plus: tf.Tensor, minus: tf.Tensor) =>
    tf.where(infinite, tf.where(positive, tf.broadcastTo(plus, x.shape), tf.broadcastTo(minus, x.shape)), f);
  return {
    loss: pick(finite.loss, atPlusInf.loss, atMinusInf.loss),
    grad: pick(finite.grad, atPlusInf.grad, atMinusInf.grad),
  };
}

const a = (attrs: FamilyOpAttrs, name: string): number => attrs[name] as number;

/**
 * FL* (core family/focal-star.ts): z = gamma x (2t - 1) + beta, loss = alpha_t softplus(-z) / gamma,
 * d/dx = -alpha_t (2t - 1) sigmoid(-z). At infinite x, z is +-Infinity by the sign of x (2t - 1), or
 * beta at t = 1/2; softplus(-z) and sigmoid(-z) then take their limits by themselves.
 */
export const focalStarElement: CompositeElement = (x, t, attrs) => {
  const gamma = a(attrs, 'gamma');
  const beta = a(attrs, 'beta');
  const s = tf.sub(tf.mul(t, scalar(2)), scalar(1));
  const zFinite = tf.add(tf.mul(tf.mul(s, scalar(gamma)), x), scalar(beta));
  // 0 * Infinity at t = 1/2 would be NaN: z is beta there (a NaN logit keeps z NaN)
  const z = tf.where(tf.logicalAnd(tf.isInf(x), tf.equal(s, scalar(0))), tf.fill(x.shape, beta), zFinite);
  const e = tf.exp(tf.neg(tf.abs(z)));
  const log1pE = log1p(e);
  const zNonNegative = tf.greaterEqual(z, scalar(0));
  const softplusNegZ = tf.where(zNonNegative, log1pE, tf.sub(log1pE, z)); // -log sigmoid(z)
  const inv = tf.reciprocal(tf.add(e, scalar(1)));
  const sigmoidNegZ = tf.where(zNonNegative, tf.mul(e, inv), inv);
  const alphaT = tf.add(tf.mul(t, scalar(a(attrs, 'alphaPos'))), tf.mul(tf.sub(scalar(1), t), scalar(a(attrs, 'alphaNeg'))));
  // alpha_t = 0 times the limit +Infinity is 0 (contract 1.1), not NaN
  const zeroTimesInf = tf.logicalAnd(tf.equal(alphaT, scalar(0)), tf.isInf(softplusNegZ));
  const loss = tf.where(zeroTimesInf, tf.zerosLike(x), tf.div(tf.mul(alphaT, softplusNegZ), scalar(gamma)));
  const grad = tf.neg(tf.mul(tf.mul(alphaT, s), sigmoidNegZ));
  return { loss, grad };
};

/**
 * QFL (core family/quality-focal.ts): d = t q - (1 - t) p (= t - p, exact-signed), ce = t
 * softplus(-x) + (1 - t) softplus(x), loss = |d|^beta ce, d/dx = -|d|^beta (d + beta (p q / d) ce),
 * 0 at d = 0. Limits: d -> -(1 - t) at +Infinity, t at -Infinity; loss +Infinity and gradient
 * -|d|^beta d, or 0 and 0 where that d is 0.
 */
export const qualityFocalElement: CompositeElement = (x, t, attrs) => {
  const beta = a(attrs, 'beta');
  const t1 = tf.sub(scalar(1), t);
  const { p, q, softplusPos, softplusNeg } = logistic(x);
  const d = tf.sub(tf.mul(t, q), tf.mul(t1, p));
  const ce = tf.add(tf.mul(t, softplusNeg), tf.mul(t1, softplusPos));
  const m = powNonNegative(tf.abs(d), beta);
  const dIsZero = tf.equal(d, scalar(0));
  // p q / d only where d != 0 (a 1 stands in elsewhere, then 0 is selected)
  const pqOverD = tf.div(tf.mul(p, q), tf.where(dIsZero, tf.onesLike(d), d));
  const inner = beta === 0 ? d : tf.add(d, tf.mul(tf.mul(pqOverD, scalar(beta)), ce));
  const finite = { loss: tf.mul(m, ce), grad: tf.where(dIsZero, tf.zerosLike(d), tf.neg(tf.mul(m, inner))) };
  const limit = (dInf: tf.Tensor): ElementTerms => {
    const zero = tf.equal(dInf, scalar(0));
    return {
      loss: tf.where(zero, tf.zerosLike(dInf), tf.fill(dInf.shape, Infinity)),
      grad: tf.where(zero, tf.zerosLike(dInf), tf.neg(tf.mul(powNonNegative(tf.abs(dInf), beta), dInf))),
    };
  };
  return withLimits(x, finite, limit(tf.neg(t1)), limit(t));
};

/**
 * VFL (core family/varifocal.ts): t > 0: loss = w ce(x, t), w = t (iouWeighted) or 1, d/dx = w (p (1 - t)
 * - q t); t = 0: loss = alpha p^gamma softplus(x), d/dx = alpha p^gamma (gamma q softplus(x) + p).
 * Limits: positives +Infinity (0 where the prediction is exact) and w (1 - t) or -w t; negatives at
 * +Infinity: +Infinity (0 for alpha 0) and alpha; at -Infinity 0 and 0.
 */
export const varifocalElement: CompositeElement = (x, t, attrs) => {
  const alpha = a(attrs, 'alpha');
  const gamma = a(attrs, 'gamma');
  const t1 = tf.sub(scalar(1), t);
  const w = attrs.iouWeighted === true ? t : tf.onesLike(t);
  const positive = tf.greater(t, scalar(0));
  const { p, q, softplusPos, softplusNeg } = logistic(x);
  // positives
  const posLoss = tf.mul(w, tf.add(tf.mul(t, softplusNeg), tf.mul(t1, softplusPos)));
  const posGrad = tf.mul(w, tf.sub(tf.mul(p, t1), tf.mul(q, t)));
  // negatives
  const focal = tf.mul(powNonNegative(p, gamma), scalar(alpha));
  const negLoss = tf.mul(focal, softplusPos);
  const negGrad = tf.mul(focal, gamma === 0 ? p : tf.add(tf.mul(tf.mul(q, scalar(gamma)), softplusPos), p));
  const finite = { loss: tf.where(positive, posLoss, negLoss), grad: tf.where(positive, posGrad, negGrad) };
  const inf = tf.fill(t.shape, Infinity);
  const zeros = tf.zerosLike(t);
  const negativeAtPlusInf = alpha === 0 ? zeros : inf;
  const atPlusInf = {
    loss: tf.where(positive, tf.where(tf.equal(t1, scalar(0)), zeros, inf), negativeAtPlusInf),
    grad: tf.where(positive, tf.mul(w, t1), tf.fill(t.shape, alpha)),
  };
  const atMinusInf = { loss: tf.where(positive, inf, zeros), grad: tf.where(positive, tf.neg(tf.mul(w, t)), zeros) };
  return withLimits(x, finite, atPlusInf, atMinusInf);
};

/**
 * ASL (core family/asymmetric.ts), binary targets: t = 1: loss = q^gp softplus(-x), d/dx = -q^gp (gp p
 * softplus(-x) + q); t = 0 with clip m = 0: loss = p^gn softplus(x), d/dx = p^gn (gn q softplus(x) + p);
 * with m > 0: p_m = max(p - m, 0), loss = p_m^gn (-log(1 - p_m)), d/dx = p q p_m^gn (gn (-log(1 - p_m)) /
 * p_m + 1 / (1 - p_m)), 0 where p <= m; -log(1 - p_m) is -log1p(-p_m) below p_m = 1/2, else -log(q + m).
 * With a margin every piece is finite at x = +Infinity (p = 1, q = 0); the other limits are selected.
 */
export const asymmetricElement: CompositeElement = (x, t, attrs) => {
  const gammaPos = a(attrs, 'gammaPos');
  const gammaNeg = a(attrs, 'gammaNeg');
  const clip = a(attrs, 'clip');
  const isPositive = tf.equal(t, scalar(1));
  const { p, q, softplusPos, softplusNeg } = logistic(x);
  // positives
  const focalPos = powNonNegative(q, gammaPos);
  const posLoss = tf.mul(focalPos, softplusNeg);
  const posGrad = tf.neg(tf.mul(focalPos, gammaPos === 0 ? q : tf.add(tf.mul(tf.mul(p, scalar(gammaPos)), softplusNeg), q)));
  let negLoss: tf.Tensor;
  let negGrad: tf.Tensor;
  const zeros = tf.zerosLike(x);
  if (clip === 0) {
    const focal = powNonNegative(p, gammaNeg);
    negLoss = tf.mul(focal, softplusPos);
    negGrad = tf.mul(focal, gammaNeg === 0 ? p : tf.add(tf.mul(tf.mul(q, scalar(gammaNeg)), softplusPos), p));
  } else {
    const pm = tf.sub(p, scalar(clip)); // exact while p <= 2m (Sterbenz)
    const above = tf.greater(pm, scalar(0));
    const pmSafe = tf.where(above, pm, tf.onesLike(pm)); // divisions only where p > m
    const oneMinusPm = tf.add(q, scalar(clip));
    const nlog = tf.where(tf.less(pm, scalar(0.5)), tf.neg(log1p(tf.neg(tf.where(above, pm, zeros)))), tf.neg(tf.log(oneMinusPm)));
    const focal = powNonNegative(tf.where(above, pm, zeros), gammaNeg);
    const inner = tf.add(tf.mul(scalar(gammaNeg), tf.div(nlog, pmSafe)), tf.reciprocal(oneMinusPm));
    // p <= m: loss and gradient 0; a NaN p fails both tests and keeps the NaN formula
    const clipped = tf.lessEqual(p, scalar(clip));
    negLoss = tf.where(clipped, zeros, tf.mul(focal, nlog));
    negGrad = tf.where(clipped, zeros, tf.mul(tf.mul(tf.mul(p, q), focal), inner));
  }
  const finite = { loss: tf.where(isPositive, posLoss, negLoss), grad: tf.where(isPositive, posGrad, negGrad) };
  const inf = tf.fill(t.shape, Infinity);
  const tZeros = tf.zerosLike(t);
  // +Infinity: positives 0, 0; negatives with a margin: the finite formula's value (p = 1, q = 0), else +Infinity and 1
  const negAtPlusInf =
    clip === 0 ? { loss: inf, grad: tf.onesLike(t) } : { loss: tf.where(isPositive, tZeros, negLoss), grad: tZeros };
  const atPlusInf = {
    loss: tf.where(isPositive, tZeros, negAtPlusInf.loss),
    grad: tf.where(isPositive, tZeros, negAtPlusInf.grad),
  };
  // -Infinity: positives +Infinity and -1; negatives 0, 0
  const atMinusInf = { loss: tf.where(isPositive, inf, tZeros), grad: tf.where(isPositive, tf.fill(t.shape, -1), tZeros) };
  return withLimits(x, finite, atPlusInf, atMinusInf);
};
