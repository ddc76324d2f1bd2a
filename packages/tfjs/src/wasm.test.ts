/**
 * Why the composite formulation builds its own log1p: tfjs-wasm's Log1p kernel evaluates
 * log(1 + x) in float32. (Every numerical test runs on wasm too, through ./test-envs.ts.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './test-envs.js';

beforeAll(() => useBackend('wasm'));

describe('tfjs-wasm', () => {
  it('has an inaccurate Log1p kernel (log(1 + x) in float32), which is why we build our own', () => {
    const x = tf.tensor1d([1e-10]);
    const y = tf.log1p(x);
    expect(y.dataSync()[0]).toBe(0);
    tf.dispose([x, y]);
  });
});
