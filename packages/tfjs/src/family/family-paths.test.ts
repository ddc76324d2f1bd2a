/**
 * The family's paths and memory: one fused kernel call per op on cpu / wasm (loss and gradient in
 * one pass), the composite with `composite: true` or where no kernel is registered, and no tensor
 * left behind by either path (forward, tf.grad, tf.valueAndGrad, a validation error), as
 * ../memory.test.ts does for the focal ops. Also Distribution Focal Loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import { distributionFocalLoss as distributionFocalLoss64 } from '@focal-loss/typed-array';
import { afterEach, expect, it } from 'vitest';
import { FUSED_KERNELS } from '../kernels/register-all-kernels.js';
import { FAMILY_KERNEL_TABLE, asymmetricLoss, distributionFocalLoss, qualityFocalLoss, sigmoidFocalLossStar, varifocalLoss } from '../index.js';
import { describeEachEnv } from '../test-envs.js';
import { expectClose, seededFloats, thrownCode, valueAndGradOf } from '../test-helpers.js';

type TensorOp = (x: tf.Tensor, t: tf.Tensor, options?: Record<string, unknown>) => tf.Tensor;
const OPS: [keyof typeof FAMILY_KERNEL_TABLE, TensorOp][] = [
  ['sigmoid_focal_loss_star', sigmoidFocalLossStar as TensorOp],
  ['quality_focal_loss', qualityFocalLoss as TensorOp],
  ['varifocal_loss', varifocalLoss as TensorOp],
  ['asymmetric_loss', asymmetricLoss as TensorOp],
];

/** Tensors alive after `fn` minus before, with `fn`'s returned tensors disposed. */
function leakedBy(fn: () => tf.TensorContainer): number {
  const before = tf.memory().numTensors;
  tf.dispose(fn());
  return tf.memory().numTensors - before;
}

async function kernelsOf(fn: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(fn);
  tf.dispose(info.result);
  return info.kernelNames.filter((name) => !['unnamed scope', 'Reshape', 'Slice'].includes(name));
}

