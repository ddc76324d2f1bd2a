/**
 * `@focal-loss/tfjs/wasm-simd`: with the SIMD loops installed, the wasm backend's fused kernels
 * give the core loop's values (float32 tolerance) for losses and gradients, on random inputs and at
 * saturation; the SIMD kernel really computes those calls; uninstalling restores the core's loop.
 */
import type { SigmoidLoopParams, SoftmaxLoopParams } from '@focal-loss/core';
import { simdStatus } from '@focal-loss/typed-array/simd';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { CORE_FOCAL_LOOPS, setWasmFocalLoops, wasmFocalLoops } from './kernels/wasm/focal-loops.js';
import { useBackend } from './test-envs.js';
import {
  sigmoidSimdArgs,
  simdInstalledForWasmBackend,
  simdSigmoidLoop,
  simdSoftmaxLoop,
  softmaxSimdArgs,
  useDefaultLoopForWasmBackend,
  useSimdForWasmBackend,
} from './wasm-simd.js';

/** Deterministic uniform numbers in [lo, hi) (mulberry32). */
function uniform(n: number, seed: number, lo: number, hi: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}

/** Float32 tolerance, relative to the largest magnitude of the expected values. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    expect(Number.isFinite(a), `${label}[${i}] finite`).toBe(true);
    expect(Math.abs(a - e), `${label}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(1e-5 * Math.abs(e) + 1e-6 * scale + 1e-30);
  }
}

/** Loss and gradient of `loss(x)` through the fused kernel (valueAndGrad), as plain arrays. */
function lossAndGrad(loss: (x: tf.Tensor) => tf.Scalar | tf.Tensor, x: tf.Tensor): { loss: Float32Array; grad: Float32Array } {
  const { value, grad } = tf.valueAndGrad((v: tf.Tensor) => tf.sum(loss(v)) as tf.Scalar)(x);
  const result = { loss: value.dataSync() as Float32Array, grad: grad.dataSync() as Float32Array };
  tf.dispose([value, grad]);
  return result;
}

type Case = { name: string; run: () => { loss: Float32Array; grad: Float32Array } };

/** Records the loop calls, passing them to the SIMD loops, to check that the SIMD kernel took them. */
const seen: { sigmoid: SigmoidLoopParams[]; softmax: SoftmaxLoopParams[] } = { sigmoid: [], softmax: [] };
const recordingSimdLoops = {
  sigmoid: (p: SigmoidLoopParams) => (seen.sigmoid.push(p), simdSigmoidLoop(p)),
  softmax: (p: SoftmaxLoopParams) => (seen.softmax.push(p), simdSoftmaxLoop(p)),
};

function cases(): Case[] {
  const n = 3000;
  const x = tf.tensor2d(uniform(n, 1, -8, 8), [n / 3, 3]);
  const probs = tf.tensor2d(uniform(n, 2, 0, 1), [n / 3, 3]);
  const t = tf.tensor2d(Float32Array.from(uniform(n, 3, 0, 1), (v) => (v < 0.3 ? 1 : 0)), [n / 3, 3]);
  const soft = tf.tensor2d(uniform(n, 4, 0, 1), [n / 3, 3]);
  const w = tf.tensor2d(uniform(n, 5, 0, 2), [n / 3, 3]);
  const labels = tf.tensor1d(Int32Array.from(uniform(n / 3, 6, 0, 3), Math.floor), 'int32');
  const rowW = tf.tensor1d(uniform(n / 3, 7, 0, 2));
  const onehot = tf.cast(tf.oneHot(labels, 3), 'float32');
  // saturated: |logit| far beyond float32's sigmoid range, right and wrong
  const sat = tf.tensor2d([[100, -100, 60], [-60, 30, -30], [1e4, -1e4, 0]]);
  const satT = tf.tensor2d([[1, 0, 0], [1, 1, 0], [0, 1, 1]]);
  const satLabels = tf.tensor1d([0, 2, 1], 'int32');
  return [
    { name: 'sigmoid mean', run: () => lossAndGrad((v) => sigmoidFocalLoss(v, t), x) },
    { name: 'sigmoid sum, gamma 0.5, alpha null, smoothing, weight', run: () => lossAndGrad((v) => sigmoidFocalLoss(v, soft, { reduction: 'sum', gamma: 0.5, alpha: null, labelSmoothing: 0.1, weight: w }), x) },
    { name: 'sigmoid none, probabilities', run: () => lossAndGrad((v) => sigmoidFocalLoss(v, t, { reduction: 'none', fromLogits: false, gamma: 3 }), probs) },
    { name: 'sigmoid mean with normalizer', run: () => lossAndGrad((v) => sigmoidFocalLoss(v, t, { normalizer: 37 }), x) },
    { name: 'sigmoid saturated', run: () => lossAndGrad((v) => sigmoidFocalLoss(v, satT, { reduction: 'none', gamma: 2 }), sat) },
    { name: 'softmax mean, index targets', run: () => lossAndGrad((v) => softmaxFocalLoss(v, labels), x) },
    { name: 'softmax sum, per-class alpha, weight, smoothing', run: () => lossAndGrad((v) => softmaxFocalLoss(v, labels, { reduction: 'sum', alpha: [0.2, 0.5, 0.3], weight: rowW, labelSmoothing: 0.05, gamma: 1.5 }), x) },
    { name: 'softmax none, probability targets, probabilities in', run: () => lossAndGrad((v) => softmaxFocalLoss(v, onehot, { reduction: 'none', fromLogits: false }), probs) },
    { name: 'softmax saturated', run: () => lossAndGrad((v) => softmaxFocalLoss(v, satLabels, { reduction: 'none' }), sat) },
  ];
}

