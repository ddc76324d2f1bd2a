/**
 * The straightforward composite implementation most code bases write: plain tf ops and autograd,
 * no customGrad; sigmoid, 1 - p by subtraction, pow and log. Used by the tests (to show where it
 * breaks) and by the bench (as the baseline). Its cross-entropy is the stable one, so its forward
 * value stays finite at saturated logits; its autograd gradient does not.
 */
import * as tf from '@tensorflow/tfjs-core';

export function compositeSigmoidFocalLoss(x: tf.Tensor, t: tf.Tensor, alpha: number, gamma: number): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.sigmoid(x);
    const one = tf.scalar(1);
    // max(x, 0) - x t + log(1 + exp(-|x|))
    const ce = tf.add(tf.sub(tf.relu(x), tf.mul(x, t)), tf.log(tf.add(one, tf.exp(tf.neg(tf.abs(x))))));
    const pT = tf.add(tf.mul(p, t), tf.mul(tf.sub(one, p), tf.sub(one, t)));
    const alphaT = tf.add(tf.mul(t, alpha), tf.mul(tf.sub(one, t), 1 - alpha));
    return tf.mean(tf.mul(tf.mul(alphaT, tf.pow(tf.sub(one, pT), tf.scalar(gamma))), ce)) as tf.Scalar;
  });
}
