/**
 * The pieces of sigmoid(x) every family member needs, from one exp(-|x|): p, q = 1 - p (never by
 * subtraction, so each keeps its relative precision at saturated logits), softplus(x) = -log q and
 * softplus(-x) = -log p. Finite x only: the callers take the limits at +-Infinity themselves.
 * expNeg / log1pUnit are the table kernels of ../kernels.ts (<= 1.05 ulp, inlined by TurboFan).
 */
import { expNeg, log1pUnit } from '../kernels.js';

export interface Logistic {
  p: number;
  q: number;
  /** softplus(x) = -log(1 - p) */
  softplusPos: number;
  /** softplus(-x) = -log p */
  softplusNeg: number;
}

export function createLogistic(): Logistic {
  return { p: 0, q: 0, softplusPos: 0, softplusNeg: 0 };
}

/** Fills `out` for a finite x (NaN flows through every field). */
export function logistic(x: number, out: Logistic): void {
  const e = expNeg(Math.abs(x));
  const log1pE = log1pUnit(e);
  const inv = 1 / (1 + e);
  if (x >= 0) {
    out.p = inv;
    out.q = e * inv;
    out.softplusPos = x + log1pE;
    out.softplusNeg = log1pE;
  } else {
    out.p = e * inv;
    out.q = inv;
    out.softplusPos = log1pE;
    out.softplusNeg = log1pE - x;
  }
}

/**
 * u^g with 0^0 = 1 and the common integer powers spelled out (as powGamma; 4 is ASL's default
 * gammaNeg): Math.pow is a call TurboFan cannot inline. u * u * (u * u) is within 2 ulps.
 */
export function powFamily(u: number, g: number): number {
  if (g === 2) return u * u;
  if (g === 0) return 1;
  if (g === 1) return u;
  if (g === 4) {
    const u2 = u * u;
    return u2 * u2;
  }
  return Math.pow(u, g);
}
