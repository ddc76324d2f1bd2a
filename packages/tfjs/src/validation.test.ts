import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sigmoidFocalLoss, sigmoidFocalLossFn, softmaxFocalLoss } from './index.js';
import { thrownCode } from './test-helpers.js';

let x: tf.Tensor;
let t: tf.Tensor;
let logits: tf.Tensor;
let labels: tf.Tensor;

beforeAll(async () => {
  await tf.setBackend('cpu');
  x = tf.tensor2d([[0.5, -1, 2], [0, 1, -0.5]]);
  t = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
  logits = x;
  labels = tf.tensor1d([2, 0], 'int32');
});
afterAll(() => tf.dispose([x, t, labels]));

describe('validation: every error is a FocalLossError with the core code, raised before any kernel', () => {
  const sigmoidOptions: [string, Record<string, unknown>][] = [
    ['gamma -1', { gamma: -1 }],
    ['gamma "2"', { gamma: '2' }],
    ['gamma null', { gamma: null }],
    ['alpha 1.5', { alpha: 1.5 }],
    ['alpha array (sigmoid)', { alpha: [0.5, 0.5, 0.5] }],
    ['reduction "Mean"', { reduction: 'Mean' }],
    ['fromLogits "yes"', { fromLogits: 'yes' }],
    ['eps 0', { eps: 0 }],
    ['eps 0.5', { eps: 0.5 }],
    ['labelSmoothing 1', { labelSmoothing: 1 }],
    ['normalizer 0', { normalizer: 0 }],
    ['unknown option gama', { gama: 2 }],
    ['axis (sigmoid has none)', { axis: 1 }],
    ['checkTargets "yes"', { checkTargets: 'yes' }],
    ['weight not a tensor', { weight: [1, 2] }],
  ];
  for (const [name, options] of sigmoidOptions) {
    it(`sigmoid: INVALID_OPTION for ${name}, without running a kernel`, () => {
      const before = tf.memory().numTensors;
      expect(thrownCode(() => sigmoidFocalLoss(x, t, options as never))).toBe('INVALID_OPTION');
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  const softmaxOptions: [string, Record<string, unknown>][] = [
    ['alpha entry 2', { alpha: [0.5, 2, 0.5] }],
    ['axis 1.5', { axis: 1.5 }],
    ['ignoreIndex 0.5', { ignoreIndex: 0.5 }],
    ['unknown option ignore_index', { ignore_index: -100 }],
  ];
  for (const [name, options] of softmaxOptions) {
    it(`softmax: INVALID_OPTION for ${name}`, () => {
      expect(thrownCode(() => softmaxFocalLoss(logits, labels, options as never))).toBe('INVALID_OPTION');
    });
  }

  it('the message names the bad value', () => {
    expect(() => sigmoidFocalLoss(x, t, { gamma: -0.5 })).toThrow(/-0\.5/);
    expect(() => softmaxFocalLoss(logits, labels, { axis: 7 })).toThrow(/axis 7/);
  });

  it('INVALID_OPTION for non-float32 input or weight and non-tensor arguments', () => {
    const ints = tf.tensor2d([[1, 0, 0], [0, 1, 0]], undefined, 'int32');
    expect(thrownCode(() => sigmoidFocalLoss(ints, t))).toBe('INVALID_OPTION');
    expect(thrownCode(() => sigmoidFocalLoss(x, t, { weight: ints }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => sigmoidFocalLoss([1, 2] as never, t))).toBe('INVALID_OPTION');
    const bools = tf.tensor1d([true, false], 'bool');
    expect(thrownCode(() => softmaxFocalLoss(logits, bools))).toBe('INVALID_OPTION');
    tf.dispose([ints, bools]);
  });

  it('SHAPE_MISMATCH for target, weight, axis, alpha length and scalar softmax input', () => {
    const wrong = tf.zeros([3, 2]);
    const weight = tf.ones([3]);
    const scalar = tf.scalar(1);
    const fullInt = tf.zeros([2, 3], 'int32');
    expect(thrownCode(() => sigmoidFocalLoss(x, wrong))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => sigmoidFocalLoss(x, t, { weight }))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(logits, labels, { axis: 2 }))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(logits, labels, { axis: -3 }))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(logits, labels, { alpha: [0.5, 0.5] }))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(logits, labels, { weight }))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(logits, fullInt))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(logits, wrong))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => softmaxFocalLoss(scalar, labels))).toBe('SHAPE_MISMATCH');
    tf.dispose([wrong, weight, scalar, fullInt]);
  });

  it('INVALID_TARGET only with checkTargets: true (it reads the target back)', () => {
    const bad = tf.tensor2d([[1, 0, 1.5], [0, Number.NaN, 0]]);
    expect(thrownCode(() => sigmoidFocalLoss(x, bad, { checkTargets: true }))).toBe('INVALID_TARGET');
    expect(() => sigmoidFocalLoss(x, bad, { checkTargets: true })).toThrow(/target\[2\] = 1\.5/);
    expect(thrownCode(() => sigmoidFocalLoss(x, bad))).toBeUndefined();
    const outOfRange = tf.tensor1d([3, 0], 'int32');
    const negative = tf.tensor1d([-1, 0], 'int32');
    const badProbabilities = tf.tensor2d([[0, 0, 1.25], [1, 0, 0]]);
    expect(thrownCode(() => softmaxFocalLoss(logits, outOfRange, { checkTargets: true }))).toBe('INVALID_TARGET');
    expect(thrownCode(() => softmaxFocalLoss(logits, negative, { checkTargets: true, ignoreIndex: -100 }))).toBe(
      'INVALID_TARGET',
    );
    expect(thrownCode(() => softmaxFocalLoss(logits, negative, { checkTargets: true, ignoreIndex: -1 }))).toBeUndefined();
    expect(thrownCode(() => softmaxFocalLoss(logits, badProbabilities, { checkTargets: true }))).toBe('INVALID_TARGET');
    tf.dispose([bad, outOfRange, negative, badProbabilities]);
  });

  it('the compile factory refuses reduction "none" (model.compile needs a scalar)', () => {
    expect(thrownCode(() => sigmoidFocalLossFn({ reduction: 'none' }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => sigmoidFocalLossFn({ gamma: -1 }))).toBe('INVALID_OPTION');
  });
});
