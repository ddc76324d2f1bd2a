import { describe, expect, it } from 'vitest';
import { CompensatedSum } from './compensated-sum.js';
import { sigmoidFocalLoop } from './fused-sigmoid.js';
import { softmaxFocalLoop } from './fused-softmax.js';
import { expNeg, log1pUnit } from './kernels.js';
import { classWeights } from './options.js';
import { createElementResult, sigmoidFocalFromLogit } from './sigmoid-math.js';
import { softmaxFocalRow } from './softmax-math.js';

/** The fused sigmoid loop from logits, alpha 0.25, unreduced (with its gradient) or summed. */
function sigmoidLoop(x: Float64Array, t: ArrayLike<number>, gamma = 2): { loss: Float64Array; grad: Float64Array } {
  const loss = new Float64Array(x.length);
  const grad = new Float64Array(x.length);
  sigmoidFocalLoop({
    input: x, target: t, weight: null, lossOut: loss, gradOut: grad, scale: 1,
    gamma, alphaPos: 0.25, alphaNeg: 0.75, smoothing: 0, fromLogits: true, eps: 1e-7,
  });
  return { loss, grad };
}
function sigmoidLoopSum(x: Float64Array, t: ArrayLike<number>): number {
  return sigmoidFocalLoop({
    input: x, target: t, weight: null, lossOut: null, gradOut: null, scale: 1,
    gamma: 2, alphaPos: 0.25, alphaNeg: 0.75, smoothing: 0, fromLogits: true, eps: 1e-7,
  });
}

// Distance in units in the last place, through the ordered integer images of two doubles of the
// same sign (every value compared here is >= 0).
const bits = new Float64Array(1);
const word = new BigInt64Array(bits.buffer);
function ulpsApart(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  bits[0] = a;
  const ia = word[0] as bigint;
  bits[0] = b;
  const ib = word[0] as bigint;
  return Math.abs(Number(ia - ib));
}

