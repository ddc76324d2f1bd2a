// The conformance suite itself: every registered adapter on every committed fixture. A failure
// anywhere fails `pnpm test`; a skip is allowed only with a reason.
import { describe, expect, it } from 'vitest';
import { createNodeAdapters } from './adapters/index.js';
import { unknownExpectationFixtures } from './expectations.js';
import { DEFAULT_FIXTURES_DIR, loadExpectations, loadFixtures } from './load-fixtures.js';
import { formatFailures, formatTable } from './report.js';
import { runSuite } from './run.js';

describe('committed fixtures', () => {
  it('pass on every registered adapter', { timeout: 600_000 }, async () => {
    const fixtures = loadFixtures([DEFAULT_FIXTURES_DIR]);
    expect(fixtures.length).toBeGreaterThanOrEqual(150);
    const adapters = createNodeAdapters();
    const expectations = loadExpectations(adapters.map((a) => a.name));
    expect(unknownExpectationFixtures(expectations, new Set(fixtures.map((f) => f.name)))).toEqual([]);
    const report = await runSuite({ fixtures, adapters, expectations });
    console.log(formatTable(report));
    expect(formatFailures(report)).toBe('');
    for (const r of report.results) if (r.status === 'skip') expect(r.reason ?? '').not.toBe('');
    for (const name of ['typed-array-f32', 'typed-array-f64']) {
      expect(report.summary[name]).toEqual({ pass: fixtures.length, fail: 0, skip: 0 });
    }
    if (process.env.CI) expect(report.unavailable ?? {}).toEqual({});
  });
});
