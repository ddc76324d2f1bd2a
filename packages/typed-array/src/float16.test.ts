/** float16 inputs: exact widening of every binary16 pattern, and a call on half data = the float32 call. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualityFocalLoss } from './family/index.js';
import { float16Tensor, fromFloat16, halfBitsToNumber, isFloat16Array } from './float16.js';
import { sigmoidFocalLoss } from './sigmoid.js';
import { softmaxFocalLoss } from './softmax.js';
import type { Float16ArrayLike, TensorView } from './types.js';

describe('fromFloat16', () => {
  it('widens all 65536 bit patterns (the table equals the formula) and known values exactly', () => {
    const all = new Uint16Array(0x10000).map((_, k) => k);
    const widened = fromFloat16(all);
    let mismatches = 0;
    for (let k = 0; k < 0x10000; k++) {
      const v = halfBitsToNumber(k);
      if (!(Object.is(widened[k], v) || (Number.isNaN(v) && Number.isNaN(widened[k])))) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect([widened[0x3c00], widened[0xc000], widened[0x7bff], widened[0x0001], widened[0x0400], widened[0x7c00], widened[0xfc00]]).toEqual([
      1, -2, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity,
    ]);
    expect(Number.isNaN(widened[0x7e00])).toBe(true);
    expect(Object.is(widened[0x8000], -0)).toBe(true);
  });

  it('copies number-holding data (a Float16Array where the runtime has one) as is', () => {
    expect([...fromFloat16([0.5, -3, 65504])]).toEqual([0.5, -3, 65504]);
  });

  it('a sigmoid call on half bits equals the float32 call on the same values', () => {
    const bits = new Uint16Array([0x3c00, 0xbc00, 0x4000, 0x0000]); // 1, -1, 2, 0
    const target = { data: new Float32Array([1, 0, 0, 1]), shape: [4] };
    const half = sigmoidFocalLoss(float16Tensor({ data: bits, shape: [4] }), target, { gradient: true });
    const plain = sigmoidFocalLoss({ data: new Float32Array([1, -1, 2, 0]), shape: [4] }, target, { gradient: true });
    expect(half.loss.data).toEqual(plain.loss.data);
    expect(half.gradInput?.data).toEqual(plain.gradInput?.data);
  });
});

/** Every finite and infinite half value, to tell whether a number is one. */
const HALF_VALUES = new Set(fromFloat16(new Uint16Array(0x10000).map((_, k) => k)));

/**
 * Test stand-in for the ES2025 Float16Array on runtimes without one (Node 20; Node >= 24 and Chromium
 * have the real one, used instead): a Float32Array subclass that refuses any value binary16 cannot hold,
 * registered as globalThis.Float16Array for these tests only. Its reads are float32 reads of half values,
 * as a real Float16Array's are reads of the same numbers; so it checks this package's detection, dtype,
 * order of checks and widening. The real one's element reads are checked by the browser conformance run
 * (apps/conformance-web: typed-array-f32 gets the float16/ fixtures as Float16Array in Chromium).
 */
class Float16StandIn extends Float32Array {
  constructor(values: readonly number[]) {
    super(values);
    for (const v of values) if (!HALF_VALUES.has(v) && !Number.isNaN(v)) throw new RangeError(`${v} is not a half value`);
  }
}

type Float16Constructor = new (values: readonly number[]) => Float16ArrayLike;
const globals = globalThis as { Float16Array?: Float16Constructor };
const native = globals.Float16Array;
const Half: Float16Constructor = native ?? (Float16StandIn as unknown as Float16Constructor);
const half = (values: readonly number[], shape: readonly number[]): TensorView<Float16ArrayLike> => ({ data: new Half(values), shape });
const f32 = (values: readonly number[], shape: readonly number[]) => ({ data: new Float32Array(values), shape });