/** Deterministic uniform [0, 1) (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = Math.imul(s ^ (s >>> 15), 1 | s);
    z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

function maxUlps(values: Iterable<number>, ours: (v: number) => number, reference: (v: number) => number) {
  let worst = 0;
  let at = Number.NaN;
  for (const v of values) {
    const d = ulpsApart(ours(v), reference(v));
    if (!(d <= worst)) {
      worst = d;
      at = v;
    }
  }
  return { worst, at };
}

function* grid(from: number, to: number, count: number): Generator<number> {
  for (let i = 0; i <= count; i++) yield from + ((to - from) * i) / count;
}

function* samples(count: number, seed: number, draw: (u: number) => number): Generator<number> {
  const next = random(seed);
  for (let i = 0; i < count; i++) yield draw(next());
}

describe('expNeg(a) = exp(-a)', () => {
  const mathExpNeg = (a: number) => Math.exp(-a);

  it('is within 2 ulp of Math.exp on a dense grid of its table-driven range [0, 708)', () => {
    const { worst, at } = maxUlps(grid(0, 707.999, 400_000), expNeg, mathExpNeg);
    expect(worst, `worst at a = ${at}`).toBeLessThanOrEqual(2);
  });

  it('is within 2 ulp of Math.exp on random and tiny arguments', () => {
    expect(maxUlps(samples(200_000, 1, (u) => 708 * u), expNeg, mathExpNeg).worst).toBeLessThanOrEqual(2);
    // a spread over many binades down to the subnormals: exp(-a) = 1 - a to the last bit there
    expect(maxUlps(samples(50_000, 2, (u) => 2 ** (-1074 * u)), expNeg, mathExpNeg).worst).toBeLessThanOrEqual(1);
  });

  it('is within 1 ulp of correctly rounded values (computed with mpmath at 200 bits)', () => {
    const reference: Array<[number, number]> = [
      [0.1, 0.9048374180359595],
      [0.5, 0.6065306597126334],
      [1, 0.36787944117144233],
      [2.5, 0.0820849986238988],
      [10, 4.5399929762484854e-5],
      [37.5, 5.175555005801869e-17],
      [100, 3.720075976020836e-44],
      [700, 9.85967654375977e-305],
    ];
    for (const [a, value] of reference) expect(ulpsApart(expNeg(a), value), `a = ${a}`).toBeLessThanOrEqual(1);
  });

  it('is correctly rounded where Math.exp is not (the double-double table of 2^(-j/128))', () => {
    const reference: Array<[number, number]> = [
      [497.5556640625, 8.209574681651935e-217],
      [195.69140625, 1.0287316693657398e-85],
      [15.4150390625, 2.0199173373227288e-7],
      [633.18359375, 1.0276830715707669e-275],
      [521.6552734375, 2.8053902957031684e-227],
      [188.1416015625, 1.9549723752131608e-82],
    ];
    for (const [a, value] of reference) expect(expNeg(a), `a = ${a}`).toBe(value);
  });

  it('matches Math.exp exactly where the result is subnormal or underflows, and at the ends', () => {
    expect(maxUlps(grid(708, 746, 20_000), expNeg, mathExpNeg).worst).toBe(0);
    expect(expNeg(745.2)).toBe(0);
    expect(expNeg(740)).toBeGreaterThan(0); // a subnormal result, not flushed
    expect(expNeg(Number.POSITIVE_INFINITY)).toBe(0);
    expect(expNeg(Number.NaN)).toBeNaN();
    expect(expNeg(0)).toBe(1);
    expect(expNeg(Number.MIN_VALUE)).toBe(1);
    expect(ulpsApart(expNeg(1), 1 / Math.E)).toBeLessThanOrEqual(1);
    expect(expNeg(Math.LN2)).toBe(0.5);
  });
});

describe('log1pUnit(e) = log1p(e) on [0, 1]', () => {
  it('is within 2 ulp of Math.log1p on a dense grid of [0, 1]', () => {
    expect(maxUlps(grid(0, 1, 400_000), log1pUnit, Math.log1p).worst).toBeLessThanOrEqual(2);
  });

  it('is within 2 ulp of Math.log1p on random arguments over all binades, subnormals included', () => {
    expect(maxUlps(samples(200_000, 3, (u) => u), log1pUnit, Math.log1p).worst).toBeLessThanOrEqual(2);
    expect(maxUlps(samples(100_000, 4, (u) => 2 ** (-1074 * u)), log1pUnit, Math.log1p).worst).toBeLessThanOrEqual(2);
  });

  it('is within 1 ulp of correctly rounded values (computed with mpmath at 200 bits)', () => {
    const reference: Array<[number, number]> = [
      [1e-10, 9.999999999500001e-11],
      [0.001, 0.0009995003330835331],
      [0.00390625, 0.003898640415657323],
      [0.1, 0.09531017980432487],
      [0.3, 0.26236426446749106],
      [0.5, 0.4054651081081644],
      [0.7, 0.5306282510621704],
      [0.999, 0.692647055518263],
    ];
    for (const [e, value] of reference) expect(ulpsApart(log1pUnit(e), value), `e = ${e}`).toBeLessThanOrEqual(1);
  });

  it('is correctly rounded where Math.log1p is not (the double-double table of log(1 + j/128))', () => {
    const reference: Array<[number, number]> = [
      [0.6858320236206055, 0.522259224497989],
      [0.5676212310791016, 0.44955933093566475],
      [0.4139432907104492, 0.34638246109053333],
      [0.6585922241210938, 0.5059691848056561],
      [0.6225118637084961, 0.48397548156228526],
      [0.3223285675048828, 0.2793942487523828],
    ];
    for (const [e, value] of reference) expect(log1pUnit(e), `e = ${e}`).toBe(value);
  });

  it('is exact at the ends and propagates NaN', () => {
    expect(Object.is(log1pUnit(0), 0)).toBe(true);
    expect(log1pUnit(Number.MIN_VALUE)).toBe(Number.MIN_VALUE);
    expect(log1pUnit(1e-300)).toBe(1e-300);
    expect(ulpsApart(log1pUnit(1), Math.LN2)).toBeLessThanOrEqual(1);
    expect(log1pUnit(Number.NaN)).toBeNaN();
  });
});

/**
 * The sum of the absolute values of the gradient's terms, alpha_t u^gamma (gamma (p q / u) |1 - 2t|
 * ce + p (1 - t) + q t), alpha 0.25: the size against which a cancelling gradient is compared.
 */
