/** The machine report (`--json`) and the table printed on stdout. Browser-safe. */
import { fixtureGroup } from './fixture.js';

export type Status = 'pass' | 'fail' | 'skip';

export interface OutputErrors {
  maxAbsError: number;
  maxRelError: number;
  worstRatio: number;
}

export interface FixtureResult {
  fixture: string;
  adapter: string;
  status: Status;
  reason?: string;
  outputs?: { loss?: OutputErrors; gradInput?: OutputErrors };
}

export interface AdapterSummary {
  pass: number;
  fail: number;
  skip: number;
}

export interface Report {
  results: FixtureResult[];
  summary: Record<string, AdapterSummary>;
  /** Adapters that could not start here, with the reason (their fixtures are skips). */
  unavailable?: Record<string, string>;
  /** Where the run happened: "node" or the browser's user agent, and each adapter's precision. */
  environment?: Record<string, unknown>;
  /** Entries of expectations files naming fixtures absent from the committed set: they fail the run. */
  staleExpectations?: string[];
  /**
   * Adapters whose results came from reports merged with --report (outside implementations, e.g.
   * torchvision through the PyTorch harness), with the file each came from. Their failures are
   * shown but do not change the exit code: they are measurements of other code, not of ours.
   */
  merged?: Record<string, string>;
}

export function summarize(results: readonly FixtureResult[], adapters: readonly string[]): Record<string, AdapterSummary> {
  const summary: Record<string, AdapterSummary> = {};
  for (const name of adapters) summary[name] = { pass: 0, fail: 0, skip: 0 };
  for (const r of results) (summary[r.adapter] ??= { pass: 0, fail: 0, skip: 0 })[r.status]++;
  return summary;
}

export function hasFailures(report: Report): boolean {
  const merged = report.merged ?? {};
  return report.results.some((r) => r.status === 'fail' && !(r.adapter in merged)) || (report.staleExpectations?.length ?? 0) > 0;
}

/** A report read back from JSON that does not have the report format (schema/report.schema.json). */
export class ReportFormatError extends Error {
  override name = 'ReportFormatError';
}

const STATUSES: readonly Status[] = ['pass', 'fail', 'skip'];

function reportNumber(value: unknown, where: string, file: string): number {
  if (typeof value === 'number' && value >= 0) return value;
  if (value === 'Infinity') return Infinity;
  if (value === 'NaN') return NaN;
  throw new ReportFormatError(`${file}: ${where}: expected a number >= 0, "Infinity" or "NaN", got ${JSON.stringify(value)?.slice(0, 60)}`);
}

function outputErrors(value: unknown, where: string, file: string): OutputErrors {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ReportFormatError(`${file}: ${where}: expected an object`);
  const v = value as Record<string, unknown>;
  return {
    maxAbsError: reportNumber(v['maxAbsError'], `${where}.maxAbsError`, file),
    maxRelError: reportNumber(v['maxRelError'], `${where}.maxRelError`, file),
    worstRatio: reportNumber(v['worstRatio'], `${where}.worstRatio`, file),
  };
}

/**
 * Reads a JSON report (ours, or a harness's for another implementation) with the checks of
 * schema/report.schema.json; non-finite numbers come back from their strings. The summary is
 * recomputed from the results, so a report cannot claim counts its results do not show.
 */
export function parseReport(json: unknown, file: string): Report {
  const fail = (where: string, problem: string): never => {
    throw new ReportFormatError(`${file}: ${where}: ${problem}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('(root)', 'expected an object');
  const root = json as Record<string, unknown>;
  if (!Array.isArray(root['results'])) fail('results', 'expected an array');
  const results = (root['results'] as unknown[]).map((item, i): FixtureResult => {
    const where = `results[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) fail(where, 'expected an object');
    const r = item as Record<string, unknown>;
    for (const key of ['fixture', 'adapter'] as const) {
      if (typeof r[key] !== 'string' || r[key] === '') fail(`${where}.${key}`, 'expected a non-empty string');
    }
    if (!STATUSES.includes(r['status'] as Status)) fail(`${where}.status`, 'expected "pass", "fail" or "skip"');
    const status = r['status'] as Status;
    if (r['reason'] !== undefined && (typeof r['reason'] !== 'string' || r['reason'] === '')) fail(`${where}.reason`, 'expected a non-empty string');
    if (status !== 'pass' && r['reason'] === undefined) fail(`${where}.reason`, `a ${status} needs a reason`);
    const result: FixtureResult = { fixture: r['fixture'] as string, adapter: r['adapter'] as string, status };
    if (r['reason'] !== undefined) result.reason = r['reason'] as string;
    if (r['outputs'] !== undefined) {
      const o = r['outputs'];
      if (typeof o !== 'object' || o === null || Array.isArray(o)) fail(`${where}.outputs`, 'expected an object');
      const outputs: NonNullable<FixtureResult['outputs']> = {};
      for (const [key, value] of Object.entries(o as Record<string, unknown>)) {
        if (key !== 'loss' && key !== 'gradInput') fail(`${where}.outputs.${key}`, 'expected only loss and gradInput');
        outputs[key as 'loss' | 'gradInput'] = outputErrors(value, `${where}.outputs.${key}`, file);
      }
      result.outputs = outputs;
    }
    return result;
  });
  if (typeof root['summary'] !== 'object' || root['summary'] === null || Array.isArray(root['summary'])) fail('summary', 'expected an object');
  const adapters = Object.keys(root['summary'] as object);
  const report: Report = { results, summary: summarize(results, adapters) };
  const environment = root['environment'];
  if (environment !== undefined) {
    if (typeof environment !== 'object' || environment === null || Array.isArray(environment)) fail('environment', 'expected an object');
    report.environment = environment as Record<string, unknown>;
  }
  const unavailable = root['unavailable'];
  if (unavailable !== undefined) {
    if (typeof unavailable !== 'object' || unavailable === null || Array.isArray(unavailable)) fail('unavailable', 'expected an object');
    report.unavailable = unavailable as Record<string, string>;
  }
  return report;
}

