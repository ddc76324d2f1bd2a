// dtype "float16" (issue 14): the loader takes values that IEEE half precision holds exactly, and
// refuses any other, naming the element (exit 2 in the CLI), so expected values always belong to the
// very numbers an adapter reads.
import { describe, expect, it } from 'vitest';
import { float16Bits } from './adapters/fixture-tensors.js';
import { FixtureFormatError, isFloat16Exact, parseFixture } from './fixture.js';

/** Every finite half value from its bits, independently of isFloat16Exact's arithmetic. */
function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return exponent === 0 ? sign * mantissa * 2 ** -24 : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const fixture = (data: unknown[]) => ({
  format: 'focal-loss-fixture/1',
  name: 'float16/x',
  op: 'sigmoid_focal_loss',
  reference: 'test',
  options: {},
  inputs: {
    input: { dtype: 'float16', shape: [data.length], data },
    target: { dtype: 'float32', shape: [data.length], data: data.map(() => 1) },
  },
  expected: { loss: { shape: [], data: [0] } },
  tolerance: { rtol: 1e-4, atol: 1e-7 },
});

describe('float16 fixture tensors', () => {
  it('isFloat16Exact is true for every one of the 65536 half values', () => {
    const refused: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) if (!isFloat16Exact(halfValue(bits))) refused.push(bits);
    expect(refused).toEqual([]);
  });

  it('and false next to them: midpoints, beyond 65504, below the smallest subnormal, float32-only values', () => {
    for (const v of [1 + 2 ** -11, 2049, 65505, 65520, 2 ** -25, 3 * 2 ** -25, 0.1, Math.fround(0.1), 1e-8, -65536]) {
      expect(isFloat16Exact(v)).toBe(false);
    }
  });

  it('float16Bits (how the typed-array adapter hands half data over) inverts binary16 for every value', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const v = halfValue(bits);
      if (Number.isNaN(v)) continue; // one NaN pattern is enough
      if ((float16Bits([v])[0] as number) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
    expect(float16Bits([NaN])[0]).toBe(0x7e00);
  });

  it('the loader reads exact values and names the element that is not', () => {
    const f = parseFixture(fixture([0.5, -2, 65504, 2 ** -24, 'Infinity']), 'f.json');
    expect(f.inputs.input.dtype).toBe('float16');
    expect(f.inputs.input.data).toEqual([0.5, -2, 65504, 2 ** -24, Infinity]);
    expect(() => parseFixture(fixture([0.5, 0.1]), 'f.json')).toThrow(FixtureFormatError);
    expect(() => parseFixture(fixture([0.5, 0.1]), 'f.json')).toThrow(/inputs\.input\.data\[1\].*float16/);
  });
});
