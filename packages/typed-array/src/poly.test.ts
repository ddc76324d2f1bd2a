/**
 * polyEpsilon (Poly-1) through the scalar ops: gradients against finite differences in float64 over
 * random shapes, options, reductions and weights; polyEpsilon 0 = the focal loss bit for bit; the
 * option's errors; the prologue without a declaration refuses it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareSigmoid, prepareSoftmax } from './prepare.js';
import { sigmoidFocalLoss } from './sigmoid.js';
import { softmaxFocalLoss } from './softmax.js';
import type { FloatArray, TensorView } from './types.js';
import { closeTo, gammaArb, numericGradient, reductionArb, shapeArb, thrownCode } from './test-helpers.js';

const f64 = (values: number[], shape: number[] = [values.length]) => ({ data: Float64Array.from(values), shape });
const f32 = (values: number[], shape: number[] = [values.length]) => ({ data: Float32Array.from(values), shape });
const epsArb = fc.constantFrom(-1, -0.5, 0.5, 1, 2, 7);

/** The reduced (or summed) loss as one number, to differentiate numerically. */
const total = (data: ArrayLike<number>) => Array.from(data).reduce((a, b) => a + b, 0);

describe('sigmoidFocalLoss with polyEpsilon', () => {
  it('gradient equals central finite differences (random shapes, options, reductions, weights)', () => {
    const caseArb = shapeArb.chain((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.record({
        shape: fc.constant(shape),
        x: fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: n, maxLength: n }),
        t: fc.array(fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: n, maxLength: n }),
        w: fc.option(fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: n, maxLength: n }), { nil: undefined }),
        gamma: gammaArb,
        alpha: fc.constantFrom(null, 0.25, 0.9),
        labelSmoothing: fc.constantFrom(0, 0.1),
        polyEpsilon: epsArb,
        reduction: reductionArb,
      });
    });
    fc.assert(
      fc.property(caseArb, ({ shape, x, t, w, reduction, ...loss }) => {
        const options = { ...loss, reduction, ...(w ? { weight: f64(w, shape) } : {}) };
        const run = (data: Float64Array) => total(sigmoidFocalLoss({ data, shape }, f64(t, shape), options).loss.data);
        const r = sigmoidFocalLoss(f64(x, shape), f64(t, shape), { ...options, gradient: true });
        const fd = numericGradient(run, Float64Array.from(x));
        return Array.from(r.gradInput!.data).every((g, i) => closeTo(g, fd[i] as number, 1e-5, 1e-7));
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('adds eps (1 - p_t)^(gamma + 1), not multiplied by alpha, weighted, same mean count', () => {
    const x = f64([1.5, -0.5]);
    const t = f64([1, 0]);
    const w = f64([2, 3]);
    const base = sigmoidFocalLoss(x, t, { reduction: 'none', weight: w, gradient: true });
    const poly = sigmoidFocalLoss(x, t, { reduction: 'none', weight: w, gradient: true, polyEpsilon: 1 });
    const p = [1 / (1 + Math.exp(-1.5)), 1 / (1 + Math.exp(0.5))];
    const u = [1 - (p[0] as number), p[1] as number];
    expect(closeTo(poly.loss.data[0] as number, (base.loss.data[0] as number) + 2 * (u[0] as number) ** 3, 1e-14)).toBe(true);
    expect(closeTo(poly.loss.data[1] as number, (base.loss.data[1] as number) + 3 * (u[1] as number) ** 3, 1e-14)).toBe(true);
    // mean divides by the same count (2)
    const mean = sigmoidFocalLoss(x, t, { weight: w, polyEpsilon: 1 }).loss.data[0] as number;
    expect(closeTo(mean, total(poly.loss.data) / 2, 1e-15)).toBe(true);
    // mpmath (50 digits): x 1.5, t 1, alpha .25, gamma 2, eps 1: 0.0077466638248773066794
    expect(closeTo(sigmoidFocalLoss(f64([1.5]), f64([1]), { polyEpsilon: 1 }).loss.data[0] as number, 0.0077466638248773066794, 2e-15)).toBe(true);
  });

  it('polyEpsilon 0 (and -0) gives the focal loss bit for bit, float32 and float64', () => {
    const values = [3, -2, 0.5, 40, -40, 1e4, Infinity, -Infinity, NaN, 0];
    const target = [1, 0, 0.3, 1, 0, 0, 0, 1, 1, 0.5];
    for (const make of [f32, f64]) {
      for (const fromLogits of [true, false]) {
        const x: TensorView<FloatArray> = fromLogits ? make(values) : make(values.map((v) => 1 / (1 + Math.exp(-v))));
        const t = make(target);
        const opts = { reduction: 'none' as const, gradient: true, fromLogits };
        const a = sigmoidFocalLoss(x, t, opts);
        for (const polyEpsilon of [0, -0]) {
          const b = sigmoidFocalLoss(x, t, { ...opts, polyEpsilon });
          expect(Array.from(b.loss.data)).toEqual(Array.from(a.loss.data));
          expect(Array.from(b.gradInput!.data)).toEqual(Array.from(a.gradInput!.data));
        }
      }
    }
  });

  it('limits at +-Infinity and finite values at +-1e4 for gamma in [0, 1)', () => {
    const inf = sigmoidFocalLoss(f64([Infinity, -Infinity]), f64([0, 1]), { alpha: 1, reduction: 'none', gradient: true, polyEpsilon: 0.5 });
    // t = 0 at +Infinity: alpha_t = 1 - alpha = 0, so the term 0.5 * 1^(g+1) remains; t = 1 at -Infinity: alpha_t = 1, +Infinity
    expect(Array.from(inf.loss.data)).toEqual([0.5, Infinity]);
    expect(inf.gradInput!.data[0]).toBe(0);
    for (const gamma of [0, 0.5, 0.9]) {
      const r = sigmoidFocalLoss(f64([1e4, -1e4, 1e4, -1e4]), f64([1, 0, 0, 1]), { gamma, reduction: 'none', gradient: true, polyEpsilon: -1 });
      expect([...r.loss.data, ...r.gradInput!.data].every(Number.isFinite)).toBe(true);
    }
  });
});

describe('softmaxFocalLoss with polyEpsilon', () => {
  it('gradient equals central finite differences (index or soft targets, axis, ignoreIndex, weights)', () => {
    const caseArb = fc
      .record({ positions: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 1, max: 4 }), axisFirst: fc.boolean() })
      .chain(({ positions, classes, axisFirst }) =>
        fc.record({
          positions: fc.constant(positions),
          classes: fc.constant(classes),
          axisFirst: fc.constant(axisFirst),
          x: fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: positions * classes, maxLength: positions * classes }),
          index: fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: positions, maxLength: positions }),
          soft: fc.boolean(),
          w: fc.option(fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: positions, maxLength: positions }), { nil: undefined }),
          gamma: gammaArb,
          alpha: fc.constantFrom(null, 0.25),
          labelSmoothing: fc.constantFrom(0, 0.2),
          polyEpsilon: epsArb,
          reduction: reductionArb,
          ignore: fc.boolean(),
        }),
      );
    fc.assert(
      fc.property(caseArb, ({ positions, classes, axisFirst, x, index, soft, w, ignore, ...loss }) => {
        const shape = axisFirst ? [classes, positions] : [positions, classes];
        const axis = axisFirst ? 0 : 1;
        let target;
        if (soft) {
          const probs = new Float64Array(positions * classes);
          for (let i = 0; i < positions; i++) {
            for (let c = 0; c < classes; c++) {
              const at = axisFirst ? c * positions + i : i * classes + c;
              probs[at] = c === index[i] ? 0.6 : 0.4 / Math.max(1, classes - 1);
            }
          }
          target = { data: probs, shape };
        } else target = { data: Int32Array.from(index), shape: [positions] };
        const options = {
          ...loss,
          axis,
          ...(ignore && !soft ? { ignoreIndex: index[0] } : {}),
          ...(w ? { weight: f64(w, [positions]) } : {}),
        };
        const run = (data: Float64Array) => total(softmaxFocalLoss({ data, shape }, target, options).loss.data);
        const r = softmaxFocalLoss(f64(x, shape), target, { ...options, gradient: true });
        const fd = numericGradient(run, Float64Array.from(x));
        return Array.from(r.gradInput!.data).every((g, i) => closeTo(g, fd[i] as number, 1e-5, 1e-7));
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('the class weights do not multiply the term; 0 is the focal loss bit for bit', () => {
    const x = f64([2, 0.5, -1, -3, 4, 1], [2, 3]);
    const t = { data: new Int32Array([0, 1]), shape: [2] };
    const noAlpha = softmaxFocalLoss(x, t, { alpha: [0, 0, 0], reduction: 'none', polyEpsilon: 2 });
    const p00 = Math.exp(2) / (Math.exp(2) + Math.exp(0.5) + Math.exp(-1));
    expect(closeTo(noAlpha.loss.data[0] as number, 2 * (1 - p00) ** 3, 1e-14)).toBe(true);
    const a = softmaxFocalLoss(x, t, { reduction: 'none', gradient: true });
    const b = softmaxFocalLoss(x, t, { reduction: 'none', gradient: true, polyEpsilon: 0 });
    expect(Array.from(b.loss.data)).toEqual(Array.from(a.loss.data));
    expect(Array.from(b.gradInput!.data)).toEqual(Array.from(a.gradInput!.data));
    // mpmath (50 digits): [1.5, -2, 0.25], class 0, alpha .25, gamma 2, eps 1
    const m = softmaxFocalLoss(f64([1.5, -2, 0.25], [1, 3]), { data: new Int32Array([0]), shape: [1] }, { polyEpsilon: 1 });
    expect(closeTo(m.loss.data[0] as number, 0.017894521371794495229, 4e-15)).toBe(true);
  });
});

describe('polyEpsilon errors and declarations', () => {
  const x = f64([0.5, -1]);
  const t = f64([1, 0]);
  const xs = f64([0.5, -1], [1, 2]);
  const ts = { data: new Int32Array([1]), shape: [1] };
  it.each([[NaN], ['1'], [-2], [Infinity], [null]])('polyEpsilon %o is INVALID_OPTION', (polyEpsilon) => {
    expect(thrownCode(() => sigmoidFocalLoss(x, t, { polyEpsilon } as never))).toBe('INVALID_OPTION');
    expect(thrownCode(() => softmaxFocalLoss(xs, ts, { polyEpsilon } as never))).toBe('INVALID_OPTION');
  });

  it('a bad polyEpsilon is reported before a shape mismatch (the contract order)', () => {
    expect(thrownCode(() => sigmoidFocalLoss(x, f64([1]), { polyEpsilon: -2 }))).toBe('INVALID_OPTION');
  });

  it('the prologue without a declaration (base only) refuses a non-default polyEpsilon, naming it', () => {
    expect(() => prepareSigmoid(x, t, { polyEpsilon: 1 })).toThrow(/polyEpsilon is not implemented by this adapter yet/);
    expect(() => prepareSoftmax(xs, ts, { polyEpsilon: 1 })).toThrow(/polyEpsilon is not implemented/);
    expect(prepareSigmoid(x, t, { polyEpsilon: 0 }).task.polyEpsilon).toBe(0);
  });
});
