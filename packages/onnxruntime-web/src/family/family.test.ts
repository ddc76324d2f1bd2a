/**
 * The family ops (issue 15) in ORT (wasm) against the typed-array float64 reference: loss and
 * analytic gradient, every reduction, weights, normalizer, saturated (+-40, +-1e4) and infinite
 * logits, function and inlined forms.
 */
import { afterAll, describe, expect, it } from 'vitest';
// test-only reference (a devDependency)
import { asymmetricLoss, qualityFocalLoss, sigmoidFocalLossStar, varifocalLoss } from '@focal-loss/typed-array';
import { FocalLossRunner } from '../index.js';

const runners = { functions: new FocalLossRunner({ numThreads: 1 }), inline: new FocalLossRunner({ numThreads: 1, inline: true }) };
afterAll(async () => {
  await runners.functions.dispose();
  await runners.inline.dispose();
});

/**
 * rtol 1e-4 plus an atol of 1e-6 max|expected| (the conformance tolerance), or with `tail` an atol
 * of 1e-37: then every element, however small, must be relatively accurate.
 */
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

type Reference = (x: never, t: never, o: never) => { loss: { data: ArrayLike<number>; shape: readonly number[] }; gradInput: { data: ArrayLike<number> } | null };
type OpName = 'sigmoidFocalLossStar' | 'qualityFocalLoss' | 'varifocalLoss' | 'asymmetricLoss';

const LOGITS = [-1e4, -40, -17.5, -3, -0.75, -1e-3, 0, 0.4, 2.5, 9, 40, 1e4];
const SOFT = [0, 1, 0.25, 0.8, 1, 0, 0.5, 0.3, 1, 0, 0.9, 0.05];
const IOU = [0, 0.9, 0, 0.35, 1, 0, 0.6, 0, 1, 0.75, 0, 0.5];
const BINARY = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1];

const CASES: [OpName, Reference, number[], Record<string, unknown>[]][] = [
  ['sigmoidFocalLossStar', sigmoidFocalLossStar as Reference, SOFT, [
    {}, { gamma: 2, beta: 1, reduction: 'sum' }, { gamma: 0.25, beta: -2, alpha: 0.25, reduction: 'none' },
    { gamma: 4, alpha: 0, normalizer: 3 }, { gamma: 1, alpha: 1, reduction: 'none' },
  ]],
  ['qualityFocalLoss', qualityFocalLoss as Reference, SOFT, [
    {}, { beta: 0, reduction: 'sum' }, { beta: 0.5, reduction: 'none' }, { beta: 1, normalizer: 2 }, { beta: 3, reduction: 'none' },
  ]],
  ['varifocalLoss', varifocalLoss as Reference, IOU, [
    {}, { alpha: 0, gamma: 3, reduction: 'none' }, { gamma: 0, alpha: 1, iouWeighted: false, reduction: 'sum' },
    { gamma: 0.5, alpha: 2, normalizer: 5 }, { iouWeighted: false, reduction: 'none' },
  ]],
  ['asymmetricLoss', asymmetricLoss as Reference, BINARY, [
    {}, { clip: 0, reduction: 'none' }, { gammaPos: 0, gammaNeg: 2, clip: 0.2, reduction: 'sum' },
    { gammaPos: 0.5, gammaNeg: 0.5, clip: 0.6, reduction: 'none' }, { gammaNeg: 0, clip: 0, normalizer: 4 },
  ]],
];

