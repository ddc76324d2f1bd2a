import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FloatArray, FocalLossResult, TensorView } from '../types.js';
import { closeTo, numericGradient, reductionArb, shapeArb, thrownCode } from '../test-helpers.js';
import { distributionFocalLoss } from './distribution.js';
import { asymmetricLoss, qualityFocalLoss, sigmoidFocalLossStar, varifocalLoss } from './ops.js';

const f64 = (values: number[], shape: number[] = [values.length]) => ({ data: Float64Array.from(values), shape });
const f32 = (values: number[], shape: number[] = [values.length]) => ({ data: Float32Array.from(values), shape });

type Op = (x: TensorView<Float64Array>, t: TensorView<ArrayLike<number>>, o: Record<string, unknown>) => FocalLossResult<Float64Array>;
const gammaLike = fc.constantFrom(0, 0.25, 0.5, 1, 2, 3.5);

// Each variant: its function, an arbitrary of its options, and what its targets look like.
const VARIANTS: [string, Op, fc.Arbitrary<Record<string, unknown>>, 'soft' | 'iou' | 'binary'][] = [
  [
    'sigmoidFocalLossStar',
    sigmoidFocalLossStar as Op,
    fc.record({ gamma: fc.constantFrom(0.25, 0.5, 1, 2, 4), beta: fc.constantFrom(-2, 0, 0.5, 3), alpha: fc.constantFrom(null, 0, 0.25, 1) }),
    'soft',
  ],
  ['qualityFocalLoss', qualityFocalLoss as Op, fc.record({ beta: gammaLike }), 'soft'],
  [
    'varifocalLoss',
    varifocalLoss as Op,
    fc.record({ alpha: fc.constantFrom(0, 0.75, 2), gamma: gammaLike, iouWeighted: fc.boolean() }),
    'iou',
  ],
  [
    'asymmetricLoss',
    asymmetricLoss as Op,
    fc.record({ gammaPos: gammaLike, gammaNeg: gammaLike, clip: fc.constantFrom(0, 0.05, 0.2) }),
    'binary',
  ],
];

function targetArb(kind: 'soft' | 'iou' | 'binary', n: number): fc.Arbitrary<number[]> {
  const value =
    kind === 'binary'
      ? fc.constantFrom(0, 1)
      : kind === 'iou'
        ? fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1, noNaN: true }))
        : fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true }));
  return fc.array(value, { minLength: n, maxLength: n });
}