function gradientTermScale(x: number, t: number, gamma: number): number {
  const e = Math.exp(-Math.abs(x));
  const p = x >= 0 ? 1 / (1 + e) : e / (1 + e);
  const q = x >= 0 ? e / (1 + e) : 1 / (1 + e);
  const ce = Math.log1p(e) + t * Math.max(-x, 0) + (1 - t) * Math.max(x, 0);
  const u = p * (1 - t) + q * t;
  const focal = (0.25 * t + 0.75 * (1 - t)) * u ** gamma;
  return focal * (gamma * (u > 0 ? (p * q) / u : 0) * Math.abs(1 - 2 * t) * ce + p * (1 - t) + q * t);
}

describe('the fused sigmoid loop (from logits) against the reference element function', () => {
  // Logits of every kind: ordinary, near the fast-path limit 708 on both sides, saturated, and
  // the non-finite ones.
  const special = [0, -0, 1e-300, -1e-300, 707.999, -707.999, 708, -708, 745.2, -745.2, 1e4, -1e4, Infinity, -Infinity, NaN];
  const next = random(5);
  const logits = Float64Array.from([
    ...special,
    ...Array.from({ length: 20_000 }, (_, i) => (i % 10 === 0 ? (next() - 0.5) * 2e4 : (next() - 0.5) * 80)),
  ]);
  const n = logits.length;
  const element = createElementResult();

  for (const gamma of [0, 0.5, 1, 1.5, 2, 5]) {
    for (const targets of ['binary', 'fractional'] as const) {
      it(`agrees to (8 + 4 gamma) eps, gamma ${gamma}, ${targets} targets`, () => {
        const t = Float64Array.from({ length: n }, (_, i) => (targets === 'binary' ? (i % 3 === 0 ? 1 : 0) : next()));
        const r = sigmoidLoop(logits, t, gamma);
        // The kernels differ from Math.exp / Math.log1p by an ulp or so; u^gamma multiplies that
        // relative difference by gamma. Differences are measured against the size of the terms
        // (the gradient of a fractional target cancels: p (1 - t) - q t).
        const tolerance = (8 + 4 * gamma) * Number.EPSILON;
        let mismatches = 0;
        for (let i = 0; i < n; i++) {
          const x = logits[i] as number;
          const ti = t[i] as number;
          sigmoidFocalFromLogit(x, ti, gamma, 0.25, 0.75, element);
          const loss = r.loss[i] as number;
          const grad = r.grad[i] as number;
          if (!(Math.abs(x) < 708)) {
            // expNeg is Math.exp there and log1pUnit(e) = e: the core's values exactly
            if (!Object.is(loss, element.loss) || !Object.is(grad, element.grad)) mismatches++;
            continue;
          }
          if (Math.abs(loss - element.loss) > tolerance * Math.abs(element.loss) + 1e-300) mismatches++;
          else if (Math.abs(grad - element.grad) > tolerance * gradientTermScale(x, ti, gamma) + 1e-300) mismatches++;
        }
        expect(mismatches).toBe(0);
      });
    }
  }

  it('equals the core bit for bit where expNeg falls back to Math.exp (|x| >= 708, ±Infinity, NaN)', () => {
    const x = Float64Array.from([708, -708, 1e4, -1e4, Infinity, -Infinity, NaN]);
    for (const y of [0, 1, 0.3]) {
      const r = sigmoidLoop(x, x.map(() => y));
      x.forEach((xi, i) => {
        sigmoidFocalFromLogit(xi, y, 2, 0.25, 0.75, element);
        expect([r.loss[i], r.grad[i]]).toEqual([element.loss, element.grad]);
      });
    }
  });

  it('reduces with the same compensated sum as CompensatedSum, bit for bit', () => {
    const t = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const finite = logits.map((v) => (Number.isFinite(v) ? v : 0));
    const none = sigmoidLoop(finite, t).loss;
    const total = new CompensatedSum();
    for (const v of none) total.add(v);
    const sum = sigmoidLoopSum(finite, t);
    expect(sum).toBe(total.value);
  });

  it('a long reduction does not depend on the order of the elements beyond 2 ulp', () => {
    const size = 1_000_003;
    const draw = random(6);
    const x = Float64Array.from({ length: size }, () => (draw() - 0.5) * 30);
    const t = Float64Array.from({ length: size }, () => (draw() < 0.1 ? 1 : 0));
    const forward = sigmoidLoopSum(x, t);
    const backward = sigmoidLoopSum(x.reverse(), t.reverse());
    expect(forward).toBeGreaterThan(0);
    expect(ulpsApart(forward, backward)).toBeLessThanOrEqual(2);
  });
});

