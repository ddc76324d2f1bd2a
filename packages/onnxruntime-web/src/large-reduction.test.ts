/**
 * `mean` and `sum` accurate for any length (contract 1.1, issue 11 item 4): a mean over 1e7
 * float32 elements, generated from a seed at test time, against the typed-array float64
 * reference, within rtol 1e-5, for the loss and for the gradient's scale (1 / count). The graph
 * with ORT's plain float32 ReduceSum is run too, to show that the check can fail.
 */
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
// test-only reference; a devDependency
import { sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/typed-array';
import { FocalLossRunner } from './index.js';
import { sigmoidSpec } from './loss-spec.js';
import { buildLossModelFromSpec, encodeModel } from './standalone.js';
import { resolveSigmoidOptions } from '@focal-loss/core';
import { seededRandom } from '../test/seeded.js';

const N = 10_000_000;
const runner = new FocalLossRunner({ numThreads: 1 });
afterAll(() => runner.dispose());

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** sum |a_i| / sum |b_i| - 1 in float64: a wrong gradient scale shows here whatever the elements do. */
function scaleError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let a = 0;
  let b = 0;
  for (let i = 0; i < expected.length; i++) {
    a += Math.abs(actual[i] as number);
    b += Math.abs(expected[i] as number);
  }
  return Math.abs(a / b - 1);
}

/** Largest elementwise error in units of (rtol |e| + atol). */
function worstRatio(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    worst = Math.max(worst, Math.abs((actual[i] as number) - e) / (rtol * Math.abs(e) + atol));
  }
  return worst;
}

describe('a mean over 1e7 float32 elements', () => {
  it('sigmoid: loss and gradient scale within rtol 1e-5 of float64; the plain ReduceSum is not', async () => {
    const random = seededRandom(20261129);
    const x = new Float32Array(N);
    const t = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      x[i] = (random() - 0.5) * 16;
      t[i] = random() < 0.1 ? 1 : 0;
    }
    const shape = [N];
    const r = await runner.sigmoidFocalLoss({ data: x, shape }, { data: t, shape }, { gradient: true });
    const ref = sigmoidFocalLoss({ data: Float64Array.from(x), shape }, { data: Float64Array.from(t), shape }, { gradient: true });
    const lossError = relative(r.loss.data[0] as number, ref.loss.data[0] as number);
    console.log(`sigmoid mean of 1e7: relative error ${lossError.toExponential(2)} (blocked sums)`);
    expect(lossError).toBeLessThan(1e-5);
    expect(scaleError(r.gradInput!.data, ref.gradInput!.data)).toBeLessThan(1e-5);
    expect(worstRatio(r.gradInput!.data, ref.gradInput!.data, 1e-4, 1e-37)).toBeLessThan(1);

    // the same graph with one float32 ReduceSum (before contract 1.1)
    const plain = buildLossModelFromSpec(sigmoidSpec(resolveSigmoidOptions({}), false), { rank: 1, sums: 'plain' });
    const session = await ort.InferenceSession.create(encodeModel(plain), { executionProviders: ['wasm'], logSeverityLevel: 3 });
    const out = await session.run({ input: new ort.Tensor('float32', x, shape), target: new ort.Tensor('float32', t, shape) });
    const plainError = relative((out.loss as ort.Tensor).data[0] as number, ref.loss.data[0] as number);
    console.log(`sigmoid mean of 1e7: relative error ${plainError.toExponential(2)} (plain ReduceSum)`);
    expect(plainError).toBeGreaterThan(1e-5);
    await session.release();
  }, 120_000);

  it('softmax with ignored positions (2e6 elements): loss, count and gradient scale within rtol 1e-5', async () => {
    const classes = 10;
    const positions = 200_000;
    const N = positions * classes;
    const random = seededRandom(7);
    const x = new Float32Array(N);
    for (let i = 0; i < N; i++) x[i] = (random() - 0.5) * 12;
    const labels = new Int32Array(positions);
    for (let i = 0; i < positions; i++) labels[i] = random() < 0.05 ? -100 : Math.floor(random() * classes);
    const shape = [positions, classes];
    const options = { ignoreIndex: -100, gradient: true } as const;
    const r = await runner.softmaxFocalLoss({ data: x, shape }, { data: labels, shape: [positions] }, options);
    const ref = softmaxFocalLoss({ data: Float64Array.from(x), shape }, { data: labels, shape: [positions] }, options);
    const lossError = relative(r.loss.data[0] as number, ref.loss.data[0] as number);
    console.log(`softmax mean of 2e5 x 10: relative error ${lossError.toExponential(2)}`);
    expect(lossError).toBeLessThan(1e-5);
    expect(scaleError(r.gradInput!.data, ref.gradInput!.data)).toBeLessThan(1e-5);
  }, 120_000);
});
