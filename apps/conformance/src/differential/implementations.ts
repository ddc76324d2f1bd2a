/**
 * The three adapters as the fuzz test calls them: the same call, each adapter's own types, the
 * gradient of the returned loss (of the sum of its elements for "none") with respect to `input`.
 */
import { FocalLossRunner } from '@focal-loss/onnxruntime-web';
import { sigmoidFocalLoss as tfjsSigmoid, softmaxFocalLoss as tfjsSoftmax } from '@focal-loss/tfjs';
import { sigmoidFocalLoss as taSigmoid, softmaxFocalLoss as taSoftmax } from '@focal-loss/typed-array';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { FuzzCall } from './calls.js';

export interface Outputs {
  readonly loss: { readonly shape: readonly number[]; readonly data: ArrayLike<number> };
  readonly grad: { readonly shape: readonly number[]; readonly data: ArrayLike<number> };
}

export interface Implementation {
  readonly name: string;
  run(call: FuzzCall): Promise<Outputs>;
}

/** The options argument with the adapter's own keys added, unless it is not an object at all. */
function withKeys(options: unknown, keys: Record<string, unknown>): unknown {
  if (options === null || typeof options !== 'object' || Array.isArray(options) || options instanceof Map) return options;
  return { ...(options as object), ...keys };
}

function typedArray(precision: 'float32' | 'float64'): Implementation {
  const Float = precision === 'float32' ? Float32Array : Float64Array;
  return {
    name: precision === 'float32' ? 'typed-array-f32' : 'typed-array-f64',
    async run(call) {
      // The reference reads the same float32 values: every implementation sees identical inputs.
      const x = { data: Float.from(Float32Array.from(call.input.data)), shape: call.input.shape };
      const t = {
        data: call.target.dtype === 'int32' ? Int32Array.from(call.target.data) : Float.from(Float32Array.from(call.target.data)),
        shape: call.target.shape,
      };
      const weight = call.weight === null ? null : { data: Float.from(Float32Array.from(call.weight.data)), shape: call.weight.shape };
      const options = withKeys(call.options, { weight, gradient: true }) as never;
      const r = call.op === 'sigmoid' ? taSigmoid(x, t, options) : taSoftmax(x, t, options);
      return { loss: r.loss, grad: r.gradInput ?? { shape: call.input.shape, data: [] } };
    },
  };
}

function tfjsCpu(): Implementation {
  return {
    name: 'tfjs-cpu',
    async run(call) {
      if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
      const x = tf.tensor(Float32Array.from(call.input.data), call.input.shape, 'float32');
      const t =
        call.target.dtype === 'int32'
          ? tf.tensor(Int32Array.from(call.target.data), call.target.shape, 'int32')
          : tf.tensor(Float32Array.from(call.target.data), call.target.shape, 'float32');
      const w = call.weight === null ? null : tf.tensor(Float32Array.from(call.weight.data), call.weight.shape, 'float32');
      try {
        const options = withKeys(call.options, { weight: w, checkTargets: true }) as never;
        const loss = (input: tf.Tensor) => (call.op === 'sigmoid' ? tfjsSigmoid(input, t, options) : tfjsSoftmax(input, t, options));
        const value = loss(x);
        // d(sum of the returned elements)/d input: dy of ones through the adapter's own gradient
        const ones = tf.onesLike(value);
        const grad = tf.grad(loss)(x, ones);
        ones.dispose();
        const out: Outputs = {
          loss: { shape: value.shape, data: await value.data() },
          grad: { shape: grad.shape, data: await grad.data() },
        };
        tf.dispose([value, grad]);
        return out;
      } finally {
        tf.dispose([x, t, ...(w === null ? [] : [w])]);
      }
    },
  };
}

function onnxRuntimeWeb(runner: FocalLossRunner): Implementation {
  return {
    name: 'onnxruntime-web',
    async run(call) {
      const x = { data: Float32Array.from(call.input.data), shape: call.input.shape };
      const t = {
        data: call.target.dtype === 'int32' ? Int32Array.from(call.target.data) : Float32Array.from(call.target.data),
        shape: call.target.shape,
      };
      const weight = call.weight === null ? null : { data: Float32Array.from(call.weight.data), shape: call.weight.shape };
      const options = withKeys(call.options, { weight, gradient: true }) as never;
      const r = call.op === 'sigmoid' ? await runner.sigmoidFocalLoss(x, t, options) : await runner.softmaxFocalLoss(x, t, options);
      return { loss: r.loss, grad: r.gradInput ?? { shape: call.input.shape, data: [] } };
    },
  };
}

/** The reference (typed-array in float64 on the same float32 inputs) and the float32 implementations. */
export function createImplementations(runner: FocalLossRunner): { reference: Implementation; float32: Implementation[] } {
  return { reference: typedArray('float64'), float32: [typedArray('float32'), tfjsCpu(), onnxRuntimeWeb(runner)] };
}
