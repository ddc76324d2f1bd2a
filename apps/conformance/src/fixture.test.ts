import { describe, expect, it } from 'vitest';
import { checkUniqueNames, ERROR_FIXTURE_TOLERANCE, fixtureGroup, FixtureFormatError, parseFixture, show } from './fixture.js';

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

  it('reads per-output tolerances', () => {
    const f = parseFixture({ ...valid(), tolerance: { loss: { rtol: 1, atol: 2 }, gradInput: { rtol: 3, atol: 4 } } }, 'f.json');
    expect(f.tolerance).toEqual({ loss: { rtol: 1, atol: 2 }, gradInput: { rtol: 3, atol: 4 } });
  });

  it('reads error expectations, whose tolerance is optional and ignored (format 1.1)', () => {
    const { tolerance: _unused, ...withoutTolerance } = valid();
    const f = parseFixture({ ...withoutTolerance, expected: { error: 'INVALID_TARGET' } }, 'f.json');
    expect(f.expected).toEqual({ kind: 'error', code: 'INVALID_TARGET' });
    expect(f.tolerance).toEqual(ERROR_FIXTURE_TOLERANCE);
    // A tolerance that would be malformed in an outputs fixture is not even read here.
    const ignored = parseFixture({ ...valid(), expected: { error: 'SHAPE_MISMATCH' }, tolerance: { rtol: -1 } }, 'f.json');
    expect(ignored.tolerance).toEqual(ERROR_FIXTURE_TOLERANCE);
  });

  it('rejects an error code outside the contract, naming the codes', () => {
    expect(messageOf({ ...valid(), expected: { error: 'OUT_OF_MEMORY' } })).toBe(
      'f.json: expected.error: expected one of INVALID_OPTION, SHAPE_MISMATCH, INVALID_TARGET, got "OUT_OF_MEMORY"',
    );
    expect(messageOf({ ...valid(), expected: { error: 'invalid_option' } })).toContain('expected.error: expected one of');
  });

  it('accepts only the op\'s contract option names; adapter-only call options never', () => {
    expect(messageOf({ ...valid(), options: { out: {} } })).toMatch(/^f\.json: options\.out: "out" is an adapter's call option/);
    for (const key of ['weight', 'gradient', 'checkTargets']) {
      expect(messageOf({ ...valid(), options: { [key]: true }, expected: { error: 'INVALID_OPTION' } })).toContain(`options.${key}: "${key}" is an adapter's call option`);
    }
    // (sigmoid has `axis` since issue 14; `normalizeProbabilities` is softmax's only)
    expect(messageOf({ ...valid(), options: { normalizeProbabilities: true } })).toContain(
      'f.json: options.normalizeProbabilities: unknown option of sigmoid_focal_loss',
    );
    expect(messageOf({ ...valid(), options: { gama: 2 }, expected: { error: 'SHAPE_MISMATCH' } })).toContain('options.gama: unknown option');
    // The rule "unknown option names are rejected" can still be tested by a fixture expecting INVALID_OPTION.
    expect(parseFixture({ ...valid(), options: { gama: 2 }, expected: { error: 'INVALID_OPTION' } }, 'f.json').options).toEqual({ gama: 2 });
    const softmax = { ...valid(), op: 'softmax_focal_loss', options: { axis: 0, ignoreIndex: -100, alpha: [0.5, 0.5] } };
    expect(parseFixture(softmax, 'f.json').options).toEqual({ axis: 0, ignoreIndex: -100, alpha: [0.5, 0.5] });
  });

  it('takes int32 sigmoid targets (format 1.1)', () => {
    const f = parseFixture({ ...valid(), inputs: { ...valid().inputs, target: { dtype: 'int32', shape: [2], data: [1, 0] } } }, 'f.json');
    expect(f.inputs.target).toEqual({ dtype: 'int32', shape: [2], data: [1, 0] });
  });

  it('describes a 100,000-deep value in a message without recursing', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(show(deep)).toBe('[[[[...]]]]');
    const bad = valid();
    (bad.inputs.input as { data: unknown }).data = [deep, 0];
    expect(messageOf(bad)).toBe('f.json: inputs.input.data[0]: expected a number or "NaN" / "Infinity" / "-Infinity", got [[[[...]]]]');
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
