/**
 * The SIMD ops against the scalar ops they stand in for: random inputs and options (fast-check),
 * float32 results within float32 tolerance, special elements (infinite, NaN, huge logits) exactly
 * as the scalar ops give them, float64 inputs identical, errors with the same codes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sigmoidFocalLoss as scalarSigmoid } from '../sigmoid.js';
import { softmaxFocalLoss as scalarSoftmax } from '../softmax.js';
import { closeTo, thrownCode } from '../test-helpers.js';
import { sigmoidFocalLoss, simdStatus, softmaxFocalLoss } from './ops.js';

/**
 * Every element close: rtol 1e-4, plus an absolute 1e-6 of the largest magnitude and of `terms`,
 * the size of the terms a value is the difference of (float32 cannot resolve a difference of two
 * terms below their ulp, e.g. a soft-target gradient at its zero crossing).
 */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, terms = 0): void {
  expect(actual.length).toBe(expected.length);
  let scaleOf = 0;
  for (let i = 0; i < expected.length; i++) {
    const v = Math.abs(expected[i] as number);
    if (Number.isFinite(v)) scaleOf = Math.max(scaleOf, v);
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Object.is(a, e) || a === e) continue;
    // one expect per failure only: a hundred thousand passing expects would dominate the test's time
    if (!Number.isFinite(e) || !Number.isFinite(a)) expect(a, `${what}[${i}]`).toBe(e);
    else if (!closeTo(a, e, 1e-4, 1e-6 * (scaleOf + terms) + 1e-37)) expect.fail(`${what}[${i}]: ${a} vs ${e}`);
  }
}

const gammaArb = fc.constantFrom(0, 0.5, 1, 1.5, 2, 3, 5);
const reductionArb = fc.constantFrom('none' as const, 'mean' as const, 'sum' as const);
/** Mostly ordinary logits, sometimes the values the kernel hands back to the core. */
const logitArb = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: -30, max: 30, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity, NaN, 1e35, -1e35, 95, -95) },
);

it('runs on the SIMD kernel here', () => {
  expect(simdStatus()).toEqual({ backend: 'wasm-simd128' });
});

describe('sigmoid: SIMD against the scalar op', () => {
  const caseArb = fc.integer({ min: 1, max: 41 }).chain((n) =>
    fc.record({
      x: fc.array(logitArb, { minLength: n, maxLength: n }),
      t: fc.array(fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: n, maxLength: n }),
      intTargets: fc.boolean(),
      w: fc.option(fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: n, maxLength: n }), { nil: undefined }),
      gamma: gammaArb,
      alpha: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
      reduction: reductionArb,
      labelSmoothing: fc.constantFrom(0, 0.1),
      probabilities: fc.option(fc.constantFrom(1e-7, 1e-3, 1e-30), { nil: undefined }),
    }),
  );

  it('agrees within float32 tolerance (random inputs and options)', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(caseArb, ({ x, t, intTargets, w, probabilities, ...options }) => {
        const n = x.length;
        const fromLogits = probabilities === undefined;
        // probabilities: the logits squashed, with exact 0 and 1 and NaN kept
        const input = Float32Array.from(x, (v) => (fromLogits ? v : 1 / (1 + Math.exp(-v))));
        const target = intTargets ? Int32Array.from(t, (v) => (v < 0.5 ? 0 : 1)) : Float32Array.from(t);
        const call = {
          ...options,
          ...(fromLogits ? {} : { fromLogits: false, eps: probabilities }),
          gradient: true,
          weight: w === undefined ? null : { data: Float32Array.from(w), shape: [n] },
        };
        const ours = sigmoidFocalLoss({ data: input, shape: [n] }, { data: target, shape: [n] }, call);
        const theirs = scalarSigmoid({ data: input, shape: [n] }, { data: target, shape: [n] }, call);
        expect(ours.loss.shape).toEqual(theirs.loss.shape);
        expectClose(ours.loss.data, theirs.loss.data, 'loss');
        // gradient terms: |scale w| (<= 2) times alpha_t (1 + gamma ...) (<= 1 + gamma 30)
        const terms = (options.reduction === 'mean' ? 2 / n : 2) * (1 + 30 * options.gamma);
        expectClose(ours.gradInput!.data, theirs.gradInput!.data, 'grad', terms);
        // elements the kernel hands to the core are the scalar op's values exactly
        for (let i = 0; i < n; i++) {
          if (!(Math.abs(input[i] as number) <= 2 ** 100) && fromLogits) {
            expect(ours.gradInput!.data[i]).toBe(theirs.gradInput!.data[i]);
            if (options.reduction === 'none') expect(ours.loss.data[i]).toBe(theirs.loss.data[i]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reduces many blocks to the scalar result (float64 sums)', { timeout: 30_000 }, () => {
    const n = 100_003;
    const x = new Float32Array(n);
    const t = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = 16 * Math.sin(i * 0.7);
      t[i] = i % 11 === 0 ? 1 : 0;
    }
    for (const reduction of ['mean', 'sum'] as const) {
      const ours = sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, { reduction });
      const theirs = scalarSigmoid({ data: x, shape: [n] }, { data: t, shape: [n] }, { reduction });
      expect(closeTo(ours.loss.data[0] as number, theirs.loss.data[0] as number, 1e-6)).toBe(true);
    }
  });
});

