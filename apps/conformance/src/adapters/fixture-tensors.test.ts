import { describe, expect, it } from 'vitest';
import type { Fixture } from '../adapter.js';
import { declaredOptionSupport, extensionsUsed } from './fixture-tensors.js';

const tensor = (shape: number[], dtype: 'float32' | 'int32' = 'float32') => ({
  dtype,
  shape,
  data: new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0),
});

function fixture(op: string, options: Record<string, unknown>, target = tensor([2, 3])): Fixture {
  return {
    file: 'x.json',
    name: 'poly/x',
    op: op as Fixture['op'],
    reference: '',
    options,
    inputs: { input: tensor([2, 3]), target },
    expected: { kind: 'error', code: 'INVALID_OPTION' },
    tolerance: { loss: { rtol: 0, atol: 0 }, gradInput: { rtol: 0, atol: 0 } },
  } as Fixture;
}

describe('options beyond the 1.1 base in fixtures', () => {
  it('a non-default polyEpsilon (also an invalid one) is skipped by an adapter that has not declared it', () => {
    for (const value of [1, -1, 'NaN', null]) {
      expect(declaredOptionSupport(fixture('sigmoid_focal_loss', { polyEpsilon: value }), [])).toBe(
        'option polyEpsilon is not implemented by this adapter yet (issue 15)',
      );
    }
    expect(declaredOptionSupport(fixture('softmax_focal_loss', { polyEpsilon: 2 }), ['polyEpsilon'])).toBe(true);
  });

  it('the default value, the base options and the family ops need no declaration', () => {
    expect(declaredOptionSupport(fixture('sigmoid_focal_loss', { polyEpsilon: 0, gamma: 1 }), [])).toBe(true);
    expect(declaredOptionSupport(fixture('softmax_focal_loss', { ignoreIndex: -1, axis: 1 }), [])).toBe(true);
    expect(declaredOptionSupport(fixture('varifocal_loss', { alpha: 0.75 }), [])).toBe(true);
  });

  it('names every missing option and issue; sigmoid class-index targets are a feature', () => {
    const f = fixture('sigmoid_focal_loss', { polyEpsilon: 1, posWeight: 2 }, tensor([2], 'int32'));
    expect(extensionsUsed(f)).toEqual(['polyEpsilon', 'posWeight', 'sigmoidClassIndexTargets']);
    expect(declaredOptionSupport(f, ['polyEpsilon'])).toBe(
      'options posWeight, sigmoidClassIndexTargets are not implemented by this adapter yet (issue 14)',
    );
    // int32 0/1 targets of the input's shape are base 1.1
    expect(extensionsUsed(fixture('sigmoid_focal_loss', {}, tensor([2, 3], 'int32')))).toEqual([]);
  });
});