/**
 * The run's report with other reports' results appended (--report). An adapter name present in
 * two of them is an error: the table would mix two implementations under one name.
 */
export function mergeReports(base: Report, others: ReadonlyArray<{ file: string; report: Report }>): Report {
  const merged: Record<string, string> = { ...(base.merged ?? {}) };
  const results = [...base.results];
  const summary = { ...base.summary };
  const unavailable = { ...(base.unavailable ?? {}) };
  const environment: Record<string, unknown> = { ...(base.environment ?? {}) };
  const reports: Record<string, unknown> = {};
  for (const { file, report } of others) {
    for (const adapter of Object.keys(report.summary)) {
      if (adapter in summary) {
        throw new ReportFormatError(`${file}: adapter "${adapter}" is already in the table${merged[adapter] ? ` (from ${merged[adapter]})` : ''}`);
      }
      summary[adapter] = report.summary[adapter] as AdapterSummary;
      merged[adapter] = file;
    }
    results.push(...report.results);
    Object.assign(unavailable, report.unavailable ?? {});
    reports[file] = report.environment ?? {};
  }
  const out: Report = { ...base, results, summary, environment: { ...environment, mergedReports: reports }, merged };
  if (Object.keys(unavailable).length > 0) out.unavailable = unavailable;
  return out;
}

/**
 * The report as JSON text. JSON has no Infinity or NaN (JSON.stringify writes null), so non-finite
 * numbers are written as the strings "Infinity", "-Infinity" and "NaN", as in the fixture format.
 */
export function reportToJson(report: Report): string {
  return JSON.stringify(report, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value, 2);
}

/** Worst ratio over a result's outputs, or undefined when nothing was compared. */
export function worstRatioOf(result: FixtureResult): number | undefined {
  const ratios = [result.outputs?.loss?.worstRatio, result.outputs?.gradInput?.worstRatio].filter(
    (r): r is number => r !== undefined,
  );
  return ratios.length === 0 ? undefined : Math.max(...ratios);
}

export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined) return '-';
  if (!Number.isFinite(ratio)) return 'inf';
  if (ratio === 0) return '0x';
  if (ratio < 1e-3) return `${ratio.toExponential(1)}x`;
  return `${ratio < 10 ? ratio.toFixed(3) : ratio.toPrecision(3)}x`;
}

/**
 * One row per adapter and fixture group: passed, failed, skipped and the worst error as a multiple
 * of the tolerance (1x is the limit), then a total row per adapter.
 */
export function formatTable(report: Report): string {
  const adapters = Object.keys(report.summary);
  const header = ['adapter', 'group', 'pass', 'fail', 'skip', 'worst (x tol)'];
  const rows: string[][] = [];
  for (const adapter of adapters) {
    const mine = report.results.filter((r) => r.adapter === adapter);
    const groups = [...new Set(mine.map((r) => fixtureGroup(r.fixture)))].sort();
    const line = (label: string, rs: FixtureResult[]): string[] => {
      const count = (s: Status) => String(rs.filter((r) => r.status === s).length);
      // Skips (known deviations included) do not count: their errors are in the JSON report.
      const ratios = rs.filter((r) => r.status !== 'skip').map(worstRatioOf).filter((x): x is number => x !== undefined);
      return [adapter, label, count('pass'), count('fail'), count('skip'), formatRatio(ratios.length ? Math.max(...ratios) : undefined)];
    };
    for (const group of groups) rows.push(line(group, mine.filter((r) => fixtureGroup(r.fixture) === group)));
    rows.push(line('total', mine));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const render = (cells: string[]) =>
    cells.map((c, i) => (i >= 2 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
  const lines = [render(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previous = '';
  for (const row of rows) {
    if (previous !== '' && row[0] !== previous) lines.push('');
    previous = row[0] as string;
    lines.push(render(row));
  }
  for (const [name, reason] of Object.entries(report.unavailable ?? {})) lines.push(`\n${name}: not available here: ${reason}`);
  return lines.join('\n');
}

/** The failed fixtures with their reasons, for the end of a run. */
export function formatFailures(report: Report, limit = 20): string {
  const failed = report.results.filter((r) => r.status === 'fail');
  if (failed.length === 0) return '';
  const shown = failed.slice(0, limit).map((r) => `  FAIL ${r.adapter} ${r.fixture}: ${r.reason ?? ''}`);
  if (failed.length > limit) shown.push(`  ... and ${failed.length - limit} more (see --json)`);
  return shown.join('\n');
}