describe('@focal-loss/tfjs/wasm-simd on the wasm backend', () => {
  beforeAll(() => useBackend('wasm'));
  afterEach(() => useDefaultLoopForWasmBackend());

  it('installs the SIMD loops (this runtime has WebAssembly SIMD) and uninstalls them', async () => {
    expect(wasmFocalLoops.sigmoid).toBe(CORE_FOCAL_LOOPS.sigmoid);
    const status = await useSimdForWasmBackend();
    expect(status).toEqual({ installed: true, backend: 'wasm-simd128' });
    expect(simdInstalledForWasmBackend()).toBe(true);
    useDefaultLoopForWasmBackend();
    expect(simdInstalledForWasmBackend()).toBe(false);
    expect(wasmFocalLoops).toEqual({ ...CORE_FOCAL_LOOPS });
  });

  it('gives the core loop\'s losses and gradients (float32 tolerance); the SIMD kernel computes every call', async () => {
    await useSimdForWasmBackend();
    expect(simdStatus().backend).toBe('wasm-simd128');
    tf.tidy(() => {
      for (const c of cases()) {
        setWasmFocalLoops(null);
        const core = c.run();
        seen.sigmoid.length = 0;
        seen.softmax.length = 0;
        setWasmFocalLoops(recordingSimdLoops);
        const simd = c.run();
        setWasmFocalLoops(null);
        // the calls reached the SIMD loops, and each was one the SIMD kernel computes
        const calls = [...seen.sigmoid.map(sigmoidSimdArgs), ...seen.softmax.map(softmaxSimdArgs)];
        expect(calls.length, c.name).toBeGreaterThan(0);
        expect(calls.every((args) => args !== null), c.name).toBe(true);
        expectClose(simd.loss, core.loss, `${c.name} loss`);
        expectClose(simd.grad, core.grad, `${c.name} grad`);
      }
    });
  });

  it('leaves to the core loop what its kernel does not compute (Poly-1, posWeight, ignored labels), with the same values', async () => {
    await useSimdForWasmBackend();
    tf.tidy(() => {
      const x = tf.tensor2d([[0.5, -2, 3], [1, 0, -1]]);
      const t = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
      const labels = tf.tensor1d([2, -100], 'int32');
      const run = () => [
        lossAndGrad((v) => sigmoidFocalLoss(v, t, { polyEpsilon: 1 }), x),
        lossAndGrad((v) => sigmoidFocalLoss(v, t, { posWeight: 2 }), x),
        lossAndGrad((v) => softmaxFocalLoss(v, labels, { ignoreIndex: -100 }), x),
      ];
      setWasmFocalLoops(null);
      const core = run();
      seen.sigmoid.length = 0;
      seen.softmax.length = 0;
      setWasmFocalLoops(recordingSimdLoops);
      const simd = run();
      expect(seen.sigmoid.length + seen.softmax.length).toBe(3);
      expect(seen.sigmoid.map(sigmoidSimdArgs)).toEqual([null, null]);
      expect(seen.softmax.map(softmaxSimdArgs)).toEqual([null]);
      // the same loop ran: bit for bit
      expect(simd).toEqual(core);
    });
  });

  it('uninstalling restores the default: the kernels call the core loop again', async () => {
    await useSimdForWasmBackend();
    useDefaultLoopForWasmBackend();
    expect(wasmFocalLoops.sigmoid).toBe(CORE_FOCAL_LOOPS.sigmoid);
    expect(wasmFocalLoops.softmax).toBe(CORE_FOCAL_LOOPS.softmax);
  });
});
