/**
 * Poly-1 (`polyEpsilon`) in the per-element math and the fused loops: values from mpmath at 50
 * digits (/usr/bin/python3: alpha_t u^g ce + eps u^(g+1) written naively at mp.dps = 50, the
 * gradient by mp.diff; the fixtures' generator cases_poly.py does the same), finite differences,
 * limits, gamma in [0, 1), and eps = 0 giving the focal loss bit for bit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sigmoidFocalLoop } from './fused-sigmoid.js';
import { softmaxFocalLoop } from './fused-softmax.js';
import { createElementResult, logOneMinusExcess, sigmoidFocalFromLogit, sigmoidFocalFromProbability } from './sigmoid-math.js';
import { softmaxFocalRow } from './softmax-math.js';
import { centralDifference, closeTo } from './test-helpers.js';

const out = createElementResult();
const pair = (alpha: number | null): [number, number] => (alpha === null ? [1, 1] : [alpha, 1 - alpha]);

/** Loss and gradient of one element; `+ 0` makes -0 read as 0 in toEqual. */
function sig(x: number, t: number, g: number, alpha: number | null, eps: number) {
  const [ap, an] = pair(alpha);
  sigmoidFocalFromLogit(x, t, g, ap, an, out, eps);
  return { loss: out.loss + 0, grad: out.grad + 0 };
}
/** Equal bits, or within rtol (a loop may fold the weight in another order). */
const near = (a: number, b: number, rtol: number) => Object.is(a, b) || closeTo(a, b, rtol, 1e-300);
function sigProb(p: number, t: number, g: number, alpha: number | null, eps: number, clip = 1e-7) {
  const [ap, an] = pair(alpha);
  sigmoidFocalFromProbability(p, t, g, ap, an, clip, out, eps);
  return { loss: out.loss, grad: out.grad };
}

/** One softmax row; `target` an index or per-class probabilities; returns loss and dL/dx. */
function row(x: number[], target: number | number[], g: number, weights: number[], eps: number, fromLogits = true) {
  const grad = new Float64Array(x.length);
  const loss = softmaxFocalRow(
    x,
    { offset: 0, stride: 1, classes: x.length },
    { probabilities: typeof target === 'number' ? null : target, index: typeof target === 'number' ? target : -1, smoothing: 0 },
    { gamma: g, classWeights: weights, fromLogits, eps: 1e-7, polyEpsilon: eps },
    grad,
    1,
    new Float64Array(2 * x.length),
  );
  return { loss, grad: Array.from(grad) };
}
const fill = (n: number, v: number) => new Array<number>(n).fill(v);

describe('Poly-1, sigmoid element: mpmath values (50 digits)', () => {
  // [x, t, gamma, alpha, eps, loss, dloss/dx]
  const cases: Array<[number, number, number, number | null, number, number, number]> = [
    [1.5, 1, 2, 0.25, 1, 0.0077466638248773066794, -0.01914814273867496772],
    [-0.5, 0, 2, 0.25, 1, 0.10449361581004179872, 0.20394288979150688662],
    [0.3, 0.7, 0.5, null, -1, 0.1194073734609902881, -0.031460959460997138711],
    [4, 1, 0, null, 2, 0.054122347841992856409, -0.05331162238867379087],
    [-3, 1, 1.5, 0.75, 0.5, 2.5685394165357212446, -0.86793775831705607057],
    [12, 0, 0.25, 0.25, -1, 7.9999984639256767518, 0.75000038406016566512],
    [25, 1, 2, null, 1, 5.35727392341155171e-33, -1.6071821770030050951e-32],
  ];
  it.each(cases)('x %d, t %d, gamma %d, alpha %o, eps %d', (x, t, g, alpha, eps, loss, grad) => {
    const r = sig(x, t, g, alpha, eps);
    expect(closeTo(r.loss, loss, 2e-15), `${r.loss} vs ${loss}`).toBe(true);
    expect(closeTo(r.grad, grad, 2e-15), `${r.grad} vs ${grad}`).toBe(true);
  });
});