describe('the fused softmax loop (from logits) against the reference row function', () => {
  const classes = 5;
  const rows = 4000;
  const next = random(7);
  // Ordinary rows, rows with one dominant logit (p near 1, q from the sum of the others), very
  // spread rows whose small exponentials underflow, and rows with non-finite logits.
  const logits = Float64Array.from({ length: rows * classes }, (_, i) => {
    const row = Math.floor(i / classes);
    if (row === 0) return [Infinity, 0, 1, 2, 3][i % classes] as number;
    if (row === 1) return [-Infinity, 0, 1, 2, 3][i % classes] as number;
    if (row === 2) return i % classes === 1 ? NaN : 0;
    if (row % 4 === 0) return (next() - 0.5) * 2e4;
    if (row % 4 === 1) return i % classes === 0 ? 40 + 10 * next() : next();
    return (next() - 0.5) * 20;
  });
  const index = Int32Array.from({ length: rows }, () => Math.floor(next() * classes));

  for (const gamma of [0, 0.5, 2, 5]) {
    for (const labelSmoothing of [0, 0.1]) {
      it(`agrees to (8 + 4 gamma) eps, gamma ${gamma}, label smoothing ${labelSmoothing}`, () => {
        const alpha = 0.25;
        const r = { loss: new Float64Array(rows), grad: new Float64Array(rows * classes) };
        softmaxFocalLoop({
          input: logits, target: index, targetKind: 'index', ignoreIndex: null, weight: null,
          lossOut: r.loss, gradOut: r.grad, scale: 1, outer: rows, classes, inner: 1,
          gamma, classWeights: classWeights(alpha, classes), smoothing: labelSmoothing, fromLogits: true, eps: 1e-7,
        });
        const params = { gamma, classWeights: classWeights(alpha, classes), fromLogits: true, eps: 1e-7 };
        const grad = new Float64Array(classes);
        const scratch = new Float64Array(2 * classes);
        const tolerance = (8 + 4 * gamma) * Number.EPSILON;
        let mismatches = 0;
        for (let row = 0; row < rows; row++) {
          const x = logits.subarray(row * classes, (row + 1) * classes);
          const target = { probabilities: null, index: index[row] as number, smoothing: labelSmoothing };
          const loss = softmaxFocalRow(x, { offset: 0, stride: 1, classes }, target, params, grad, 1, scratch);
          const ours = r.loss[row] as number;
          // the gradient's terms p_j (G - G_j) and q_j G_j cancel: compare against the largest one
          let size = 0;
          for (const g of grad) size = Math.max(size, Math.abs(g));
          const sameNaN = (a: number, b: number) => Number.isNaN(a) === Number.isNaN(b);
          if (!sameNaN(ours, loss) || Math.abs(ours - loss) > tolerance * Math.abs(loss) + 1e-300) mismatches++;
          for (let c = 0; c < classes; c++) {
            const g = r.grad[row * classes + c] as number;
            const ref = grad[c] as number;
            if (!sameNaN(g, ref) || Math.abs(g - ref) > tolerance * (size + Math.abs(loss)) + 1e-300) mismatches++;
          }
        }
        expect(mismatches).toBe(0);
      });
    }
  }
});
