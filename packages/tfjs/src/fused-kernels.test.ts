/**
 * The choice between the fused kernel and the composite formulation: made once per call, at the
 * top; the fused kernel is one kernel call (loss and gradient); `composite: true` and a backend
 * without our kernel take the composite path; the `./base` entry registers nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { FUSED_KERNELS } from './kernels/register-all-kernels.js';
import { SIGMOID_FOCAL_LOSS, SOFTMAX_FOCAL_LOSS, sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { describeEachEnv, TEST_ENVS } from './test-envs.js';

/** The kernels one call runs (forward, and the backward pass under valueAndGrad). */
async function kernelsOf(fn: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(fn);
  tf.dispose(info.result);
  // customGrad itself shows as an "unnamed scope"; Reshape and Slice make the one-element anchors
  // that connect the target (and weight) to the tape (custom-grad.ts): neither computes the loss.
  return info.kernelNames.filter((name) => !['unnamed scope', 'Reshape', 'Slice'].includes(name));
}

describeEachEnv('path selection', (env) => {
  afterEach(() => {
    // Restore the registry if a test removed one of ours.
    for (const kernel of FUSED_KERNELS) {
      if (tf.getKernel(kernel.kernelName, kernel.backendName) === undefined) tf.registerKernel(kernel);
    }
  });

  it('registers both fused kernels for this backend', () => {
    expect(tf.getKernel(SIGMOID_FOCAL_LOSS, env.backend)).toBeDefined();
    expect(tf.getKernel(SOFTMAX_FOCAL_LOSS, env.backend)).toBeDefined();
  });

  it('sigmoid forward + gradient: one fused kernel call by default, the many-op composite with composite: true', async () => {
    const x = tf.tensor2d([[0.5, -2], [3, 0]]);
    const t = tf.tensor2d([[1, 0], [0, 1]]);
    const run = (composite: boolean) => () => Object.values(tf.valueAndGrad((v: tf.Tensor) => sigmoidFocalLoss(v, t, { composite }))(x));
    const fused = await kernelsOf(run(false));
    expect(fused.filter((k) => k === SIGMOID_FOCAL_LOSS)).toHaveLength(1);
    // dy = 1: the kernel's gradient is returned without another kernel
    expect(fused.filter((k) => k !== SIGMOID_FOCAL_LOSS && k !== 'Fill' && k !== 'Identity')).toEqual([]);
    const composite = await kernelsOf(run(true));
    expect(composite).not.toContain(SIGMOID_FOCAL_LOSS);
    expect(composite.length).toBeGreaterThan(10); // distinct kernel names
    tf.dispose([x, t]);
  });

  it('softmax: the fused kernel by default, the composite with composite: true', async () => {
    const x = tf.tensor2d([[0.5, -2, 1], [3, 0, 0]]);
    const t = tf.tensor1d([2, 0], 'int32');
    expect(await kernelsOf(() => softmaxFocalLoss(x, t))).toEqual([SOFTMAX_FOCAL_LOSS]);
    expect(await kernelsOf(() => softmaxFocalLoss(x, t, { composite: true }))).not.toContain(SOFTMAX_FOCAL_LOSS);
    tf.dispose([x, t]);
  });

  it('falls back to the composite when the kernel is not registered for the active backend, with the same values', () => {
    const x = tf.tensor1d([0.5, -2, 30, -30]);
    const t = tf.tensor1d([1, 0, 1, 0.5]);
    const fused = sigmoidFocalLoss(x, t, { reduction: 'none' });
    tf.unregisterKernel(SIGMOID_FOCAL_LOSS, env.backend);
    const fallback = sigmoidFocalLoss(x, t, { reduction: 'none' });
    const a = fused.dataSync();
    const b = fallback.dataSync();
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-6 * Math.abs(a[i]!));
    tf.dispose([x, t, fused, fallback]);
  });

  it('multiplies the gradient by dy when dy is not 1 (a scaled loss, "none" with a weighting)', () => {
    const x = tf.tensor2d([[0.5, -2, 1], [3, 0, -1]]);
    const t = tf.tensor2d([[1, 0, 0], [0, 1, 1]]);
    const ids = tf.tensor1d([2, 0], 'int32');
    const base = tf.grad((v: tf.Tensor) => sigmoidFocalLoss(v, t))(x).arraySync() as number[][];
    const tripled = tf.grad((v: tf.Tensor) => tf.mul(sigmoidFocalLoss(v, t), 3))(x).arraySync() as number[][];
    base.flat().forEach((g, i) => expect(tripled.flat()[i]).toBeCloseTo(3 * g, 6));
    const rowWeights = tf.tensor1d([2, -1]);
    const softmaxBase = tf.grad((v: tf.Tensor) => softmaxFocalLoss(v, ids, { reduction: 'none' }))(x).arraySync() as number[][];
    const weighted = tf.grad((v: tf.Tensor) => tf.mul(softmaxFocalLoss(v, ids, { reduction: 'none' }), rowWeights))(x).arraySync() as number[][];
    softmaxBase.forEach((row, r) => row.forEach((g, c) => expect(weighted[r]![c]).toBeCloseTo((r === 0 ? 2 : -1) * g, 6)));
    tf.dispose([x, t, ids, rowWeights]);
  });

  it('without a gradient tape the kernel skips the gradient: a forward call leaves no tensor behind', () => {
    const x = tf.tensor1d([0.5, -2]);
    const t = tf.tensor1d([1, 0]);
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const loss = sigmoidFocalLoss(x, t);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(tf.memory().numBytes).toBe(bytes + 4);
    loss.dispose();
    tf.dispose([x, t]);
  });
}, TEST_ENVS.filter((env) => !env.composite));
