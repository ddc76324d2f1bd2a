/** Turning fixture tensors into typed arrays, shared by the adapters. Browser-safe. */
import type { Fixture, FixtureTensor } from '../adapter.js';

/** True when every value of the tensor is exactly representable in float32. */
export function isFloat32Exact(tensor: FixtureTensor): boolean {
  return tensor.data.every((v) => Number.isNaN(v) || Math.fround(v) === v);
}

/**
 * Float ops take float inputs: an int32 `input` or `weight` is a skip, not a silent conversion,
 * except in an error fixture, where it reaches the library as int32 (`tensorArray`) and the library
 * must refuse it (contract 1.1: a wrong dtype is INVALID_OPTION naming it).
 */
export function floatInputSupport(fixture: Fixture): true | string {
  if (fixture.expected.kind === 'error') return true;
  for (const name of ['input', 'weight'] as const) {
    if (fixture.inputs[name]?.dtype === 'int32') return `inputs.${name} is int32; the losses take float inputs`;
  }
  return true;
}

/**
 * The reason a float32 adapter cannot run a fixture faithfully, or true: a float64 tensor whose
 * values float32 cannot hold would be rounded before the call, so the comparison would be unfair.
 */
export function float32Support(fixture: Fixture): true | string {
  for (const [name, tensor] of Object.entries(fixture.inputs)) {
    if (tensor !== undefined && tensor.dtype === 'float64' && !isFloat32Exact(tensor)) {
      return `inputs.${name} is float64 with values float32 cannot represent; this adapter computes in float32`;
    }
  }
  return true;
}

export function floatArray(tensor: FixtureTensor, precision: 'float32' | 'float64'): Float32Array | Float64Array {
  return precision === 'float32' ? Float32Array.from(tensor.data) : Float64Array.from(tensor.data);
}

/** Any fixture tensor in the adapter's precision: int32 stays an Int32Array (never converted). */
export function tensorArray(tensor: FixtureTensor, precision: 'float32' | 'float64'): Int32Array | Float32Array | Float64Array {
  return tensor.dtype === 'int32' ? Int32Array.from(tensor.data) : floatArray(tensor, precision);
}

/** Whether the fixture expects a gradient, or is an error fixture (then ask for everything). */
export function wantsGradient(fixture: Fixture): boolean {
  return fixture.expected.kind === 'error' || fixture.expected.gradInput !== undefined;
}

/** The two focal ops every adapter implements; the focal-loss family (issue 15) is typed-array only so far. */
const FOCAL_OPS: readonly string[] = ['sigmoid_focal_loss', 'softmax_focal_loss'];

/** true for sigmoid/softmax focal fixtures, else the reason an adapter without the family skips it. */
export function focalOpSupport(fixture: Fixture): true | string {
  return FOCAL_OPS.includes(fixture.op) ? true : `op ${fixture.op} is not implemented by this adapter yet (issue 15)`;
}
