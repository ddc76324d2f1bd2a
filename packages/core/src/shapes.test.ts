import { describe, expect, it } from 'vitest';
import type { FocalLossError } from './errors.js';
import { reducedShape, resolveSigmoidLayout, resolveSoftmaxLayout, shapeSize } from './shapes.js';

function thrown(fn: () => unknown): FocalLossError {
  try {
    fn();
  } catch (error) {
    return error as FocalLossError;
  }
  throw new Error('expected a throw');
}

describe('shapes', () => {
  it('counts elements; a scalar has one, an empty dim none', () => {
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(shapeSize([0, 3])).toBe(0);
    expect(thrown(() => shapeSize([2, -1])).code).toBe('SHAPE_MISMATCH');
    expect(thrown(() => shapeSize([2.5])).code).toBe('SHAPE_MISMATCH');
  });

  it('sigmoid: target and weight must match the input', () => {
    expect(resolveSigmoidLayout([2, 3], [2, 3], [2, 3])).toEqual({ size: 6, lossShape: [2, 3] });
    const e = thrown(() => resolveSigmoidLayout([2, 3], [3, 2]));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toContain('[3, 2]');
    expect(thrown(() => resolveSigmoidLayout([2, 3], [2, 3], [2])).code).toBe('SHAPE_MISMATCH');
  });

  it('softmax: NCHW with axis 1', () => {
    const l = resolveSoftmaxLayout([2, 3, 4, 5], [2, 4, 5], 'index', 1);
    expect(l).toMatchObject({ axis: 1, outer: 2, classes: 3, inner: 20, positions: 40, lossShape: [2, 4, 5] });
  });

  it('softmax: negative axis, probability targets', () => {
    const l = resolveSoftmaxLayout([4, 3], [4, 3], 'probability', -1);
    expect(l).toMatchObject({ axis: 1, outer: 4, classes: 3, inner: 1, lossShape: [4] });
  });

  it.each([
    ['axis out of range', () => resolveSoftmaxLayout([4, 3], [4], 'index', 2)],
    ['negative axis out of range', () => resolveSoftmaxLayout([4, 3], [4], 'index', -3)],
    ['scalar input', () => resolveSoftmaxLayout([], [], 'index', -1)],
    ['index target of input shape', () => resolveSoftmaxLayout([4, 3], [4, 3], 'index', -1)],
    ['probability target of loss shape', () => resolveSoftmaxLayout([4, 3], [4], 'probability', -1)],
    ['weight shape', () => resolveSoftmaxLayout([4, 3], [4], 'index', -1, [4, 3])],
    ['alpha length', () => resolveSoftmaxLayout([4, 3], [4], 'index', -1, null, [0.5, 0.5])],
  ])('%s is SHAPE_MISMATCH', (_, fn) => {
    expect(thrown(fn).code).toBe('SHAPE_MISMATCH');
  });

  it('reduced shape is [] unless "none"', () => {
    expect(reducedShape('mean', [2, 3])).toEqual([]);
    expect(reducedShape('none', [2, 3])).toEqual([2, 3]);
  });
});