describeEachEnv('family paths and memory', (env) => {
  afterEach(() => {
    for (const kernel of FUSED_KERNELS) {
      if (tf.getKernel(kernel.kernelName, kernel.backendName) === undefined) tf.registerKernel(kernel);
    }
  });

  it.each(OPS)('%s: one fused kernel call for loss + gradient, or the composite', async (op, loss) => {
    const { kernelName } = FAMILY_KERNEL_TABLE[op];
    expect(tf.getKernel(kernelName, env.backend)).toBeDefined();
    const x = tf.tensor2d([[0.5, -2], [3, 0]]);
    const t = tf.tensor2d([[1, 0], [0, 1]]);
    const kernels = await kernelsOf(() => Object.values(tf.valueAndGrad((v: tf.Tensor) => loss(v, t, { composite: env.composite }))(x)));
    if (env.composite) {
      expect(kernels).not.toContain(kernelName);
      expect(kernels.length).toBeGreaterThan(10);
    } else {
      expect(kernels.filter((k) => k === kernelName)).toHaveLength(1);
      // dy = 1 on a host backend: the kernel's gradient is returned as is (a clone shares its memory)
      expect(kernels.filter((k) => k !== kernelName && k !== 'Identity')).toEqual([]);
    }
    // unregistered: the composite runs, same values
    const fused = valueAndGradOf((v) => loss(v, t, { composite: env.composite }), x);
    tf.unregisterKernel(kernelName, env.backend);
    const fallback = valueAndGradOf((v) => loss(v, t, { composite: env.composite }), x);
    expectClose(fallback.loss, fused.loss, 1e-5, 'loss');
    expectClose(fallback.grad, fused.grad, 1e-5, 'grad');
    tf.dispose([x, t]);
  });

  it.each(OPS)('%s leaves no tensor: forward, tf.grad, tf.valueAndGrad, reduction none + weight, validation errors', (_, loss) => {
    const x = tf.tensor2d([[0.2, -0.7], [1.9, 0.1]]);
    const t = tf.tensor2d([[0, 1], [1, 0]]);
    const w = tf.tensor2d([[1, 2], [0.5, 0]]);
    for (const options of [{}, { reduction: 'none', weight: w }, { reduction: 'sum', checkTargets: true }]) {
      const call = { ...options, composite: env.composite };
      expect(leakedBy(() => loss(x, t, call))).toBe(0);
      expect(leakedBy(() => tf.grad((v: tf.Tensor) => loss(v, t, call))(x))).toBe(0);
      expect(leakedBy(() => Object.values(tf.valueAndGrad((v: tf.Tensor) => loss(v, t, call))(x)))).toBe(0);
    }
    const bad = tf.tensor2d([[0, 2], [1, 0]]);
    expect(
      leakedBy(() => {
        try {
          return loss(x, bad, { checkTargets: true, composite: env.composite });
        } catch {
          return [];
        }
      }),
    ).toBe(0);
    tf.dispose([x, t, w, bad]);
  });

  it('distributionFocalLoss: equals typed-array (two-hot + softmax), leaves no tensor, checks positions', () => {
    const bins = 5;
    const xs = seededFloats(11, 3 * 2 * bins, -3, 3);
    const ps = [0.5, 4, 2.25, 0, 3.999, 1];
    const x = tf.tensor(xs, [3, 2, bins]);
    const positions = tf.tensor(ps, [3, 2]);
    const weight = tf.tensor(seededFloats(12, 6, 0, 2), [3, 2]);
    for (const options of [{ reduction: 'sum' as const }, { reduction: 'none' as const, weight }, { normalizer: 4 }]) {
      const call = { ...options, composite: env.composite };
      const expected = distributionFocalLoss64(
        { data: Float64Array.from(xs), shape: [3, 2, bins] },
        { data: Float64Array.from(ps), shape: [3, 2] },
        {
          ...options,
          weight: 'weight' in options ? { data: Float64Array.from(weight.dataSync()), shape: [3, 2] } : null,
          gradient: true,
        },
      );
      const r = valueAndGradOf((v) => distributionFocalLoss(v, positions, call), x);
      expectClose(r.loss, expected.loss.data, 1e-5, 'loss');
      expectClose(r.grad, expected.gradInput!.data, 1e-5, 'grad');
      expect(leakedBy(() => Object.values(tf.valueAndGrad((v: tf.Tensor) => distributionFocalLoss(v, positions, call))(x)))).toBe(0);
    }
    expect(thrownCode(() => distributionFocalLoss(x, tf.tensor([0, 4.5, 1, 1, 1, 1], [3, 2])))).toBe('INVALID_TARGET');
    expect(thrownCode(() => distributionFocalLoss(x, tf.tensor([NaN, 1, 1, 1, 1, 1], [3, 2])))).toBe('INVALID_TARGET');
    expect(thrownCode(() => distributionFocalLoss(x, tf.tensor([1, 1, 1], [3])))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => distributionFocalLoss(x, positions, { gamma: 2 } as never))).toBe('INVALID_OPTION');
    expect(thrownCode(() => distributionFocalLoss(x, positions, { reduction: 'sum', normalizer: 2 }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => distributionFocalLoss(x, tf.tensor([1, 1, 1, 1, 1, 1], [3, 2], 'bool')))).toBe('INVALID_OPTION');
    tf.dispose([x, positions, weight]);
  });
});

// Compile-time (tsc --noEmit over the tests): "mean" (the default) and "sum" give a tf.Scalar, "none" a tf.Tensor.
export function typedResults(x: tf.Tensor, t: tf.Tensor): [tf.Scalar, tf.Scalar, tf.Tensor, tf.Scalar] {
  return [qualityFocalLoss(x, t), varifocalLoss(x, t, { reduction: 'sum' }), asymmetricLoss(x, t, { reduction: 'none' }), distributionFocalLoss(x, t)];
}
