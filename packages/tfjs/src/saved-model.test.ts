/**
 * What the README's "A saved model does not carry the loss" says, checked against tfjs-layers: the
 * saved training config holds an empty loss, the loaded model cannot fit, compiling again fixes it.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { sigmoidFocalLossFn } from './index.js';
import './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** model.save into memory; returns what a file or IndexedDB handler would have written. */
async function saveToMemory(model: tfl.LayersModel, includeOptimizer: boolean): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  const handler = tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  });
  await model.save(handler, { includeOptimizer });
  if (saved === undefined) throw new Error('model.save did not call the handler');
  return saved;
}

function tinyModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [2], units: 1, activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
      }),
    ],
  });
}

describe('a saved model does not carry the focal loss', () => {
  it('saves an empty loss entry, the loaded model cannot fit, and fits again once compiled', async () => {
    const model = tinyModel();
    model.compile({ optimizer: tf.train.adam(0.1), loss: sigmoidFocalLossFn({ alpha: 0.25, gamma: 2 }) });
    const x = tf.tensor2d([[1, 2], [-1, 0.5], [0, -2], [3, 1]]);
    const y = tf.tensor2d([[1], [0], [0], [1]]);

    const withOptimizer = await saveToMemory(model, true);
    expect(withOptimizer.trainingConfig?.loss).toEqual({});
    const withoutOptimizer = await saveToMemory(model, false);
    expect(withoutOptimizer.trainingConfig).toBeUndefined();

    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(withOptimizer));
    await expect(loaded.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/lossFunction is not a function/);
    const uncompiled = await tfl.loadLayersModel(tf.io.fromMemory(withoutOptimizer));
    await expect(uncompiled.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/compiled/);

    loaded.compile({ optimizer: tf.train.adam(0.1), loss: sigmoidFocalLossFn({ alpha: 0.25, gamma: 2 }) });
    const history = await loaded.fit(x, y, { epochs: 1, verbose: 0 });
    const expected = tf.tidy(() =>
      sigmoidFocalLossFn({ alpha: 0.25, gamma: 2 })(y, model.predict(x) as tf.Tensor).dataSync()[0]!,
    );
    // The reloaded weights are the saved ones: its first training loss is the original model's loss.
    expect((history.history.loss as number[])[0]!).toBeCloseTo(expected, 6);
    tf.dispose([x, y]);
    model.dispose();
    loaded.dispose();
    uncompiled.dispose();
  });
});
