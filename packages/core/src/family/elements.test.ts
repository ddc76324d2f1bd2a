import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createElementResult } from '../sigmoid-math.js';
import { centralDifference, closeTo } from '../test-helpers.js';
import { asymmetricElement, asymmetricLoop } from './asymmetric.js';
import { focalLossStarElement, focalLossStarLoop } from './focal-star.js';
import { qualityFocalElement, qualityFocalLoop } from './quality-focal.js';
import { varifocalElement, varifocalLoop } from './varifocal.js';

const out = createElementResult();
type Element = (x: number, t: number) => { loss: number; grad: number };
const run =
  (f: (x: number, t: number) => void): Element =>
  (x, t) => {
    f(x, t);
    return { loss: out.loss, grad: out.grad };
  };

// Options of the mpmath values below: FL* gamma 2, beta 1, alpha 0.25; the others at their defaults.
const star = run((x, t) => focalLossStarElement(x, t, 2, 1, 0.25, 0.75, out));
const qfl = run((x, t) => qualityFocalElement(x, t, 2, out));
const vfl = run((x, t) => varifocalElement(x, t, 0.75, 2, true, out));
const asl = run((x, t) => asymmetricElement(x, t, 1, 4, 0.05, out));
const ELEMENTS: Record<string, Element> = { star, qfl, vfl, asl };

// [op, x, t, loss, gradient]: mpmath at 50 digits, rounded to double (generator/cases_family.py `element`).
const MPMATH: [string, number, number, number, number][] = [
  ['star', 1.5, 1.0, 0.0022687409897262176, -0.00449655249052289],
  ['star', -0.75, 0.0, 0.029583650359706108, 0.05689363501593266],
  ['star', 0.5, 0.25, 0.14814905755628333, 0.11798145899942045],
  ['star', 10000.0, 0.0, 7499.625, 0.75],
  ['star', -10000.0, 0.0, 0.0, 0.0],
  ['qfl', 1.5, 0.8, 0.00015486761490648987, 0.0026340077487745682],
  ['qfl', -2, 0.0, 0.0018035628352403754, 0.004870940195392767],
  ['qfl', 0.25, 0.5, 0.002709773803207421, 0.021694380932033124],
  ['qfl', 10000.0, 1.0, 0.0, 0],
  ['qfl', -10000.0, 0.5, 1250.0, -0.125],
  ['vfl', 1.5, 0.8, 0.4011306223862019, 0.014059580954914892],
  ['vfl', -2, 0.0, 0.0013526721264302815, 0.0036532051465445747],
  ['vfl', 3, 0.0, 2.0747103307689465, 0.8450624104761664],
  ['vfl', 10000.0, 0.0, 7500.0, 0.75],
  ['vfl', -10000.0, 0.5, 2500.0, -0.25],
  ['asl', 1.5, 1.0, 0.036742922737558865, -0.0633191475470067],
  ['asl', -2, 0.0, 1.6447564453908367e-6, 1.256864844032172e-5],
  ['asl', 0.5, 0.0, 0.09125300409120023, 0.20887368751116478],
  ['asl', 10000.0, 0.0, 2.4400426601364353, 0.0],
  ['asl', -10000.0, 1.0, 10000.0, -1.0],
  ['asl', -3, 0.0, 0.0, 0.0],
  ['asl', 40, 1.0, 1.804851387845415e-35, -3.60970277569083e-35],
];

