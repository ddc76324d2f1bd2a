import { describe, expect, it } from 'vitest';
import { formatTable, hasFailures, reportToJson, type Report } from './report.js';

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

describe('formatTable', () => {
  it('shows pass / fail / skip per group and the worst ratio of compared, non-skipped fixtures', () => {
    const errors = (worstRatio: number) => ({ loss: { maxAbsError: 0, maxRelError: 0, worstRatio } });
    const table = formatTable({
      results: [
        { fixture: 'g/a', adapter: 'x', status: 'pass', outputs: errors(0.25) },
        { fixture: 'g/b', adapter: 'x', status: 'skip', reason: 'known deviation: y', outputs: errors(773) },
        { fixture: 'h/c', adapter: 'x', status: 'fail', outputs: errors(3) },
      ],
      summary: { x: { pass: 1, fail: 1, skip: 1 } },
    });
    expect(table).toMatch(/x\s+g\s+1\s+0\s+1\s+0\.250x/);
    expect(table).toMatch(/x\s+h\s+0\s+1\s+0\s+3\.000x/);
    expect(table).toMatch(/x\s+total\s+1\s+1\s+1\s+3\.000x/);
  });
});
