/** The runner against the typed-array float64 reference, at saturation, and its error and session handling. */
import { afterAll, describe, expect, it } from 'vitest';
// test-only reference; not a dependency of this package
import { sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/typed-array';
import { FocalLossRunner } from './index.js';

const runner = new FocalLossRunner({ numThreads: 1 });
afterAll(() => runner.dispose());

/** float32 inputs with a spread of magnitudes, deterministic. */
function logits(n: number, scale = 4): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 12.9898) * scale));
}

/**
 * The conformance tolerances: standard rtol 1e-4, atol 1e-6 max|expected|; `tail` = rtol 5e-4 and
 * atol 1e-37, so every element, however small, must be relatively accurate.
 */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, tail = false): void {
  expect(actual.length).toBe(expected.length);
  const atol = tail ? 1e-37 : 1e-6 * Math.max(1e-30, ...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`[${i}]: got ${a}, expected ${e}`);
  }
}

const f64 = (a: Float32Array) => Float64Array.from(a);

describe('FocalLossRunner values', () => {
  it('reproduces FL(p = 0.8, y = 1, alpha 0.25, gamma 2) = 0.00223144', async () => {
    const x = Math.fround(Math.log(4)); // sigmoid(ln 4) = 0.8
    const r = await runner.sigmoidFocalLoss({ data: Float32Array.of(x), shape: [] }, { data: Float32Array.of(1), shape: [] }, { reduction: 'sum' });
    expect(r.loss.shape).toEqual([]);
    expect(r.loss.data[0]).toBeCloseTo(0.00223144, 7);
  });

  const sigmoidCases = [
    {},
    { gamma: 0, alpha: null, reduction: 'sum' },
    { gamma: 0.5, labelSmoothing: 0.2, reduction: 'none' },
    { gamma: 5, alpha: 0.9, normalizer: 3 },
    { fromLogits: false, eps: 1e-4, reduction: 'none', gamma: 1.5 },
  ] as const;
  for (const options of sigmoidCases) {
    it(`sigmoid ${JSON.stringify(options)} matches typed-array f64, with weight`, async () => {
      const shape = [3, 7];
      const raw = logits(21);
      const x = 'fromLogits' in options ? raw.map((v) => Math.fround(1 / (1 + Math.exp(-v)))) : raw;
      const t = Float32Array.from({ length: 21 }, (_, i) => [0, 1, 0.25][i % 3] as number);
      const w = Float32Array.from({ length: 21 }, (_, i) => 0.5 + (i % 4) / 4);
      const r = await runner.sigmoidFocalLoss({ data: x, shape }, { data: t, shape }, { ...options, weight: { data: w, shape }, gradient: true });
      const ref = sigmoidFocalLoss({ data: f64(x), shape }, { data: f64(t), shape }, { ...options, weight: { data: f64(w), shape }, gradient: true });
      expect(r.loss.shape).toEqual(ref.loss.shape);
      expectClose(r.loss.data, ref.loss.data);
      expectClose(r.gradInput!.data, ref.gradInput!.data);
    });
  }

  const softmaxCases = [
    { options: {}, kind: 'index' },
    { options: { gamma: 0.5, alpha: [0.1, 0.2, 0.3, 0.4], ignoreIndex: -1, reduction: 'none' }, kind: 'index' },
    { options: { axis: 1, labelSmoothing: 0.1, alpha: null, reduction: 'sum' }, kind: 'index' },
    { options: { gamma: 3, normalizer: 2 }, kind: 'probability' },
    { options: { fromLogits: false, eps: 1e-5, gamma: 1 }, kind: 'probability' },
  ] as const;
  for (const { options, kind } of softmaxCases) {
    it(`softmax ${kind} ${JSON.stringify(options)} matches typed-array f64`, async () => {
      const axis = 'axis' in options ? options.axis : -1;
      const shape = axis === 1 ? [2, 4, 3] : [6, 4];
      const n = 24;
      let x = logits(n, 6);
      const positions = n / 4;
      let target: Int32Array | Float32Array;
      if (kind === 'index') target = Int32Array.from({ length: positions }, (_, i) => (i === 2 && 'ignoreIndex' in options ? -1 : (i * 3) % 4));
      else target = Float32Array.from({ length: n }, (_, i) => [0.5, 0.25, 0.25, 0][i % 4] as number);
      if ('fromLogits' in options) x = Float32Array.from({ length: n }, (_, i) => [0.7, 0.2, 0.1 - 1e-6, 1e-6][i % 4] as number);
      const targetShape = kind === 'index' ? shape.filter((_, i) => i !== (axis < 0 ? axis + shape.length : axis)) : shape;
      const r = await runner.softmaxFocalLoss({ data: x, shape }, { data: target, shape: targetShape }, { ...options, gradient: true });
      const refTarget = target instanceof Int32Array ? target : f64(target);
      const ref = softmaxFocalLoss({ data: f64(x), shape }, { data: refTarget, shape: targetShape }, { ...options, gradient: true });
      expect(r.loss.shape).toEqual(ref.loss.shape);
      expectClose(r.loss.data, ref.loss.data);
      expectClose(r.gradInput!.data, ref.gradInput!.data);
    });
  }

  it('a mean over only ignored positions is 0 with gradient 0', async () => {
    const r = await runner.softmaxFocalLoss({ data: logits(6), shape: [2, 3] }, { data: Int32Array.of(-100, -100), shape: [2] }, {
      ignoreIndex: -100, gradient: true,
    });
    expect(Array.from(r.loss.data)).toEqual([0]);
    expect(Array.from(r.gradInput!.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('empty inputs give 0 (mean, sum) or an empty loss, and a scalar input works', async () => {
    const empty = await runner.sigmoidFocalLoss({ data: new Float32Array(0), shape: [0, 3] }, { data: new Float32Array(0), shape: [0, 3] }, { gradient: true });
    expect(Array.from(empty.loss.data)).toEqual([0]);
    expect(empty.gradInput!.shape).toEqual([0, 3]);
    const none = await runner.softmaxFocalLoss({ data: new Float32Array(0), shape: [0, 3] }, { data: new Int32Array(0), shape: [0] }, { reduction: 'none' });
    expect(none.loss.shape).toEqual([0]);
    const scalar = await runner.sigmoidFocalLoss({ data: Float32Array.of(0), shape: [] }, { data: Float32Array.of(0), shape: [] }, { reduction: 'none', gradient: true });
    expect(scalar.loss.shape).toEqual([]);
    expect(scalar.loss.data[0]).toBeCloseTo(0.75 * 0.25 * Math.LN2, 7); // alpha_t 0.75, u^2 = 0.25, ce = ln 2
  });
});

describe('saturated logits', () => {
  for (const gamma of [0, 0.5, 1, 2, 5]) {
    it(`stay finite and accurate for gamma ${gamma} at +-40, +-100, +-1e4`, async () => {
      const xs = Float32Array.of(40, -40, 100, -100, 1e4, -1e4);
      const shape = [6];
      for (const t of [0, 1, 0.5]) {
        const target = new Float32Array(6).fill(t);
        const r = await runner.sigmoidFocalLoss({ data: xs, shape }, { data: target, shape }, { gamma, reduction: 'none', gradient: true });
        const ref = sigmoidFocalLoss({ data: f64(xs), shape }, { data: f64(target), shape }, { gamma, reduction: 'none', gradient: true });
        expect(Array.from(r.loss.data).every(Number.isFinite)).toBe(true);
        expect(Array.from(r.gradInput!.data).every(Number.isFinite)).toBe(true);
        expectClose(r.loss.data, ref.loss.data, 5e-4, true);
        expectClose(r.gradInput!.data, ref.gradInput!.data, 5e-4, true);
      }
      // softmax: one dominant class by 40, 100, 1e4, target on it and off it
      const soft = Float32Array.of(40, 0, -40, 100, 0, -100, 1e4, 0, -1e4);
      const labels = Int32Array.of(0, 1, 2);
      const r = await runner.softmaxFocalLoss({ data: soft, shape: [3, 3] }, { data: labels, shape: [3] }, { gamma, reduction: 'none', gradient: true });
      const ref = softmaxFocalLoss({ data: f64(soft), shape: [3, 3] }, { data: labels, shape: [3] }, { gamma, reduction: 'none', gradient: true });
      expect([...r.loss.data, ...r.gradInput!.data].every(Number.isFinite)).toBe(true);
      expectClose(r.loss.data, ref.loss.data, 5e-4, true);
      expectClose(r.gradInput!.data, ref.gradInput!.data, 5e-4, true);
    });
  }
});

describe('tail accuracy', () => {
  it('keeps relative accuracy where 1 - p is tiny (x = 5..80, both targets, from logits and probabilities)', async () => {
    const xs = Float32Array.of(5, 10, 17, 25, 40, 60, 80, -5, -10, -17, -25, -40, -60, -80);
    const shape = [xs.length];
    for (const gamma of [0.5, 2]) {
      for (const t of [0, 1]) {
        const target = new Float32Array(xs.length).fill(t);
        const r = await runner.sigmoidFocalLoss({ data: xs, shape }, { data: target, shape }, { gamma, reduction: 'none', gradient: true });
        const ref = sigmoidFocalLoss({ data: f64(xs), shape }, { data: f64(target), shape }, { gamma, reduction: 'none', gradient: true });
        expectClose(r.loss.data, ref.loss.data, 5e-4, true);
        expectClose(r.gradInput!.data, ref.gradInput!.data, 5e-4, true);
      }
    }
    const probabilities = Float32Array.of(1e-3, 1e-6, 1e-12, 1e-20, 0.999, 0.9999999, 0.5);
    const pShape = [probabilities.length];
    for (const t of [0, 1]) {
      const target = new Float32Array(probabilities.length).fill(t);
      const options = { fromLogits: false, eps: 1e-30, gamma: 0.5, reduction: 'none', gradient: true } as const;
      const r = await runner.sigmoidFocalLoss({ data: probabilities, shape: pShape }, { data: target, shape: pShape }, options);
      const ref = sigmoidFocalLoss({ data: f64(probabilities), shape: pShape }, { data: f64(target), shape: pShape }, options);
      expectClose(r.loss.data, ref.loss.data, 5e-4, true);
      expectClose(r.gradInput!.data, ref.gradInput!.data, 5e-4, true);
    }
  });
});

describe('errors before any session', () => {
  const fresh = () => new FocalLossRunner();
  const x = { data: Float32Array.of(0.5, -1), shape: [2] };
  const t = { data: Float32Array.of(1, 0), shape: [2] };
  const cases: [string, string, (r: FocalLossRunner) => Promise<unknown>][] = [
    ['INVALID_OPTION', 'gamma', (r) => r.sigmoidFocalLoss(x, t, { gamma: -1 })],
    ['INVALID_OPTION', 'gama', (r) => r.sigmoidFocalLoss(x, t, { gama: 2 } as never)],
    ['INVALID_OPTION', 'alpha\\[1\\]', (r) => r.softmaxFocalLoss({ data: new Float32Array(4), shape: [2, 2] }, { data: Int32Array.of(0, 1), shape: [2] }, { alpha: [0.5, 2] })],
    ['SHAPE_MISMATCH', '\\[3\\]', (r) => r.sigmoidFocalLoss(x, { data: new Float32Array(3), shape: [3] })],
    ['SHAPE_MISMATCH', 'axis 2', (r) => r.softmaxFocalLoss({ data: new Float32Array(4), shape: [2, 2] }, { data: Int32Array.of(0, 1), shape: [2] }, { axis: 2 })],
    ['INVALID_TARGET', '1.5', (r) => r.sigmoidFocalLoss(x, { data: Float32Array.of(1.5, 0), shape: [2] })],
    ['INVALID_TARGET', 'target\\[1\\] = 3', (r) => r.softmaxFocalLoss({ data: new Float32Array(4), shape: [2, 2] }, { data: Int32Array.of(0, 3), shape: [2] })],
  ];
  for (const [code, named, call] of cases) {
    it(`${code} naming ${named}`, async () => {
      const r = fresh();
      await expect(call(r)).rejects.toMatchObject({ code, message: expect.stringMatching(new RegExp(named)) });
      expect(r.sessionCount).toBe(0);
      await r.dispose();
    });
  }
});

describe('session cache', () => {
  it('keeps one session per structure: new numbers reuse it, a new rank, gradient or variant does not', async () => {
    const r = new FocalLossRunner();
    const t = { data: Float32Array.of(1, 0), shape: [2] };
    await r.sigmoidFocalLoss({ data: Float32Array.of(1, 2), shape: [2] }, t);
    await r.sigmoidFocalLoss({ data: Float32Array.of(3, 4), shape: [2] }, t); // same options and rank
    await r.sigmoidFocalLoss({ data: Float32Array.of(1, 2, 3), shape: [3] }, { data: Float32Array.of(1, 0, 1), shape: [3] }); // same rank, other size
    await r.sigmoidFocalLoss({ data: Float32Array.of(1, 2), shape: [2] }, t, { gamma: 1, alpha: 0.5, labelSmoothing: 0.1 }); // other numbers
    expect(r.sessionCount).toBe(1);
    await r.sigmoidFocalLoss({ data: Float32Array.of(1, 2), shape: [1, 2] }, { data: Float32Array.of(1, 0), shape: [1, 2] }); // rank 2
    await r.sigmoidFocalLoss({ data: Float32Array.of(1, 2), shape: [2] }, t, { alpha: null }); // variant: no alpha
    await r.sigmoidFocalLoss({ data: Float32Array.of(1, 2), shape: [2] }, t, { gradient: true }); // gradient
    expect(r.sessionCount).toBe(4);
    expect(r.numThreads).toBeGreaterThanOrEqual(1);
    await r.dispose();
    expect(r.sessionCount).toBe(0);
    await expect(r.sigmoidFocalLoss({ data: Float32Array.of(1, 2), shape: [2] }, t)).rejects.toThrow(/disposed/);
  });

  it('one session serves every normalizer, gamma, alpha and ignoreIndex, with the right numbers', async () => {
    const r = new FocalLossRunner();
    const x = { data: logits(24, 5), shape: [6, 4] };
    const labels = Int32Array.of(0, 3, 1, 2, 2, 1);
    for (let batch = 0; batch < 12; batch++) {
      const options = {
        normalizer: 1 + batch * 0.75,
        gamma: (batch % 5) * 0.5,
        alpha: [0.1 * (1 + (batch % 3)), 0.2, 0.3, 0.4],
        ignoreIndex: batch % 4,
        labelSmoothing: (batch % 2) * 0.05,
        gradient: true,
      };
      const got = await r.softmaxFocalLoss(x, { data: labels, shape: [6] }, options);
      const ref = softmaxFocalLoss({ data: f64(x.data), shape: x.shape }, { data: labels, shape: [6] }, options);
      expectClose(got.loss.data, ref.loss.data);
      expectClose(got.gradInput!.data, ref.gradInput!.data);
    }
    expect(r.sessionCount).toBe(1);
    await r.dispose();
  });

  it('inline and function-call models give the same numbers', async () => {
    const inline = new FocalLossRunner({ inline: true });
    const x = { data: logits(12, 10), shape: [4, 3] };
    const t = { data: Int32Array.of(0, 1, 2, 1), shape: [4] };
    const a = await inline.softmaxFocalLoss(x, t, { gamma: 0.5, gradient: true, reduction: 'none' });
    const b = await runner.softmaxFocalLoss(x, t, { gamma: 0.5, gradient: true, reduction: 'none' });
    expect(Array.from(a.loss.data)).toEqual(Array.from(b.loss.data));
    expect(Array.from(a.gradInput!.data)).toEqual(Array.from(b.gradInput!.data));
    await inline.dispose();
  });
});
