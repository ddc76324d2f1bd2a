import { describe, expect, it } from 'vitest';
import type { AdapterOutputs, ConformanceAdapter, Fixture } from './adapter.js';
import { runSuite } from './run.js';

const fixture = (name: string, expectedLoss: number): Fixture => ({
  file: `${name}.json`,
  name,
  op: 'sigmoid_focal_loss',
  reference: 'test',
  options: {},
  inputs: { input: { dtype: 'float32', shape: [1], data: [0] }, target: { dtype: 'float32', shape: [1], data: [1] } },
  expected: { kind: 'outputs', loss: { shape: [], data: [expectedLoss] } },
  tolerance: { loss: { rtol: 0, atol: 0.01 }, gradInput: { rtol: 0, atol: 0.01 } },
});

/** An adapter whose loss is always 1, so a fixture expecting 1 + d has worstRatio 100 d. */
function constantAdapter(overrides: Partial<ConformanceAdapter> = {}): ConformanceAdapter & { disposed: number } {
  const adapter = {
    name: 'const',
    packageName: 'test',
    precision: 'float64' as const,
    disposed: 0,
    async setup(): Promise<true | string> {
      return true;
    },
    supports: (): true | string => true,
    async run(): Promise<AdapterOutputs> {
      return { loss: { shape: [], data: [1] } };
    },
    async dispose() {
      adapter.disposed++;
    },
    ...overrides,
  };
  return adapter;
}

describe('runSuite', () => {
  it('turns a listed deviation into a skip that says so, and fails one that grew beyond twice the record', async () => {
    const warnings: string[] = [];
    const report = await runSuite({
      fixtures: [fixture('a/listed', 1.05), fixture('a/grew', 1.5), fixture('a/passes', 1)],
      adapters: [constantAdapter()],
      expectations: {
        const: [
          { fixture: 'a/listed', reason: 'known', measuredWorstRatio: 5 },
          { fixture: 'a/grew', reason: 'known', measuredWorstRatio: 5 },
          { fixture: 'a/passes', reason: 'stale' },
        ],
      },
      progress: { warn: (m) => warnings.push(m) },
    });
    const byName = Object.fromEntries(report.results.map((r) => [r.fixture, r]));
    expect(byName['a/listed']?.status).toBe('skip');
    expect(byName['a/listed']?.reason).toMatch(/^known deviation: known/);
    expect(byName['a/grew']?.status).toBe('fail'); // worstRatio 50 > 2 x 5
    expect(byName['a/grew']?.reason).toContain('worse than the known deviation');
    expect(byName['a/passes']?.status).toBe('pass');
    expect(warnings).toEqual(['const: a/passes passes but is listed as a known deviation: remove the entry']);
    expect(report.summary).toEqual({ const: { pass: 1, fail: 1, skip: 1 } });
  });

  it('skips every fixture of an adapter that cannot start, with its reason, and still disposes it', async () => {
    const adapter = constantAdapter({ setup: async () => 'no WebGL here' });
    const report = await runSuite({ fixtures: [fixture('a/x', 1)], adapters: [adapter] });
    expect(report.results[0]).toEqual({ fixture: 'a/x', adapter: 'const', status: 'skip', reason: 'adapter unavailable: no WebGL here' });
    expect(report.unavailable).toEqual({ const: 'no WebGL here' });
    expect(adapter.disposed).toBe(1);
  });

  it('reports a throwing supports() as a failure of that fixture only', async () => {
    const adapter = constantAdapter({
      supports: () => {
        throw new Error('boom');
      },
    });
    const report = await runSuite({ fixtures: [fixture('a/x', 1), fixture('a/y', 1)], adapters: [adapter] });
    expect(report.results.map((r) => r.status)).toEqual(['fail', 'fail']);
    expect(report.results[0]?.reason).toBe('supports() threw: boom');
  });
});
