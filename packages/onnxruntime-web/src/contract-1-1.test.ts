/**
 * Contract 1.1 in the runner (issue 11): the stricter options, dtypes and shapes with the core's
 * codes and order, int32 sigmoid targets, and the limits at infinite logits in the graphs, each
 * compared with the typed-array float64 reference.
 */
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
// test-only reference; a devDependency
import { sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/typed-array';
import { FocalLossError, FocalLossRunner, buildLossModel, appendFocalLoss } from './index.js';
import { tinyClassifier } from '../test/models.js';

const runner = new FocalLossRunner({ numThreads: 1 });
afterAll(() => runner.dispose());

const x2 = { data: Float32Array.of(0.5, -1), shape: [2] };
const t2 = { data: Float32Array.of(1, 0), shape: [2] };
const sx = { data: new Float32Array(6), shape: [2, 3] };
const st = { data: Int32Array.of(0, 2), shape: [2] };

async function thrown(call: () => Promise<unknown>): Promise<FocalLossError> {
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FocalLossError);
  return error as FocalLossError;
}

describe('stricter options, dtypes and shapes (core codes)', () => {
  const cases: [string, string, RegExp, () => Promise<unknown>][] = [
    ['ignoreIndex beyond int32 does not wrap', 'INVALID_OPTION', /ignoreIndex.*4294967297/, () =>
      runner.softmaxFocalLoss(sx, st, { ignoreIndex: 4294967297 })],
    ['a sparse alpha array is the core error, not protobuf', 'INVALID_OPTION', /alpha/, () =>
      // eslint-disable-next-line no-sparse-arrays
      runner.softmaxFocalLoss(sx, st, { alpha: [, 0.5, 0.5] as unknown as number[] })],
    ['a non-array shape', 'SHAPE_MISMATCH', /shape/, () =>
      runner.sigmoidFocalLoss({ data: x2.data, shape: '2' as unknown as number[] }, t2)],
    ['a shape with a hole', 'SHAPE_MISMATCH', /shape/, () =>
      // eslint-disable-next-line no-sparse-arrays
      runner.sigmoidFocalLoss({ data: x2.data, shape: [, 2] as unknown as number[] }, t2)],
    ['gradient: "false"', 'INVALID_OPTION', /gradient/, () => runner.sigmoidFocalLoss(x2, t2, { gradient: 'false' as unknown as boolean })],
    ['normalizer with reduction sum', 'INVALID_OPTION', /normalizer/, () => runner.sigmoidFocalLoss(x2, t2, { normalizer: 2, reduction: 'sum' })],
    ['ignoreIndex with probability targets', 'INVALID_OPTION', /ignoreIndex/, () =>
      runner.softmaxFocalLoss(sx, { data: new Float32Array(6), shape: [2, 3] }, { ignoreIndex: -100 })],
    ['a float64 input names the dtype', 'INVALID_OPTION', /input.*float32.*got "float64"/, () =>
      runner.sigmoidFocalLoss({ data: new Float64Array(2) as unknown as Float32Array, shape: [2] }, t2)],
    ['an int32 ort.Tensor input names the dtype', 'INVALID_OPTION', /input.*got "int32"/, () =>
      runner.sigmoidFocalLoss(new ort.Tensor('int32', Int32Array.of(1, 0), [2]), t2)],
    ['a Uint8Array weight names the dtype', 'INVALID_OPTION', /weight.*got "Uint8Array"/, () =>
      runner.sigmoidFocalLoss(x2, t2, { weight: { data: new Uint8Array(2) as unknown as Float32Array, shape: [2] } })],
    ['a weight that is not a tensor', 'INVALID_OPTION', /weight/, () =>
      runner.sigmoidFocalLoss(x2, t2, { weight: [1, 1] as unknown as null })],
    ['int32 sigmoid target 2', 'INVALID_TARGET', /target\[1\] = 2/, () =>
      runner.sigmoidFocalLoss(x2, { data: Int32Array.of(1, 2), shape: [2] })],
    ['dtype before shape (order)', 'INVALID_OPTION', /float64/, () =>
      runner.sigmoidFocalLoss({ data: new Float64Array(3) as unknown as Float32Array, shape: [3] }, t2)],
  ];
  for (const [what, code, message, call] of cases) {
    it(`${what}: ${code}`, async () => {
      const error = await thrown(call);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    });
  }

  for (const options of [5, true, [], () => 1, new Map(), null]) {
    it(`options ${Object.prototype.toString.call(options)} are INVALID_OPTION`, async () => {
      const error = await thrown(() => runner.run('sigmoid', x2, t2, options as object));
      expect(error.code).toBe('INVALID_OPTION');
    });
  }

  it('builders refuse a sparse alpha and a huge ignoreIndex with the core error', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [, 0.5, 0.5] as unknown as number[];
    expect(() => buildLossModel({ op: 'softmax', rank: 2, options: { alpha: sparse } })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }) as never,
    );
    expect(() => appendFocalLoss(tinyClassifier(), { op: 'softmax', options: { ignoreIndex: 2 ** 32 + 1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }) as never,
    );
  });
});

