/**
 * Differential fuzz test (contract 1.1): random valid and invalid calls go to typed-array (float32),
 * tfjs-cpu and the onnxruntime-web runner, and to typed-array in float64 as the reference. Each call
 * must either return the same values in all (within float32 tolerance of the reference) or throw a
 * FocalLossError with the same code in all, within a time bound. Seeded: a failure reproduces, and
 * the calls that once found bugs are kept in regressions.ts.
 *
 * FUZZ_RUNS (default 1500) and FUZZ_SEED change the run; the summary line reports the figures.
 */
import { FocalLossRunner } from '@focal-loss/onnxruntime-web';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disagreement, outcomeOf, type Outcome } from './agreement.js';
import { fuzzCallArb, type FuzzCall } from './calls.js';
import { createImplementations, type Implementation } from './implementations.js';
import { REGRESSIONS } from './regressions.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
/** No single call may take longer (the hang bugs were calls that never returned). */
const CALL_BOUND_MS = 5_000;

let runner: FocalLossRunner;
let reference: Implementation;
let float32: Implementation[];

beforeAll(() => {
  runner = new FocalLossRunner({ numThreads: 1 });
  ({ reference, float32 } = createImplementations(runner));
});
afterAll(async () => {
  await runner.dispose();
});

interface Verdict {
  readonly reference: Outcome;
  readonly problems: string[];
}

/** Gradient elements whose position has an infinite weight (see Underflow). */
function infiniteWeightAt(call: FuzzCall): (index: number) => boolean {
  const weight = call.weight;
  if (weight === null) return () => false;
  const classes = call.op === 'softmax' ? (call.input.shape[call.input.shape.length - 1] as number) : 1;
  return (index) => !Number.isFinite(weight.data[Math.floor(index / classes)] as number);
}

async function judge(call: FuzzCall): Promise<Verdict> {
  const ref = await outcomeOf(() => reference.run(call), CALL_BOUND_MS);
  const problems: string[] = [];
  if (ref.kind === 'error' && !ref.focal) problems.push(`${reference.name}: ${ref.message}`);
  for (const implementation of float32) {
    const outcome = await outcomeOf(() => implementation.run(call), CALL_BOUND_MS);
    // the float32 adapters may answer NaN where float64 has ±Infinity only through an infinite weight
    const problem = disagreement(outcome, ref, implementation.name === 'typed-array-f32' ? undefined : infiniteWeightAt(call));
    if (problem !== null) problems.push(`${implementation.name}: ${problem}`);
  }
  return { reference: ref, problems };
}

const show = (call: FuzzCall) =>
  JSON.stringify(call, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v instanceof Map ? 'Map{}' : v));

describe('differential: every adapter gives the same answer or the same error code', () => {
  it.each(REGRESSIONS.map((r) => [r.why, r.call] as const))('regression: %s', async (_, call) => {
    const verdict = await judge(call);
    expect(verdict.problems, show(call)).toEqual([]);
  });

  it(`${RUNS} seeded random calls (seed ${SEED})`, { timeout: 240_000 }, async () => {
    const calls = fc.sample(fuzzCallArb, { seed: SEED, numRuns: RUNS });
    const codes = new Map<string, number>();
    const failures: string[] = [];
    let agreed = 0;
    const started = performance.now();
    for (const [i, call] of calls.entries()) {
      const verdict = await judge(call);
      const key = verdict.reference.kind === 'error' ? verdict.reference.code : 'values';
      codes.set(key, (codes.get(key) ?? 0) + 1);
      if (verdict.problems.length === 0) agreed++;
      else failures.push(`#${i} ${show(call)}\n    ${verdict.problems.join('\n    ')}`);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const histogram = [...codes.entries()].map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(
      `differential fuzz: ${calls.length} calls x 4 implementations in ${seconds} s, ` +
        `${agreed} agreed (${((100 * agreed) / calls.length).toFixed(2)} %); reference outcomes: ${histogram}`,
    );
    if (failures.length > 0) console.log(failures.slice(0, Number(process.env.FUZZ_SHOW ?? 10)).join('\n'));
    expect(failures.slice(0, 8).join('\n'), `${failures.length} disagreements`).toBe('');
  });
});
