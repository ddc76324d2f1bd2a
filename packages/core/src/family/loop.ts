/**
 * What every family loop shares: the params of the one fused pass (loss and gradient of every
 * element, then the weight and the reduction's scale) and the compensated sum of the losses.
 */
import type { NumericOut } from '../fused-sigmoid.js';
import type { ElementResult } from '../sigmoid-math.js';

export interface FamilyLoopBase {
  readonly input: ArrayLike<number>;
  /** Targets, already checked (floats in [0, 1]; 0/1 for asymmetric_loss). */
  readonly target: ArrayLike<number>;
  /** Per-element weights, or null: IEEE products loss * w, gradient * w * scale. */
  readonly weight: ArrayLike<number> | null;
  /** Where the unreduced weighted losses go; null to return their sum instead. */
  readonly lossOut: NumericOut | null;
  /** Where scale * d loss / d input goes; null for no gradient. */
  readonly gradOut: NumericOut | null;
  /** The reduction's factor on the gradient (reductionScale). */
  readonly scale: number;
  /** First element and one past the last; default the whole input (a worker's block). */
  readonly begin?: number;
  readonly end?: number;
}

/**
 * Runs `element` over [begin, end) and applies weights, the gradient's scale and the compensated
 * (Neumaier) float64 sum. Returns the sum of weighted losses when lossOut is null, else 0.
 * Each variant passes its own element function, which TurboFan inlines into its own copy of this
 * loop (one call site per variant file).
 */
export function runFamilyLoop(params: FamilyLoopBase, element: (x: number, t: number, out: ElementResult) => void, out: ElementResult): number {
  const { input: x, target: y, weight: w, lossOut, gradOut, scale } = params;
  const begin = params.begin ?? 0;
  const end = params.end ?? x.length;
  let sum = 0;
  let compensation = 0;
  for (let i = begin; i < end; i++) {
    element(x[i] as number, y[i] as number, out);
    const wi = w === null ? 1 : (w[i] as number);
    const loss = wi * out.loss;
    if (lossOut === null) {
      const next = sum + loss;
      if (Math.abs(sum) >= Math.abs(loss)) compensation += sum - next + loss;
      else compensation += loss - next + sum;
      sum = next;
    } else lossOut[i] = loss;
    if (gradOut !== null) gradOut[i] = scale * wi * out.grad;
  }
  // An infinite or NaN term makes the compensation NaN; the plain sum is then the IEEE answer.
  return Number.isFinite(sum) ? sum + compensation : sum;
}
