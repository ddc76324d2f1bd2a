/** The one warning when the active backend computes in float16. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { computesInFloat16, sigmoidFocalLoss } from './index.js';
import { useBackend } from './test-envs.js';

/** A backend that says it computes in float16 and delegates nothing (the warning comes first). */
class Float16Backend extends tf.KernelBackend {
  override floatPrecision(): 16 {
    return 16;
  }
  override dispose(): void {}
}

describe('float16 warning', () => {
  afterAll(() => useBackend('cpu'));

  it('cpu and wasm compute in float32: no warning', async () => {
    await useBackend('cpu');
    expect(computesInFloat16()).toBe(false);
  });

  it('warns once per backend, before any kernel, when the backend computes in float16', async () => {
    tf.registerBackend('test-f16', () => new Float16Backend(), -1);
    expect(await tf.setBackend('test-f16')).toBe(true);
    expect(computesInFloat16()).toBe(true);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // Tensors cannot be made on this backend; the call is planned on cpu tensors' shapes and fails
    // only at the first kernel, after the warning.
    await useBackend('cpu');
    const x = tf.tensor1d([0.5]);
    const t = tf.tensor1d([1]);
    await tf.setBackend('test-f16');
    for (let i = 0; i < 3; i++) {
      try {
        sigmoidFocalLoss(x, t);
      } catch {
        // no kernels on this backend
      }
    }
    // (tfjs itself may warn too, e.g. about moving data between backends)
    const ours = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('@focal-loss/tfjs'));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/"test-f16" backend computes in float16/);
    warn.mockRestore();
    await useBackend('cpu');
    tf.dispose([x, t]);
    tf.removeBackend('test-f16');
  });
});
