import { describe, expect, it } from 'vitest';
import { checkUniqueNames, fixtureGroup, FixtureFormatError, parseFixture } from './fixture.js';

const valid = () => ({
  format: 'focal-loss-fixture/1',
  name: 'sigmoid/x',
  op: 'sigmoid_focal_loss',
  reference: 'test',
  options: { gamma: 2 },
  inputs: {
    input: { dtype: 'float32', shape: [2], data: [0, 'NaN'] },
    target: { dtype: 'float32', shape: [2], data: [1, 0] },
  },
  expected: { loss: { shape: [], data: ['Infinity'] } },
  tolerance: { rtol: 1e-5, atol: 1e-7 },
});

function messageOf(json: unknown): string {
  try {
    parseFixture(json, 'f.json');
  } catch (error) {
    expect(error).toBeInstanceOf(FixtureFormatError);
    return (error as Error).message;
  }
  throw new Error('expected a FixtureFormatError');
}

describe('parseFixture', () => {
  it('decodes non-finite strings and spreads a single tolerance over both outputs', () => {
    const f = parseFixture(valid(), 'f.json');
    expect(Number.isNaN(f.inputs.input.data[1])).toBe(true);
    expect(f.expected).toEqual({ kind: 'outputs', loss: { shape: [], data: [Infinity] } });
    expect(f.tolerance.gradInput).toEqual({ rtol: 1e-5, atol: 1e-7 });
  });

  it('reads per-output tolerances and error expectations', () => {
    const f = parseFixture(
      { ...valid(), expected: { error: 'INVALID_OPTION' }, tolerance: { loss: { rtol: 1, atol: 2 }, gradInput: { rtol: 3, atol: 4 } } },
      'f.json',
    );
    expect(f.expected).toEqual({ kind: 'error', code: 'INVALID_OPTION' });
    expect(f.tolerance).toEqual({ loss: { rtol: 1, atol: 2 }, gradInput: { rtol: 3, atol: 4 } });
  });

  it('names the file and the field of what is malformed', () => {
    expect(messageOf({ ...valid(), format: 'v2' })).toBe('f.json: format: expected "focal-loss-fixture/1", got "v2"');
    const badShape = valid();
    (badShape.inputs.target as { shape: unknown }).shape = '3';
    expect(messageOf(badShape)).toBe('f.json: inputs.target.shape: expected an array of non-negative integers, got "3"');
    const badLength = valid();
    badLength.inputs.input.data = [1];
    expect(messageOf(badLength)).toBe('f.json: inputs.input.data: has 1 values but shape [2] needs 2');
    expect(messageOf({ ...valid(), op: 'focal' })).toContain('f.json: op: expected "sigmoid_focal_loss" or "softmax_focal_loss"');
    const badValue = valid();
    badValue.inputs.target.data = [1, 'one' as unknown as number];
    expect(messageOf(badValue)).toContain('f.json: inputs.target.data[1]: expected a number');
    expect(messageOf({ ...valid(), tolerance: { rtol: -1, atol: 0 } })).toBe('f.json: tolerance.rtol: expected a number >= 0, got -1');
    const intTarget = valid();
    intTarget.inputs.target = { dtype: 'int32', shape: [2], data: [1, 0.5] };
    expect(messageOf(intTarget)).toBe('f.json: inputs.target.data[1]: expected an int32, got 0.5');
  });

  it('rejects duplicate names, naming both files', () => {
    const a = parseFixture(valid(), 'a.json');
    const b = parseFixture(valid(), 'b.json');
    expect(() => checkUniqueNames([a, b])).toThrow('b.json: name: duplicate fixture name "sigmoid/x" (also in a.json)');
  });

  it('groups by the first path segment', () => {
    expect(fixtureGroup('tail/sigmoid-x40')).toBe('tail');
    expect(fixtureGroup('plain')).toBe('(top)');
  });
});
