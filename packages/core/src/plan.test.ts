import { describe, expect, it } from 'vitest';
import { describeValue, isFocalLossError } from './errors.js';
import { readBooleanOption, resolveSigmoidOptions, resolveSoftmaxOptions, splitCallOptions } from './options.js';
import { planSigmoidCall, planSoftmaxCall, type TensorInfo } from './plan.js';
import { MAX_ELEMENTS, shapeSize } from './shapes.js';
import { checkBinaryTargets } from './targets.js';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    expect(isFocalLossError(error), String(error)).toBe(true);
    return (error as { code: string }).code;
  }
  return 'no error';
}
function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

const f32 = (shape: unknown, length?: number): TensorInfo => ({ dtype: 'float32', shape, length });
const i32 = (shape: unknown, length?: number): TensorInfo => ({ dtype: 'int32', shape, length });
const FLOATS = ['float32', 'float64'];

describe('contract 1.1: the options argument', () => {
  it.each([[5], [true], [null], [[]], [() => 1], [new Map()], [new (class Options {})()], ['mean']])(
    'rejects %o as the options argument with INVALID_OPTION',
    (options) => {
      expect(codeOf(() => splitCallOptions(options, 'sigmoid_focal_loss', ['weight']))).toBe('INVALID_OPTION');
      expect(codeOf(() => resolveSoftmaxOptions(options))).toBe('INVALID_OPTION');
    },
  );

  it('splits adapter keys from loss options; absent options are empty', () => {
    expect(splitCallOptions(undefined, 'softmax_focal_loss', ['weight'])).toEqual({ adapter: {}, loss: {} });
    expect(splitCallOptions({ gamma: 1, weight: 2, out: 3 }, 'softmax_focal_loss', ['weight'])).toEqual({
      adapter: { weight: 2 },
      loss: { gamma: 1, out: 3 },
    });
    expect(splitCallOptions(Object.create(null), 'sigmoid_focal_loss', [])).toEqual({ adapter: {}, loss: {} });
  });

  it('boolean adapter options are booleans ("false" is not false)', () => {
    expect(readBooleanOption('gradient', undefined, false)).toBe(false);
    expect(readBooleanOption('gradient', true, false)).toBe(true);
    expect(messageOf(() => readBooleanOption('gradient', 'false', false))).toBe(
      'INVALID_OPTION: option "gradient" must be a boolean, got "false"',
    );
  });
});

describe('contract 1.1: stricter options', () => {
  it.each([4294967297, 2 ** 31, -(2 ** 31) - 1, 1.5, '3', Infinity])('ignoreIndex %s is INVALID_OPTION', (ignoreIndex) => {
    expect(messageOf(() => resolveSoftmaxOptions({ ignoreIndex }))).toMatch(/^INVALID_OPTION: option "ignoreIndex" must be an integer in \[-2147483648, 2147483647\]/);
  });

  it('ignoreIndex at the int32 limits is accepted', () => {
    expect(resolveSoftmaxOptions({ ignoreIndex: 2 ** 31 - 1 }).ignoreIndex).toBe(2 ** 31 - 1);
    expect(resolveSoftmaxOptions({ ignoreIndex: -(2 ** 31) }).ignoreIndex).toBe(-(2 ** 31));
  });

  it('an alpha array with a hole or a non-number names the entry', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(messageOf(() => resolveSoftmaxOptions({ alpha: [, 0.5, 0.5] }))).toBe(
      'INVALID_OPTION: option "alpha[0]" must be a number in [0, 1] (the array has a hole there), got [<hole>, 0.5, 0.5]',
    );
    expect(messageOf(() => resolveSoftmaxOptions({ alpha: [0.5, '0.5'] }))).toBe(
      'INVALID_OPTION: option "alpha[1]" must be a number in [0, 1], got "0.5"',
    );
  });

  it('normalizer is only allowed with reduction "mean"', () => {
    expect(codeOf(() => resolveSigmoidOptions({ normalizer: 3, reduction: 'sum' }))).toBe('INVALID_OPTION');
    expect(codeOf(() => resolveSoftmaxOptions({ normalizer: 3, reduction: 'none' }))).toBe('INVALID_OPTION');
    expect(resolveSigmoidOptions({ normalizer: 3 }).normalizer).toBe(3);
    expect(resolveSigmoidOptions({ normalizer: null, reduction: 'sum' }).normalizer).toBe(null);
  });

  it('eps is only allowed with fromLogits false', () => {
    expect(messageOf(() => resolveSigmoidOptions({ eps: 1e-4 }))).toBe(
      'INVALID_OPTION: option "eps" must be left out with fromLogits: true (it only clips probabilities), got 0.0001',
    );
    expect(resolveSigmoidOptions({ eps: 1e-4, fromLogits: false }).eps).toBe(1e-4);
    expect(resolveSigmoidOptions({ eps: undefined }).eps).toBe(1e-7);
  });
});

