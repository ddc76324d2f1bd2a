/**
 * Runs adapters over fixtures and builds the report. Browser-safe: the Node CLI and the browser
 * page both call `runSuite` with their own adapters.
 */
import type { AdapterOutputs, ConformanceAdapter, Fixture } from './adapter.js';
import { compareOutput, float16Tolerance, type OutputComparison } from './compare.js';
import type { ExpectationsByAdapter } from './expectations.js';
import { formatRatio, summarize, worstRatioOf, type FixtureResult, type OutputErrors, type Report } from './report.js';

export interface Progress {
  /** An adapter starts (or could not start: `unavailable` holds the reason). */
  adapterStart?(adapter: string, fixtures: number, unavailable?: string): void;
  fixtureDone?(adapter: string, done: number, total: number, result: FixtureResult): void;
  adapterDone?(adapter: string, seconds: number): void;
  /** Non-fatal remarks, e.g. a known deviation that now passes. */
  warn?(message: string): void;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorsOf(c: OutputComparison): OutputErrors {
  return { maxAbsError: c.maxAbsError, maxRelError: c.maxRelError, worstRatio: c.worstRatio };
}

function describeFailure(output: string, c: OutputComparison): string {
  if (c.shapeMismatch) return `${output}: ${c.shapeMismatch}`;
  const f = c.firstFailure;
  const where = f ? ` (first at [${f.index}]: got ${f.actual}, expected ${f.expected})` : '';
  const size = Number.isFinite(c.worstRatio) ? `worst error ${formatRatio(c.worstRatio)} tolerance` : 'a NaN or infinity does not match';
  return `${output}: ${size}${where}`;
}

/**
 * Compares what an adapter returned with what the fixture expects, at the fixture's tolerance, or
 * at the float16 tier for an adapter whose precision is 'float16'.
 */
export function judgeOutputs(
  fixture: Fixture,
  outputs: AdapterOutputs,
  precision: ConformanceAdapter['precision'] = 'float32',
): Omit<FixtureResult, 'fixture' | 'adapter'> {
  const expected = fixture.expected;
  if (expected.kind === 'error') {
    return { status: 'fail', reason: `expected error ${expected.code}, but the call returned a result` };
  }
  const half = precision === 'float16';
  const loss = compareOutput(outputs.loss, expected.loss, half ? float16Tolerance(expected.loss) : fixture.tolerance.loss);
  const problems: string[] = [];
  if (loss.worstRatio > 1) problems.push(describeFailure('loss', loss));
  const result: FixtureResult['outputs'] = { loss: errorsOf(loss) };
  if (expected.gradInput !== undefined) {
    if (outputs.gradInput === undefined) {
      problems.push('gradInput: the adapter returned no gradient');
    } else {
      const grad = compareOutput(outputs.gradInput, expected.gradInput, half ? float16Tolerance(expected.gradInput) : fixture.tolerance.gradInput);
      result.gradInput = errorsOf(grad);
      if (grad.worstRatio > 1) problems.push(describeFailure('gradInput', grad));
    }
  }
  return problems.length === 0 ? { status: 'pass', outputs: result } : { status: 'fail', reason: problems.join('; '), outputs: result };
}

/** Judges a thrown error: an error fixture passes when the code matches. */
export function judgeError(fixture: Fixture, error: unknown): Omit<FixtureResult, 'fixture' | 'adapter'> {
  const code = errorCode(error);
  const expected = fixture.expected;
  if (expected.kind === 'error') {
    if (code === expected.code) return { status: 'pass' };
    return {
      status: 'fail',
      reason: code
        ? `expected error ${expected.code}, got ${code}: ${errorText(error)}`
        : `expected error ${expected.code}, got an error without a code: ${errorText(error)}`,
    };
  }
  return { status: 'fail', reason: `threw ${code ? `${code}: ` : ''}${errorText(error)}` };
}

export async function runFixture(adapter: ConformanceAdapter, fixture: Fixture): Promise<FixtureResult> {
  const base = { fixture: fixture.name, adapter: adapter.name };
  let supported: true | string;
  try {
    supported = adapter.supports(fixture);
  } catch (error) {
    return { ...base, status: 'fail', reason: `supports() threw: ${errorText(error)}` };
  }
  if (supported !== true) return { ...base, status: 'skip', reason: supported };
  try {
    const outputs = await adapter.run(fixture);
    return { ...base, ...judgeOutputs(fixture, outputs, adapter.precision) };
  } catch (error) {
    return { ...base, ...judgeError(fixture, error) };
  }
}

/** Applies an adapter's known deviations: a listed failure becomes a skip that says so. */
function applyExpectations(result: FixtureResult, expectations: ExpectationsByAdapter, progress: Progress): FixtureResult {
  const entry = expectations[result.adapter]?.find((e) => e.fixture === result.fixture);
  if (entry === undefined) return result;
  if (result.status === 'fail') {
    // A recorded deviation may not silently grow: more than twice the measured error is a failure.
    const measured = entry.measuredWorstRatio;
    const now = worstRatioOf(result);
    if (measured !== undefined && now !== undefined && !(now <= 2 * measured)) {
      return { ...result, reason: `worse than the known deviation (measured ${formatRatio(measured)}): ${result.reason ?? ''}` };
    }
    return { ...result, status: 'skip', reason: `known deviation: ${entry.reason} (this run: ${result.reason ?? 'failed'})` };
  }
  if (result.status === 'pass') {
    progress.warn?.(`${result.adapter}: ${result.fixture} passes but is listed as a known deviation: remove the entry`);
  }
  return result;
}

export interface SuiteOptions {
  readonly fixtures: readonly Fixture[];
  readonly adapters: readonly ConformanceAdapter[];
  readonly expectations?: ExpectationsByAdapter;
  readonly progress?: Progress;
}

/** Every adapter on every fixture, adapters one after the other (they may share a backend). */
export async function runSuite({ fixtures, adapters, expectations = {}, progress = {} }: SuiteOptions): Promise<Report> {
  const results: FixtureResult[] = [];
  const unavailable: Record<string, string> = {};
  for (const adapter of adapters) {
    const started = Date.now();
    let ready: true | string;
    try {
      ready = await adapter.setup();
    } catch (error) {
      ready = `setup failed: ${errorText(error)}`;
    }
    progress.adapterStart?.(adapter.name, fixtures.length, ready === true ? undefined : ready);
    if (ready !== true) {
      await adapter.dispose();
      unavailable[adapter.name] = ready;
      for (const f of fixtures) results.push({ fixture: f.name, adapter: adapter.name, status: 'skip', reason: `adapter unavailable: ${ready}` });
      continue;
    }
    try {
      let done = 0;
      for (const fixture of fixtures) {
        const result = applyExpectations(await runFixture(adapter, fixture), expectations, progress);
        results.push(result);
        progress.fixtureDone?.(adapter.name, ++done, fixtures.length, result);
      }
    } finally {
      await adapter.dispose();
    }
    progress.adapterDone?.(adapter.name, (Date.now() - started) / 1000);
  }
  const report: Report = {
    results,
    summary: summarize(results, adapters.map((a) => a.name)),
    environment: { precision: Object.fromEntries(adapters.map((a) => [a.name, a.precision])) },
  };
  if (Object.keys(unavailable).length > 0) report.unavailable = unavailable;
  return report;
}
