/**
 * polyEpsilon (Poly-1) on the SIMD ops and the pool: the kernel has no Poly-1 term, so calls with
 * polyEpsilon != 0 run the core's float64 loops block by block (on the pool's workers too). Their
 * results are the scalar ops' (float64 arithmetic, rounded once to float32), whatever the number
 * of threads and the memory mode; polyEpsilon 0 still runs the kernel.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createFocalLossPool, type FocalLossPool } from '../pool/node.js';
import { sigmoidFocalLoss as scalarSigmoid } from '../sigmoid.js';
import { softmaxFocalLoss as scalarSoftmax } from '../softmax.js';
import { closeTo } from '../test-helpers.js';
import { sigmoidFocalLoss, softmaxFocalLoss } from './ops.js';

const TIMEOUT = 60_000;
const pools: FocalLossPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
}, TIMEOUT);

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = 0): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Object.is(a, e)) continue;
    if (rtol === 0 || !closeTo(a, e, rtol, 1e-30)) expect.fail(`${what}[${i}]: ${a} vs ${e}`);
  }
}

// Several blocks (8192 elements), a partial last one, infinities; soft targets and weights.
const n = 3 * 8192 + 77;
const x = new Float32Array(n);
const t = new Float32Array(n);
const w = new Float32Array(n);
for (let i = 0; i < n; i++) {
  x[i] = 12 * Math.sin(i * 0.731);
  t[i] = i % 5 === 0 ? 1 : (i % 4) / 5;
  w[i] = 0.5 + (i % 3) / 4;
}
x[17] = Infinity;
x[9000] = -Infinity;
const input = { data: x, shape: [n] };
const target = { data: t, shape: [n] };
const weight = { data: w, shape: [n] };

describe('sigmoid with polyEpsilon', () => {
  for (const [label, options] of [
    ['none, weights, gradient', { polyEpsilon: 1, gamma: 2, alpha: 0.25, reduction: 'none', gradient: true, weight }],
    ['mean, smoothing', { polyEpsilon: -0.5, gamma: 1.5, labelSmoothing: 0.1, gradient: true }],
    ['sum, probabilities', { polyEpsilon: 2, gamma: 2, fromLogits: false, reduction: 'sum', gradient: true }],
  ] as const) {
    it(`SIMD and pool give the scalar op's values (${label})`, { timeout: TIMEOUT }, async () => {
      const probs = 'fromLogits' in options ? { data: x.map((v) => 1 / (1 + Math.exp(-v))), shape: [n] } : input;
      const expected = scalarSigmoid(probs, target, options);
      const simd = sigmoidFocalLoss(probs, target, options);
      const reduced = options.reduction !== 'none';
      // the reduced loss: the same float64 terms, summed per block then across blocks
      expectSame(simd.loss.data, expected.loss.data, 'loss', reduced ? 1e-6 : 0);
      expectSame(simd.gradInput!.data, expected.gradInput!.data, 'gradient');
      for (const memory of ['shared', 'transfer'] as const) {
        const pool = createFocalLossPool({ threads: 2, memory });
        pools.push(pool);
        const pooled = await pool.sigmoidFocalLoss(probs, target, options);
        expectSame(pooled.loss.data, simd.loss.data, `${memory} loss`);
        expectSame(pooled.gradInput!.data, simd.gradInput!.data, `${memory} gradient`);
      }
    });
  }

  it('polyEpsilon changes the result (the term is not dropped) and 0 is the plain loss', () => {
    // finite logits only (x[17] is +Infinity with a target below 1: an infinite loss)
    const finite = { data: x.slice(18, 9000), shape: [8982] };
    const targets = { data: t.slice(18, 9000), shape: [8982] };
    const plain = sigmoidFocalLoss(finite, targets, { gamma: 2 });
    const zero = sigmoidFocalLoss(finite, targets, { gamma: 2, polyEpsilon: 0 });
    const poly = sigmoidFocalLoss(finite, targets, { gamma: 2, polyEpsilon: 1 });
    expect(Number.isFinite(plain.loss.data[0])).toBe(true);
    expect(zero.loss.data[0]).toBe(plain.loss.data[0]);
    expect(poly.loss.data[0]).toBeGreaterThan((plain.loss.data[0] as number) * 1.01);
  });
});

describe('softmax with polyEpsilon', () => {
  const positions = 700;
  const classes = 13;
  const logits = new Float32Array(positions * classes);
  for (let i = 0; i < logits.length; i++) logits[i] = 6 * Math.cos(i * 0.377);
  logits[5 * classes + 2] = -Infinity;
  const labels = Int32Array.from({ length: positions }, (_, p) => (p % 11 === 0 ? -100 : (p * 5) % classes));
  const rowWeight = { data: Float32Array.from({ length: positions }, (_, p) => 0.25 + (p % 4) / 4), shape: [positions] };
  for (const [label, layout, options] of [
    ['class axis last, ignoreIndex, weights, none', 'last', { polyEpsilon: 1, gamma: 2, ignoreIndex: -100, reduction: 'none', gradient: true, weight: rowWeight }],
    ['class axis 1 of (outer, classes, inner), mean', 'middle', { polyEpsilon: 0.5, gamma: 2, ignoreIndex: -100, axis: 1, gradient: true }],
  ] as const) {
    it(`SIMD and pool give the scalar op's values (${label})`, { timeout: TIMEOUT }, async () => {
      const shape = layout === 'last' ? [positions, classes] : [7, classes, positions / 7];
      const labelShape = layout === 'last' ? [positions] : [7, positions / 7];
      const view = { data: logits, shape };
      const targets = { data: labels, shape: labelShape };
      const expected = scalarSoftmax(view, targets, options);
      const simd = softmaxFocalLoss(view, targets, options);
      // rows by softmax-math.ts's row function (the scalar op inlines its own copy): float64 alike
      expectSame(simd.loss.data, expected.loss.data, 'loss', 1e-6);
      expectSame(simd.gradInput!.data, expected.gradInput!.data, 'gradient', 1e-6);
      for (const memory of ['shared', 'transfer'] as const) {
        const pool = createFocalLossPool({ threads: 2, memory });
        pools.push(pool);
        const pooled = await pool.softmaxFocalLoss(view, targets, options);
        expectSame(pooled.loss.data, simd.loss.data, `${memory} loss`);
        expectSame(pooled.gradInput!.data, simd.gradInput!.data, `${memory} gradient`);
      }
    });
  }
});
