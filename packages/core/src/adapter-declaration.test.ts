import { describe, expect, it } from 'vitest';
import { EXTENSION_OPTIONS, extensionOptionsGiven, requireImplemented, type AdapterDeclaration } from './adapter-declaration.js';
import { isFocalLossError } from './errors.js';
import { resolveSigmoidOptions, resolveSoftmaxOptions, SIGMOID_OPTION_NAMES, SOFTMAX_OPTION_NAMES } from './options.js';
import { planSigmoidCall, planSoftmaxCall, type TensorInfo } from './plan.js';

function errorOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (error) {
    expect(isFocalLossError(error), String(error)).toBe(true);
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  return { code: 'no error', message: '' };
}

const f32 = (shape: number[]): TensorInfo => ({ dtype: 'float32', shape, length: shape.reduce((a, b) => a * b, 1) });
const sigmoidTensors = { input: f32([2, 3]), target: f32([2, 3]), weight: null };
const softmaxTensors = { input: f32([2, 3]), target: { dtype: 'int32', shape: [2], length: 2 }, weight: null };
const FLOATS = ['float32'];
const POLY: AdapterDeclaration = { adapter: '@focal-loss/test-adapter', implements: ['polyEpsilon'] };

describe('option polyEpsilon', () => {
  it('is an option of both ops, default 0', () => {
    expect(SIGMOID_OPTION_NAMES).toContain('polyEpsilon');
    expect(SOFTMAX_OPTION_NAMES).toContain('polyEpsilon');
    expect(resolveSigmoidOptions({}).polyEpsilon).toBe(0);
    expect(resolveSoftmaxOptions({ polyEpsilon: -1 }).polyEpsilon).toBe(-1);
    expect(Object.is(resolveSigmoidOptions({ polyEpsilon: -0 }).polyEpsilon, 0)).toBe(true);
  });

  it.each([[NaN], ['1'], [-2], [-1.0000001], [Infinity], [-Infinity], [null], [true], [[1]]])(
    'rejects %o with INVALID_OPTION naming the value',
    (value) => {
      for (const resolve of [resolveSigmoidOptions, resolveSoftmaxOptions]) {
        const e = errorOf(() => resolve({ polyEpsilon: value }));
        expect(e.code).toBe('INVALID_OPTION');
        expect(e.message).toMatch(/polyEpsilon.*finite number >= -1/);
      }
    },
  );
});

describe('options beyond the 1.1 base are declared by the adapter', () => {
  it('a non-default polyEpsilon without a declaration is INVALID_OPTION naming option and adapter', () => {
    for (const declaration of [undefined, { adapter: '@focal-loss/tfjs', implements: [] }]) {
      const s = errorOf(() => planSigmoidCall({ polyEpsilon: 1 }, sigmoidTensors, FLOATS, declaration));
      expect(s.code).toBe('INVALID_OPTION');
      expect(s.message).toContain('polyEpsilon is not implemented by');
      if (declaration) expect(s.message).toContain('@focal-loss/tfjs');
      const m = errorOf(() => planSoftmaxCall({ polyEpsilon: -1 }, softmaxTensors, FLOATS, declaration));
      expect(m.code).toBe('INVALID_OPTION');
      expect(m.message).toContain('polyEpsilon is not implemented by');
    }
  });

  it('the default value (0, -0, absent) needs no declaration; a declaration allows any valid value', () => {
    for (const value of [0, -0, undefined]) {
      expect(planSigmoidCall({ polyEpsilon: value }, sigmoidTensors, FLOATS).options.polyEpsilon).toBe(0);
      expect(planSoftmaxCall({ polyEpsilon: value }, softmaxTensors, FLOATS).options.polyEpsilon).toBe(0);
    }
    expect(planSigmoidCall({ polyEpsilon: 2 }, sigmoidTensors, FLOATS, POLY).options.polyEpsilon).toBe(2);
    expect(planSoftmaxCall({ polyEpsilon: -1 }, softmaxTensors, FLOATS, POLY).options.polyEpsilon).toBe(-1);
  });

  it('keeps the order of checks: invalid values first, then the declaration, then dtypes and shapes', () => {
    // an invalid value is named as such even where the option is not declared
    expect(errorOf(() => planSigmoidCall({ polyEpsilon: NaN }, sigmoidTensors, FLOATS)).message).toMatch(/must be a finite number/);
    // an undeclared option (step 2) comes before a bad dtype (step 4) and a shape mismatch (step 5)
    const badDtype = { ...sigmoidTensors, input: { dtype: 'Uint8Array', shape: [2, 3], length: 6 } };
    expect(errorOf(() => planSigmoidCall({ polyEpsilon: 1 }, badDtype, FLOATS)).message).toContain('not implemented');
    const badShape = { ...softmaxTensors, target: { dtype: 'int32', shape: [3], length: 3 } };
    expect(errorOf(() => planSoftmaxCall({ polyEpsilon: 1 }, badShape, FLOATS)).code).toBe('INVALID_OPTION');
    expect(errorOf(() => planSoftmaxCall({ polyEpsilon: 1 }, badShape, FLOATS, POLY)).code).toBe('SHAPE_MISMATCH');
    // other loss options are still checked first (unknown names, alpha)
    expect(errorOf(() => planSigmoidCall({ polyEpsilon: 1, alpha: 2 }, sigmoidTensors, FLOATS)).message).toContain('alpha');
  });

  it('requireImplemented names the feature and what the adapter does implement', () => {
    expect(() => requireImplemented('polyEpsilon', POLY)).not.toThrow();
    const e = errorOf(() => requireImplemented('posWeight', POLY));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toBe(
      "INVALID_OPTION: posWeight is not implemented by @focal-loss/test-adapter yet (it implements the contract's 1.1 base and polyEpsilon)",
    );
  });

  it('extensionOptionsGiven lists raw options with a value other than the default (for skipping)', () => {
    expect(EXTENSION_OPTIONS.sigmoid_focal_loss.map((r) => r.name)).toEqual(['polyEpsilon', 'preset', 'posWeight', 'ignoreIndex']);
    expect(extensionOptionsGiven('sigmoid_focal_loss', { polyEpsilon: 0, gamma: 1 })).toEqual([]);
    expect(extensionOptionsGiven('sigmoid_focal_loss', {})).toEqual([]);
    expect(extensionOptionsGiven('softmax_focal_loss', { polyEpsilon: 2 })).toEqual(['polyEpsilon']);
    expect(extensionOptionsGiven('softmax_focal_loss', { polyEpsilon: 'NaN' })).toEqual(['polyEpsilon']);
  });
});