describe(`Float16Array data in the scalar ops (${native === undefined ? 'stand-in: this runtime has none' : 'the runtime\'s Float16Array'})`, () => {
  beforeAll(() => {
    if (native === undefined) globals.Float16Array = Half;
  });
  afterAll(() => {
    if (native === undefined) delete globals.Float16Array;
  });

  it('is detected as float16, and a plain Uint16Array or Float32Array is not', () => {
    expect(isFloat16Array(new Half([1]))).toBe(true);
    expect(isFloat16Array(new Uint16Array([0x3c00]))).toBe(false);
    if (native !== undefined) expect(isFloat16Array(new Float32Array([1]))).toBe(false);
  });

  it('sigmoid: half input, soft targets and weights = the float32 call on the same values, Float32Array outputs', () => {
    const x = [-65504, -3.5, -(2 ** -24), 0, 2 ** -14, 0.333251953125, 7.5, 65504];
    const t = [0, 0.25, 1, 0.5, 0, 0.75, 1, 1];
    const w = [1, 0.5, 2, 0.0999755859375, 1, 3, 0.25, 1]; // 0.0999755859375: the half nearest 0.1
    for (const reduction of ['none', 'mean'] as const) {
      const options = { reduction, gradient: true, alpha: 0.25, gamma: 2, labelSmoothing: 0.1 };
      const h = sigmoidFocalLoss(half(x, [2, 4]), half(t, [2, 4]), { ...options, weight: half(w, [2, 4]) });
      const f = sigmoidFocalLoss(f32(x, [2, 4]), f32(t, [2, 4]), { ...options, weight: f32(w, [2, 4]) });
      expect(h.loss.data).toBeInstanceOf(Float32Array);
      expect(h.gradInput?.data).toBeInstanceOf(Float32Array);
      expect(h.loss.shape).toEqual(reduction === 'none' ? [2, 4] : []);
      expect(Array.from(h.loss.data)).toEqual(Array.from(f.loss.data));
      expect(Array.from(h.gradInput?.data ?? [])).toEqual(Array.from(f.gradInput?.data ?? []));
    }
    // and a real number: x = 0, t = 0.5 after smoothing 0 is log 2 * 0.5^2 * (alpha_t = 0.5)
    const one = sigmoidFocalLoss(half([0], [1]), half([0.5], [1]), { reduction: 'sum' });
    expect(one.loss.data[0]).toBeCloseTo(Math.LN2 * 0.25 * 0.5, 7);
  });

  it('softmax: half logits with int32 indices, half probabilities with normalizeProbabilities = the float32 calls', () => {
    const x = [2, 0.5, -1, -3, 4, 1];
    const h = softmaxFocalLoss(half(x, [2, 3]), { data: new Int32Array([0, 1]), shape: [2] }, { gradient: true });
    const f = softmaxFocalLoss(f32(x, [2, 3]), { data: new Int32Array([0, 1]), shape: [2] }, { gradient: true });
    expect(h.loss.data).toBeInstanceOf(Float32Array);
    expect(Array.from(h.loss.data)).toEqual(Array.from(f.loss.data));
    expect(Array.from(h.gradInput?.data ?? [])).toEqual(Array.from(f.gradInput?.data ?? []));
    const p = [0.5, 0.25, 0.25, 0.125, 0.5, 0.5];
    const onehot = [1, 0, 0, 0, 1, 0];
    const options = { preset: 'keras' as const, gradient: true };
    const hp = softmaxFocalLoss(half(p, [2, 3]), half(onehot, [2, 3]), options);
    const fp = softmaxFocalLoss(f32(p, [2, 3]), f32(onehot, [2, 3]), options);
    expect(Array.from(hp.loss.data)).toEqual(Array.from(fp.loss.data));
    expect(Array.from(hp.gradInput?.data ?? [])).toEqual(Array.from(fp.gradInput?.data ?? []));
  });

  it('keeps the order of checks: options, then dtypes, then target values; the family ops refuse float16 by name', () => {
    const x = half([1, 2], [2]);
    expect(() => sigmoidFocalLoss(x, half([1, 0], [2]), { gamma: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('gamma') }));
    expect(() => sigmoidFocalLoss(x, half([1, 0], [1]))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => sigmoidFocalLoss(x, half([1, 1.5], [2]))).toThrow(expect.objectContaining({ code: 'INVALID_TARGET' }));
    expect(() => qualityFocalLoss(x as never, half([1, 0], [2]))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('"float16"') }),
    );
  });
});

describe('a Uint16Array is never read as half bits', () => {
  it('is refused as input, target and weight with INVALID_OPTION naming Uint16Array (float16Tensor is the way)', () => {
    const bits = { data: new Uint16Array([0x3c00, 0x0000]), shape: [2] }; // 1 and 0 as half bits
    const x = f32([1, 0], [2]);
    const cases: [string, () => unknown][] = [
      ['input', () => sigmoidFocalLoss(bits as never, x)],
      ['target', () => sigmoidFocalLoss(x, bits)],
      ['weight', () => sigmoidFocalLoss(x, x, { weight: bits as never })],
      ['softmax target', () => softmaxFocalLoss(f32([1, 0], [1, 2]), { data: new Uint16Array([1, 0]), shape: [1, 2] })],
    ];
    for (const [name, call] of cases) {
      expect(call, name).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('"Uint16Array"') }));
    }
    // the documented way: widen the bits, then an ordinary float32 call
    expect(sigmoidFocalLoss(float16Tensor(bits), x).loss.data[0]).toBe(sigmoidFocalLoss(x, x).loss.data[0]);
  });
});
