/**
 * Issue 14 in this package, against the typed-array float64 reference: `preset` (core's tables),
 * sigmoid `posWeight` (scalar and per class), sigmoid `ignoreIndex` and int32 class-index targets
 * (expanded by the runner, label C = background), softmax `normalizeProbabilities`.
 */
import { afterAll, describe, expect, it } from 'vitest';
// test-only reference (a devDependency)
import { sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/typed-array';
import { FocalLossRunner, buildLossModel, encodeModel, isFocalLossError } from './index.js';

const runner = new FocalLossRunner({ numThreads: 1 });
const inlineRunner = new FocalLossRunner({ numThreads: 1, inline: true });
afterAll(async () => {
  await runner.dispose();
  await inlineRunner.dispose();
});

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const atol = 1e-6 * Math.max(1e-30, ...Array.from(expected, Math.abs).filter(Number.isFinite));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Object.is(a, e)) continue;
    if (!(Math.abs(a - e) <= atol + 1e-4 * Math.abs(e))) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
const shape = [4, 3];
// unnormalised scores (rows sum to 0.5, 2, 1, 1.2), one clipped after normalisation (0 and 1)
const scores = Float32Array.of(0.1, 0.3, 0.1, 1, 0.5, 0.5, 0, 1, 0, 0.2, 0.9, 0.1);
const labels = Int32Array.of(1, 0, 1, 2);
const soft = Float32Array.of(0, 1, 0, 0.5, 0.5, 0, 0, 1, 0, 0.2, 0.2, 0.6);

describe('softmax normalizeProbabilities (fromLogits: false) = typed-array float64', () => {
  const cases = [
    { options: { fromLogits: false, normalizeProbabilities: true }, kind: 'index' },
    { options: { fromLogits: false, normalizeProbabilities: true, gamma: 0.5, alpha: [0.2, 0.3, 0.5], reduction: 'none' }, kind: 'index' },
    { options: { fromLogits: false, normalizeProbabilities: true, ignoreIndex: 2, eps: 1e-4, reduction: 'sum' }, kind: 'index' },
    { options: { fromLogits: false, normalizeProbabilities: true, polyEpsilon: 1, labelSmoothing: 0.1 }, kind: 'probability' },
    { options: { preset: 'keras', reduction: 'none' }, kind: 'probability' },
  ] as const;
  for (const { options, kind } of cases) {
    it(`${kind} ${JSON.stringify(options)}, with and without weight, functions and inlined`, async () => {
      const target = kind === 'index' ? { data: labels, shape: [4] } : { data: soft, shape };
      const refTarget = kind === 'index' ? target : { data: f64(soft), shape };
      const w = Float32Array.of(1, 0.5, 2, 0.25);
      for (const run of [runner, inlineRunner]) {
        for (const weight of [null, w]) {
          const call = { ...options, gradient: true, weight: weight === null ? null : { data: weight, shape: [4] } };
          const r = await run.softmaxFocalLoss({ data: scores, shape }, target, call as never);
          const ref = softmaxFocalLoss({ data: f64(scores), shape }, refTarget, {
            ...options, gradient: true, weight: weight === null ? null : { data: f64(weight), shape: [4] },
          } as never);
          expect(r.loss.shape).toEqual([...ref.loss.shape]);
          expectClose(r.loss.data, ref.loss.data, 'loss');
          expectClose(r.gradInput!.data, ref.gradInput!.data, 'gradInput');
        }
      }
    });
  }

  it('normalizeProbabilities off emits the graph of before (its structure only when on)', () => {
    const plain = encodeModel(buildLossModel({ op: 'softmax', rank: 2, gradient: true, options: { fromLogits: false } }));
    const off = encodeModel(buildLossModel({ op: 'softmax', rank: 2, gradient: true, options: { fromLogits: false, normalizeProbabilities: false } }));
    const on = encodeModel(buildLossModel({ op: 'softmax', rank: 2, gradient: true, options: { fromLogits: false, normalizeProbabilities: true } }));
    expect(Buffer.from(off).equals(Buffer.from(plain))).toBe(true);
    expect(Buffer.from(on).equals(Buffer.from(plain))).toBe(false);
  });
});

