import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createElementResult, sigmoidFocalFromLogit, sigmoidFocalFromProbability, smoothBinaryTarget } from './sigmoid-math.js';
import { centralDifference, closeTo } from './test-helpers.js';

const out = createElementResult();
function fromLogit(x: number, t: number, gamma: number, alpha: number | null) {
  const [ap, an] = alpha === null ? [1, 1] : [alpha, 1 - alpha];
  sigmoidFocalFromLogit(x, t, gamma, ap, an, out);
  return { loss: out.loss, grad: out.grad };
}
function fromProb(p: number, t: number, gamma: number, alpha: number | null, eps: number) {
  const [ap, an] = alpha === null ? [1, 1] : [alpha, 1 - alpha];
  sigmoidFocalFromProbability(p, t, gamma, ap, an, eps, out);
  return { loss: out.loss, grad: out.grad };
}

describe('sigmoid focal loss, one element', () => {
  it('FL(p = 0.8, y = 1, alpha = 0.25, gamma = 2) = 0.00223144', () => {
    // 0.25 * 0.2^2 * -ln 0.8
    const expected = 0.25 * 0.04 * -Math.log(0.8);
    expect(expected).toBeCloseTo(0.00223144, 8);
    expect(closeTo(fromLogit(Math.log(4), 1, 2, 0.25).loss, expected, 1e-15)).toBe(true);
    expect(closeTo(fromProb(0.8, 1, 2, 0.25, 1e-7).loss, expected, 1e-15)).toBe(true);
  });

  it('matches the closed-form gradients for hard targets', () => {
    // y = 1: -alpha (1-p)^g (1 - p - g p ln p); y = 0: (1-alpha) p^g (p - g (1-p) ln(1-p))
    for (const x of [-3, -0.5, 0, 0.7, 4]) {
      for (const g of [0, 0.5, 1, 2, 5]) {
        const p = 1 / (1 + Math.exp(-x));
        const pos = -0.25 * (1 - p) ** g * (1 - p - g * p * Math.log(p));
        const neg = 0.75 * p ** g * (p - g * (1 - p) * Math.log(1 - p));
        expect(closeTo(fromLogit(x, 1, g, 0.25).grad, pos, 1e-12, 1e-300)).toBe(true);
        expect(closeTo(fromLogit(x, 0, g, 0.25).grad, neg, 1e-12, 1e-300)).toBe(true);
      }
    }
  });

  it('gamma = 0 with alpha = null is binary cross-entropy', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, t) => {
        const bce = Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
        const r = fromLogit(x, t, 0, null);
        const p = 1 / (1 + Math.exp(-x));
        // The reference's max(x,0) - x t cancels for t near 1 (absolute error ~ |x| eps), so it is
        // compared with an absolute term of that size; ours sums non-negative terms and does not.
        return closeTo(r.loss, bce, 1e-12, 1e-14 * (1 + Math.abs(x))) && closeTo(r.grad, p - t, 1e-12, 1e-15);
      }),
    );
  });

  it('gradient equals central finite differences (logits, soft targets)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -12, max: 12, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(0, 0.5, 1, 1.5, 2, 5),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
        (x, t, g, alpha) => {
          const analytic = fromLogit(x, t, g, alpha).grad;
          const numeric = centralDifference((v) => fromLogit(v, t, g, alpha).loss, x);
          return closeTo(analytic, numeric, 1e-6, 1e-9);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gradient equals central finite differences (probabilities)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(0, 0.5, 1, 2, 5),
        (p, t, g) => {
          const analytic = fromProb(p, t, g, 0.25, 1e-7).grad;
          const numeric = centralDifference((v) => fromProb(v, t, g, 0.25, 1e-7).loss, p);
          return closeTo(analytic, numeric, 1e-6, 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('clips probabilities to [eps, 1 - eps] with zero gradient outside', () => {
    const inside = fromProb(1e-3, 1, 2, 0.25, 1e-3);
    const below = fromProb(1e-9, 1, 2, 0.25, 1e-3);
    expect(below.loss).toBe(inside.loss);
    expect(below.grad).toBe(0);
    expect(inside.grad).not.toBe(0);
    expect(fromProb(1, 0, 2, 0.25, 1e-3).grad).toBe(0);
    expect(fromProb(1, 0, 2, 0.25, 1e-3).loss).toBe(fromProb(1 - 1e-3, 0, 2, 0.25, 1e-3).loss);
  });

  it('is finite, and non-negative, at saturated logits for every gamma', () => {
    for (const x of [-1e4, -100, -40, 40, 100, 1e4]) {
      for (const g of [0, 0.25, 0.5, 1, 2, 5]) {
        for (const t of [0, 1, 0.3]) {
          const r = fromLogit(x, t, g, 0.25);
          expect(Number.isFinite(r.loss), `loss x=${x} g=${g} t=${t}`).toBe(true);
          expect(Number.isFinite(r.grad), `grad x=${x} g=${g} t=${t}`).toBe(true);
          expect(r.loss).toBeGreaterThanOrEqual(0);
        }
      }
    }
  });

  it('keeps relative precision in the tail, where 1 - p by subtraction is 0', () => {
    // x = 40, y = 1: q = e^-40 / (1 + e^-40), -ln p = log1p(e^-40); loss = alpha q^2 (-ln p)
    const q = Math.exp(-40);
    const r = fromLogit(40, 1, 2, 0.25);
    expect(closeTo(r.loss, 0.25 * q ** 3, 1e-14)).toBe(true);
    // d/dx = -alpha q^g (q + g p s-) = -alpha q^2 (q + 2 q) to first order
    expect(closeTo(r.grad, -0.25 * q * q * 3 * q, 1e-14)).toBe(true);
    // gamma = 0.5 at x = -60, y = 0: loss = 0.75 p^0.5 log1p(p)
    const p = Math.exp(-60);
    expect(closeTo(fromLogit(-60, 0, 0.5, 0.25).loss, 0.75 * Math.sqrt(p) * p, 1e-14)).toBe(true);
    expect(closeTo(fromLogit(-60, 0, 0.5, 0.25).grad, 0.75 * Math.sqrt(p) * 1.5 * p, 1e-14)).toBe(true);
  });

  it('propagates NaN', () => {
    const r = fromLogit(Number.NaN, 1, 2, 0.25);
    expect(r.loss).toBeNaN();
    expect(r.grad).toBeNaN();
  });

  it('smooths binary targets towards 1/2', () => {
    expect(smoothBinaryTarget(1, 0.1)).toBeCloseTo(0.95, 15);
    expect(smoothBinaryTarget(0, 0.1)).toBeCloseTo(0.05, 15);
    expect(smoothBinaryTarget(0.3, 0)).toBe(0.3);
  });
});

describe('contract 1.1: infinite logits are the limits', () => {
  const finite = (x: number, t: number, gamma: number, alpha: number | null) => fromLogit(x, t, gamma, alpha);
  it.each([0, 0.5, 2])('x = +Infinity, gamma %s: t = 1 gives 0; t < 1 gives +Infinity and the finite limit', (gamma) => {
    expect(fromLogit(Infinity, 1, gamma, 0.25)).toEqual({ loss: 0, grad: 0 });
    expect(fromLogit(-Infinity, 0, gamma, 0.25)).toEqual({ loss: 0, grad: 0 });
    for (const t of [0, 0.3]) {
      const limit = fromLogit(Infinity, t, gamma, 0.25);
      const alphaT = 0.25 * t + 0.75 * (1 - t);
      expect(limit.loss).toBe(Infinity);
      expect(limit.grad).toBeCloseTo(alphaT * (1 - t) ** gamma * (1 - t), 15);
      // and the finite formula approaches it
      expect(finite(1e4, t, gamma, 0.25).grad).toBeCloseTo(limit.grad, 12);
    }
    for (const t of [1, 0.3]) {
      const limit = fromLogit(-Infinity, t, gamma, 0.25);
      const alphaT = 0.25 * t + 0.75 * (1 - t);
      expect(limit.loss).toBe(Infinity);
      expect(limit.grad).toBeCloseTo(-alphaT * t ** gamma * t, 15);
      expect(finite(-1e4, t, gamma, 0.25).grad).toBeCloseTo(limit.grad, 12);
    }
  });

  it('alpha_t = 0 gives the limit 0, not 0 * Infinity', () => {
    expect(fromLogit(Infinity, 0, 2, 1)).toEqual({ loss: 0, grad: 0 });
    expect(fromLogit(-Infinity, 1, 2, 0)).toEqual({ loss: 0, grad: -0 });
  });

  it('NaN still propagates', () => {
    const r = fromLogit(Number.NaN, 1, 2, 0.25);
    expect([Number.isNaN(r.loss), Number.isNaN(r.grad)]).toEqual([true, true]);
  });
});