describe.each(CASES)('%s in ORT = typed-array float64', (name, reference, targets, optionSets) => {
  for (const form of ['functions', 'inline'] as const) {
    it.each(optionSets)(`${form} %j: loss and gradient, with weights, saturated logits`, async (options) => {
      const shape = [3, 4];
      const x = Float32Array.from(LOGITS);
      const t = Float32Array.from(targets);
      const w = Float32Array.from(LOGITS, (_, i) => 0.5 + (i % 3) / 2);
      for (const weight of [null, w]) {
        const call = { ...options, gradient: true, weight: weight === null ? null : { data: weight, shape } };
        const r = await runners[form][name]({ data: x, shape }, { data: t, shape }, call);
        const ref = reference(
          { data: Float64Array.from(x), shape } as never,
          { data: Float64Array.from(t), shape } as never,
          { ...options, gradient: true, weight: weight === null ? null : { data: Float64Array.from(weight), shape } } as never,
        );
        expect(r.loss.shape).toEqual(ref.loss.shape);
        const unreduced = options.reduction === 'none';
        // unreduced losses and every gradient element must be relatively accurate (tail), sums to the tolerance
        expectClose(r.loss.data, ref.loss.data, 'loss', unreduced);
        expectClose(r.gradInput!.data, ref.gradInput!.data, 'gradInput', true);
      }
    });
  }

  it('infinite logits give the core\'s limits', async () => {
    const x = Float32Array.from([Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity]);
    const t = Float32Array.from(name === 'asymmetricLoss' ? [1, 1, 0, 0, 0, 0] : name === 'varifocalLoss' ? [1, 0.5, 0, 0, 0.25, 1] : [1, 0, 0.5, 0.25, 0, 1]);
    for (const options of optionSets) {
      const call = { ...options, reduction: 'none' as const, normalizer: null, gradient: true };
      const r = await runners.functions[name]({ data: x, shape: [6] }, { data: t, shape: [6] }, call);
      const ref = reference({ data: Float64Array.from(x), shape: [6] } as never, { data: Float64Array.from(t), shape: [6] } as never, call as never);
      expectClose(r.loss.data, ref.loss.data, `loss ${JSON.stringify(options)}`, true);
      expectClose(r.gradInput!.data, ref.gradInput!.data, `gradInput ${JSON.stringify(options)}`, true);
    }
  });
});

describe('one session per structure: the family numbers are run-time inputs', () => {
  it('changing gamma, beta, alpha, clip (0 included) never creates a session; a structure change does', async () => {
    const own = new FocalLossRunner({ numThreads: 1 });
    try {
      const shape = [12];
      const x = { data: Float32Array.from(LOGITS), shape };
      const calls: [OpName, Reference, number[], Record<string, unknown>][] = [];
      for (let k = 0; k < 4; k++) {
        calls.push(['sigmoidFocalLossStar', sigmoidFocalLossStar as Reference, SOFT, { gamma: 0.5 + k, beta: k - 1, alpha: 0.25 * k }]);
        calls.push(['qualityFocalLoss', qualityFocalLoss as Reference, SOFT, { beta: k / 2 }]);
        calls.push(['varifocalLoss', varifocalLoss as Reference, IOU, { alpha: k / 3, gamma: k / 2 }]);
        calls.push(['asymmetricLoss', asymmetricLoss as Reference, BINARY, { gammaPos: k / 2, gammaNeg: k, clip: [0, 0.05, 0.3, 0][k] as number }]);
      }
      for (const [name, reference, targets, options] of calls) {
        const t = { data: Float32Array.from(targets), shape };
        const r = await own[name](x, t, { ...options, gradient: true });
        const ref = reference({ data: Float64Array.from(x.data), shape } as never, { data: Float64Array.from(t.data), shape } as never, { ...options, gradient: true } as never);
        expectClose(r.loss.data, ref.loss.data, `${name} ${JSON.stringify(options)} loss`);
        expectClose(r.gradInput!.data, ref.gradInput!.data, `${name} ${JSON.stringify(options)} gradInput`, true);
      }
      expect(own.sessionCount).toBe(4);
      // structure: alpha null (FL*), iouWeighted (VFL), a reduction, a weight
      await own.sigmoidFocalLossStar(x, { data: Float32Array.from(SOFT), shape }, { alpha: null });
      await own.varifocalLoss(x, { data: Float32Array.from(IOU), shape }, { iouWeighted: false });
      await own.qualityFocalLoss(x, { data: Float32Array.from(SOFT), shape }, { reduction: 'sum' });
      expect(own.sessionCount).toBe(7);
    } finally {
      await own.dispose();
    }
  });
});
