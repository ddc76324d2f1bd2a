/** Turning fixture tensors into typed arrays, shared by the adapters. Browser-safe. */
import { SIGMOID_CLASS_INDEX_TARGETS, extensionOptionsGiven } from '@focal-loss/core';
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

/** The issue that brought each option (or feature) beyond the contract's 1.1 base, for skip reasons. */
const EXTENSION_ISSUES: Readonly<Record<string, number>> = {
  polyEpsilon: 15,
  preset: 14,
  posWeight: 14,
  ignoreIndex: 14,
  normalizeProbabilities: 14,
  [SIGMOID_CLASS_INDEX_TARGETS]: 14,
};

/**
 * The options and features beyond the 1.1 base that a fixture uses: options given with a value
 * other than the default (core's extensionOptionsGiven, so an invalid value counts too), and
 * sigmoid int32 class-index targets (a target of rank input rank - 1).
 */
export function extensionsUsed(fixture: Fixture): string[] {
  if (fixture.op !== 'sigmoid_focal_loss' && fixture.op !== 'softmax_focal_loss') return [];
  const used = extensionOptionsGiven(fixture.op, fixture.options);
  const { input, target } = fixture.inputs;
  if (fixture.op === 'sigmoid_focal_loss' && target.dtype === 'int32' && target.shape.length === input.shape.length - 1) {
    used.push(SIGMOID_CLASS_INDEX_TARGETS);
  }
  return used;
}

/**
 * true when the adapter declares every option beyond the 1.1 base that the fixture uses (pass the
 * same `implements` list the adapter gives core's plans), else the skip reason, e.g.
 * "option polyEpsilon is not implemented by this adapter yet (issue 15)". So a fixture of an option
 * an adapter has not implemented is a visible skip, never a silent pass or a failure.
 */
export function declaredOptionSupport(fixture: Fixture, implemented: readonly string[]): true | string {
  const missing = extensionsUsed(fixture).filter((name) => !implemented.includes(name));
  if (missing.length === 0) return true;
  const issues = [...new Set(missing.map((name) => EXTENSION_ISSUES[name]).filter((n) => n !== undefined))];
  const issueText = issues.length === 0 ? '' : ` (issue ${issues.join(', ')})`;
  return `${missing.length === 1 ? 'option' : 'options'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not implemented by this adapter yet${issueText}`;
}

/**
 * The IEEE binary16 bits of float16 fixture values (exactly representable: the loader checked), as a
 * Uint16Array: how half-precision data reaches a library in practice (issue 14).
 */
export function float16Bits(values: readonly number[]): Uint16Array {
  const bits = new Uint16Array(values.length);
  values.forEach((v, i) => {
    const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
    const a = Math.abs(v);
    let b: number;
    if (Number.isNaN(v)) b = 0x7e00;
    else if (a === Infinity) b = 0x7c00;
    else if (a < 2 ** -14) b = Math.round(a * 2 ** 24); // subnormal (or 0)
    else {
      let e = Math.floor(Math.log2(a));
      if (2 ** e > a) e -= 1; // log2's rounding at exact powers of two
      if (2 ** (e + 1) <= a) e += 1;
      b = ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
    }
    bits[i] = sign | b;
  });
  return bits;
}