describe.each(VARIANTS)('%s over typed arrays', (_, op, optionsArb, kind) => {
  it('gradient equals central finite differences in float64 (random shapes, options, reductions, weights)', () => {
    const caseArb = shapeArb.chain((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.record({
        shape: fc.constant(shape),
        x: fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: n, maxLength: n }),
        t: targetArb(kind, n),
        w: fc.option(fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: n, maxLength: n }), { nil: undefined }),
        options: optionsArb,
        reduction: reductionArb,
        normalizer: fc.constantFrom(null, 3),
      });
    });
    fc.assert(
      fc.property(caseArb, ({ shape, x, t, w, options, reduction, normalizer }) => {
        // Kinks of the losses themselves, where no derivative exists: QFL at p = t (beta <= 1), ASL at p = clip.
        const p = x.map((v) => 1 / (1 + Math.exp(-v)));
        fc.pre(p.every((pi, i) => Math.abs(pi - (t[i] as number)) > 1e-3 && Math.abs(pi - ((options.clip as number) ?? 0)) > 1e-3));
        const call = { ...options, reduction, normalizer: reduction === 'mean' ? normalizer : null };
        const target = f64(t, shape);
        const weight = w === undefined ? null : f64(w, shape);
        const sum = (xs: Float64Array) => op({ data: xs, shape }, target, { ...call, weight }).loss.data.reduce((a, b) => a + b, 0);
        const r = op(f64(x, shape), target, { ...call, weight, gradient: true });
        const numeric = numericGradient(sum, Float64Array.from(x));
        return numeric.every((g, i) => closeTo(r.gradInput?.data[i] as number, g, 1e-5, 1e-8));
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('fills caller-owned out buffers and returns them (no allocation), and a mean over nothing is 0', () => {
    const x = f64([0.5, -1, 2, 0.25]);
    const t = f64(kind === 'soft' ? [1, 0, 0.5, 0.25] : kind === 'iou' ? [0.75, 0, 0, 1] : [1, 0, 0, 1]);
    const loss = new Float64Array(1);
    const gradInput = new Float64Array(4);
    const r = op(x, t, { gradient: true, out: { loss, gradInput } });
    expect(r.loss.data).toBe(loss);
    expect(r.gradInput?.data).toBe(gradInput);
    const none = op(x, t, { reduction: 'none' }).loss.data;
    expect(closeTo(loss[0] as number, none.reduce((a, b) => a + b, 0) / 4, 1e-15)).toBe(true);
    const empty = op(f64([], [0, 3]), f64([], [0, 3]), { gradient: true });
    expect(Array.from(empty.loss.data)).toEqual([0]);
    expect(empty.gradInput?.data.length).toBe(0);
  });

  it('Int32Array 0/1 labels mean the same as float 0/1; float32 in, float32 out', () => {
    const x = [0.5, -1, 2, 0.25];
    const fromFloat = op(f64(x), f64([1, 0, 0, 1]), { reduction: 'none', gradient: true });
    const fromInt = op(f64(x), { data: Int32Array.from([1, 0, 0, 1]), shape: [4] }, { reduction: 'none', gradient: true });
    expect(fromInt.loss.data).toEqual(fromFloat.loss.data);
    expect(fromInt.gradInput?.data).toEqual(fromFloat.gradInput?.data);
    const single = op(f32(x) as unknown as TensorView<Float64Array>, f32([1, 0, 0, 1]), {});
    expect(single.loss.data).toBeInstanceOf(Float32Array);
  });

  it('errors: options before dtypes before shapes before targets', () => {
    const x = f64([0.5, -1]);
    expect(thrownCode(() => op(x, f64([1, 0]), { reduction: 'max' }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => op(x, f64([1, 0]), { gradient: 'yes' }))).toBe('INVALID_OPTION');
    expect(thrownCode(() => op(x, f64([1, 0]), 5 as unknown as Record<string, unknown>))).toBe('INVALID_OPTION');
    expect(thrownCode(() => op(x, { data: new Uint8Array(3), shape: [3] }, {}))).toBe('INVALID_OPTION');
    expect(thrownCode(() => op(x, f64([1, 0, 1]), {}))).toBe('SHAPE_MISMATCH');
    expect(thrownCode(() => op(x, f64([1, 2]), {}))).toBe('INVALID_TARGET');
    expect(thrownCode(() => op(x, f64([1, 2]), { unknownOption: 1 }))).toBe('INVALID_OPTION');
  });
});

describe('distributionFocalLoss', () => {
  // mmdet distribution_focal_loss: CE(pred, left) * (left + 1 - y) + CE(pred, left + 1) * (y - left)
  function mmdetDfl(row: number[], y: number): number {
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
    const left = Math.floor(y);
    const ce = (k: number) => lse - (row[k] as number);
    return ce(left) * (left + 1 - y) + (left + 1 < row.length ? ce(left + 1) * (y - left) : 0);
  }

  it("equals mmdet's formula per box side, and its gradient is softmax minus the two-hot target", () => {
    const rows = [
      [0.5, -1, 2, 0.25, 1],
      [3, 0, -2, 1, 0.5],
    ];
    const y = [1.75, 0.25];
    const r = distributionFocalLoss(f64(rows.flat(), [2, 5]), f64(y, [2]), { reduction: 'none', gradient: true });
    expect(closeTo(r.loss.data[0] as number, mmdetDfl(rows[0] as number[], 1.75), 1e-14)).toBe(true);
    expect(closeTo(r.loss.data[1] as number, mmdetDfl(rows[1] as number[], 0.25), 1e-14)).toBe(true);
    const row = rows[0] as number[];
    const z = row.reduce((a, v) => a + Math.exp(v), 0);
    const twoHot = [0, 0.25, 0.75, 0, 0];
    row.forEach((v, c) => expect(closeTo(r.gradInput?.data[c] as number, Math.exp(v) / z - (twoHot[c] as number), 1e-14, 1e-16)).toBe(true));
  });

  it('reuses a target buffer, checks positions and shapes', () => {
    const targetBuffer = new Float64Array(4);
    const r = distributionFocalLoss(f32([0, 1, 2, 3], [1, 4]), f32([3], [1]), { targetBuffer });
    expect(Array.from(targetBuffer)).toEqual([0, 0, 0, 1]);
    expect(r.loss.data).toBeInstanceOf(Float32Array);
    expect(thrownCode(() => distributionFocalLoss(f64([0, 1, 2, 3], [1, 4]), f64([3.5], [1])))).toBe('INVALID_TARGET');
    expect(thrownCode(() => distributionFocalLoss(f64([0, 1, 2, 3], [1, 4]), f64([1, 2], [2])))).toBe('SHAPE_MISMATCH');
  });
});

describe('distributionFocalLoss options', () => {
  it('refuses options it would ignore, and checks options before positions', () => {
    const x = f64([0, 1, 2, 3], [1, 4]);
    expect(thrownCode(() => distributionFocalLoss(x, f64([1], [1]), { gamma: 2 } as never))).toBe('INVALID_OPTION');
    expect(thrownCode(() => distributionFocalLoss(x, f64([9], [1]), { reduction: 'max' } as never))).toBe('INVALID_OPTION');
    expect(thrownCode(() => distributionFocalLoss(x, f64([9], [1]), null as never))).toBe('INVALID_OPTION');
    expect(distributionFocalLoss(x, f64([1], [1]), { reduction: 'sum', normalizer: null }).loss.shape).toEqual([]);
  });
});
