import { describe, expect, it } from 'vitest';
import { hasFailures, reportToJson, type Report } from './report.js';

const report = (): Report => ({
  results: [
    {
      fixture: 'unit/nan',
      adapter: 'a',
      status: 'fail',
      outputs: { loss: { maxAbsError: Infinity, maxRelError: 0, worstRatio: Infinity } },
    },
  ],
  summary: { a: { pass: 0, fail: 1, skip: 0 } },
});

describe('report', () => {
  it('writes non-finite errors as strings, as the fixture format does (JSON.stringify would write null)', () => {
    const json = JSON.parse(reportToJson(report())) as Report;
    expect(json.results[0]?.outputs?.loss).toEqual({ maxAbsError: 'Infinity', maxRelError: 0, worstRatio: 'Infinity' });
  });

  it('counts stale expectation entries as a failure of the run without adding result rows', () => {
    const clean: Report = { results: [{ fixture: 'unit/ok', adapter: 'a', status: 'pass' }], summary: { a: { pass: 1, fail: 0, skip: 0 } } };
    expect(hasFailures(clean)).toBe(false);
    expect(hasFailures({ ...clean, staleExpectations: ['expectations/a.json names fixture "x/y", which does not exist'] })).toBe(true);
  });
});