describe('Poly-1, softmax row: mpmath values (50 digits)', () => {
  const cases: Array<[number[], number | number[], number, number[], number, number, number[]]> = [
    [[1.5, -2, 0.25], 0, 2, fill(3, 0.25), 1, 0.017894521371794495229,
      [-0.041227873327861856076, 0.0039310556607398965682, 0.037296817667121959508]],
    [[0.3, 0.1, -0.7], [0.2, 0.5, 0.3], 0.5, fill(3, 1), -1, 0.44194888687061971154,
      [0.2028325795261306525, -0.047266586951069251242, -0.15556599257506140126]],
    [[10, 0, -1], 0, 0, fill(3, 1), 2, 0.00018629525068570262643,
      [-0.00018628561027198462255, 0.0001361856934646601148, 0.000050099916807324507745]],
    [[-1, 2, 0.5, 0], 3, 1.5, [0.1, 0.2, 0.3, 0.4], 0.5, 1.1935675356261871039,
      [0.020342187399424286988, 0.4085837561095394376, 0.091167358934768529263, -0.52009330244373225385]],
  ];
  it.each(cases)('x %o, target %o, gamma %d', (x, target, g, weights, eps, loss, grad) => {
    const r = row(x, target, g, weights, eps);
    expect(closeTo(r.loss, loss, 4e-15), `${r.loss} vs ${loss}`).toBe(true);
    r.grad.forEach((v, j) => expect(closeTo(v, grad[j] as number, 1e-14), `${j}: ${v} vs ${grad[j]}`).toBe(true));
  });
});

