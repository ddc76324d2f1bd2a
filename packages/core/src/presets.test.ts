/**
 * Presets and the options they need (issue 14): the tables resolve as documented, explicit options win,
 * every new rule has its error code, the new math matches mpmath (values from the generator's
 * cases_presets.py at 50 digits, for float32-exact inputs) and finite differences.
 */
import { describe, expect, it } from 'vitest';
import type { AdapterDeclaration } from './adapter-declaration.js';
import { isFocalLossError, type FocalLossError } from './errors.js';
import { sigmoidFocalLoop } from './fused-sigmoid.js';
import { softmaxFocalLoop } from './fused-softmax.js';
import { resolveSigmoidOptions, resolveSoftmaxOptions } from './options.js';
import { planSigmoidCall, planSoftmaxCall, type CallTensors } from './plan.js';
import { PRESET_NAMES, PRESETS } from './presets.js';
import { checkSigmoidClassIndexTargets, EXPANDED_IGNORED, expandClassIndexTargets } from './sigmoid-classes.js';
import { createElementResult, sigmoidFocalAtInfinity, sigmoidFocalFromLogit, sigmoidFocalFromProbability } from './sigmoid-math.js';
import { softmaxFocalRow } from './softmax-math.js';

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

const ALL: AdapterDeclaration = {
  adapter: 'test',
  implements: ['preset', 'posWeight', 'ignoreIndex', 'normalizeProbabilities', 'sigmoidClassIndexTargets'],
};

function tensors(input: number[], target: number[], targetDtype = 'float32', weight: number[] | null = null): CallTensors {
  return {
    input: { dtype: 'float32', shape: input },
    target: { dtype: targetDtype, shape: target },
    weight: weight === null ? null : { dtype: 'float32', shape: weight },
  };
}

function closeTo(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected) + 1e-300);
}

describe('preset tables', () => {
  it('no preset keeps the contract defaults; each preset sets its library defaults', () => {
    expect(resolveSigmoidOptions({}).reduction).toBe('mean');
    expect(resolveSigmoidOptions({ preset: 'torchvision' })).toMatchObject({ alpha: 0.25, gamma: 2, reduction: 'none', preset: 'torchvision' });
    expect(resolveSigmoidOptions({ preset: 'keras' })).toMatchObject({ alpha: null, fromLogits: false, eps: 1e-7, reduction: 'mean' });
    expect(resolveSigmoidOptions({ preset: 'detectron2' })).toMatchObject({ alpha: 0.25, reduction: 'sum', ignoreIndex: -1 });
    expect(resolveSigmoidOptions({ preset: 'kornia' })).toMatchObject({ reduction: 'none', ignoreIndex: -100, axis: 1 });
    expect(resolveSigmoidOptions({ preset: 'optax' })).toMatchObject({ alpha: null, gamma: 2, reduction: 'none' });
    expect(resolveSoftmaxOptions({ preset: 'keras' })).toMatchObject({ fromLogits: false, normalizeProbabilities: true, alpha: 0.25 });
    expect(resolveSoftmaxOptions({ preset: 'mmdet' })).toMatchObject({ alpha: 0.25, gamma: 2, reduction: 'mean' });
    expect(PRESET_NAMES).toEqual(['torchvision', 'keras', 'mmdet', 'detectron2', 'kornia', 'optax']);
  });

  it('explicit options win over the preset', () => {
    expect(resolveSigmoidOptions({ preset: 'torchvision', reduction: 'sum', alpha: null })).toMatchObject({ reduction: 'sum', alpha: null });
    expect(resolveSoftmaxOptions({ preset: 'keras', normalizeProbabilities: false }).normalizeProbabilities).toBe(false);
  });

  it("a preset's defaults are not explicit options: keras' eps and row normalisation do nothing to logits", () => {
    const o = resolveSoftmaxOptions({ preset: 'keras', fromLogits: true });
    expect([o.fromLogits, o.normalizeProbabilities]).toEqual([true, false]);
    expect(resolveSigmoidOptions({ preset: 'keras', fromLogits: true }).fromLogits).toBe(true);
    // the caller's own eps or normalisation with logits stays an option without effect
    expect(codeOf(() => resolveSoftmaxOptions({ preset: 'keras', fromLogits: true, normalizeProbabilities: true }))).toBe('INVALID_OPTION');
    expect(codeOf(() => resolveSoftmaxOptions({ normalizeProbabilities: true }))).toBe('INVALID_OPTION');
  });

  it('refuses unknown names, null, non-strings and presets without the op', () => {
    for (const preset of ['pytorch', null, 1, 'Keras', '__proto__', 'toString']) {
      expect(codeOf(() => resolveSigmoidOptions({ preset }))).toBe('INVALID_OPTION');
    }
    for (const preset of ['torchvision', 'detectron2', 'optax']) {
      expect(PRESETS[preset as 'optax'].softmax_focal_loss).toBeNull();
      expect(messageOf(() => resolveSoftmaxOptions({ preset }))).toContain('has no softmax_focal_loss');
    }
  });

  it("a preset's ignoreIndex does not apply to probability targets; the caller's is an error there", () => {
    const plan = planSoftmaxCall({ preset: 'kornia' }, tensors([2, 3, 2], [2, 3, 2]), ['float32'], ALL);
    expect(plan.ignoreIndex).toBeNull();
    expect(codeOf(() => planSoftmaxCall({ ignoreIndex: -100 }, tensors([2, 3], [2, 3]), ['float32'], ALL))).toBe('INVALID_OPTION');
  });
});