describe('softmax: SIMD against the scalar op', () => {
  // (outer, classes, inner) with the class axis at 1; inner = 1 with many rows is the class axis
  // last, which the kernel transposes (from 8 positions on)
  const layoutArb = fc.oneof(
    fc.record({ outer: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 1, max: 6 }), inner: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ outer: fc.integer({ min: 8, max: 40 }), classes: fc.integer({ min: 2, max: 6 }), inner: fc.constant(1) }),
  );
  const caseArb = layoutArb
    .chain(({ outer, classes, inner }) => {
      const size = outer * classes * inner;
      const positions = outer * inner;
      return fc.record({
        outer: fc.constant(outer),
        classes: fc.constant(classes),
        inner: fc.constant(inner),
        x: fc.array(logitArb, { minLength: size, maxLength: size }),
        index: fc.array(fc.integer({ min: -1, max: classes - 1 }), { minLength: positions, maxLength: positions }),
        soft: fc.option(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: size, maxLength: size }), { nil: undefined }),
        w: fc.option(fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: positions, maxLength: positions }), { nil: undefined }),
        gamma: gammaArb,
        perClassAlpha: fc.boolean(),
        reduction: reductionArb,
        labelSmoothing: fc.constantFrom(0, 0.1),
        probabilities: fc.option(fc.constantFrom(1e-7, 1e-3), { nil: undefined }),
      });
    });

  it('agrees within float32 tolerance (random layouts, targets and options)', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(caseArb, ({ outer, classes, inner, x, index, soft, w, perClassAlpha, probabilities, ...options }) => {
        const fromLogits = probabilities === undefined;
        const input = Float32Array.from(x, (v) => (fromLogits ? v : 1 / (1 + Math.exp(-v))));
        const shape = [outer, classes, inner];
        const target =
          soft === undefined
            ? { data: Int32Array.from(index), shape: [outer, inner] }
            : { data: Float32Array.from(soft), shape };
        const call = {
          ...options,
          axis: 1,
          ...(soft === undefined ? { ignoreIndex: -1 } : {}),
          ...(fromLogits ? {} : { fromLogits: false, eps: probabilities }),
          alpha: perClassAlpha ? Array.from({ length: classes }, (_, c) => (c + 1) / classes) : 0.25,
          gradient: true,
          weight: w === undefined ? null : { data: Float32Array.from(w), shape: [outer, inner] },
        };
        const ours = softmaxFocalLoss({ data: input, shape }, target, call);
        const theirs = scalarSoftmax({ data: input, shape }, target, call);
        expect(ours.loss.shape).toEqual(theirs.loss.shape);
        expectClose(ours.loss.data, theirs.loss.data, 'loss');
        const terms = (options.reduction === 'mean' ? 2 / (outer * inner) : 2) * (1 + 30 * options.gamma);
        expectClose(ours.gradInput!.data, theirs.gradInput!.data, 'grad', terms);
      }),
      { numRuns: 300 },
    );
  });

  it('covers layouts across many blocks (axis -1 with many rows, and a long inner axis)', { timeout: 30_000 }, () => {
    for (const shape of [[20_000, 5], [2, 3, 9_000]] as const) {
      const size = shape.reduce<number>((a, b) => a * b, 1);
      const x = Float32Array.from({ length: size }, (_, i) => 6 * Math.sin(i * 0.37));
      const tShape = shape.length === 2 ? [shape[0]] : [shape[0], shape[2]];
      const positions = tShape.reduce<number>((a, b) => a * b, 1);
      const t = Int32Array.from({ length: positions }, (_, i) => i % 3);
      const options = { axis: shape.length === 2 ? -1 : 1, gradient: true };
      const ours = softmaxFocalLoss({ data: x, shape }, { data: t, shape: tShape }, options);
      const theirs = scalarSoftmax({ data: x, shape }, { data: t, shape: tShape }, options);
      expectClose(ours.loss.data, theirs.loss.data, 'loss');
      expectClose(ours.gradInput!.data, theirs.gradInput!.data, 'grad');
    }
  });
});

