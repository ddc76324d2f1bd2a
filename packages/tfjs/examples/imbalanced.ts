/**
 * Binary cross-entropy vs focal loss on an imbalanced problem (about 1 positive in 100).
 *
 * The same MLP (same data, same initial weights: fixed seeds) is trained twice on the cpu backend:
 *   1. binary cross-entropy, output bias 0;
 *   2. focal loss (alpha 0.25, gamma 2) with the RetinaNet prior-probability initialisation of the
 *      output bias, b = -log((1 - pi) / pi) with pi = 0.01, so training starts by predicting 1 %.
 * It prints the rare class's recall (threshold 0.5) and average precision on a held-out set.
 * Run: pnpm --filter @focal-loss/tfjs run example
 *  (= tsx --import ./scripts/register-gradients.mjs examples/imbalanced.ts)
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// Gradients of the layers (MatMul, Relu, ...) come from tfjs-core's register_all_gradients, which
// the `example` script preloads (scripts/register-gradients.mjs): Node cannot import it directly.
import * as tfl from '@tensorflow/tfjs-layers';
import { sigmoidFocalLossFn } from '../src/index.js';

const FEATURES = 8;
const TRAIN = 20_000;
const TEST = 20_000;
const POSITIVE_RATE = 0.01;
const PRIOR = 0.01;

/** A small seeded generator (LCG + Box-Muller), so every run sees the same data. */
function gaussians(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Positives are shifted by 1.5 on the first three features: separable only in part. */
function makeData(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D; positives: number } {
  const normal = gaussians(seed);
  const xs = new Float32Array(n * FEATURES);
  const ys = new Float32Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const positive = Math.abs(normal()) > 2.5758; // P(|z| > 2.5758) = 1 %
    ys[i] = positive ? 1 : 0;
    if (positive) positives++;
    for (let j = 0; j < FEATURES; j++) xs[i * FEATURES + j] = normal() + (positive && j < 3 ? 1.5 : 0);
  }
  return { x: tf.tensor2d(xs, [n, FEATURES]), y: tf.tensor2d(ys, [n, 1]), positives };
}

function buildModel(outputBias: number): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({
    inputShape: [FEATURES], units: 16, activation: 'relu',
    kernelInitializer: tfl.initializers.glorotUniform({ seed: 42 }),
  }));
  model.add(tfl.layers.dense({
    units: 1, activation: 'linear', // logits
    kernelInitializer: tfl.initializers.glorotUniform({ seed: 43 }),
    biasInitializer: tfl.initializers.constant({ value: outputBias }),
  }));
  return model;
}

/** Recall at threshold 0.5 and average precision (mean precision at each positive's rank). */
function evaluate(scores: Float32Array, labels: Float32Array): { recall: number; ap: number } {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
  const positives = labels.reduce((a, b) => a + b, 0);
  let hits = 0;
  let apSum = 0;
  order.forEach((index, rank) => {
    if (labels[index] === 1) {
      hits++;
      apSum += hits / (rank + 1);
    }
  });
  let recalled = 0;
  scores.forEach((s, i) => {
    if (labels[i] === 1 && s >= 0.5) recalled++;
  });
  return { recall: recalled / positives, ap: apSum / positives };
}

async function train(name: string, loss: tfl.LayersModel['loss'] | string | ((a: tf.Tensor, b: tf.Tensor) => tf.Scalar), bias: number) {
  const train = makeData(TRAIN, 1);
  const test = makeData(TEST, 2);
  const model = buildModel(bias);
  model.compile({ optimizer: tf.train.adam(0.01), loss: loss as never });
  const start = Date.now();
  const history = await model.fit(train.x, train.y, { epochs: 10, batchSize: 256, verbose: 0, shuffle: false });
  const seconds = (Date.now() - start) / 1000;
  const probabilities = tf.tidy(() => tf.sigmoid(model.predict(test.x) as tf.Tensor));
  const { recall, ap } = evaluate(probabilities.dataSync() as Float32Array, test.y.dataSync() as Float32Array);
  const losses = history.history.loss as number[];
  console.log(
    `${name.padEnd(32)} recall@0.5 ${recall.toFixed(3)}  AP ${ap.toFixed(3)}  ` +
      `(train loss ${losses[0]!.toExponential(3)} -> ${losses.at(-1)!.toExponential(3)}, ${seconds.toFixed(1)} s; ` +
      `positives: train ${train.positives}, test ${test.positives})`,
  );
  tf.dispose([train.x, train.y, test.x, test.y, probabilities]);
  model.dispose();
}

await tf.setBackend('cpu');
console.log(`MLP ${FEATURES}-16-1, ${TRAIN} training / ${TEST} held-out examples, ~${POSITIVE_RATE * 100} % positives, 10 epochs, adam 0.01`);
const bce = (yTrue: tf.Tensor, logits: tf.Tensor) => tf.losses.sigmoidCrossEntropy(yTrue, logits) as tf.Scalar;
await train('binary cross-entropy, bias 0', bce, 0);
await train(`focal (0.25, 2) + prior bias`, sigmoidFocalLossFn({ alpha: 0.25, gamma: 2, fromLogits: true }), -Math.log((1 - PRIOR) / PRIOR));
