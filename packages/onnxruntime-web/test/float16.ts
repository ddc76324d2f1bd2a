/** Test-only: IEEE half-precision (float16) and bfloat16 bit patterns <-> numbers. */

/** float16 bits -> number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** number -> float16 bits, rounding to nearest even (finite values in range, as the tests use). */
export function numberToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a === 0) return sign;
  if (a >= 65520) return sign | 0x7c00;
  let exponent = Math.floor(Math.log2(a));
  if (exponent < -14) {
    // subnormal: units of 2^-24
    return sign | roundEven(a / 2 ** -24);
  }
  let fraction = roundEven((a / 2 ** exponent - 1) * 1024);
  if (fraction === 1024) {
    fraction = 0;
    exponent += 1;
  }
  return sign | ((exponent + 15) << 10) | fraction;
}

function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function halfArray(values: ArrayLike<number>): Uint16Array {
  return Uint16Array.from(Array.from(values, numberToHalf));
}

export function fromHalfArray(bits: ArrayLike<number>): Float64Array {
  return Float64Array.from(Array.from(bits, halfToNumber));
}