describe('int32 sigmoid targets', () => {
  it('0/1 int32 targets give the float targets\' loss and gradient', async () => {
    const x = { data: Float32Array.of(2, -3, 0.25, 7), shape: [2, 2] };
    const ints = await runner.sigmoidFocalLoss(x, { data: Int32Array.of(1, 0, 0, 1), shape: [2, 2] }, { gradient: true, reduction: 'none' });
    const floats = await runner.sigmoidFocalLoss(x, { data: Float32Array.of(1, 0, 0, 1), shape: [2, 2] }, { gradient: true, reduction: 'none' });
    expect(Array.from(ints.loss.data)).toEqual(Array.from(floats.loss.data));
    expect(Array.from(ints.gradInput!.data)).toEqual(Array.from(floats.gradInput!.data));
    expect(ints.loss.data[0]).toBeGreaterThan(0);
  });
});

/** Same value, NaN equal to NaN, infinities equal only to themselves; finite ones within rtol. */
function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Number.isFinite(e) ? Math.abs(a - e) <= 1e-5 * Math.abs(e) + 1e-7 : a === e;
    if (!ok) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

describe('infinite logits: the limits (contract 1.1 table)', () => {
  const xs = Float32Array.of(Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity, NaN, 3);
  const ts = Float32Array.of(1, 0, 0.25, 0, 1, 0.5, 1, 1);
  for (const options of [
    { gamma: 2, alpha: 0.25 },
    { gamma: 0, alpha: null },
    { gamma: 0.5, alpha: 1 }, // alpha_t = 0 at t = 0: loss 0, not NaN, at +Infinity
    { gamma: 1.5, alpha: 0.25, labelSmoothing: 0.1 },
  ]) {
    it(`sigmoid ${JSON.stringify(options)}`, async () => {
      const shape = [xs.length];
      const call = { ...options, reduction: 'none', gradient: true } as const;
      const r = await runner.sigmoidFocalLoss({ data: xs, shape }, { data: ts, shape }, call);
      const ref = sigmoidFocalLoss({ data: Float64Array.from(xs), shape }, { data: Float64Array.from(ts), shape }, call);
      expectSame(r.loss.data, ref.loss.data, 'loss');
      expectSame(r.gradInput!.data, ref.gradInput!.data, 'grad');
      // spot checks against the table (smoothing moves t = 1 below 1: loss +Infinity there)
      if ('labelSmoothing' in options) {
        expect(r.loss.data[0]).toBe(Infinity);
        return;
      }
      expect(r.loss.data[0]).toBe(0);
      expect(r.gradInput!.data[0]).toBe(0);
      expect(r.loss.data[3]).toBe(0);
      expect(r.loss.data[4]).toBe(Infinity);
    });
  }

  it('sigmoid mean over a row with +Infinity loss is +Infinity; NaN weight propagates', async () => {
    const r = await runner.sigmoidFocalLoss({ data: Float32Array.of(Infinity, 1), shape: [2] }, { data: Float32Array.of(0, 1), shape: [2] });
    expect(r.loss.data[0]).toBe(Infinity);
    const w = await runner.sigmoidFocalLoss(x2, t2, { reduction: 'none', gradient: true, weight: { data: Float32Array.of(NaN, Infinity), shape: [2] } });
    expect(Number.isNaN(w.loss.data[0])).toBe(true);
    expect(w.loss.data[1]).toBe(Infinity);
    expect(Number.isNaN(w.gradInput!.data[0])).toBe(true);
    // a NaN logit flows even where alpha_t = 0 (fuzz seed 4242 #939): only an infinite ce is absent
    const nan = await runner.sigmoidFocalLoss({ data: Float32Array.of(NaN, Infinity), shape: [2] }, { data: Float32Array.of(0, 0), shape: [2] }, {
      gamma: 0, alpha: 1, reduction: 'none', gradient: true,
    });
    expect(Number.isNaN(nan.loss.data[0]) && Number.isNaN(nan.gradInput!.data[0])).toBe(true);
    expect([nan.loss.data[1], nan.gradInput!.data[1]]).toEqual([0, 0]);
  });

  const rows = Float32Array.of(
    2, -Infinity, 0.5, -Infinity, // masked classes, target on a finite one
    1, -Infinity, 0, 3, // target on a -Infinity class: loss +Infinity, finite gradient
    Infinity, 0, 1, 2, // +Infinity: NaN row
    -Infinity, -Infinity, -Infinity, -Infinity, // all -Infinity: NaN row
    0, 1, 2, 3, // ordinary
  );
  const labels = Int32Array.of(0, 1, 2, 0, 3);
  for (const options of [{}, { gamma: 0, alpha: null }, { gamma: 0.5, alpha: [0.1, 0.2, 0.3, 0.4] }, { labelSmoothing: 0.1 }]) {
    it(`softmax masking and NaN rows ${JSON.stringify(options)}`, async () => {
      const call = { ...options, reduction: 'none', gradient: true } as const;
      const r = await runner.softmaxFocalLoss({ data: rows, shape: [5, 4] }, { data: labels, shape: [5] }, call);
      const ref = softmaxFocalLoss({ data: Float64Array.from(rows), shape: [5, 4] }, { data: labels, shape: [5] }, call);
      expectSame(r.loss.data, ref.loss.data, 'loss');
      expectSame(r.gradInput!.data, ref.gradInput!.data, 'grad');
      expect(Number.isFinite(r.loss.data[0])).toBe('labelSmoothing' in options ? false : true);
      expect(r.gradInput!.data.slice(4, 8).every(Number.isFinite)).toBe(true);
      expect(Number.isNaN(r.loss.data[2]) && Number.isNaN(r.loss.data[3])).toBe(true);
    });
  }

  it('softmax: an ignored row is 0 with gradient 0 whatever its logits', async () => {
    const r = await runner.softmaxFocalLoss({ data: rows, shape: [5, 4] }, { data: Int32Array.of(0, 1, -1, -1, 3), shape: [5] }, {
      ignoreIndex: -1, reduction: 'none', gradient: true,
    });
    expect(Array.from(r.loss.data.slice(2, 4))).toEqual([0, 0]);
    expect(Array.from(r.gradInput!.data.slice(8, 16))).toEqual(Array(8).fill(0));
  });
});

