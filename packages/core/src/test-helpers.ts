/** Central finite difference in float64 of a scalar function of one coordinate. */
export function centralDifference(f: (x: number) => number, x: number): number {
  const h = 1e-5 * Math.max(1, Math.abs(x));
  return (f(x + h) - f(x - h)) / (2 * h);
}

/** |a - b| <= atol + rtol |b| with a readable failure message. */
export function closeTo(actual: number, expected: number, rtol: number, atol = 0): boolean {
  return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
}
