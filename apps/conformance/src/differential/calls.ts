/**
 * Random calls of both ops for the differential fuzz test: valid ones and ones with a fault of
 * every kind the contract names (options, dtypes, shapes, targets, non-finite values, zero sizes).
 * A call is plain data, so a failing case prints as JSON and can be kept as a regression case.
 */
import fc from 'fast-check';

export type Op = 'sigmoid' | 'softmax';

export interface FuzzTensor {
  readonly shape: number[];
  readonly data: number[];
}

export interface FuzzCall {
  readonly op: Op;
  /** The options argument: usually loss options, sometimes a hostile non-object. */
  readonly options: unknown;
  readonly input: FuzzTensor;
  readonly target: FuzzTensor & { readonly dtype: 'float32' | 'int32' };
  readonly weight: FuzzTensor | null;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Mostly ordinary values, sometimes the contract's edge values. */
const logitArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: -1280, max: 1280 }).map((k) => k / 64) },
  { weight: 2, arbitrary: fc.constantFrom(Infinity, -Infinity, 1e4, -1e4, 40, -40, 0) },
  { weight: 1, arbitrary: fc.constant(Number.NaN) },
);
const probabilityArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 1024 }).map((k) => k / 1024) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1, 1e-9, 1 - 2 ** -24, -0.5, 1.5) },
);
const binaryTargetArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(0, 1) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 256 }).map((k) => k / 256) },
);
/** Sometimes one target value is replaced by an invalid one (INVALID_TARGET). */
const targetFaultArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.record({ at: fc.nat(), value: fc.constantFrom(1.5, -0.25, Number.NaN, 2, -1) }) },
);
function withFault(data: number[], fault: { at: number; value: number } | null, integer: boolean): number[] {
  if (fault === null || data.length === 0) return data;
  const copy = [...data];
  copy[fault.at % copy.length] = integer && !Number.isInteger(fault.value) ? 2 : fault.value;
  return copy;
}
const weightValueArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 512 }).map((k) => k / 256) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, 0) },
);

/** One option: absent, a valid value, or an invalid one. */
function optionArb<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown>): fc.Arbitrary<T | unknown | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 12, arbitrary: valid },
    { weight: 1, arbitrary: invalid },
  );
}

function lossOptionsArb(op: Op, classes: number): fc.Arbitrary<Record<string, unknown>> {
  const alphaValid: fc.Arbitrary<unknown> =
    op === 'sigmoid'
      ? fc.constantFrom(0.25, 0.5, null, 1)
      : fc.oneof(fc.constantFrom(0.25, null), fc.constant(Array.from({ length: classes }, (_, c) => (c + 1) / (classes + 1))));
  return fc
    .record({
      gamma: optionArb(fc.constantFrom(0, 0.5, 1, 2, 5), fc.constantFrom(-1, Number.NaN, '2', Infinity)),
      alpha: optionArb(alphaValid, fc.constantFrom(1.5, 'x', [0.5, '0.5'], [, 0.5, 0.5], [[[0.5]]])), // eslint-disable-line no-sparse-arrays
      reduction: optionArb(fc.constantFrom('none', 'mean', 'sum'), fc.constantFrom('avg', 1)),
      fromLogits: optionArb(fc.boolean(), fc.constantFrom('false', 0)),
      eps: optionArb(fc.constantFrom(1e-7, 1e-3), fc.constantFrom(0, 0.5, -1)),
      labelSmoothing: optionArb(fc.constantFrom(0, 0.1), fc.constantFrom(1, -0.1)),
      normalizer: optionArb(fc.constantFrom(null, 3, 0.5), fc.constantFrom(0, -2)),
      axis: op === 'softmax' ? optionArb(fc.constantFrom(-1), fc.constantFrom(5, 1.5)) : fc.constant(undefined),
      ignoreIndex: op === 'softmax' ? optionArb(fc.constantFrom(-100, null, 0), fc.constantFrom(4294967297, 1.5)) : fc.constant(undefined),
      unknown: fc.oneof({ weight: 30, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(1) }),
      // Options that would have no effect (eps with logits, normalizer without "mean") are
      // errors by contract 1.1: keep them in a few calls only, so most calls are valid.
      keepNoEffect: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .map(({ keepNoEffect, ...drawn }) => {
      const options: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(drawn)) {
        if (value === undefined) continue;
        options[key === 'unknown' ? 'gama' : key] = value;
      }
      if (!keepNoEffect) {
        if (options.fromLogits !== false) delete options.eps;
        if (options.reduction !== undefined && options.reduction !== 'mean') delete options.normalizer;
      }
      return options;
    });
}

const hostileOptionsArb = fc.constantFrom<unknown>(5, true, null, [], new Map(), 'mean');

function shapeArb(): fc.Arbitrary<number[]> {
  return fc.array(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.constant(0) }), {
    minLength: 1,
    maxLength: 3,
  });
}

