import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { softmaxFocalRow, type RowParams } from './softmax-math.js';
import { closeTo } from './test-helpers.js';

const scratch = new Float64Array(64);

function row(
  x: number[],
  target: number | number[],
  params: Partial<RowParams> & { alpha?: number[] } = {},
  smoothing = 0,
): { loss: number; grad: number[] } {
  const classes = x.length;
  const p: RowParams = {
    gamma: params.gamma ?? 2,
    classWeights: params.alpha ?? new Array<number>(classes).fill(1),
    fromLogits: params.fromLogits ?? true,
    eps: params.eps ?? 1e-7,
  };
  const grad = new Array<number>(classes).fill(0);
  const loss = softmaxFocalRow(
    x,
    { offset: 0, stride: 1, classes },
    { probabilities: typeof target === 'number' ? null : target, index: typeof target === 'number' ? target : -1, smoothing },
    p,
    grad,
    1,
    scratch,
  );
  return { loss, grad };
}

function logSumExp(x: number[]): number {
  const m = Math.max(...x);
  return m + Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0));
}

describe('softmax focal loss, one position', () => {
  it('gamma = 0 with weights 1 is categorical cross-entropy', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 2, maxLength: 6 }), fc.nat(), (x, k) => {
        const target = k % x.length;
        const r = row(x, target, { gamma: 0 });
        const ce = logSumExp(x) - (x[target] as number);
        return closeTo(r.loss, ce, 1e-12, 1e-14);
      }),
    );
  });

  it('a known value: 3 classes, one-hot', () => {
    const x = [1, 2, 0.5];
    const lse = logSumExp(x);
    const p0 = Math.exp(1 - lse);
    expect(closeTo(row(x, 0, { gamma: 2, alpha: [0.25, 0.25, 0.25] }).loss, -0.25 * (1 - p0) ** 2 * Math.log(p0), 1e-14)).toBe(true);
  });

  it('gradient equals central finite differences (logits, any targets and smoothing)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 2, maxLength: 5 }),
        fc.nat(),
        fc.constantFrom(0, 0.5, 1, 2, 5),
        fc.constantFrom(0, 0.1),
        fc.boolean(),
        (x, k, gamma, smoothing, soft) => {
          const classes = x.length;
          const target = soft ? x.map((_, c) => (c === k % classes ? 0.7 : 0.3 / (classes - 1))) : k % classes;
          const alpha = x.map((_, c) => 0.2 + 0.1 * c);
          const r = row(x, target, { gamma, alpha }, smoothing);
          return x.every((_, j) => {
            const h = 1e-5;
            const up = [...x];
            up[j] = (up[j] as number) + h;
            const down = [...x];
            down[j] = (down[j] as number) - h;
            const numeric = (row(up, target, { gamma, alpha }, smoothing).loss - row(down, target, { gamma, alpha }, smoothing).loss) / (2 * h);
            return closeTo(r.grad[j] as number, numeric, 1e-6, 1e-9);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gradient equals central finite differences (probabilities)', () => {
    const x = [0.2, 0.5, 0.3];
    const target = [0.1, 0.8, 0.1];
    for (const gamma of [0, 0.5, 2]) {
      const r = row(x, target, { gamma, fromLogits: false });
      x.forEach((_, j) => {
        const h = 1e-6;
        const up = [...x];
        up[j] = (up[j] as number) + h;
        const down = [...x];
        down[j] = (down[j] as number) - h;
        const numeric = (row(up, target, { gamma, fromLogits: false }).loss - row(down, target, { gamma, fromLogits: false }).loss) / (2 * h);
        expect(closeTo(r.grad[j] as number, numeric, 1e-6, 1e-10)).toBe(true);
      });
    }
  });

  it('keeps relative precision for a confident correct row', () => {
    // logits [50, 0, 0], target 0: q = 2e^-50 / (1 + 2e^-50), -ln p = log1p(2e^-50)
    const e = 2 * Math.exp(-50);
    const r = row([50, 0, 0], 0, { gamma: 2 });
    expect(closeTo(r.loss, e ** 3, 1e-13)).toBe(true);
    // dL/dx_0 = -q G with G = q^2 (1 + 2 p s / q) ~ 3 q^2
    expect(closeTo(r.grad[0] as number, -3 * e ** 3, 1e-13)).toBe(true);
  });

  it('is finite at saturation for every gamma, including 0 < gamma < 1', () => {
    for (const big of [40, 100, 1e4]) {
      for (const gamma of [0, 0.5, 1, 2, 5]) {
        for (const target of [0, 1]) {
          const r = row([big, -big, 0], target, { gamma });
          expect(Number.isFinite(r.loss)).toBe(true);
          expect(r.grad.every(Number.isFinite)).toBe(true);
          expect(r.loss).toBeGreaterThanOrEqual(0);
        }
      }
    }
  });

  it('propagates NaN in the logits', () => {
    expect(row([0, Number.NaN, 1], 0).loss).toBeNaN();
    expect(row([Number.NaN, 0, 1], 2).loss).toBeNaN();
  });
});

describe('contract 1.1: -Infinity logits mask classes, +Infinity rows are NaN', () => {
  it.each([0, 0.5, 2])('a masked non-target class adds 0 and gets gradient 0 (gamma %s)', (gamma) => {
    const masked = row([1, -Infinity, 0.5], 0, { gamma });
    const without = row([1, 0.5], 0, { gamma });
    expect(masked.loss).toBeCloseTo(without.loss, 15);
    expect(masked.grad).toEqual([without.grad[0], 0, without.grad[1]].map((g) => expect.closeTo(g as number, 15)));
  });

  it('a masked target class makes the loss +Infinity with a finite gradient (the limit)', () => {
    const r = row([1, -Infinity, 0.5], 1, { gamma: 2, alpha: [0.25, 0.25, 0.25] });
    expect(r.loss).toBe(Infinity);
    expect(r.grad.every(Number.isFinite)).toBe(true);
    // the limit from a very negative finite logit: the same gradient
    const near = row([1, -700, 0.5], 1, { gamma: 2, alpha: [0.25, 0.25, 0.25] });
    r.grad.forEach((g, c) => expect(g).toBeCloseTo(near.grad[c] as number, 12));
  });

  it.each([
    [[Infinity, 0, 1]],
    [[0, Infinity, Infinity]],
    [[-Infinity, -Infinity, -Infinity]],
    [[NaN, 0, 1]],
    [[0, NaN, 1]],
  ])('row %o: loss NaN and every gradient entry NaN, whatever the target', (x) => {
    for (const target of [1, [0, 0, 0]]) {
      const r = row(x, target);
      expect(Number.isNaN(r.loss)).toBe(true);
      expect(r.grad.every(Number.isNaN)).toBe(true);
    }
    const r = row(x, 1);
    expect(Number.isNaN(r.loss)).toBe(true);
    expect(r.grad.every(Number.isNaN)).toBe(true);
  });
});