describe('Poly-1: gradients equal central finite differences (float64)', () => {
  const epsArb = fc.oneof(fc.constantFrom(-1, 0.5, 1, 2), fc.double({ min: -1, max: 5, noNaN: true }));
  const gammaArb = fc.constantFrom(0, 0.25, 0.5, 1, 1.5, 2, 3);

  it('sigmoid from logits (soft targets, alpha or none)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -12, max: 12, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        gammaArb,
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
        epsArb,
        (x, t, g, alpha, eps) => {
          const fd = centralDifference((v) => sig(v, t, g, alpha, eps).loss, x);
          const scaleOf = Math.abs(sig(x, t, g, alpha, 0).grad) + Math.abs(eps);
          return closeTo(sig(x, t, g, alpha, eps).grad, fd, 1e-6, 1e-8 * scaleOf + 1e-12);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('sigmoid from probabilities (inside the clip)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        gammaArb,
        epsArb,
        (p, t, g, eps) => {
          const fd = (sigProb(p + 1e-7, t, g, 0.25, eps).loss - sigProb(p - 1e-7, t, g, 0.25, eps).loss) / 2e-7;
          return closeTo(sigProb(p, t, g, 0.25, eps).grad, fd, 1e-5, 1e-7);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('softmax rows from logits and from probabilities, index and soft targets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.boolean(),
        gammaArb,
        epsArb,
        fc.boolean(),
        (x, seed, soft, g, eps, fromLogits) => {
          const C = x.length;
          const input = fromLogits ? x : x.map((v) => 0.02 + 0.96 / (1 + Math.exp(-v)));
          let target: number | number[] = seed % C;
          if (soft) {
            const raw = x.map((_, c) => ((seed >> c) % 7) + 1);
            const total = raw.reduce((a, b) => a + b, 0);
            target = raw.map((v) => v / total);
          }
          const weights = x.map((_, c) => 0.1 + 0.2 * c);
          const r = row(input, target, g, weights, eps, fromLogits);
          return input.every((v, j) => {
            const h = fromLogits ? 1e-5 : 1e-7;
            const at = (d: number) => row(input.map((w, c) => (c === j ? w + d : w)), target, g, weights, eps, fromLogits).loss;
            const fd = (at(h) - at(-h)) / (2 * h);
            return closeTo(r.grad[j] as number, fd, 1e-5, 1e-7 * (1 + Math.abs(r.loss)));
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Poly-1 where eps = -alpha_t: no cancellation (mpmath, 60 digits)', () => {
  // alpha_t u^g ce + eps u^(g+1) with eps = -alpha_t is u^g alpha_t (ce - u), ce - u ~ u^2 / 2
  const cases: Array<[number, number, number, number | null, number, number, number]> = [
    [40, 1, 0, null, -1, 9.0242569392270758104e-36, -1.804851387845415157e-35],
    [20, 1, 2, null, -1, 9.0242568772258098693e-36, -3.609702744690197376e-35],
    [10, 1, 0.5, null, -1, 6.943393999821448931e-12, -1.7357907103266791659e-11],
    [-30, 0, 2, 0.25, -0.75, 2.8753680276448529752e-53, 1.1501472110578515014e-52],
    [3, 1, 0, null, -1, 0.0011614783961752778801, -0.0022492134466546482295],
    [0.5, 1, 2, null, -1, 0.013759992595589563538, -0.037446855572593349493],
    [15, 0.3, 2, null, -1, 4.8019985310576028215, 0.34300134902818930636],
  ];
  it.each(cases)('x %d, t %d, gamma %d, alpha %o, eps %d: relative precision kept', (x, t, g, alpha, eps, loss, grad) => {
    const r = sig(x, t, g, alpha, eps);
    expect(closeTo(r.loss, loss, 1e-14), `${r.loss} vs ${loss}`).toBe(true);
    expect(closeTo(r.grad, grad, 1e-14), `${r.grad} vs ${grad}`).toBe(true);
  });

  it.each([
    [[40, 0, 0], 0, 0, 1, -1, 3.6097027756908303037e-35, [-7.2194055513816605666e-35, 3.6097027756908302833e-35, 3.6097027756908302833e-35]],
    [[40, 0, 0], 0, 2, 1, -1, 2.6059908257660169361e-69, [-1.0423963303064067671e-68, 5.2119816515320338353e-69, 5.2119816515320338353e-69]],
    [[10, 0, -1], 0, 0.5, 0.25, -0.25, 3.7985520071944668974e-12, [-9.4959475667132086821e-12, 6.9420939308664117731e-12, 2.553853635846796909e-12]],
    [[0, 5, 1], 0, 2, 1, -1, 3.9784945072568753385, [-1.0262684427494362986, 1.0078097630606761977, 0.018458679688760100938]],
    [[2, 1.5, -3], 1, 1, 0.5, -0.5, 0.11052496360915985189, [0.16196848780758808869, -0.16305982289395763792, 0.001091335086369549228]],
  ] as Array<[number[], number, number, number, number, number, number[]]>)(
    'softmax one-hot row %o, class %d, gamma %d, a %d, eps %d: relative precision kept',
    (x, k, g, a, eps, loss, grad) => {
      const r = row(x, k, g, fill(x.length, a), eps);
      expect(closeTo(r.loss, loss, 1e-14), `${r.loss} vs ${loss}`).toBe(true);
      r.grad.forEach((v, j) => expect(closeTo(v, grad[j] as number, 1e-13), `${j}: ${v} vs ${grad[j]}`).toBe(true));
      // the fused loop (index targets) gives the same
      const lossOut = new Float64Array(1);
      const gradOut = new Float64Array(x.length);
      softmaxFocalLoop({
        input: x, target: [k], targetKind: 'index', ignoreIndex: null, weight: null, lossOut, gradOut, scale: 1,
        outer: 1, classes: x.length, inner: 1, gamma: g, classWeights: fill(x.length, a), smoothing: 0, fromLogits: true,
        eps: 1e-7, polyEpsilon: eps,
      });
      expect(closeTo(lossOut[0] as number, loss, 1e-14)).toBe(true);
      gradOut.forEach((v, j) => expect(closeTo(v, grad[j] as number, 1e-13), `fused ${j}`).toBe(true));
    },
  );

  it('logOneMinusExcess(v) = -log(1 - v) - v to a few ulps', () => {
    const values: Array<[number, number]> = [
      [1e-20, 5.0e-41],
      [1e-8, 5.0000000333333335833e-17],
      [0.01, 0.000050335853501441183549],
      [0.2, 0.023143551314209755766],
      [0.3, 0.056674943938732378913],
      [0.4999, 0.19304720055727904269],
    ];
    for (const [v, f] of values) expect(closeTo(logOneMinusExcess(v, -Math.log1p(-v)), f, 4e-16), `${v}`).toBe(true);
    expect(logOneMinusExcess(0, 0)).toBe(0);
  });
});

describe('Poly-1: limits, saturation and non-finite inputs', () => {
  it('sigmoid at +-Infinity: term eps (1-t)^(g+1) or eps t^(g+1), gradient of the term 0', () => {
    // alpha_t = 0 removes the focal loss: what remains is the term alone
    expect(sig(Infinity, 0, 2, 1, 0.5)).toEqual({ loss: 0.5, grad: 0 }); // alpha_t = 1 - alpha = 0 at t = 0
    expect(sig(-Infinity, 1, 2, 0, 0.5)).toEqual({ loss: 0.5, grad: 0 });
    expect(sig(Infinity, 0.5, 2, null, -1).loss).toBe(Infinity); // focal part +Infinity dominates
    expect(sig(Infinity, 0.5, 2, null, -1).grad).toBe(sig(Infinity, 0.5, 2, null, 0).grad);
    expect(sig(Infinity, 1, 0.5, null, 2)).toEqual({ loss: 0, grad: 0 });
    expect(sig(-Infinity, 0, 0.5, null, 2)).toEqual({ loss: 0, grad: 0 });
    // the limit is what |x| = 800 gives (p and q round to exactly 1 and 0 there)
    for (const t of [0, 0.3, 1]) {
      for (const g of [0, 0.5, 2]) {
        expect(sig(Infinity, t, g, null, 0.7).grad).toBe(sig(800, t, g, null, 0.7).grad);
        expect(sig(-Infinity, t, g, null, 0.7).grad).toBe(sig(-800, t, g, null, 0.7).grad);
      }
    }
    expect(sig(Infinity, 0, 0.5, 1, 0.7).loss).toBe(sig(800, 0, 0.5, 1, 0.7).loss);
  });

  it('finite at logits +-1e4 and +-40 for gamma in [0, 1), and the term is exact there', () => {
    for (const g of [0, 0.1, 0.5, 0.99]) {
      for (const x of [-1e4, -40, 40, 1e4]) {
        for (const t of [0, 1, 0.25]) {
          const r = sig(x, t, g, 0.25, -1);
          expect(Number.isFinite(r.loss) && Number.isFinite(r.grad), `${g} ${x} ${t}`).toBe(true);
        }
      }
    }
    // confident positive at x = 40, gamma 0.5, alpha null, eps 1: u = q = e^-40 / (1 + e^-40)
    const q = Math.exp(-40) / (1 + Math.exp(-40));
    const r = sig(40, 1, 0.5, null, 1);
    expect(closeTo(r.loss, Math.sqrt(q) * Math.log1p(Math.exp(-40)) + q ** 1.5, 1e-14)).toBe(true);
    // gamma 0 and u = 0 (x = 1e4, t = 1): u^0 = 1, the term and its gradient are 0
    expect(sig(1e4, 1, 0, null, 2)).toEqual({ loss: 0, grad: 0 });
  });

  it('softmax: NaN rows stay NaN, -Infinity classes are finite, no classes give 0', () => {
    const nan = row([0, NaN, 1], 0, 2, fill(3, 1), 1);
    expect(nan.loss).toBeNaN();
    expect(nan.grad.every(Number.isNaN)).toBe(true);
    const masked = row([1, -Infinity, 0.5], 0, 2, fill(3, 0.25), 1);
    const plain = row([1, -800, 0.5], 0, 2, fill(3, 0.25), 1);
    expect(masked.loss).toBe(plain.loss);
    expect(masked.grad[1]).toBe(0);
    expect(masked.grad[0]).toBe(plain.grad[0]);
    expect(row([], 0, 2, [], 1)).toEqual({ loss: 0, grad: [] });
    expect(row([], [], 2, [], 1, false)).toEqual({ loss: 0, grad: [] });
  });

  it('softmax: the class weights do not multiply the term; a one-hot row keeps relative precision', () => {
    // alpha = 0 for every class: only the term remains, eps q_k^(g+1)
    const r = row([30, 0, 0], 0, 2, fill(3, 0), 1);
    const qk = (2 * Math.exp(-30)) / (1 + 2 * Math.exp(-30));
    expect(closeTo(r.loss, qk ** 3, 1e-14)).toBe(true);
    // dL/dx_k = -eps (g+1) q_k^g p_k q_k (t_k - p_t = q_k), relative precision at 1e-13
    expect(closeTo(r.grad[0] as number, -3 * qk ** 3 / (1 + 2 * Math.exp(-30)), 1e-13)).toBe(true);
  });
});

describe('Poly-1 in the fused loops', () => {
  const x = [1.5, -2, 0.25, Infinity, -Infinity, 40, -1e4, NaN, 0.5, -0.5, 3, -7];
  const t = [1, 0, 0.3, 0, 1, 1, 0, 1, 0.5, 1, 0, 0.8];
  const w = x.map((_, i) => 0.5 + i / 10);

  function sigLoop(polyEpsilon: number | undefined, fromLogits = true, gamma = 2) {
    const lossOut = new Float64Array(x.length);
    const gradOut = new Float64Array(x.length);
    const input = fromLogits ? x : x.map((v) => 1 / (1 + Math.exp(-v)));
    const params = { input, target: t, weight: w, lossOut, gradOut, scale: 0.5, gamma, alphaPos: 0.25, alphaNeg: 0.75, smoothing: 0.1, fromLogits, eps: 1e-7 };
    sigmoidFocalLoop(polyEpsilon === undefined ? params : { ...params, polyEpsilon });
    return { lossOut, gradOut };
  }

  it('polyEpsilon 0 and absent give the same bits (sigmoid)', () => {
    for (const fromLogits of [true, false]) {
      const a = sigLoop(undefined, fromLogits);
      const b = sigLoop(0, fromLogits);
      expect(Array.from(b.lossOut)).toEqual(Array.from(a.lossOut));
      expect(Array.from(b.gradOut)).toEqual(Array.from(a.gradOut));
    }
  });

  it('the sigmoid loop equals the per-element functions bit for bit', () => {
    for (const fromLogits of [true, false]) {
      for (const gamma of [0, 0.5, 2]) {
        const r = sigLoop(-0.75, fromLogits, gamma);
        x.forEach((xi, i) => {
          const ti = (t[i] as number) * 0.9 + 0.05;
          const wi = w[i] as number;
          if (fromLogits) sigmoidFocalFromLogit(xi, ti, gamma, 0.25, 0.75, out, -0.75);
          else sigmoidFocalFromProbability(1 / (1 + Math.exp(-xi)), ti, gamma, 0.25, 0.75, 1e-7, out, -0.75);
          expect(Object.is(r.lossOut[i], wi * out.loss), `loss ${i}`).toBe(true);
          const g = 0.5 * wi * out.grad;
          expect(Object.is(r.gradOut[i], g), `grad ${i}: ${r.gradOut[i]} vs ${g}`).toBe(true);
        });
      }
    }
  });

  function softLoop(polyEpsilon: number | undefined, fromLogits: boolean, index: boolean) {
    const C = 3;
    const input = [0.5, -1, 2, 30, 0, 0, 1, -Infinity, 0.5, 0.2, 0.3, 0.4];
    const probs = [0.2, 0.5, 0.3, 1, 0, 0, 0, 0.5, 0.5, 0.1, 0.1, 0.8];
    const outer = 4;
    const lossOut = new Float64Array(outer);
    const gradOut = new Float64Array(outer * C);
    const params = {
      input: fromLogits ? input : input.map((v) => 1 / (1 + Math.exp(-v))),
      target: index ? [2, 0, 0, 1] : probs,
      targetKind: index ? ('index' as const) : ('probability' as const),
      ignoreIndex: index ? 1 : null,
      weight: [1, 2, 0.5, 3],
      lossOut,
      gradOut,
      scale: 0.25,
      outer,
      classes: C,
      inner: 1,
      gamma: 1.5,
      classWeights: [0.25, 0.5, 1],
      smoothing: 0.1,
      fromLogits,
      eps: 1e-7,
    };
    softmaxFocalLoop(polyEpsilon === undefined ? params : { ...params, polyEpsilon });
    return { lossOut: Array.from(lossOut), gradOut: Array.from(gradOut), params };
  }

  it('polyEpsilon 0 and absent give the same bits (softmax); ignored rows stay 0', () => {
    for (const fromLogits of [true, false]) {
      for (const index of [true, false]) {
        expect(softLoop(0, fromLogits, index)).toEqual(softLoop(undefined, fromLogits, index));
      }
    }
    const r = softLoop(2, true, true);
    expect(r.lossOut[3]).toBe(0); // target 1 = ignoreIndex
    expect(r.gradOut.slice(9)).toEqual([0, 0, 0]);
  });

  it('the softmax loop equals softmaxFocalRow', () => {
    for (const fromLogits of [true, false]) {
      for (const index of [true, false]) {
        const r = softLoop(0.5, fromLogits, index);
        const p = r.params;
        for (let o = 0; o < 4; o++) {
          if (index && p.target[o] === 1) continue;
          const grad = new Float64Array(12);
          const loss = softmaxFocalRow(
            p.input,
            { offset: 3 * o, stride: 1, classes: 3 },
            { probabilities: index ? null : p.target, index: index ? (p.target[o] as number) : -1, smoothing: 0.1 },
            { gamma: 1.5, classWeights: p.classWeights, fromLogits, eps: 1e-7, polyEpsilon: 0.5 },
            grad,
            0.25 * (p.weight[o] as number),
            new Float64Array(6),
          );
          const wl = (p.weight[o] as number) * loss;
          expect(near(r.lossOut[o] as number, wl, 1e-15), `loss ${o}`).toBe(true);
          for (let c = 0; c < 3; c++) {
            expect(near(r.gradOut[3 * o + c] as number, grad[3 * o + c] as number, 1e-14), `grad ${o},${c}`).toBe(true);
          }
        }
      }
    }
  });
});
