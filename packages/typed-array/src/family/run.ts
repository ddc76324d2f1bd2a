/**
 * The shared prologue and epilogue of every family op over typed arrays, in the order of
 * ../sigmoid.ts: split the adapter's keys off, plan (options, dtypes, shapes), check the target
 * values, then one pass of the core's fused loop for the op. Loss and gradient come from that one
 * pass; reductions accumulate in compensated float64; with `out` buffers nothing is allocated.
 */
import {
  checkFamilyTargets,
  planFamilyCall,
  readBooleanOption,
  splitFamilyCallOptions,
  type FamilyLoopBase,
  type FamilyOpName,
  type FamilyPlan,
} from '@focal-loss/core';
import type { FloatArray, FocalLossResult, TensorView } from '../types.js';
import { ADAPTER_KEYS, FLOAT_DTYPES, outputBuffer, readOut, tensorInfo } from '../views.js';

/** A family call after its prologue: the plan, the loop's base params and the output arrays. */
export interface PreparedFamilyCall<Op extends FamilyOpName> {
  readonly plan: FamilyPlan<Op>;
  /** The loop's params over the whole input (lossOut null when the loss is reduced). */
  readonly base: FamilyLoopBase;
  readonly reduce: boolean;
  readonly lossData: FloatArray;
  readonly gradData: FloatArray | null;
}

/**
 * The prologue: split the adapter's keys, plan (options, dtypes, shapes), take or allocate the
 * outputs, check the target values. The pool (../pool/pool.ts) runs the loop itself, by blocks.
 */
export function prepareFamilyCall<Op extends FamilyOpName>(
  op: Op,
  input: TensorView<FloatArray>,
  target: TensorView<ArrayLike<number>>,
  options: unknown,
): PreparedFamilyCall<Op> {
  const { adapter, loss: lossOptions } = splitFamilyCallOptions(options, op, ADAPTER_KEYS);
  const gradient = readBooleanOption('gradient', adapter.gradient, false);
  const out = readOut(adapter.out);
  const weight = (adapter.weight ?? null) as TensorView<FloatArray> | null;
  const plan = planFamilyCall(
    op,
    lossOptions,
    {
      input: tensorInfo(input, 'input'),
      target: tensorInfo(target, 'target'),
      weight: weight === null ? null : tensorInfo(weight, 'weight'),
    },
    FLOAT_DTYPES,
  );
  const reduce = plan.options.reduction !== 'none';
  const n = plan.layout.size;
  const lossData = outputBuffer(out.loss, input.data, reduce ? 1 : n, 'loss', plan.outputShape);
  const gradData = gradient ? outputBuffer(out.gradInput, input.data, n, 'gradInput', input.shape) : null;
  checkFamilyTargets(op, plan.targetKind, target.data);
  const base: FamilyLoopBase = {
    input: input.data,
    target: target.data,
    weight: weight === null ? null : weight.data,
    lossOut: reduce ? null : lossData,
    gradOut: gradData,
    scale: plan.scale,
  };
  return { plan, base, reduce, lossData, gradData };
}

/** The epilogue: the reduced loss from the sum of weighted losses (ignored when unreduced). */
export function finishFamilyCall<T extends FloatArray>(
  call: PreparedFamilyCall<FamilyOpName>,
  input: TensorView<FloatArray>,
  sum: number,
): FocalLossResult<T> {
  if (call.reduce) call.lossData[0] = sum * call.plan.scale;
  return {
    loss: { data: call.lossData as T, shape: call.plan.outputShape },
    gradInput: call.gradData === null ? null : { data: call.gradData as T, shape: [...input.shape] },
  };
}

/** Runs one family op; `loop` receives the base params and the plan (for the op's own options). */
export function runFamilyOp<T extends FloatArray, Op extends FamilyOpName>(
  op: Op,
  input: TensorView<T>,
  target: TensorView<ArrayLike<number>>,
  options: unknown,
  loop: (base: FamilyLoopBase, plan: FamilyPlan<Op>) => number,
): FocalLossResult<T> {
  const call = prepareFamilyCall(op, input, target, options);
  return finishFamilyCall<T>(call, input, loop(call.base, call.plan));
}