describe('sigmoid posWeight = typed-array float64', () => {
  // [3, 4]: classes on the last axis (4) or, with axis 0, on the first (3)
  const x = Float32Array.of(1.5, -2, -0.5, 0.25, 40, -40, 9, -17.5, Infinity, -Infinity, 0, 3);
  const t = Float32Array.of(1, 0, 0.25, 1, 1, 1, 0, 1, 0, 1, 0.5, 0);
  const cases = [
    { posWeight: 2 },
    { posWeight: 0, gamma: 0.5, reduction: 'none' },
    { posWeight: [1, 2, 0.5, 3], alpha: null, reduction: 'none' },
    { posWeight: [0.5, 2, 4], axis: 0, reduction: 'sum', labelSmoothing: 0.1 },
    { posWeight: 3, polyEpsilon: -1, alpha: null, reduction: 'none' },
    { posWeight: [2, 1, 1, 0.25], polyEpsilon: 1, gamma: 1 },
  ] as const;
  for (const options of cases) {
    it(`logits ${JSON.stringify(options)}, with and without weight, functions and inlined`, async () => {
      const shape = [3, 4];
      const w = Float32Array.from(x, (_, i) => 0.5 + (i % 3) / 2);
      for (const run of [runner, inlineRunner]) {
        for (const weight of [null, w]) {
          const call = { ...options, gradient: true, weight: weight === null ? null : { data: weight, shape } };
          const r = await run.sigmoidFocalLoss({ data: x, shape }, { data: t, shape }, call as never);
          const ref = sigmoidFocalLoss({ data: f64(x), shape }, { data: f64(t), shape }, {
            ...options, gradient: true, weight: weight === null ? null : { data: f64(weight), shape },
          } as never);
          expectClose(r.loss.data, ref.loss.data, 'loss');
          expectClose(r.gradInput!.data, ref.gradInput!.data, 'gradInput');
        }
      }
    });
  }

  it('probabilities with posWeight (and Poly-1)', async () => {
    const p = Float32Array.of(0.9, 0.2, 1, 0, 0.5, 0.999, 1e-9, 0.3);
    const tp = Float32Array.of(1, 0, 1, 1, 0.5, 1, 1, 0.4);
    for (const options of [{ fromLogits: false, posWeight: 2.5, reduction: 'none' }, { fromLogits: false, posWeight: [3, 0.5], axis: -1, polyEpsilon: 2 }] as const) {
      const r = await runner.sigmoidFocalLoss({ data: p, shape: [4, 2] }, { data: tp, shape: [4, 2] }, { ...options, gradient: true } as never);
      const ref = sigmoidFocalLoss({ data: f64(p), shape: [4, 2] }, { data: f64(tp), shape: [4, 2] }, { ...options, gradient: true } as never);
      expectClose(r.loss.data, ref.loss.data, `loss ${JSON.stringify(options)}`);
      expectClose(r.gradInput!.data, ref.gradInput!.data, `gradInput ${JSON.stringify(options)}`);
    }
  });
});

