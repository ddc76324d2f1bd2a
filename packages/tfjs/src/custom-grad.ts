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
 * Runs `forward` under tf.customGrad with `constants` as further inputs whose gradient is 0, as if
 * they were wrapped in tf.stopGradient. They are inputs so that `tf.grads(f)([input, target])` gives
 * the input's gradient (and zeros for the target); were they only captured by the closure, the tape
 * would find no path from them to the loss and tfjs would refuse the whole call ("Cannot compute
 * gradient of y=f(x) with respect to x"). The zeros are float32, the dtype tfjs requires of every
 * gradient, also for an int32 target.
 */
export function customGradOverInput(
  input: tf.Tensor,
  constants: readonly tf.Tensor[],
  forward: (x: tf.Tensor, save: tf.GradSaveFunc) => ForwardResult,
): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { value, gradFunc } = forward(args[0] as tf.Tensor, save);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        gradFunc(dy, saved),
        ...constants.map((c) => tf.zeros(c.shape, 'float32')),
      ],
    };
  });
  return op(input, ...constants);
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
