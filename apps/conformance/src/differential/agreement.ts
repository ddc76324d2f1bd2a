/** What "the same answer" means between a float32 implementation and the float64 reference. */
import { isFocalLossError } from '@focal-loss/core';
import type { Outputs } from './implementations.js';

export type Outcome =
  | { readonly kind: 'outputs'; readonly outputs: Outputs; readonly ms: number }
  | { readonly kind: 'error'; readonly code: string; readonly focal: boolean; readonly message: string; readonly ms: number };

export async function outcomeOf(run: () => Promise<Outputs>, boundMs: number): Promise<Outcome> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`TIMEOUT: no answer within ${boundMs} ms`)), boundMs);
  });
  try {
    const outputs = await Promise.race([run(), bound]);
    return { kind: 'outputs', outputs, ms: performance.now() - started };
  } catch (error) {
    const code = isFocalLossError(error) ? error.code : error instanceof Error && error.message.startsWith('TIMEOUT') ? 'TIMEOUT' : 'NOT_A_FOCAL_LOSS_ERROR';
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { kind: 'error', code, focal: isFocalLossError(error), message, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Float32 against the float64 reference: the fixtures' standard tolerance, a little wider. */
const RTOL = 2e-4;
const ATOL_OF_MAX = 1e-5;

/**
 * Elements where a float32 NaN may stand for a float64 infinity: an infinite weight times a
 * gradient that is tiny but non-zero in float64 and underflows to 0 in float32 (IEEE 0 * Infinity).
 */
export type Underflow = (index: number) => boolean;

function closeArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, underflow: Underflow = () => false): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`;
  let largest = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    if (Number.isFinite(e)) largest = Math.max(largest, Math.abs(e));
  }
  const atol = ATOL_OF_MAX * largest + 1e-30;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (Number.isNaN(a) && !Number.isNaN(e) && underflow(i)) continue;
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) return `[${i}] ${a} vs ${e}`;
    } else if (!(Math.abs(a - e) <= atol + RTOL * Math.abs(e))) return `[${i}] ${a} vs ${e}`;
  }
  return null;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Null when `actual` agrees with the reference, else what differs. */
export function disagreement(actual: Outcome, reference: Outcome, underflow?: Underflow): string | null {
  if (reference.kind === 'error' || actual.kind === 'error') {
    if (actual.kind === 'error' && !actual.focal) return `threw a non-FocalLossError: ${actual.message}`;
    if (reference.kind === 'error' && actual.kind === 'error') {
      return actual.code === reference.code ? null : `code ${actual.code} vs ${reference.code} (${actual.message})`;
    }
    return actual.kind === 'error' ? `threw ${actual.code} (${actual.message}), reference returned` : `returned, reference threw ${(reference as { code: string }).code}`;
  }
  const a = actual.outputs;
  const r = reference.outputs;
  if (!sameShape(a.loss.shape, r.loss.shape)) return `loss shape [${a.loss.shape}] vs [${r.loss.shape}]`;
  const loss = closeArrays(a.loss.data, r.loss.data);
  if (loss !== null) return `loss ${loss}`;
  if (!sameShape(a.grad.shape, r.grad.shape)) return `gradient shape [${a.grad.shape}] vs [${r.grad.shape}]`;
  const grad = closeArrays(a.grad.data, r.grad.data, underflow);
  return grad === null ? null : `gradient ${grad}`;
}
