/**
 * `tfjs-webgl`: @focal-loss/tfjs on TensorFlow.js' WebGL backend. Browser-only, so it lives in the
 * page rather than in apps/conformance/src/adapters (whose tfjs factory covers cpu and wasm).
 * It runs the fixture exactly as the shared tfjs adapters do: float32 tensors, the library's
 * analytic gradient through tf.valueAndGrad, and the opt-in target check for INVALID_TARGET.
 */
import { sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import type { AdapterOutputs, ConformanceAdapter, Fixture, FixtureTensor } from '../../conformance/src/adapter.js';
import { float32Support, wantsGradient } from '../../conformance/src/adapters/fixture-tensors.js';
import { probeWebGl } from './gpu-probes.js';

function toTensor(tensor: FixtureTensor): tf.Tensor {
  const shape = [...tensor.shape];
  return tensor.dtype === 'int32'
    ? tf.tensor(Int32Array.from(tensor.data), shape, 'int32')
    : tf.tensor(Float32Array.from(tensor.data), shape, 'float32');
}

async function useWebGl(): Promise<true | string> {
  if (tf.getBackend() === 'webgl') return true;
  try {
    return (await tf.setBackend('webgl')) ? true : 'tf.setBackend("webgl") failed (see the browser console for the reason tfjs logged)';
  } catch (error) {
    return `tf.setBackend("webgl") threw: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function createTfjsWebGlAdapter(): ConformanceAdapter {
  return {
    name: 'tfjs-webgl',
    packageName: '@focal-loss/tfjs',
    precision: 'float32',
    async setup() {
      // Ask the browser first: its answer is a better skip reason than tfjs' generic failure.
      const gl = probeWebGl();
      if (typeof gl === 'string') return gl;
      return useWebGl();
    },
    supports(fixture: Fixture) {
      return float32Support(fixture);
    },
    async run(fixture: Fixture): Promise<AdapterOutputs> {
      const ready = await useWebGl();
      if (ready !== true) throw new Error(ready);
      const { input, target, weight } = fixture.inputs;
      const tensors = [toTensor(input), toTensor(target), ...(weight === undefined ? [] : [toTensor(weight)])];
      const [x, t, w] = tensors as [tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const call = { ...fixture.options, weight: w ?? null, checkTargets: true };
      const loss = (logits: tf.Tensor) =>
        fixture.op === 'sigmoid_focal_loss' ? sigmoidFocalLoss(logits, t, call) : softmaxFocalLoss(logits, t, call);
      try {
        if (!wantsGradient(fixture)) {
          const value = loss(x);
          const result = { loss: { shape: value.shape, data: await value.data() } };
          value.dispose();
          return result;
        }
        const { value, grad } = tf.valueAndGrad(loss)(x);
        const result = {
          loss: { shape: value.shape, data: await value.data() },
          gradInput: { shape: grad.shape, data: await grad.data() },
        };
        value.dispose();
        grad.dispose();
        return result;
      } finally {
        tf.dispose(tensors);
      }
    },
    async dispose() {},
  };
}