describe('validation of the new options (contract codes and order)', () => {
  const cases: [string, () => unknown, string][] = [
    ['posWeight < 0', () => resolveSigmoidOptions({ posWeight: -1 }), 'INVALID_OPTION'],
    ['posWeight NaN', () => resolveSigmoidOptions({ posWeight: NaN }), 'INVALID_OPTION'],
    ['posWeight string', () => resolveSigmoidOptions({ posWeight: '2' }), 'INVALID_OPTION'],
    // eslint-disable-next-line no-sparse-arrays
    ['posWeight with a hole', () => resolveSigmoidOptions({ posWeight: [1, , 2] }), 'INVALID_OPTION'],
    ['posWeight on softmax', () => resolveSoftmaxOptions({ posWeight: 2 }), 'INVALID_OPTION'],
    ['normalizeProbabilities on sigmoid', () => resolveSigmoidOptions({ normalizeProbabilities: true }), 'INVALID_OPTION'],
    ['normalizeProbabilities not boolean', () => resolveSoftmaxOptions({ normalizeProbabilities: 1, fromLogits: false }), 'INVALID_OPTION'],
    ['sigmoid ignoreIndex 1.5', () => resolveSigmoidOptions({ ignoreIndex: 1.5 }), 'INVALID_OPTION'],
    ['posWeight length', () => planSigmoidCall({ posWeight: [1, 2] }, tensors([2, 3], [2, 3]), ['float32'], ALL), 'SHAPE_MISMATCH'],
    ['posWeight on a scalar', () => planSigmoidCall({ posWeight: [1] }, tensors([], []), ['float32'], ALL), 'SHAPE_MISMATCH'],
    ['class indices, wrong shape', () => planSigmoidCall({}, tensors([2, 3], [3], 'int32'), ['float32'], ALL), 'SHAPE_MISMATCH'],
    ['class indices, axis out of range', () => planSigmoidCall({ axis: 2 }, tensors([2, 3], [2], 'int32'), ['float32'], ALL), 'SHAPE_MISMATCH'],
    ['axis without effect', () => planSigmoidCall({ axis: -1 }, tensors([2, 3], [2, 3]), ['float32'], ALL), 'INVALID_OPTION'],
    ['options before shapes', () => planSigmoidCall({ preset: 'pytorch' }, tensors([2, 3], [3]), ['float32'], ALL), 'INVALID_OPTION'],
  ];
  it.each(cases)('%s', (_name, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });

  it('an adapter that has not declared them refuses them by name', () => {
    expect(messageOf(() => planSigmoidCall({ preset: 'optax' }, tensors([2], [2]), ['float32']))).toContain('preset is not implemented');
    expect(messageOf(() => planSigmoidCall({ posWeight: 2 }, tensors([2], [2]), ['float32']))).toContain('posWeight is not implemented');
    expect(messageOf(() => planSoftmaxCall({ normalizeProbabilities: true, fromLogits: false }, tensors([2, 2], [2], 'int32'), ['float32']))).toContain(
      'normalizeProbabilities is not implemented',
    );
    expect(messageOf(() => planSigmoidCall({}, tensors([2, 3], [2], 'int32'), ['float32']))).toContain('sigmoidClassIndexTargets is not implemented');
    // defaults given explicitly are no extension in effect
    expect(planSigmoidCall({ posWeight: 1, ignoreIndex: null }, tensors([2], [2]), ['float32']).targetKind).toBe('float');
  });

  it('class-index targets: [0, C] or ignoreIndex; C is background; ignored positions expand to EXPANDED_IGNORED', () => {
    const layout = planSigmoidCall({ axis: 1, ignoreIndex: -1 }, tensors([2, 3, 2], [2, 2], 'int32'), ['float32'], ALL).classLayout;
    expect(layout).toEqual({ axis: 1, outer: 2, classes: 3, inner: 2 });
    if (layout === null) throw new Error('no layout');
    const labels = [0, 3, -1, 2];
    expect(checkSigmoidClassIndexTargets(labels, 3, -1)).toBe(9);
    expect([...expandClassIndexTargets(labels, layout, -1)]).toEqual([1, 0, 0, 0, 0, 0, 2, 0, 2, 0, 2, 1]);
    expect(EXPANDED_IGNORED).toBe(2);
    expect(codeOf(() => checkSigmoidClassIndexTargets([4], 3, null))).toBe('INVALID_TARGET');
    expect(codeOf(() => checkSigmoidClassIndexTargets([-1], 3, null))).toBe('INVALID_TARGET');
  });
});

