/**
 * tf.customGrad over the loss's input, with the call's other tensors (target, weight) as inputs too.
 */
import * as tf from '@tensorflow/tfjs-core';

/** One forward evaluation: the value and how to turn dy into d loss / d input. */
export interface ForwardResult {
  readonly value: tf.Tensor;
  readonly gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor;
}

/**
 * Runs `forward` under tf.customGrad with the call's other tensors (`constants`) connected as if
 * wrapped in tf.stopGradient, so that `tf.grads(f)([input, target])` gives the input's gradient and
 * float32 zeros for the target; were they only captured by the closure, the tape would find no path
 * from them to the loss and tfjs would refuse the whole call ("Cannot compute gradient of y=f(x)
 * with respect to x"). Each constant enters as a one-element slice of itself (an "anchor"): the
 * forward pass reads the constants from its closure, so customGrad only has to return a
 * one-element zero for each, and Slice's own gradient widens it to the constant's shape only when
 * someone asks for that gradient. (Full-size zeros, made at every backward pass whether asked for
 * or not, were a whole extra tensor at the peak.)
 */
export function customGradOverInput(
  input: tf.Tensor,
  constants: readonly tf.Tensor[],
  forward: (x: tf.Tensor, save: tf.GradSaveFunc) => ForwardResult,
): tf.Tensor {
  // No reshape first: tfjs counts every tensor's bytes, views included, so a reshaped copy of the
  // target would count as a whole extra tensor in tf.profile / tf.memory().
  // A scalar (one element already) is its own anchor: Slice refuses rank 0.
  const anchors = constants.map((c) =>
    c.rank === 0 ? tf.clone(c) : tf.slice(c, c.shape.map(() => 0), c.shape.map((d) => Math.min(1, d))),
  );
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { value, gradFunc } = forward(args[0] as tf.Tensor, save);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        gradFunc(dy, saved),
        ...anchors.map((a) => tf.zeros(a.shape, 'float32')),
      ],
    };
  });
  const result = op(input, ...anchors);
  tf.dispose(anchors);
  return result;
}

/**
 * The loss of an input with no elements: 0 when reduced (a mean over nothing is 0), an empty loss
 * otherwise, and an empty gradient. Returned without running the math, because tfjs-backend-webgl
 * cannot reduce an empty tensor ("The new shape (NaN,0) has NaN elements"); cpu and wasm can.
 */
export function emptyInputLoss(
  input: tf.Tensor,
  constants: readonly tf.Tensor[],
  lossShape: readonly number[] | null,
): tf.Tensor {
  return customGradOverInput(input, constants, (x) => ({
    value: lossShape === null ? tf.scalar(0) : tf.zeros([...lossShape]),
    gradFunc: () => tf.zerosLike(x),
  }));
}
