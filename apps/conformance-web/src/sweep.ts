/**
 * The data of the two plots, computed live by each adapter: synthetic sigmoid fixtures built in
 * memory (target 1, alpha null, reduction none, so the loss of logit x is -(1 - p)^gamma log p with
 * p = p_t = sigmoid(x)) and passed through the adapter's own `run`, exactly like a fixture file.
 */
import {
  asymmetricLoss,
  qualityFocalLoss,
  sigmoidFocalLoss,
  sigmoidFocalLossStar,
  varifocalLoss,
  type FocalLossResult,
} from '@focal-loss/typed-array';
import type { ConformanceAdapter, Fixture } from '../../conformance/src/adapter.js';

/** The gammas of Figure 1 of the RetinaNet paper (Lin et al., 2017). */
export const FIGURE1_GAMMAS = [0, 0.5, 1, 2, 5] as const;
/** The gamma of the error plot: the usual setting. */
export const ERROR_PLOT_GAMMA = 2;

/** Logits whose p_t spans (0, 1) evenly, rounded to float32 so float32 adapters get the same inputs. */
export function figure1Logits(points = 120): number[] {
  const logits: number[] = [];
  for (let i = 0; i < points; i++) {
    const p = 0.004 + (0.992 * i) / (points - 1);
    logits.push(Math.fround(Math.log(p / (1 - p))));
  }
  return logits;
}

/** A logit sweep wide enough to reach the saturated tails, in float32-exact steps of 0.25. */
export function errorPlotLogits(from = -30, to = 30): number[] {
  const logits: number[] = [];
  for (let x = from; x <= to; x += 0.25) logits.push(x);
  return logits;
}

export function sweepFixture(logits: readonly number[], gamma: number): Fixture {
  const shape = [logits.length];
  return {
    file: '(generated in the page)',
    name: `sweep/gamma${gamma}`,
    op: 'sigmoid_focal_loss',
    reference: 'none: plotted, not judged',
    options: { alpha: null, gamma, reduction: 'none' },
    inputs: {
      input: { dtype: 'float32', shape, data: logits },
      target: { dtype: 'float32', shape, data: logits.map(() => 1) },
    },
    expected: { kind: 'outputs', loss: { shape, data: logits.map(() => 0) } },
    tolerance: { loss: { rtol: 0, atol: 0 }, gradInput: { rtol: 0, atol: 0 } },
  };
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export interface AdapterSweep {
  readonly adapter: string;
  /** Loss per gamma of FIGURE1_GAMMAS over figure1Logits(), or why it could not be computed. */
  readonly figure1: ReadonlyMap<number, readonly number[]> | string;
  /** Loss at gamma ERROR_PLOT_GAMMA over errorPlotLogits(), or why not. */
  readonly errorSweep: readonly number[] | string;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function lossOf(adapter: ConformanceAdapter, fixture: Fixture): Promise<number[]> {
  const supported = adapter.supports(fixture);
  if (supported !== true) throw new Error(supported);
  return Array.from((await adapter.run(fixture)).loss.data);
}

/** Starts the adapter, runs the sweeps, and releases it again. */
export async function sweepAdapter(adapter: ConformanceAdapter): Promise<AdapterSweep> {
  let ready: true | string;
  try {
    ready = await adapter.setup();
  } catch (error) {
    ready = `setup failed: ${message(error)}`;
  }
  if (ready !== true) {
    await adapter.dispose();
    return { adapter: adapter.name, figure1: ready, errorSweep: ready };
  }
  try {
    let figure1: Map<number, number[]> | string = new Map();
    try {
      const logits = figure1Logits();
      for (const gamma of FIGURE1_GAMMAS) figure1.set(gamma, await lossOf(adapter, sweepFixture(logits, gamma)));
    } catch (error) {
      figure1 = message(error);
    }
    let errorSweep: number[] | string;
    try {
      errorSweep = await lossOf(adapter, sweepFixture(errorPlotLogits(), ERROR_PLOT_GAMMA));
    } catch (error) {
      errorSweep = message(error);
    }
    return { adapter: adapter.name, figure1, errorSweep };
  } finally {
    await adapter.dispose();
  }
}

/**
 * |actual - reference| / |reference| per point. A point where both are 0 has no error (0); where
 * only the reference is 0 the relative error is infinite and is returned as Infinity.
 */
export function relativeErrors(actual: readonly number[], reference: readonly number[]): number[] {
  return actual.map((a, i) => {
    const r = reference[i] as number;
    if (a === r) return 0;
    if (Number.isNaN(a) || Number.isNaN(r)) return Number.NaN;
    return r === 0 ? Number.POSITIVE_INFINITY : Math.abs(a - r) / Math.abs(r);
  });
}

/** The IoU target of the QFL and VFL curves, whose loss has its minimum at p = IoU, not at p = 1. */
export const FAMILY_IOU = 0.75;

export interface FamilyCurve {
  readonly label: string;
  /** One loss per logit of figure1Logits(); x is p_t (= p for target 1) or p (the IoU curves). */
  readonly loss: readonly number[];
  /** Drawn dashed: the curves against a soft IoU target (x is p there, not p_t). */
  readonly soft?: boolean;
}

/**
 * Focal loss and its family against p_t, computed by typed-array's own functions in float64 (the
 * reference adapter): one positive (target 1, alpha off) per point, plus QFL and VFL against the
 * soft IoU target FAMILY_IOU. CE and focal loss are the gamma 0 and gamma 2 curves of the panels
 * above; Poly-1 adds eps (1 - p_t)^3 to the gamma 2 curve.
 */
export function familyCurves(logits: readonly number[] = figure1Logits()): FamilyCurve[] {
  const input = { data: Float64Array.from(logits), shape: [logits.length] };
  const targetOf = (t: number) => ({ data: new Float64Array(logits.length).fill(t), shape: [logits.length] });
  const positive = targetOf(1);
  const iou = targetOf(FAMILY_IOU);
  const none = { reduction: 'none' } as const;
  const loss = (r: FocalLossResult<Float64Array>) => Array.from(r.loss.data);
  return [
    { label: 'CE (γ = 0)', loss: loss(sigmoidFocalLoss(input, positive, { ...none, gamma: 0, alpha: null })) },
    { label: 'FL (γ = 2)', loss: loss(sigmoidFocalLoss(input, positive, { ...none, gamma: 2, alpha: null })) },
    { label: 'Poly-1 FL (γ = 2, ε = 1)', loss: loss(sigmoidFocalLoss(input, positive, { ...none, gamma: 2, alpha: null, polyEpsilon: 1 })) },
    { label: 'Poly-1 FL (γ = 2, ε = −1)', loss: loss(sigmoidFocalLoss(input, positive, { ...none, gamma: 2, alpha: null, polyEpsilon: -1 })) },
    { label: 'FL* (γ = 2, β = 1)', loss: loss(sigmoidFocalLossStar(input, positive, { ...none, gamma: 2, beta: 1 })) },
    { label: 'ASL positive (γ+ = 1)', loss: loss(asymmetricLoss(input, positive, { ...none, gammaPos: 1 })) },
    { label: `QFL (β = 2), IoU ${FAMILY_IOU}, x = p`, loss: loss(qualityFocalLoss(input, iou, { ...none, beta: 2 })), soft: true },
    { label: `VFL, IoU ${FAMILY_IOU}, x = p`, loss: loss(varifocalLoss(input, iou, { ...none })), soft: true },
  ];
}
