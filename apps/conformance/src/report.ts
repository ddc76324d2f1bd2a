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
}

export function summarize(results: readonly FixtureResult[], adapters: readonly string[]): Record<string, AdapterSummary> {
  const summary: Record<string, AdapterSummary> = {};
  for (const name of adapters) summary[name] = { pass: 0, fail: 0, skip: 0 };
  for (const r of results) (summary[r.adapter] ??= { pass: 0, fail: 0, skip: 0 })[r.status]++;
  return summary;
}

export function hasFailures(report: Report): boolean {
  return report.results.some((r) => r.status === 'fail') || (report.staleExpectations?.length ?? 0) > 0;
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
