/**
 * Poly-1 (`polyEpsilon`) on the sigmoid and softmax graphs, against the typed-array float64
 * reference: loss and gradient, logits and probabilities, weights, reductions, saturated and
 * infinite logits, masked classes; polyEpsilon 0 emits the focal graph byte for byte; the number is
 * a run-time input (one session serves every epsilon).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// test-only reference (a devDependency)
import { sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/typed-array';
import { FocalLossRunner, buildLossModel, encodeModel, isFocalLossError, type LossModelOptions } from './index.js';

const runner = new FocalLossRunner({ numThreads: 1 });
const inlineRunner = new FocalLossRunner({ numThreads: 1, inline: true });
afterAll(async () => {
  await runner.dispose();
  await inlineRunner.dispose();
});

/** rtol 1e-4 with atol 1e-6 max|expected|, or atol 1e-37 (`tail`: every element relatively accurate). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tail = false): void {
  expect(actual.length, what).toBe(expected.length);
  const finite = Array.from(expected, Math.abs).filter(Number.isFinite);
  const atol = tail ? 1e-37 : 1e-6 * Math.max(1e-30, ...finite);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (!(Math.abs(a - e) <= atol + 1e-4 * Math.abs(e))) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

const f64 = (a: Float32Array) => Float64Array.from(a);

describe('sigmoid graph with polyEpsilon = typed-array float64', () => {
  const x = Float32Array.from([-1e4, -40, -9, -2.5, -0.3, 0, 0.7, 3, 17, 40, 1e4, Infinity, -Infinity, 1.5, -1.5]);
  const t = Float32Array.from([1, 0, 1, 0.25, 0, 1, 0.6, 0, 1, 0, 1, 0, 1, 1, 0]);
  const w = Float32Array.from(x, (_, i) => 0.25 + (i % 4) / 2);
  const shape = [15];
  const cases = [
    { polyEpsilon: 1 },
    // eps = -alpha_t (here -1 with alpha null) cancels CE against u at confident logits (x = 17:
    // 4.1e-8 - 4.1e-8 = 8.6e-16; gradient -q + p q = -q^2), below float32's resolution (and the
    // core's float64 formula's beyond x = 37): so -1 is checked to the standard tolerance only
    { polyEpsilon: -0.5, gamma: 0, alpha: null, reduction: 'none' },
    { polyEpsilon: -1, gamma: 0, alpha: null, reduction: 'sum' },
    { polyEpsilon: 2.5, gamma: 0.5, alpha: 0.75, labelSmoothing: 0.1, reduction: 'none' },
    { polyEpsilon: 0.5, gamma: 3, reduction: 'sum' },
    { polyEpsilon: -0.4, gamma: 2, normalizer: 4 },
  ] as const;
  for (const options of cases) {
    it(`logits ${JSON.stringify(options)}, with and without weight, functions and inlined`, async () => {
      for (const [form, run] of [['functions', runner], ['inline', inlineRunner]] as const) {
        for (const weight of [null, w]) {
          const call = { ...options, gradient: true, weight: weight === null ? null : { data: weight, shape } };
          const r = await run.sigmoidFocalLoss({ data: x, shape }, { data: t, shape }, call);
          const ref = sigmoidFocalLoss({ data: f64(x), shape }, { data: f64(t), shape }, { ...options, gradient: true, weight: weight === null ? null : { data: f64(weight), shape } });
          expectClose(r.loss.data, ref.loss.data, `${form} loss`, 'reduction' in options && options.reduction === 'none');
          expectClose(r.gradInput!.data, ref.gradInput!.data, `${form} gradInput`, options.polyEpsilon !== -1);
        }
      }
    });
  }

  it('probabilities (fromLogits: false), clipped entries get gradient 0', async () => {
    const p = Float32Array.from([0, 1e-9, 0.01, 0.2, 0.5, 0.7, 0.93, 0.999, 1, 0.3]);
    const tp = Float32Array.from([1, 0, 1, 0, 0.5, 1, 0, 1, 0, 0.4]);
    for (const options of [
      { fromLogits: false, polyEpsilon: 1, reduction: 'none' },
      { fromLogits: false, polyEpsilon: -0.75, gamma: 0.5, eps: 1e-4, alpha: null, reduction: 'sum' },
    ] as const) {
      const r = await runner.sigmoidFocalLoss({ data: p, shape: [10] }, { data: tp, shape: [10] }, { ...options, gradient: true });
      const ref = sigmoidFocalLoss({ data: f64(p), shape: [10] }, { data: f64(tp), shape: [10] }, { ...options, gradient: true });
      expectClose(r.loss.data, ref.loss.data, 'loss', options.reduction === 'none');
      expectClose(r.gradInput!.data, ref.gradInput!.data, 'gradInput', true);
    }
  });
});

describe('softmax graph with polyEpsilon = typed-array float64', () => {
  const shape = [5, 4];
  const x = Float32Array.from([
    2, 0.5, -1, 0.25, // an ordinary row
    40, 0, -3, 1, // confident: u is q_top, 1e-17
    -Infinity, 1, 2, -Infinity, // masked classes
    0, 0, 0, 0, // ties
    -7, 12, 3, -2,
  ]);
  const index = Int32Array.from([0, 0, 2, 3, 0]);
  const probability = Float32Array.from([1, 0, 0, 0, 0.7, 0.3, 0, 0, 0, 0.5, 0.5, 0, 0.25, 0.25, 0.25, 0.25, 0, 0.9, 0.1, 0]);
  const cases = [
    { options: { polyEpsilon: 1 }, kind: 'index' },
    { options: { polyEpsilon: -1, gamma: 0, alpha: null, reduction: 'none' }, kind: 'index' },
    { options: { polyEpsilon: 2, gamma: 0.5, alpha: [0.1, 0.2, 0.3, 0.4], labelSmoothing: 0.1, ignoreIndex: 3, reduction: 'none' }, kind: 'index' },
    { options: { polyEpsilon: 0.5, gamma: 3, normalizer: 2 }, kind: 'probability' },
    { options: { polyEpsilon: -0.5, labelSmoothing: 0.2, reduction: 'none' }, kind: 'probability' },
  ] as const;
  for (const { options, kind } of cases) {
    it(`${kind} ${JSON.stringify(options)}, with and without weight, functions and inlined`, async () => {
      const target = kind === 'index' ? { data: index, shape: [5] } : { data: probability, shape };
      const refTarget = kind === 'index' ? target : { data: f64(probability), shape };
      const w = Float32Array.from([0.5, 1, 2, 1.5, 0.25]);
      for (const [form, run] of [['functions', runner], ['inline', inlineRunner]] as const) {
        for (const weight of [null, w]) {
          const call = { ...options, gradient: true, weight: weight === null ? null : { data: weight, shape: [5] } };
          const r = await run.softmaxFocalLoss({ data: x, shape }, target, call);
          const ref = softmaxFocalLoss({ data: f64(x), shape }, refTarget, { ...options, gradient: true, weight: weight === null ? null : { data: f64(weight), shape: [5] } });
          expectClose(r.loss.data, ref.loss.data, `${form} loss`, 'reduction' in options && options.reduction === 'none');
          expectClose(r.gradInput!.data, ref.gradInput!.data, `${form} gradInput`);
        }
      }
    });
  }

  it('probabilities (fromLogits: false): the term adds -eps (g+1) u^g t_j, 0 where clipped', async () => {
    const p = Float32Array.from([0.7, 0.2, 0.1, 0, 0.05, 0.05, 0.9, 1, 0.25, 0.25, 0.25, 0.25, 1e-9, 0.5, 0.5, 0, 0.1, 0.6, 0.2, 0.1]);
    for (const options of [
      { fromLogits: false, polyEpsilon: 1, reduction: 'none' },
      { fromLogits: false, polyEpsilon: -0.25, gamma: 1.5, eps: 1e-5, reduction: 'sum' },
    ] as const) {
      const r = await runner.softmaxFocalLoss({ data: p, shape }, { data: probability, shape }, { ...options, gradient: true });
      const ref = softmaxFocalLoss({ data: f64(p), shape }, { data: f64(probability), shape }, { ...options, gradient: true });
      expectClose(r.loss.data, ref.loss.data, 'loss', options.reduction === 'none');
      expectClose(r.gradInput!.data, ref.gradInput!.data, 'gradInput');
    }
  });
});

describe('Poly-1 with polyEpsilon = -alpha_t: no cancellation (mpmath fixtures, every element relatively)', () => {
  // the committed fixtures (mpmath, 50 digits): logits +-30, +-40 where CE and 1 - p_t cancel to
  // q^2/2 (9e-36 at x = 40), next to O(10) losses; the conformance tolerance is absolute there,
  // this test asks every element for 1e-4 relative (values below float32's range: within 1e-37)
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'fixtures', 'poly');
  const parse = (v: number | string) => (typeof v === 'number' ? v : Number(v));
  const names = ['sigmoid', 'softmax'].flatMap((op) => ['0', '0.5', '2'].map((g) => `${op}-saturated-gamma${g}-eps-1`));
  for (const name of names) {
    it(name, async () => {
      const fixture = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
      const { input, target } = fixture.inputs;
      const x = { data: Float32Array.from(input.data, parse), shape: input.shape };
      const y = { data: target.dtype === 'int32' ? Int32Array.from(target.data) : Float32Array.from(target.data, parse), shape: target.shape };
      for (const run of [runner, inlineRunner]) {
        const options = { ...fixture.options, gradient: true };
        const r = fixture.op === 'sigmoid_focal_loss' ? await run.sigmoidFocalLoss(x, y, options) : await run.softmaxFocalLoss(x, y, options);
        expectClose(r.loss.data, Float64Array.from(fixture.expected.loss.data, parse), 'loss', true);
        expectClose(r.gradInput!.data, Float64Array.from(fixture.expected.gradInput.data, parse), 'gradInput', true);
      }
    });
  }
});

describe('polyEpsilon structure', () => {
  it('polyEpsilon 0 emits the focal graph byte for byte (every form)', () => {
    const base: LossModelOptions[] = [
      { op: 'sigmoid', rank: 2, gradient: true, weight: true, options: { alpha: null, labelSmoothing: 0.1 } },
      { op: 'sigmoid', rank: 1, gradient: true, optionInputs: true, options: { fromLogits: false, reduction: 'none' } },
      { op: 'softmax', rank: 3, gradient: true, weight: true, options: { alpha: [0.2, 0.3, 0.5], ignoreIndex: -1, axis: 1 } },
      { op: 'softmax', rank: 2, gradient: true, targetKind: 'probability', optionInputs: true, options: { normalizer: 2 } },
    ];
    for (const model of base) {
      for (const inline of [false, true]) {
        const plain = encodeModel(buildLossModel({ ...model, inline }));
        const zero = encodeModel(buildLossModel({ ...model, inline, options: { ...model.options, polyEpsilon: 0 } } as LossModelOptions));
        const poly = encodeModel(buildLossModel({ ...model, inline, options: { ...model.options, polyEpsilon: 1 } } as LossModelOptions));
        expect(Buffer.from(zero).equals(Buffer.from(plain))).toBe(true);
        expect(Buffer.from(poly).equals(Buffer.from(plain))).toBe(false);
      }
    }
  });

  it('polyEpsilon is a run-time input: one session serves every non-zero epsilon; 0 reuses the focal session', async () => {
    const own = new FocalLossRunner({ numThreads: 1 });
    try {
      const x = { data: Float32Array.of(0.3, -2, 5, 40), shape: [4] };
      const t = { data: Float32Array.of(1, 0, 1, 0), shape: [4] };
      for (const polyEpsilon of [1, -1, 0.25, 3]) {
        const r = await own.sigmoidFocalLoss(x, t, { polyEpsilon, gradient: true });
        const ref = sigmoidFocalLoss({ data: f64(x.data), shape: [4] }, { data: f64(t.data), shape: [4] }, { polyEpsilon, gradient: true });
        expectClose(r.loss.data, ref.loss.data, `loss eps ${polyEpsilon}`);
        expectClose(r.gradInput!.data, ref.gradInput!.data, `grad eps ${polyEpsilon}`, true);
      }
      expect(own.sessionCount).toBe(1);
      await own.sigmoidFocalLoss(x, t, { polyEpsilon: 0, gradient: true });
      await own.sigmoidFocalLoss(x, t, { gradient: true });
      expect(own.sessionCount).toBe(2);
    } finally {
      await own.dispose();
    }
  });

  it('polyEpsilon out of its domain is INVALID_OPTION naming the value (core)', async () => {
    for (const polyEpsilon of [-1.5, Infinity, Number.NaN, '1']) {
      const call = runner.sigmoidFocalLoss({ data: Float32Array.of(0), shape: [1] }, { data: Float32Array.of(1), shape: [1] }, { polyEpsilon } as never);
      await expect(call).rejects.toSatisfy((e: unknown) => isFocalLossError(e) && e.code === 'INVALID_OPTION' && e.message.includes('polyEpsilon'));
    }
    expect(() => buildLossModel({ op: 'softmax', rank: 2, options: { polyEpsilon: -2 } as never })).toThrow(/polyEpsilon/);
  });
});