/** A shape fault: one dimension more, or one changed. */
function perturb(shape: number[]): fc.Arbitrary<number[]> {
  return fc.oneof(fc.constant<number[]>([...shape, 2]), fc.constant<number[]>(shape.map((d, i) => (i === 0 ? d + 1 : d))));
}

function sigmoidCallArb(): fc.Arbitrary<FuzzCall> {
  return shapeArb().chain((shape) => {
    const n = size(shape);
    return fc
      .record({
        options: fc.oneof({ weight: 30, arbitrary: lossOptionsArb('sigmoid', 0) }, { weight: 1, arbitrary: hostileOptionsArb }),
        logits: fc.array(logitArb, { minLength: n, maxLength: n }),
        probabilities: fc.array(probabilityArb, { minLength: n, maxLength: n }),
        target: fc.array(binaryTargetArb, { minLength: n, maxLength: n }),
        intTarget: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        weight: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.array(weightValueArb, { minLength: n, maxLength: n }) }),
        targetShape: fc.oneof({ weight: 15, arbitrary: fc.constant(shape) }, { weight: 1, arbitrary: perturb(shape) }),
        fault: targetFaultArb,
      })
      .map(({ options, logits, probabilities, target, intTarget, weight, targetShape, fault }) => {
        const fromLogits = (options as { fromLogits?: unknown } | null)?.fromLogits !== false;
        const targetData = withFault(intTarget ? target.map((t) => (t === 0 || t === 1 ? t : 1)) : target, fault, intTarget);
        const tShape = targetShape.length === shape.length && size(targetShape) === n ? shape : targetShape;
        return {
          op: 'sigmoid' as const,
          options,
          input: { shape, data: fromLogits ? logits : probabilities },
          target: {
            shape: tShape,
            data: size(tShape) === n ? targetData : new Array<number>(size(tShape)).fill(0),
            dtype: intTarget ? ('int32' as const) : ('float32' as const),
          },
          weight: weight === null ? null : { shape, data: weight },
        };
      });
  });
}

function softmaxCallArb(): fc.Arbitrary<FuzzCall> {
  return shapeArb().chain((shape) => {
    const n = size(shape);
    const classes = shape[shape.length - 1] as number;
    const lossShape = shape.slice(0, -1);
    const positions = size(lossShape);
    return fc
      .record({
        options: fc.oneof({ weight: 30, arbitrary: lossOptionsArb('softmax', classes) }, { weight: 1, arbitrary: hostileOptionsArb }),
        logits: fc.array(logitArb, { minLength: n, maxLength: n }),
        probabilities: fc.array(probabilityArb, { minLength: n, maxLength: n }),
        kind: fc.constantFrom('index', 'index', 'probability'),
        indices: fc.array(
          fc.oneof(
            { weight: 12, arbitrary: fc.integer({ min: 0, max: Math.max(0, classes - 1) }) },
            { weight: 2, arbitrary: fc.constant(-100) },
          ),
          { minLength: positions, maxLength: positions },
        ),
        fault: targetFaultArb,
        soft: fc.array(binaryTargetArb, { minLength: n, maxLength: n }),
        weight: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.array(weightValueArb, { minLength: positions, maxLength: positions }) }),
        mismatch: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      })
      .map(({ options, logits, probabilities, kind, indices, soft, weight, mismatch, fault }) => {
        const fromLogits = (options as { fromLogits?: unknown } | null)?.fromLogits !== false;
        const targetShape = kind === 'index' ? lossShape : shape;
        const badShape = mismatch ? [...targetShape, 2] : targetShape;
        const data = kind === 'index' ? withFault(indices.map((k) => (k === -100 || k < classes ? k : 0)), fault, true) : withFault(soft, fault, false);
        return {
          op: 'softmax' as const,
          options,
          input: { shape, data: fromLogits ? logits : probabilities },
          target: {
            shape: badShape,
            data: mismatch ? new Array<number>(size(badShape)).fill(0) : data,
            dtype: kind === 'index' ? ('int32' as const) : ('float32' as const),
          },
          weight: weight === null ? null : { shape: lossShape, data: weight },
        };
      });
  });
}

export const fuzzCallArb: fc.Arbitrary<FuzzCall> = fc.oneof(sigmoidCallArb(), softmaxCallArb());