describe('focal-loss family, one element', () => {
  it.each(MPMATH)('%s(x = %d, t = %d) matches mpmath to 1e-14', (op, x, t, loss, grad) => {
    const r = (ELEMENTS[op] as Element)(x, t);
    expect(closeTo(r.loss, loss, 1e-14, 1e-300)).toBe(true);
    expect(closeTo(r.grad, grad, 1e-14, 1e-300)).toBe(true);
  });

  it('FL* with gamma 1 and beta 0 is fvcore: -log sigmoid(x_t); x = 0 gives ln 2 and -1/2', () => {
    focalLossStarElement(0, 1, 1, 0, 1, 1, out);
    expect(out.loss).toBe(Math.LN2);
    expect(out.grad).toBe(-0.5);
  });

  it('QFL with beta 0 is BCE, and VFL positives with iouWeighted false are BCE', () => {
    for (const [x, t] of [[0.3, 0.4], [-2, 1], [5, 0.25]] as const) {
      const bce = Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
      qualityFocalElement(x, t, 0, out);
      expect(closeTo(out.loss, bce, 1e-14)).toBe(true);
      varifocalElement(x, t, 0.75, 2, false, out);
      expect(closeTo(out.loss, bce, 1e-14)).toBe(true);
    }
  });

  const finiteCase = fc.record({
    x: fc.double({ min: -12, max: 12, noNaN: true }),
    soft: fc.double({ min: 0, max: 1, noNaN: true }),
    label: fc.constantFrom(0, 1),
    g: fc.constantFrom(0, 0.25, 0.5, 1, 1.5, 2, 4),
  });
  const cases: [string, (x: number, c: { soft: number; label: number; g: number }) => void][] = [
    ['FL*', (x, c) => focalLossStarElement(x, c.soft, c.g + 0.5, 0.5, 0.25, 0.75, out)],
    ['QFL', (x, c) => qualityFocalElement(x, c.soft, c.g, out)],
    ['VFL', (x, c) => varifocalElement(x, c.label === 0 ? 0 : c.soft, 0.75, c.g, c.label === 1, out)],
    ['ASL', (x, c) => asymmetricElement(x, c.label, c.g, c.g + 1, 0.05, out)],
    ['ASL clip 0', (x, c) => asymmetricElement(x, c.label, c.g, c.g, 0, out)],
  ];
  it.each(cases)('%s: the gradient equals central finite differences in float64', (_, f) => {
    fc.assert(
      fc.property(finiteCase, (c) => {
        // the QFL gradient with beta < 1 is unbounded at p = t (a cusp): stay away from it
        const p = 1 / (1 + Math.exp(-c.x));
        fc.pre(Math.abs(p - c.soft) > 1e-3 && Math.abs(p - 0.05) > 1e-3);
        const loss = (v: number) => {
          f(v, c);
          return out.loss;
        };
        f(c.x, c);
        const grad = out.grad;
        return closeTo(grad, centralDifference(loss, c.x), 1e-5, 1e-8);
      }),
      { numRuns: 300 },
    );
  });

  it('stays finite at logits +-1e4 and gamma in [0, 1)', () => {
    for (const x of [1e4, -1e4, 745, -745, 40, -40]) {
      for (const g of [0, 0.1, 0.5, 0.9]) {
        for (const t of [0, 0.25, 1]) {
          for (const f of [
            () => focalLossStarElement(x, t, g + 0.01, 0, 0.25, 0.75, out),
            () => qualityFocalElement(x, t, g, out),
            () => varifocalElement(x, t, 0.75, g, true, out),
            () => asymmetricElement(x, t === 0.25 ? 0 : t, g, g, 0.05, out),
            () => asymmetricElement(x, t === 0.25 ? 0 : t, g, g, 0, out),
          ]) {
            f();
            expect(Number.isFinite(out.loss) && Number.isFinite(out.grad)).toBe(true);
          }
        }
      }
    }
  });

  it('takes the limits at infinite logits: the values at |x| = 800 where they are finite', () => {
    for (const op of Object.keys(ELEMENTS)) {
      const f = ELEMENTS[op] as Element;
      for (const t of op === 'asl' ? [0, 1] : [0, 0.5, 1]) {
        for (const sign of [1, -1]) {
          const lim = f(sign * Infinity, t);
          const near = f(sign * 800, t);
          expect(Number.isNaN(lim.loss) || Number.isNaN(lim.grad), `${op} t=${t} x=${sign}inf`).toBe(false);
          expect(closeTo(lim.grad, near.grad, 1e-12, 1e-300), `${op} t=${t} x=${sign}inf grad`).toBe(true);
          if (Number.isFinite(lim.loss)) expect(closeTo(lim.loss, near.loss, 1e-12, 1e-300)).toBe(true);
          else expect(near.loss).toBeGreaterThan(10); // it grows like |x|
        }
      }
    }
  });

  it('propagates NaN logits', () => {
    for (const f of Object.values(ELEMENTS)) {
      for (const t of [0, 1]) {
        const r = f(NaN, t);
        expect(Number.isNaN(r.loss) && Number.isNaN(r.grad)).toBe(true);
      }
    }
  });

  it('alpha_t = 0 times an infinite limit is 0 (FL*, VFL alpha 0)', () => {
    focalLossStarElement(-Infinity, 1, 2, 0, 0, 1, out);
    expect([out.loss, out.grad]).toEqual([0, -0]);
    varifocalElement(Infinity, 0, 0, 2, true, out);
    expect([out.loss, out.grad]).toEqual([0, 0]);
  });
});

describe('family loops', () => {
  const x = Float64Array.from([1.5, -0.75, 0.5, 3, -2, 40]);
  const t = Float64Array.from([1, 0, 1, 0, 0, 1]);
  const w = Float64Array.from([1, 0.5, 2, 0, 1, 3]);
  const loops: [string, (base: Parameters<typeof qualityFocalLoop>[0]) => number, Element][] = [
    ['FL*', (b) => focalLossStarLoop({ ...b, gamma: 2, beta: 1, alphaPos: 0.25, alphaNeg: 0.75 }), star],
    ['QFL', (b) => qualityFocalLoop({ ...b, beta: 2 }), qfl],
    ['VFL', (b) => varifocalLoop({ ...b, alpha: 0.75, gamma: 2, iouWeighted: true }), vfl],
    ['ASL', (b) => asymmetricLoop({ ...b, gammaPos: 1, gammaNeg: 4, clip: 0.05 }), asl],
  ];
  it.each(loops)('%s: the loop is the element times weight, scaled gradient, summed losses', (_, loop, f) => {
    const lossOut = new Float64Array(6);
    const gradOut = new Float64Array(6);
    expect(loop({ input: x, target: t, weight: w, lossOut, gradOut, scale: 0.5, beta: 0 })).toBe(0);
    let sum = 0;
    for (let i = 0; i < 6; i++) {
      const r = f(x[i] as number, t[i] as number);
      expect(lossOut[i]).toBe((w[i] as number) * r.loss);
      expect(gradOut[i]).toBe(0.5 * (w[i] as number) * r.grad);
      sum += (w[i] as number) * r.loss;
    }
    const total = loop({ input: x, target: t, weight: w, lossOut: null, gradOut: null, scale: 1, beta: 0 });
    expect(closeTo(total, sum, 1e-15)).toBe(true);
    // a block [2, 4) writes only there
    const block = new Float64Array(6).fill(-1);
    loop({ input: x, target: t, weight: null, lossOut: block, gradOut: null, scale: 1, beta: 0, begin: 2, end: 4 });
    expect([block[0], block[1], block[4], block[5]]).toEqual([-1, -1, -1, -1]);
  });
});