describe('the new math against mpmath (50 digits, generator/cases_presets.py)', () => {
  const out = createElementResult();

  it('posWeight from logits and from probabilities', () => {
    sigmoidFocalFromLogit(0.75, 1, 2, 0.25, 0.75, out, 0, 3);
    closeTo(out.loss, 0.029864402976805395, 1e-14);
    closeTo(out.grad, -0.06533224652159149, 1e-14);
    sigmoidFocalFromLogit(-1.25, Math.fround(0.3), 1.5, 1, 1, out, 0, 2.5);
    closeTo(out.loss, 0.3161806475582174, 1e-13);
    closeTo(out.grad, -0.01924803461384224, 1e-12);
    sigmoidFocalFromProbability(Math.fround(0.3), 1, 2, 0.25, 0.75, 1e-7, out, 0, 2);
    closeTo(out.loss, 0.29497331727769766, 1e-14);
    closeTo(out.grad, -1.6594475272599318, 1e-14);
  });

  it('class-index targets with label C = background, mean over N * C (through the fused loop)', () => {
    const layout = { axis: 1, outer: 2, classes: 3, inner: 1 };
    const target = expandClassIndexTargets([1, 3], layout, null);
    const grad = new Float64Array(6);
    const sum = sigmoidFocalLoop({
      input: [0.5, -1, 2, 0, 1, -0.5], target, weight: null, lossOut: null, gradOut: grad, scale: 1 / 6,
      gamma: 2, alphaPos: 0.25, alphaNeg: 0.75, smoothing: 0, fromLogits: true, eps: 1e-7,
    });
    closeTo(sum / 6, 0.40052180881085275, 1e-14);
    const expected = [0.06576897773432287, -0.0320097801333049, 0.13458921630606024, 0.037285849392498294, 0.0960293403999147, 0.017242124668864302];
    expected.forEach((g, k) => closeTo(grad[k] as number, g, 1e-13));
  });

  it("normalizeProbabilities: Keras' row [0.5, 0.89, 0.6] (sums to 1.99)", () => {
    const grad = new Float64Array(3);
    const loss = softmaxFocalRow(
      [0.5, Math.fround(0.89), Math.fround(0.6)],
      { offset: 0, stride: 1, classes: 3 },
      { probabilities: null, index: 1, smoothing: 0 },
      { gamma: 2, classWeights: [0.25, 0.25, 0.25], fromLogits: false, eps: 1e-7, normalizeProbabilities: true },
      grad,
      1,
      new Float64Array(6),
    );
    closeTo(loss, 0.06146618069382329, 1e-14);
    [0.08836704218039257, -0.10921769670521121, 0.08836704218039257].forEach((g, k) => closeTo(grad[k] as number, g, 1e-13));
  });
});

