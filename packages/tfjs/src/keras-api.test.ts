/**
 * The API Keras and TF.js users expect: scalar typing for optimizer.minimize, sparse integer labels
 * in training, and a model saved and restored with its focal loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FOCAL_LOSS_METADATA_KEY,
  recordFocalLoss,
  restoreFocalLoss,
  sigmoidFocalLoss,
  softmaxFocalLoss,
  sparseSoftmaxFocalLossFn,
  softmaxFocalLossFn,
} from './index.js';
import { seededFloats, thrownCode } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('typing', () => {
  it('"mean" / "sum" results are tf.Scalar, so optimizer.minimize takes the loss without a cast', () => {
    const w = tf.variable(tf.tensor1d([0.5, -0.5]));
    const t = tf.tensor1d([1, 0]);
    const labels = tf.tensor1d([1], 'int32');
    const optimizer = tf.train.sgd(0.1);
    // These lines are the test: they compile only if the overloads return tf.Scalar.
    const mean: tf.Scalar = sigmoidFocalLoss(w, t);
    const sum: tf.Scalar = softmaxFocalLoss(tf.expandDims(w, 0), labels, { reduction: 'sum' });
    const cost = optimizer.minimize(() => sigmoidFocalLoss(w, t), true);
    expect(cost?.shape).toEqual([]);
    const none: tf.Tensor = sigmoidFocalLoss(w, t, { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    tf.dispose([w, t, labels, mean, sum, cost!, none]);
  });
});

/** A small dataset for fitDataset: { xs, ys } batches (tfjs-data not needed, the protocol is small). */
function batches(xs: tf.Tensor, ys: tf.Tensor, batchSize: number) {
  const n = xs.shape[0]!;
  return {
    iterator: async () => {
      let start = 0;
      return {
        next: async () => {
          if (start >= n) return { done: true, value: undefined };
          const size = Math.min(batchSize, n - start);
          const value = { xs: tf.slice(xs, start, size), ys: tf.slice(ys, start, size) };
          start += size;
          return { done: false, value };
        },
      };
    },
  };
}

function classifier(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [2], units: 8, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

/** Three separable blobs; labels as int32 ids. */
function blobs(n: number): { x: tf.Tensor2D; ids: tf.Tensor1D } {
  const noise = seededFloats(5, 2 * n, -0.5, 0.5);
  const centres = [[2, 0], [-2, 1], [0, -2]] as const;
  const xs = new Float32Array(2 * n);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = i % 3;
    xs[2 * i] = centres[i % 3]![0] + noise[2 * i]!;
    xs[2 * i + 1] = centres[i % 3]![1] + noise[2 * i + 1]!;
  }
  return { x: tf.tensor2d(xs, [n, 2]), ids: tf.tensor1d(ids, 'int32') };
}

describe('sparse integer labels', () => {
  it('model.fitDataset trains a softmax model on int32 labels with sparseSoftmaxFocalLossFn', async () => {
    const model = classifier();
    model.compile({ optimizer: tf.train.adam(0.05), loss: sparseSoftmaxFocalLossFn({ gamma: 2 }) });
    const { x, ids } = blobs(96);
    const history = await model.fitDataset(batches(x, ids, 32) as never, { epochs: 15, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(0.25 * losses[0]!);
    const predicted = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1).dataSync());
    const truth = ids.dataSync();
    const correct = truth.filter((v, i) => predicted[i] === v).length;
    expect(correct / truth.length).toBeGreaterThan(0.95);
    tf.dispose([x, ids]);
    model.dispose();
  });

  it('takes Keras-style [N, 1] labels, also as float32 ids, with the same value as int32 [N]', () => {
    const { x, ids } = blobs(6);
    const probabilities = tf.softmax(tf.tensor2d(seededFloats(3, 18, -2, 2), [6, 3]));
    const loss = sparseSoftmaxFocalLossFn({ gamma: 2 });
    const a = loss(ids, probabilities).dataSync()[0]!;
    const column = tf.expandDims(tf.cast(ids, 'float32'), 1);
    const b = loss(column, probabilities).dataSync()[0]!;
    expect(b).toBe(a);
    expect(a).toBeCloseTo(softmaxFocalLoss(probabilities, ids, { gamma: 2, fromLogits: false }).dataSync()[0]!, 7);
    tf.dispose([x, ids, probabilities, column]);
  });

  it('model.fit itself refuses [N, 1] labels for an [N, C] output, whatever the loss (why fitDataset)', async () => {
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: sparseSoftmaxFocalLossFn() });
    const { x, ids } = blobs(6);
    const column = tf.expandDims(ids, 1);
    await expect(model.fit(x, column, { epochs: 1, verbose: 0 })).rejects.toThrow(/target expected a batch of elements where each example has shape \[3\]/);
    tf.dispose([x, ids, column]);
    model.dispose();
  });
});

/** model.save into memory: what a file or IndexedDB handler would have written. */
async function saveToMemory(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (saved === undefined) throw new Error('model.save did not call the handler');
  return saved;
}

describe('saving a model with its focal loss', () => {
  it('records the loss in user-defined metadata; restoreFocalLoss after loadLayersModel gives the same loss', async () => {
    const model = classifier();
    const spec = { factory: 'softmaxFocalLossFn', options: { gamma: 1.5, alpha: [0.2, 0.3, 0.5], labelSmoothing: 0.1 } } as const;
    model.compile({ optimizer: tf.train.adam(0.05), loss: recordFocalLoss(model, spec) });
    const { x, ids } = blobs(12);
    const oneHot = tf.cast(tf.oneHot(ids, 3), 'float32'); // tf.oneHot is int32: class ids to the loss
    await model.fit(x, oneHot, { epochs: 2, verbose: 0 });

    const artifacts = await saveToMemory(model);
    expect((artifacts.userDefinedMetadata as Record<string, unknown>)[FOCAL_LOSS_METADATA_KEY]).toEqual(spec);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    const restored = restoreFocalLoss(loaded);
    loaded.compile({ optimizer: tf.train.adam(0.05), loss: restored });

    const original = softmaxFocalLossFn(spec.options);
    const expected = tf.tidy(() => original(oneHot, model.predict(x) as tf.Tensor).dataSync()[0]!);
    const again = tf.tidy(() => restored(oneHot, loaded.predict(x) as tf.Tensor).dataSync()[0]!);
    expect(again).toBe(expected);
    // and it trains: evaluate() of the loaded model is the restored loss
    const evaluated = loaded.evaluate(x, oneHot) as tf.Scalar;
    expect(evaluated.dataSync()[0]).toBeCloseTo(expected, 6);
    const history = await loaded.fit(x, oneHot, { epochs: 1, verbose: 0 });
    expect(Number.isFinite((history.history.loss as number[])[0])).toBe(true);
    tf.dispose([x, ids, oneHot, evaluated]);
    model.dispose();
    loaded.dispose();
  });

  it('refuses to record a weight tensor, and says so when a model has no recorded loss', () => {
    const model = classifier();
    const w = tf.ones([4]);
    expect(thrownCode(() => recordFocalLoss(model, { factory: 'sigmoidFocalLossFn', options: { weight: w } }))).toBe('INVALID_OPTION');
    expect(() => restoreFocalLoss(model)).toThrow(/no "focalLoss" entry/);
    expect(thrownCode(() => recordFocalLoss(model, { factory: 'nope' } as never))).toBe('INVALID_OPTION');
    w.dispose();
    model.dispose();
  });
});
