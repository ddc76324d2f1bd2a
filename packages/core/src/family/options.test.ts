import { describe, expect, it } from 'vitest';
import { FocalLossError } from '../errors.js';
import { FAMILY_DEFAULTS, FAMILY_OPS, FAMILY_OPTION_NAMES, resolveFamilyOptions, splitFamilyCallOptions } from './options.js';
import { checkFamilyTargets, planFamilyCall } from './plan.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FocalLossError);
    return (error as FocalLossError).code;
  }
  return undefined;
}

describe('family options', () => {
  it('defaults follow the reference implementations (reduction "mean" everywhere)', () => {
    expect(resolveFamilyOptions('sigmoid_focal_loss_star')).toEqual({ reduction: 'mean', normalizer: null, gamma: 1, beta: 0, alpha: null });
    expect(resolveFamilyOptions('quality_focal_loss', {})).toEqual({ reduction: 'mean', normalizer: null, beta: 2 });
    expect(resolveFamilyOptions('varifocal_loss')).toEqual({ reduction: 'mean', normalizer: null, alpha: 0.75, gamma: 2, iouWeighted: true });
    expect(resolveFamilyOptions('asymmetric_loss')).toEqual({ reduction: 'mean', normalizer: null, gammaPos: 1, gammaNeg: 4, clip: 0.05 });
    for (const op of FAMILY_OPS) expect(FAMILY_OPTION_NAMES[op]).toEqual(Object.keys(FAMILY_DEFAULTS[op]));
  });

  it('undefined means "not given"', () => {
    expect(resolveFamilyOptions('quality_focal_loss', { beta: undefined }).beta).toBe(2);
  });

  it.each([
    ['sigmoid_focal_loss_star', { gamma: 0 }],
    ['sigmoid_focal_loss_star', { gamma: Infinity }],
    ['sigmoid_focal_loss_star', { beta: '1' }],
    ['sigmoid_focal_loss_star', { alpha: 1.5 }],
    ['sigmoid_focal_loss_star', { labelSmoothing: 0.1 }],
    ['quality_focal_loss', { beta: -1 }],
    ['quality_focal_loss', { gamma: 2 }],
    ['varifocal_loss', { alpha: -0.1 }],
    ['varifocal_loss', { iouWeighted: 'true' }],
    ['asymmetric_loss', { clip: 1 }],
    ['asymmetric_loss', { gammaNeg: null }],
    ['asymmetric_loss', { reduction: 'max' }],
    ['asymmetric_loss', { reduction: 'sum', normalizer: 2 }],
    ['varifocal_loss', { normalizer: 0 }],
  ] as const)('%s %j is INVALID_OPTION', (op, options) => {
    expect(code(() => resolveFamilyOptions(op, options))).toBe('INVALID_OPTION');
  });

  it('the options argument must be a plain object or absent', () => {
    for (const bad of [null, 5, true, [], () => 1, new Map()]) {
      expect(code(() => splitFamilyCallOptions(bad, 'varifocal_loss', ['weight']))).toBe('INVALID_OPTION');
    }
    expect(splitFamilyCallOptions({ weight: 1, alpha: 0.5 }, 'varifocal_loss', ['weight'])).toEqual({
      adapter: { weight: 1 },
      loss: { alpha: 0.5 },
    });
  });
});

describe('family call plan', () => {
  const f32 = (shape: number[]) => ({ dtype: 'float32', shape, length: shape.reduce((a, b) => a * b, 1) });
  it('checks options, then dtypes, then shapes, and scales a mean', () => {
    const plan = planFamilyCall('varifocal_loss', {}, { input: f32([2, 3]), target: f32([2, 3]), weight: null }, ['float32']);
    expect(plan.scale).toBe(1 / 6);
    expect(plan.outputShape).toEqual([]);
    expect(plan.targetKind).toBe('float');
    // several faults: the option wins, then the dtype
    const both = { input: { dtype: 'Uint8Array', shape: [2] }, target: f32([3]), weight: null };
    expect(code(() => planFamilyCall('varifocal_loss', { alpha: -1 }, both, ['float32']))).toBe('INVALID_OPTION');
    expect(code(() => planFamilyCall('varifocal_loss', {}, { ...both, input: f32([2]) }, ['float32']))).toBe('SHAPE_MISMATCH');
    const ints = planFamilyCall('asymmetric_loss', { reduction: 'none' }, { input: f32([2]), target: { dtype: 'int32', shape: [2] }, weight: null }, ['float32']);
    expect(ints.targetKind).toBe('binary');
    expect(ints.outputShape).toEqual([2]);
  });

  it('targets: [0, 1] floats, 0/1 labels for asymmetric_loss', () => {
    expect(code(() => checkFamilyTargets('quality_focal_loss', 'float', [0, 0.5, 1]))).toBeUndefined();
    expect(code(() => checkFamilyTargets('quality_focal_loss', 'float', [NaN]))).toBe('INVALID_TARGET');
    expect(code(() => checkFamilyTargets('asymmetric_loss', 'float', [0, 1, 0.5]))).toBe('INVALID_TARGET');
    expect(code(() => checkFamilyTargets('varifocal_loss', 'binary', [0, 2]))).toBe('INVALID_TARGET');
  });
});