describe('the gamma 2 from-logits loop (specialised): float32 ulps from the float64 op', () => {
  // hard targets: no zero crossing of the gradient, so a relative bound holds everywhere
  const ulps = (a: number, exact: number) => {
    const r = Math.fround(exact);
    return a === r ? 0 : Math.abs(a - exact) / Math.max(Math.abs(r) * 2 ** -23, 2 ** -149);
  };
  it('loss and gradient within 8 ulps on a dense grid of logits in [-40, 40], alpha or none, mean or none', () => {
    const n = 200_003;
    const x = Float32Array.from({ length: n }, (_, i) => -40 + (80 * i) / n);
    for (const target of [0, 1]) {
      const t = new Float32Array(n).fill(target);
      for (const alpha of [0.25, null]) {
        const options = { gamma: 2, alpha, reduction: 'none', gradient: true } as const;
        const ours = sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, options);
        const exact = scalarSigmoid({ data: Float64Array.from(x), shape: [n] }, { data: t, shape: [n] }, options);
        let worstLoss = 0;
        let worstGrad = 0;
        for (let i = 0; i < n; i++) {
          worstLoss = Math.max(worstLoss, ulps(ours.loss.data[i] as number, exact.loss.data[i] as number));
          worstGrad = Math.max(worstGrad, ulps(ours.gradInput!.data[i] as number, exact.gradInput!.data[i] as number));
        }
        expect(worstLoss, `loss, target ${target}, alpha ${alpha}`).toBeLessThanOrEqual(8);
        expect(worstGrad, `gradient, target ${target}, alpha ${alpha}`).toBeLessThanOrEqual(8);
        const mean = sigmoidFocalLoss({ data: x, shape: [n] }, { data: t, shape: [n] }, { gamma: 2, alpha });
        const exactMean = scalarSigmoid({ data: Float64Array.from(x), shape: [n] }, { data: t, shape: [n] }, { gamma: 2, alpha });
        expect(ulps(mean.loss.data[0] as number, exactMean.loss.data[0] as number)).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe('what stays with the scalar ops', () => {
  it('float64 inputs give the scalar op results exactly', () => {
    const x = Float64Array.of(-3, 0.25, 7, -Infinity);
    const t = Float64Array.of(0, 1, 0.3, 1);
    const ours = sigmoidFocalLoss({ data: x, shape: [4] }, { data: t, shape: [4] }, { gradient: true, reduction: 'none' });
    const theirs = scalarSigmoid({ data: x, shape: [4] }, { data: t, shape: [4] }, { gradient: true, reduction: 'none' });
    expect(ours.loss.data).toBeInstanceOf(Float64Array);
    expect(Array.from(ours.loss.data)).toEqual(Array.from(theirs.loss.data));
    expect(Array.from(ours.gradInput!.data)).toEqual(Array.from(theirs.gradInput!.data));
  });

  it('invalid calls fail with the scalar op codes', () => {
    const x = { data: Float32Array.of(0.5, -1), shape: [2] };
    const cases: Array<[unknown, unknown, unknown]> = [
      [x, { data: Float32Array.of(1, 0), shape: [2] }, { gamma: -1 }],
      [x, { data: Float32Array.of(1, 0, 1), shape: [3] }, {}],
      [x, { data: Float32Array.of(2, 0), shape: [2] }, {}],
      [x, { data: Float32Array.of(1, 0), shape: [2] }, { gradient: 'yes' }],
      [x, { data: Float32Array.of(1, 0), shape: [2] }, { out: { loss: new Float32Array(3) } }],
      [x, { data: Uint8Array.of(1, 0), shape: [2] }, {}],
    ];
    for (const [input, target, options] of cases) {
      const ours = thrownCode(() => sigmoidFocalLoss(input as never, target as never, options as never));
      expect(ours).toBeDefined();
      expect(ours).toBe(thrownCode(() => scalarSigmoid(input as never, target as never, options as never)));
    }
    const logits = { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] };
    for (const [target, options] of [
      [{ data: Int32Array.of(0, 3), shape: [2] }, {}],
      [{ data: Int32Array.of(0, 1), shape: [2] }, { axis: 2 }],
      [{ data: Float32Array.of(1, 0, 0, 0, 1, 0), shape: [2, 3] }, { ignoreIndex: 0 }],
    ] as const) {
      const ours = thrownCode(() => softmaxFocalLoss(logits, target, options));
      expect(ours).toBeDefined();
      expect(ours).toBe(thrownCode(() => scalarSoftmax(logits, target, options)));
    }
  });
});
