/** accurateSum at lengths around the block size, and IEEE for non-finite values. */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { accurateSum } from './index.js';
import { describeEachEnv, TEST_ENVS } from './test-envs.js';

describeEachEnv('accurateSum', () => {
  it('is exact for integers at lengths around the block size (remainders at every stage)', () => {
    for (const n of [0, 1, 127, 128, 129, 255, 16383, 16384, 16385, 16384 * 128 + 131]) {
      const x = tf.range(0, n, 1, 'float32');
      const ones = tf.onesLike(x);
      const s = accurateSum(ones);
      expect(s.dataSync()[0], `n = ${n}`).toBe(n);
      tf.dispose([x, ones, s]);
    }
  });

  it('follows IEEE: one +Infinity makes +Infinity, +Infinity and -Infinity or a NaN make NaN', () => {
    const cases: [number[], number][] = [
      [[1, Infinity, 2], Infinity],
      [[Infinity, -Infinity], NaN],
      [[1, NaN], NaN],
    ];
    for (const [values, expected] of cases) {
      const padded = [...values, ...new Array(300).fill(0.5)];
      const x = tf.tensor1d(padded);
      const s = accurateSum(x);
      expect(s.dataSync()[0]).toBe(expected);
      tf.dispose([x, s]);
    }
  });
}, TEST_ENVS.filter((env) => !env.composite));
