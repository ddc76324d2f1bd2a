import { describe, expect, it } from 'vitest';
import { FocalLossError, isFocalLossError } from './errors.js';
import { SIGMOID_DEFAULTS, SOFTMAX_DEFAULTS, classWeights, resolveSigmoidOptions, resolveSoftmaxOptions } from './options.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(isFocalLossError(error)).toBe(true);
    return (error as FocalLossError).code;
  }
  return undefined;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a throw');
}

describe('resolveSigmoidOptions', () => {
  it('fills the contract defaults', () => {
    expect(resolveSigmoidOptions()).toEqual({
      gamma: 2,
      alpha: 0.25,
      reduction: 'mean',
      fromLogits: true,
      eps: 1e-7,
      labelSmoothing: 0,
      normalizer: null,
      polyEpsilon: 0,
      preset: null,
      posWeight: 1,
      ignoreIndex: null,
      axis: -1,
    });
    expect(resolveSigmoidOptions({ gamma: undefined })).toEqual(SIGMOID_DEFAULTS);
  });

  it('keeps given values, alpha null included', () => {
    const o = resolveSigmoidOptions({ gamma: 0.5, alpha: null, reduction: 'mean', fromLogits: false, eps: 1e-3, labelSmoothing: 0.1, normalizer: 7 });
    expect(o).toMatchObject({ gamma: 0.5, alpha: null, reduction: 'mean', fromLogits: false, eps: 1e-3, labelSmoothing: 0.1, normalizer: 7 });
  });

  it.each([
    [{ gamma: -0.1 }, 'gamma'],
    [{ gamma: '2' }, 'gamma'],
    [{ gamma: Number.NaN }, 'gamma'],
    [{ gamma: Infinity }, 'gamma'],
    [{ alpha: 1.5 }, 'alpha'],
    [{ alpha: -0.01 }, 'alpha'],
    [{ alpha: [0.25, 0.75] }, 'alpha'],
    [{ reduction: 'avg' }, 'reduction'],
    [{ fromLogits: 'yes' }, 'fromLogits'],
    [{ eps: 0 }, 'eps'],
    [{ eps: 0.5 }, 'eps'],
    [{ labelSmoothing: 1 }, 'labelSmoothing'],
    [{ labelSmoothing: -0.1 }, 'labelSmoothing'],
    [{ normalizer: 0 }, 'normalizer'],
    [{ normalizer: -3 }, 'normalizer'],
    [{ axis: 1.5 }, 'axis'], // since issue 14 an integer option of sigmoid; without effect: presets.test.ts
    [{ gama: 2 }, 'gama'],
  ])('rejects %j with INVALID_OPTION naming %s', (options, name) => {
    expect(codeOf(() => resolveSigmoidOptions(options))).toBe('INVALID_OPTION');
    expect(messageOf(() => resolveSigmoidOptions(options))).toContain(`"${name}"`);
  });

  it('names the bad value in the message', () => {
    expect(messageOf(() => resolveSigmoidOptions({ gamma: -2 }))).toBe(
      'INVALID_OPTION: option "gamma" must be a finite number >= 0, got -2',
    );
  });

  it('rejects a non-object', () => {
    expect(codeOf(() => resolveSigmoidOptions(3))).toBe('INVALID_OPTION');
  });
});

describe('resolveSoftmaxOptions', () => {
  it('fills the contract defaults', () => {
    expect(resolveSoftmaxOptions({})).toEqual(SOFTMAX_DEFAULTS);
    expect(SOFTMAX_DEFAULTS).toMatchObject({ alpha: 0.25, axis: -1, ignoreIndex: null });
  });

  it('accepts per-class alpha, axis and ignoreIndex', () => {
    const o = resolveSoftmaxOptions({ alpha: [0.1, 0.2, 0.7], axis: 1, ignoreIndex: -100 });
    expect(o.alpha).toEqual([0.1, 0.2, 0.7]);
    expect(o.axis).toBe(1);
    expect(o.ignoreIndex).toBe(-100);
  });

  it.each([
    [{ alpha: [0.1, 1.2] }, 'alpha[1]'],
    [{ alpha: 'x' }, 'alpha'],
    [{ axis: 1.5 }, 'axis'],
    [{ axis: null }, 'axis'],
    [{ ignoreIndex: 0.5 }, 'ignoreIndex'],
    [{ weight: [1] }, 'weight'],
  ])('rejects %j with INVALID_OPTION naming %s', (options, name) => {
    expect(codeOf(() => resolveSoftmaxOptions(options))).toBe('INVALID_OPTION');
    expect(messageOf(() => resolveSoftmaxOptions(options))).toContain(`"${name}"`);
  });
});

describe('classWeights', () => {
  it('repeats a scalar, copies an array, or gives ones', () => {
    expect([...classWeights(0.25, 3)]).toEqual([0.25, 0.25, 0.25]);
    expect([...classWeights([0.1, 0.9], 2)]).toEqual([0.1, 0.9]);
    expect([...classWeights(null, 2)]).toEqual([1, 1]);
  });
});