describe('the new math against finite differences', () => {
  const out = createElementResult();
  const h = 1e-6;

  it('posWeight gradient (logits and probabilities, soft targets, gamma 0.5 and 2)', () => {
    for (const [t, gamma, pw] of [[0.3, 2, 2.5], [1, 0.5, 0.2], [0.7, 2, 0]] as const) {
      for (const x of [-3, -0.4, 0.9, 4]) {
        const f = (v: number): number => (sigmoidFocalFromLogit(v, t, gamma, 0.25, 0.75, out, 0, pw), out.loss);
        const numeric = (f(x + h) - f(x - h)) / (2 * h);
        sigmoidFocalFromLogit(x, t, gamma, 0.25, 0.75, out, 0, pw);
        expect(Math.abs(out.grad - numeric)).toBeLessThan(1e-7);
      }
      for (const p of [0.1, 0.45, 0.8]) {
        const f = (v: number): number => (sigmoidFocalFromProbability(v, t, gamma, 1, 1, 1e-7, out, 0, pw), out.loss);
        const numeric = (f(p + h) - f(p - h)) / (2 * h);
        sigmoidFocalFromProbability(p, t, gamma, 1, 1, 1e-7, out, 0, pw);
        expect(Math.abs(out.grad - numeric)).toBeLessThan(1e-6);
      }
    }
  });

  it('posWeight at infinite logits: the limits (w+ t = 0 makes the -Infinity limit 0)', () => {
    sigmoidFocalAtInfinity(-Infinity, 0.5, 2, 1, 1, out, 0, 3);
    expect([out.loss, out.grad]).toEqual([Infinity, -0.25 * 1.5]);
    sigmoidFocalAtInfinity(-Infinity, 0.5, 2, 1, 1, out, 0, 0);
    expect([out.loss, out.grad]).toEqual([0, -0]);
    // and the finite formula approaches the limit gradient
    sigmoidFocalFromLogit(-60, 0.5, 2, 1, 1, out, 0, 3);
    closeTo(out.grad, -0.375, 1e-12);
  });

  it('normalizeProbabilities gradient through the row sum (with clipping, axis stride, weight scale)', () => {
    const input = [0.2, 9, 0.7, 1e-9, 0.4, 0.3, 0.5, 0.1, 0.9];
    const row = { offset: 1, stride: 3, classes: 3 }; // elements 1, 4, 7
    const params = { gamma: 1.5, classWeights: [0.2, 0.5, 0.3], fromLogits: false, eps: 1e-3, normalizeProbabilities: true };
    const target = { probabilities: [0, 0.2, 0, 0, 0.5, 0, 0, 0.3, 0], index: -1, smoothing: 0.1 };
    const grad = new Float64Array(9);
    softmaxFocalRow(input, row, target, params, grad, 2, new Float64Array(6));
    for (const at of [1, 4, 7]) {
      const f = (v: number): number => {
        const moved = input.slice();
        moved[at] = v;
        return 2 * softmaxFocalRow(moved, row, target, params, null, 1, new Float64Array(6));
      };
      const x = input[at] as number;
      const numeric = (f(x + h) - f(x - h)) / (2 * h);
      expect(Math.abs((grad[at] as number) - numeric)).toBeLessThan(1e-7);
    }
    expect([grad[0], grad[2], grad[3]]).toEqual([0, 0, 0]);
  });

  it('sigmoid ignoreIndex: loss 0, gradient 0, the weight never read', () => {
    const lossOut = new Float64Array(3);
    const gradOut = new Float64Array(3);
    sigmoidFocalLoop({
      input: [NaN, 1, -2], target: [-1, 1, 0], weight: [NaN, 1, 1], lossOut, gradOut, scale: 1,
      gamma: 2, alphaPos: 0.25, alphaNeg: 0.75, smoothing: 0.1, fromLogits: true, eps: 1e-7, ignoreIndex: -1,
    });
    expect([lossOut[0], gradOut[0]]).toEqual([0, 0]);
    expect(Number.isFinite(lossOut[1]) && Number.isFinite(lossOut[2])).toBe(true);
  });

  it('normalizeProbabilities off and posWeight 1 give the earlier numbers bit for bit', () => {
    const input = [0.3, 0.5, 0.2, 0.6, 0.1, 0.3];
    const run = (extra: object): number[] => {
      const grad = new Float64Array(6);
      const loss = softmaxFocalLoop({
        input, target: [1, 0], targetKind: 'index', ignoreIndex: null, weight: null, lossOut: null, gradOut: grad, scale: 0.5,
        outer: 2, classes: 3, inner: 1, gamma: 2, classWeights: [0.25, 0.25, 0.25], smoothing: 0, fromLogits: false, eps: 1e-7, ...extra,
      });
      return [loss, ...grad];
    };
    expect(run({ normalizeProbabilities: false })).toEqual(run({}));
    // these rows sum to 1: normalising keeps the loss; the gradient is projected so that scaling a row
    // changes nothing (sum_j x_j dL/dx_j = 0 per row)
    const normalized = run({ normalizeProbabilities: true });
    closeTo(normalized[0] as number, run({})[0] as number, 1e-15);
    for (const r of [0, 1]) {
      const dot = [0, 1, 2].reduce((acc, c) => acc + (input[3 * r + c] as number) * (normalized[1 + 3 * r + c] as number), 0);
      expect(Math.abs(dot)).toBeLessThan(1e-15);
    }
    sigmoidFocalFromLogit(0.3, 0.6, 2, 0.25, 0.75, out);
    const plain = [out.loss, out.grad];
    sigmoidFocalFromLogit(0.3, 0.6, 2, 0.25, 0.75, out, 0, 1);
    expect([out.loss, out.grad]).toEqual(plain);
  });
});