describe('contract 1.1: describeValue never throws and stays short', () => {
  it('renders a 1e5-deep array and object without recursing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(describeValue(deep)).toBe('[[[… (1 items)]]]');
    let object: unknown = 1;
    for (let i = 0; i < 100_000; i++) object = { a: object };
    expect(describeValue(object)).toBe('{"a": {"a": {…}}}');
    expect(codeOf(() => resolveSoftmaxOptions({ alpha: deep }))).toBe('INVALID_OPTION');
  });

  it('bounds long values and names class instances by kind', () => {
    expect(describeValue('x'.repeat(1000)).length).toBeLessThanOrEqual(160);
    expect(describeValue(new Array(1e6).fill(0))).toBe('[0, 0, 0, 0, 0, 0, 0, 0, … (1000000 items)]');
    expect(describeValue(new Map())).toBe('Map');
    expect(describeValue(new Float32Array(3))).toBe('Float32Array(3)');
    expect(describeValue(10n)).toBe('10n');
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no'); } });
    expect(describeValue(hostile)).toBe('[object Object]');
  });
});

describe('contract 1.1: shapes and sizes', () => {
  it('a shape must be a dense array of non-negative integers', () => {
    expect(codeOf(() => shapeSize('3' as never))).toBe('SHAPE_MISMATCH');
    // eslint-disable-next-line no-sparse-arrays
    expect(messageOf(() => shapeSize([2, , 3] as never, 'input shape'))).toBe(
      'SHAPE_MISMATCH: input shape [2, <hole>, 3] has a dimension that is not a non-negative integer at index 1: <hole>',
    );
    expect(codeOf(() => shapeSize([2, '3'] as never))).toBe('SHAPE_MISMATCH');
  });

  it('more than 2^31 - 1 elements is SHAPE_MISMATCH, unless a dimension is 0', () => {
    expect(shapeSize([2 ** 31 - 1])).toBe(MAX_ELEMENTS);
    expect(codeOf(() => shapeSize([2 ** 16, 2 ** 15]))).toBe('SHAPE_MISMATCH');
    expect(shapeSize([2 ** 40, 2 ** 40, 0])).toBe(0);
  });

  it('a zero class axis with 2^40 positions is SHAPE_MISMATCH (the unreduced loss is too large)', () => {
    const shape = [2 ** 20, 0, 2 ** 20];
    expect(
      messageOf(() => planSoftmaxCall({ axis: 1 }, { input: f32(shape, 0), target: f32(shape, 0), weight: null }, FLOATS)),
    ).toMatch(/^SHAPE_MISMATCH: loss shape \(input shape without the class axis\) \[1048576, 1048576\] has more than 2147483647/);
  });
});

