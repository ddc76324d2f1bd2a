import fc from 'fast-check';

/** |a - b| <= atol + rtol |b|. */
export function closeTo(actual: number, expected: number, rtol: number, atol = 0): boolean {
  return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
}

export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

/** Central differences in float64 of a scalar loss with respect to each input element. */
export function numericGradient(loss: (x: Float64Array) => number, x: Float64Array): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const h = 1e-5 * Math.max(1, Math.abs(x[i] as number));
    const up = x.slice();
    up[i] = (x[i] as number) + h;
    const down = x.slice();
    down[i] = (x[i] as number) - h;
    grad[i] = (loss(up) - loss(down)) / (2 * h);
  }
  return grad;
}

export const reductionArb = fc.constantFrom('none' as const, 'mean' as const, 'sum' as const);
export const gammaArb = fc.constantFrom(0, 0.5, 1, 1.5, 2, 5);
export const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });
