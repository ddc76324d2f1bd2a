/** Test-only helpers: the float64 reference (typed-array adapter), comparisons and random data. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The base tfjs-core registers no gradients (the union package does); the composite baseline needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import fc from 'fast-check';
// The float64 reference: @focal-loss/typed-array, a devDependency (built first by turbo).
import {
  sigmoidFocalLoss as referenceSigmoid,
  softmaxFocalLoss as referenceSoftmax,
} from '@focal-loss/typed-array';

export interface Reference {
  loss: Float64Array;
  grad: Float64Array;
}

/** The typed-array adapter in float64 on the same (float32) values. */
export function sigmoidReference(
  x: Float32Array,
  t: Float32Array,
  shape: number[],
  options: Record<string, unknown>,
  weight?: Float32Array,
): Reference {
  const r = referenceSigmoid(
    { data: Float64Array.from(x), shape },
    { data: Float64Array.from(t), shape },
    { ...options, gradient: true, weight: weight ? { data: Float64Array.from(weight), shape } : null },
  );
  return { loss: r.loss.data, grad: r.gradInput!.data };
}

export function softmaxReference(
  x: Float32Array,
  shape: number[],
  target: Int32Array | Float32Array,
  targetShape: number[],
  options: Record<string, unknown>,
  weight?: { data: Float32Array; shape: number[] },
): Reference {
  const r = referenceSoftmax(
    { data: Float64Array.from(x), shape },
    { data: target instanceof Int32Array ? target : Float64Array.from(target), shape: targetShape },
    {
      ...options,
      gradient: true,
      weight: weight ? { data: Float64Array.from(weight.data), shape: weight.shape } : null,
    },
  );
  return { loss: r.loss.data, grad: r.gradInput!.data };
}

/**
 * Float32 tolerance of the conformance suite's standard group: |a - e| <= rtol |e| + atol with
 * atol = 1e-6 max|e| (so near-zero elements of a large output are judged against its scale).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, what = ''): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(expected[i] as number);
    if (Number.isFinite(e)) scale = Math.max(scale, e);
  }
  const atol = Math.max(1e-6 * scale, 1e-30);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e) ? !Number.isNaN(a) : !(a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${what}[${i}]: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

/** Loss and gradient of `loss` at x, read back and disposed. */
export function valueAndGradOf(loss: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): { loss: Float32Array; grad: Float32Array } {
  const { value, grad } = tf.valueAndGrad(loss)(x);
  const out = { loss: value.dataSync() as Float32Array, grad: grad.dataSync() as Float32Array };
  tf.dispose([value, grad]);
  return out;
}

export function thrownCode(fn: () => unknown): string | undefined {
  try {
    const result = fn();
    tf.dispose(result as tf.TensorContainer);
  } catch (error) {
    return (error as { code?: string }).code ?? `no code: ${String(error)}`;
  }
  return undefined;
}

export const float32Arb = (min: number, max: number) =>
  fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });
export const gammaArb = fc.constantFrom(0, 0.5, 1, 1.5, 2, 5);
export const reductionArb = fc.constantFrom('none' as const, 'mean' as const, 'sum' as const);
export const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Deterministic values for a given size (fast-check picks the seed). */
export function seededFloats(seed: number, n: number, min: number, max: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = min + ((max - min) * s) / 2 ** 32;
  }
  return out;
}