describe('contract 1.1: call plans', () => {
  it('sigmoid takes int32 and bool 0/1 targets', () => {
    const plan = planSigmoidCall({}, { input: f32([2], 2), target: i32([2], 2), weight: null }, FLOATS);
    expect(plan.targetKind).toBe('binary');
    expect(planSigmoidCall({}, { input: f32([2]), target: { dtype: 'bool', shape: [2] }, weight: null }, ['float32']).targetKind).toBe('binary');
    expect(() => checkBinaryTargets(Int32Array.from([0, 1, 1]))).not.toThrow();
    expect(messageOf(() => checkBinaryTargets(Int32Array.from([0, 2])))).toBe(
      'INVALID_TARGET: target[1] = 2 is not 0 or 1 (integer sigmoid targets are binary labels)',
    );
  });

  it('names the received dtype', () => {
    expect(messageOf(() => planSigmoidCall({}, { input: i32([2]), target: f32([2]), weight: null }, ['float32']))).toBe(
      'INVALID_OPTION: input must have dtype float32, got "int32"',
    );
    expect(
      messageOf(() => planSoftmaxCall({}, { input: f32([2, 3]), target: { dtype: 'Uint8Array', shape: [2] }, weight: null }, FLOATS)),
    ).toBe(
      'INVALID_OPTION: softmax_focal_loss target must have dtype int32, float32 or float64 (int32 for class indices, float for per-class probabilities), got "Uint8Array"',
    );
  });

  it('checks in one order: options, dtypes, shapes, then option-vs-tensor rules', () => {
    const badShape = { input: f32([2, 3], 6), target: i32([3], 3), weight: null };
    // a bad option wins over a bad shape, a bad dtype over a bad shape
    expect(codeOf(() => planSoftmaxCall({ gamma: -1 }, badShape, FLOATS))).toBe('INVALID_OPTION');
    expect(codeOf(() => planSoftmaxCall({}, { ...badShape, input: i32([2, 3], 6) }, FLOATS))).toBe('INVALID_OPTION');
    expect(codeOf(() => planSoftmaxCall({}, badShape, FLOATS))).toBe('SHAPE_MISMATCH');
    // a shape whose data length disagrees
    expect(codeOf(() => planSigmoidCall({}, { input: f32([2, 3], 5), target: f32([2, 3], 6), weight: null }, FLOATS))).toBe('SHAPE_MISMATCH');
    // ignoreIndex with probability targets: after the shapes
    const probability = { input: f32([2, 3], 6), target: f32([2, 3], 6), weight: null };
    expect(messageOf(() => planSoftmaxCall({ ignoreIndex: 0 }, probability, FLOATS))).toMatch(
      /^INVALID_OPTION: option "ignoreIndex" must be null with float \(probability\) targets, got 0/,
    );
    expect(codeOf(() => planSoftmaxCall({ ignoreIndex: 0 }, { ...probability, target: f32([3, 3], 9) }, FLOATS))).toBe('SHAPE_MISMATCH');
  });

  it('a float target with the shape of class indices says to cast to int32', () => {
    expect(messageOf(() => planSoftmaxCall({}, { input: f32([4, 3]), target: f32([4]), weight: null }, FLOATS))).toMatch(
      /cast class indices to int32/,
    );
  });

  it('gives the output shape, the kinds and the sigmoid scale', () => {
    const plan = planSoftmaxCall({ axis: 1, ignoreIndex: -100 }, { input: f32([2, 3, 4]), target: i32([2, 4]), weight: f32([2, 4]) }, FLOATS);
    expect([plan.outputShape, plan.targetKind, plan.ignoreIndex, plan.layout.positions]).toEqual([[], 'index', -100, 8]);
    const sigmoid = planSigmoidCall({ reduction: 'none' }, { input: f32([2, 2]), target: f32([2, 2]), weight: null }, FLOATS);
    expect([sigmoid.outputShape, sigmoid.scale]).toEqual([[2, 2], 1]);
    expect(planSigmoidCall({}, { input: f32([4]), target: f32([4]), weight: null }, FLOATS).scale).toBe(0.25);
  });
});
