/**
 * Issue 14's options on the SIMD ops and the pool: presets that only set gamma/alpha/reduction stay
 * on the kernel; posWeight (one or per class), sigmoid ignoreIndex, class-index targets and
 * normalizeProbabilities run the core's float64 loops block by block (the pool's workers too;
 * per-class posWeight without shared memory on the calling thread). The values are the scalar
 * ops' (float64 arithmetic rounded once), the same for any thread count and memory mode.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createFocalLossPool, type FocalLossPool } from '../pool/node.js';
import { sigmoidFocalLoss as scalarSigmoid } from '../sigmoid.js';
import { softmaxFocalLoss as scalarSoftmax } from '../softmax.js';
import { closeTo } from '../test-helpers.js';
import { sigmoidFocalLoss, softmaxFocalLoss } from './ops.js';

const TIMEOUT = 60_000;
const pools: FocalLossPool[] = [];
function pool(memory: 'shared' | 'transfer'): FocalLossPool {
  const created = createFocalLossPool({ threads: 2, memory });
  pools.push(created);
  return created;
}
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

// (outer, classes, inner) logits over several 8192-element blocks, class-index labels with
// background (= classes) and ignored (-1) positions
const outer = 9;
const classes = 5;
const inner = 700;
const n = outer * classes * inner;
const x = Float32Array.from({ length: n }, (_, i) => 9 * Math.sin(i * 0.61));
const labels = Int32Array.from({ length: outer * inner }, (_, p) => (p % 13 === 0 ? -1 : (p * 7) % (classes + 1)));
const logits = { data: x, shape: [outer, classes, inner] };
const indexTargets = { data: labels, shape: [outer, inner] };
const floatTargets = { data: Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : (i % 5) / 10)), shape: [outer, classes, inner] };

describe('sigmoid with issue 14 options', () => {
  for (const [label, target, options] of [
    ['per-class posWeight, class-index targets, ignoreIndex, mean', indexTargets, { posWeight: [1, 2, 0.5, 4, 3], ignoreIndex: -1, axis: 1, gamma: 2, alpha: 0.25, gradient: true }],
    ['one posWeight, float targets, none', floatTargets, { posWeight: 2.5, gamma: 1.5, reduction: 'none', gradient: true }],
    ['a preset (kernel path)', floatTargets, { preset: 'torchvision', gradient: true }],
  ] as const) {
    it(`SIMD and pool give the scalar op's values (${label})`, { timeout: TIMEOUT }, async () => {
      const expected = scalarSigmoid(logits, target, options);
      const simd = sigmoidFocalLoss(logits, target, options);
      const kernelPath = label.includes('kernel');
      // the kernel computes in float32; the core's loops give the scalar op's float64 values
      const rtol = kernelPath ? 1e-4 : 0;
      const reduced = 'reduction' in options ? 1e-6 : 0;
      expectSame(simd.loss.data, expected.loss.data, 'loss', Math.max(rtol, reduced, kernelPath ? 0 : 1e-6));
      expectSame(simd.gradInput!.data, expected.gradInput!.data, 'gradient', kernelPath ? 1e-3 : 0);
      for (const memory of ['shared', 'transfer'] as const) {
        const pooled = await pool(memory).sigmoidFocalLoss(logits, target, options);
        expectSame(pooled.loss.data, simd.loss.data, `${memory} loss`);
        expectSame(pooled.gradInput!.data, simd.gradInput!.data, `${memory} gradient`);
      }
    });
  }
});

describe('softmax with normalizeProbabilities', () => {
  it("SIMD and pool give the scalar op's values", { timeout: TIMEOUT }, async () => {
    const positions = 3000;
    const c = 7;
    // unnormalized probabilities (rows summing to 0.5 .. 2)
    const probabilities = Float32Array.from({ length: positions * c }, (_, i) => (0.05 + Math.abs(Math.sin(i * 0.37))) / 3.5);
    const view = { data: probabilities, shape: [positions, c] };
    const targets = { data: Int32Array.from({ length: positions }, (_, p) => (p * 3) % c), shape: [positions] };
    const options = { fromLogits: false, normalizeProbabilities: true, gamma: 2, gradient: true } as const;
    const expected = scalarSoftmax(view, targets, options);
    const simd = softmaxFocalLoss(view, targets, options);
    expectSame(simd.loss.data, expected.loss.data, 'loss', 1e-6);
    expectSame(simd.gradInput!.data, expected.gradInput!.data, 'gradient', 1e-6);
    for (const memory of ['shared', 'transfer'] as const) {
      const pooled = await pool(memory).softmaxFocalLoss(view, targets, options);
      expectSame(pooled.loss.data, simd.loss.data, `${memory} loss`);
      expectSame(pooled.gradInput!.data, simd.gradInput!.data, `${memory} gradient`);
    }
  });
});
