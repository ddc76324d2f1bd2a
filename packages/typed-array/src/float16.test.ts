/** float16 inputs: exact widening of every binary16 pattern, and a call on half data = the float32 call. */
import { describe, expect, it } from 'vitest';
import { float16Tensor, fromFloat16, halfBitsToNumber } from './float16.js';
import { sigmoidFocalLoss } from './sigmoid.js';

describe('fromFloat16', () => {
  it('widens all 65536 bit patterns (the table equals the formula) and known values exactly', () => {
    const all = new Uint16Array(0x10000).map((_, k) => k);
    const widened = fromFloat16(all);
    let mismatches = 0;
    for (let k = 0; k < 0x10000; k++) {
      const v = halfBitsToNumber(k);
      if (!(Object.is(widened[k], v) || (Number.isNaN(v) && Number.isNaN(widened[k])))) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect([widened[0x3c00], widened[0xc000], widened[0x7bff], widened[0x0001], widened[0x0400], widened[0x7c00], widened[0xfc00]]).toEqual([
      1, -2, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity,
    ]);
    expect(Number.isNaN(widened[0x7e00])).toBe(true);
    expect(Object.is(widened[0x8000], -0)).toBe(true);
  });

  it('copies number-holding data (a Float16Array where the runtime has one) as is', () => {
    expect([...fromFloat16([0.5, -3, 65504])]).toEqual([0.5, -3, 65504]);
  });

  it('a sigmoid call on half bits equals the float32 call on the same values', () => {
    const bits = new Uint16Array([0x3c00, 0xbc00, 0x4000, 0x0000]); // 1, -1, 2, 0
    const target = { data: new Float32Array([1, 0, 0, 1]), shape: [4] };
    const half = sigmoidFocalLoss(float16Tensor({ data: bits, shape: [4] }), target, { gradient: true });
    const plain = sigmoidFocalLoss({ data: new Float32Array([1, -1, 2, 0]), shape: [4] }, target, { gradient: true });
    expect(half.loss.data).toEqual(plain.loss.data);
    expect(half.gradInput?.data).toEqual(plain.gradInput?.data);
  });
});