describe('sizes', () => {
  it('zero classes: per-position loss 0, int32 targets must be ignoreIndex', async () => {
    const none = await runner.softmaxFocalLoss({ data: new Float32Array(0), shape: [3, 0] }, { data: Int32Array.of(-1, -1, -1), shape: [3] }, {
      ignoreIndex: -1, reduction: 'none', gradient: true,
    });
    expect(none.loss.shape).toEqual([3]);
    expect(Array.from(none.loss.data)).toEqual([0, 0, 0]);
    expect(none.gradInput!.shape).toEqual([3, 0]);
    const error = await thrown(() => runner.softmaxFocalLoss({ data: new Float32Array(0), shape: [3, 0] }, { data: Int32Array.of(0, 0, 0), shape: [3] }));
    expect(error.code).toBe('INVALID_TARGET');
  });

  it('a huge zero-class shape answers at once, an oversized one is SHAPE_MISMATCH', async () => {
    const start = performance.now();
    const r = await runner.softmaxFocalLoss({ data: new Float32Array(0), shape: [2 ** 20, 0, 2 ** 20] }, { data: new Int32Array(0), shape: [2 ** 20, 0] }, { axis: 2 });
    expect(Array.from(r.loss.data)).toEqual([0]);
    expect(performance.now() - start).toBeLessThan(1000);
    const error = await thrown(() =>
      runner.softmaxFocalLoss({ data: new Float32Array(0), shape: [2 ** 20, 0, 2 ** 20] }, { data: new Int32Array(0), shape: [2 ** 20, 2 ** 20] }, { axis: 1, reduction: 'none' }),
    );
    expect(error.code).toBe('SHAPE_MISMATCH');
  });
});
