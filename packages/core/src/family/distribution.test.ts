import { describe, expect, it } from 'vitest';
import { FocalLossError } from '../errors.js';
import { fillTwoHotTargets, twoHotTargets } from './distribution.js';

describe('two-hot targets of Distribution Focal Loss', () => {
  it("puts mmdet's weight_left = left + 1 - y and weight_right = y - left on the two bins", () => {
    expect(Array.from(twoHotTargets([2.25, 0, 3, 1.5], 4))).toEqual([
      0, 0, 0.75, 0.25, //
      1, 0, 0, 0,
      0, 0, 0, 1, // y = n: all on the last bin
      0, 0.5, 0.5, 0,
    ]);
  });

  it('overwrites every entry of a reused buffer', () => {
    const buffer = new Float64Array(6).fill(7);
    fillTwoHotTargets([0.5, 2], 3, buffer);
    expect(Array.from(buffer)).toEqual([0.5, 0.5, 0, 0, 0, 1]);
  });

  it('refuses positions outside [0, bins - 1], NaN, bad bins and a wrong buffer', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as FocalLossError).code;
      }
      return undefined;
    };
    expect(codeOf(() => twoHotTargets([4], 4))).toBe('INVALID_TARGET');
    expect(codeOf(() => twoHotTargets([-0.5], 4))).toBe('INVALID_TARGET');
    expect(codeOf(() => twoHotTargets([NaN], 4))).toBe('INVALID_TARGET');
    expect(codeOf(() => twoHotTargets([0], 0))).toBe('INVALID_OPTION');
    expect(codeOf(() => fillTwoHotTargets([0], 4, new Float64Array(3)))).toBe('SHAPE_MISMATCH');
  });
});
