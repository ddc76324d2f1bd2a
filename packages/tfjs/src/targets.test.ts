/** Contract 1.1 targets: int32 / bool 0-1 sigmoid targets, and the hint for float class ids. */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { sigmoidFocalLoss, softmaxFocalLoss } from './index.js';
import { describeEachEnv } from './test-envs.js';
import { expectClose, seededFloats, sigmoidReference, thrownCode, valueAndGradOf } from './test-helpers.js';

describeEachEnv('sigmoid targets of dtype int32 and bool', (env) => {
  it('mean the same as float 0 and 1 (loss and gradient)', () => {
    const xs = seededFloats(7, 12, -6, 6);
    const bits = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const expected = sigmoidReference(xs, Float32Array.from(bits), [3, 4], { gamma: 1.5, reduction: 'none' });
    const x = tf.tensor(xs, [3, 4]);
    for (const dtype of ['int32', 'bool'] as const) {
      const t = tf.tensor(bits, [3, 4], dtype);
      const options = { gamma: 1.5, reduction: 'none' as const, checkTargets: true, composite: env.composite };
      const r = valueAndGradOf((v) => sigmoidFocalLoss(v, t, options), x);
      expectClose(r.loss, expected.loss, 1e-5, `${dtype} loss`);
      expectClose(r.grad, expected.grad, 1e-5, `${dtype} grad`);
      t.dispose();
    }
    x.dispose();
  });

  it('int32 values other than 0 and 1 are INVALID_TARGET with checkTargets', () => {
    const x = tf.tensor1d([0.5, 1]);
    const t = tf.tensor1d([1, 2], 'int32');
    expect(thrownCode(() => sigmoidFocalLoss(x, t, { checkTargets: true, composite: env.composite }))).toBe('INVALID_TARGET');
    tf.dispose([x, t]);
  });
});

describeEachEnv('softmax target dtypes', (env) => {
  it('float class ids (the shape of indices) get SHAPE_MISMATCH saying to cast to int32', () => {
    const x = tf.tensor2d([[1, 2, 3], [0, 1, 0]]);
    const ids = tf.tensor1d([2, 0]);
    expect(thrownCode(() => softmaxFocalLoss(x, ids, { composite: env.composite }))).toBe('SHAPE_MISMATCH');
    expect(() => softmaxFocalLoss(x, ids)).toThrow(/cast class ids to int32 \(tf\.cast\(target, 'int32'\)\)/);
    // NCHW: the hint knows the class axis
    const nchw = tf.zeros([2, 3, 4]);
    const nchwIds = tf.zeros([2, 4]);
    expect(() => softmaxFocalLoss(nchw, nchwIds, { axis: 1 })).toThrow(/cast class ids to int32/);
    tf.dispose([x, ids, nchw, nchwIds]);
  });

  it('a float target of another wrong shape has no such hint; a bool target names its dtype', () => {
    const x = tf.tensor2d([[1, 2, 3], [0, 1, 0]]);
    const wrong = tf.tensor1d([2, 0, 1]);
    expect(() => softmaxFocalLoss(x, wrong)).toThrow(/SHAPE_MISMATCH/);
    expect(() => softmaxFocalLoss(x, wrong)).not.toThrow(/cast/);
    const bools = tf.tensor1d([true, false], 'bool');
    expect(() => softmaxFocalLoss(x, bools)).toThrow(/INVALID_OPTION.*got "bool"/);
    tf.dispose([x, wrong, bools]);
  });
});