describe('sigmoid ignoreIndex and class-index targets = typed-array float64', () => {
  // [2, 3, 2] logits, classes on axis 1 (3), labels [2, 2] in 0..3 (3 = background), -1 ignored
  const shape = [2, 3, 2];
  const x = Float32Array.of(1.5, -2, -0.5, 0.25, 40, -40, 9, -17.5, 3, 0, -3, 0.5);
  const labels = Int32Array.of(0, 3, -1, 2);
  const cases = [
    { axis: 1, ignoreIndex: -1 },
    { axis: 1, ignoreIndex: -1, reduction: 'none', posWeight: [1, 2, 0.5], polyEpsilon: -1, alpha: null },
    { axis: 1, ignoreIndex: -1, reduction: 'sum', fromLogits: false },
    { preset: 'detectron2', axis: 1 },
    { preset: 'mmdet', axis: 1, ignoreIndex: -1, normalizer: 2 },
  ] as const;
  for (const options of cases) {
    it(`class indices ${JSON.stringify(options)}, functions and inlined`, async () => {
      const input = 'fromLogits' in options ? Float32Array.from(x, (v) => Math.fround(1 / (1 + Math.exp(-v)))) : x;
      for (const run of [runner, inlineRunner]) {
        const r = await run.sigmoidFocalLoss({ data: input, shape }, { data: labels, shape: [2, 2] }, { ...options, gradient: true } as never);
        const ref = sigmoidFocalLoss({ data: f64(input), shape }, { data: labels, shape: [2, 2] }, { ...options, gradient: true } as never);
        expect(r.loss.shape).toEqual([...ref.loss.shape]);
        expectClose(r.loss.data, ref.loss.data, 'loss');
        expectClose(r.gradInput!.data, ref.gradInput!.data, 'gradInput');
      }
    });
  }

  it('dense targets with ignoreIndex: ignored elements give 0 and leave the mean', async () => {
    const t = Float32Array.of(1, 0, 7, 0.5, 1, 0, 7, 1, 0, 0, 1, 7);
    for (const options of [{ ignoreIndex: 7 }, { ignoreIndex: 7, reduction: 'none', gamma: 0.5 }] as const) {
      const w = Float32Array.from(x, (_, i) => (i === 2 ? Number.NaN : 0.5 + (i % 3)));
      const call = { ...options, gradient: true, weight: { data: w, shape } };
      const r = await runner.sigmoidFocalLoss({ data: x, shape }, { data: t, shape }, call as never);
      const ref = sigmoidFocalLoss({ data: f64(x), shape }, { data: f64(t), shape }, { ...options, gradient: true, weight: { data: f64(w), shape } } as never);
      expectClose(r.loss.data, ref.loss.data, 'loss');
      expectClose(r.gradInput!.data, ref.gradInput!.data, 'gradInput');
    }
  });
});

describe('presets', () => {
  const x = Float32Array.of(1.5, -2, -0.5, 0.25, 40, -40);
  const t = Float32Array.of(1, 0, 0, 1, 1, 0);
  for (const preset of ['torchvision', 'optax', 'mmdet'] as const) {
    it(`sigmoid preset ${preset} = typed-array (the preset's defaults)`, async () => {
      const r = await runner.sigmoidFocalLoss({ data: x, shape: [6] }, { data: t, shape: [6] }, { preset, gradient: true });
      const ref = sigmoidFocalLoss({ data: f64(x), shape: [6] }, { data: f64(t), shape: [6] }, { preset, gradient: true });
      expect(r.loss.shape).toEqual([...ref.loss.shape]);
      expectClose(r.loss.data, ref.loss.data, `${preset} loss`);
      expectClose(r.gradInput!.data, ref.gradInput!.data, `${preset} gradInput`);
    });
  }

  it('keras sigmoid preset: probabilities clipped at 1e-7', async () => {
    const p = Float32Array.of(0.9, 0.2, 1, 0, 0.5, 0.999);
    const r = await runner.sigmoidFocalLoss({ data: p, shape: [6] }, { data: t, shape: [6] }, { preset: 'keras', gradient: true });
    const ref = sigmoidFocalLoss({ data: f64(p), shape: [6] }, { data: f64(t), shape: [6] }, { preset: 'keras', gradient: true });
    expectClose(r.loss.data, ref.loss.data, 'keras loss');
    expectClose(r.gradInput!.data, ref.gradInput!.data, 'keras gradInput');
  });

  it('out-of-range values stay the core\'s errors', async () => {
    const one = { data: Float32Array.of(0.5), shape: [1] };
    const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (isFocalLossError(e) ? `${e.code} ${e.message}` : String(e)));
    // every option of issue 14 is implemented now: the core's own checks remain
    expect(await code(runner.sigmoidFocalLoss(one, one, { posWeight: -1 } as never))).toMatch(/^INVALID_OPTION .*posWeight/);
    expect(await code(runner.sigmoidFocalLoss(one, { data: Int32Array.of(5), shape: [] }, { ignoreIndex: -1 } as never))).toMatch(/^INVALID_TARGET/);
    expect(() => buildLossModel({ op: 'softmax', rank: 2, options: { normalizeProbabilities: true } })).toThrow(/normalizeProbabilities/);
  });
});
