/**
 * Known deviations of one adapter, kept in `expectations/<adapter>.json` with a reason per entry:
 *   [{ "fixture": "tail/...", "reason": "why", "measuredWorstRatio": 3.2 }]
 * A listed fixture that fails is reported as a skip whose reason starts "known deviation:", so it
 * stays visible without failing the run; one that passes produces a warning (the entry is stale).
 * Browser-safe: the caller reads the files.
 */
import { FixtureFormatError } from './fixture.js';

export interface Expectation {
  readonly fixture: string;
  readonly reason: string;
  readonly measuredWorstRatio?: number;
}

export type ExpectationsByAdapter = Readonly<Record<string, readonly Expectation[]>>;

export function parseExpectations(json: unknown, file: string): Expectation[] {
  if (!Array.isArray(json)) throw new FixtureFormatError(file, '(root)', 'expected an array of { fixture, reason }');
  return json.map((entry, i) => {
    const e = entry as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || typeof e['fixture'] !== 'string') {
      throw new FixtureFormatError(file, `[${i}].fixture`, 'expected a fixture name');
    }
    if (typeof e['reason'] !== 'string' || e['reason'].trim() === '') {
      throw new FixtureFormatError(file, `[${i}].reason`, 'every known deviation needs a reason');
    }
    const ratio = e['measuredWorstRatio'];
    return typeof ratio === 'number'
      ? { fixture: e['fixture'], reason: e['reason'], measuredWorstRatio: ratio }
      : { fixture: e['fixture'], reason: e['reason'] };
  });
}

/** Entries that name fixtures absent from the loaded set, as messages. */
export function unknownExpectationFixtures(expectations: ExpectationsByAdapter, fixtureNames: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [adapter, entries] of Object.entries(expectations)) {
    for (const e of entries) {
      if (!fixtureNames.has(e.fixture)) problems.push(`expectations/${adapter}.json names fixture "${e.fixture}", which does not exist`);
    }
  }
  return problems;
}
