import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { sigmoidFocalLoss, sigmoidFocalLossFn, softmaxFocalLoss, softmaxFocalLossFn } from './index.js';
import { seededFloats } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Tensors alive after `fn` minus before, with `fn`'s returned tensors disposed. */
function leakedBy(fn: () => tf.TensorContainer): number {
  const before = tf.memory().numTensors;
  tf.dispose(fn());
  return tf.memory().numTensors - before;
}

describe('no tensor leaks', () => {
  const cases = [
    { name: 'sigmoid, logits', options: {} },
    { name: 'sigmoid, none + weight', options: { reduction: 'none' as const }, weight: true },
    { name: 'sigmoid, probabilities, gamma 0.5', options: { fromLogits: false, gamma: 0.5 } },
  ];
  for (const c of cases.flatMap((k) => [false, true].map((composite) => ({ ...k, composite })))) {
    it(`${c.name}${c.composite ? ', composite' : ', fused'}: forward, tf.grad and tf.valueAndGrad`, () => {
      const x = tf.tensor2d([[0.2, 0.7], [0.9, 0.1]]);
      const t = tf.tensor2d([[0, 1], [1, 0]]);
      const w = c.weight ? tf.tensor2d([[1, 2], [0.5, 0]]) : null;
      const options = { ...c.options, weight: w, checkTargets: true, composite: c.composite };
      expect(leakedBy(() => sigmoidFocalLoss(x, t, options))).toBe(0);
      expect(leakedBy(() => tf.grad((v: tf.Tensor) => sigmoidFocalLoss(v, t, options))(x))).toBe(0);
      expect(leakedBy(() => Object.values(tf.valueAndGrad((v: tf.Tensor) => sigmoidFocalLoss(v, t, options))(x)))).toBe(0);
      tf.dispose([x, t, ...(w ? [w] : [])]);
    });
  }

  it('softmax (NCHW, ignoreIndex counted on the device, alpha array): forward and gradients', () => {
    const x = tf.tensor(seededFloats(3, 24, -3, 3), [2, 3, 2, 2]);
    const t = tf.tensor([0, 1, 2, -100, 1, 1, 0, 2], [2, 2, 2], 'int32');
    for (const composite of [false, true]) {
    const options = { axis: 1, ignoreIndex: -100, alpha: [0.2, 0.3, 0.5], composite };
    expect(leakedBy(() => softmaxFocalLoss(x, t, options))).toBe(0);
    expect(leakedBy(() => tf.grad((v: tf.Tensor) => softmaxFocalLoss(v, t, options))(x))).toBe(0);
    expect(
      leakedBy(() => Object.values(tf.valueAndGrad((v: tf.Tensor) => softmaxFocalLoss(v, t, { ...options, fromLogits: false }))(x))),
    ).toBe(0);
    }
    tf.dispose([x, t]);
  });

  it('an error thrown by validation leaves no tensor behind', () => {
    const x = tf.zeros([2]);
    const t = tf.tensor1d([0, 2]);
    expect(leakedBy(() => {
      try {
        return sigmoidFocalLoss(x, t, { checkTargets: true });
      } catch {
        return [];
      }
    })).toBe(0);
    tf.dispose([x, t]);
  });
});

/** A small MLP on synthetic data with fixed weights (glorot with a seed, zero biases). */
function smallModel(units: number, activation: 'sigmoid' | 'softmax'): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ inputShape: [4], units: 8, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tfl.layers.dense({ units, activation, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  return model;
}

describe('model.compile + model.fit with the factories', () => {
  it('sigmoid: loss decreases over epochs and nothing leaks', async () => {
    const n = 64;
    const xs = tf.tensor2d(seededFloats(5, n * 4, -1, 1), [n, 4]);
    const ys = tf.tidy(() => tf.cast(tf.greater(tf.sum(xs, 1, true), tf.scalar(0.5)), 'float32'));
    const model = smallModel(1, 'sigmoid');
    // fromLogits defaults to false in the factory: the sigmoid output holds probabilities.
    model.compile({ optimizer: tf.train.adam(0.05), loss: sigmoidFocalLossFn({ alpha: 0.25, gamma: 2 }) });
    await model.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0 }); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    const history = await model.fit(xs, ys, { epochs: 5, batchSize: 16, verbose: 0, shuffle: false });
    expect(tf.memory().numTensors).toBe(before);
    const losses = history.history.loss as number[];
    expect(losses[4]!).toBeLessThan(losses[0]!);
    losses.forEach((l) => expect(Number.isFinite(l)).toBe(true));
    model.dispose();
    tf.dispose([xs, ys]);
  });

  it('softmax with one-hot labels (tfjs-layers wants yTrue in the output shape): loss decreases, no leak', async () => {
    const n = 60;
    const xs = tf.tensor2d(seededFloats(9, n * 4, -1, 1), [n, 4]);
    const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.argMax(tf.slice(xs, [0, 0], [n, 3]), 1), 3), 'float32'));
    const model = smallModel(3, 'softmax');
    model.compile({ optimizer: tf.train.adam(0.05), loss: softmaxFocalLossFn({ alpha: null }) });
    await model.fit(xs, ys, { epochs: 1, batchSize: 20, verbose: 0 });
    const before = tf.memory().numTensors;
    const history = await model.fit(xs, ys, { epochs: 5, batchSize: 20, verbose: 0, shuffle: false });
    expect(tf.memory().numTensors).toBe(before);
    const losses = history.history.loss as number[];
    expect(losses[4]!).toBeLessThan(losses[0]!);
    model.dispose();
    tf.dispose([xs, ys]);
  });
});
