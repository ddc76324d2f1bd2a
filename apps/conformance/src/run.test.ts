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

describe('the float16 tier', () => {
  it('judges a float16 adapter with rtol 0.1 + 0.1 max|e| instead of the fixture tolerance; NaN must still match', async () => {
    const half = (data: number[]) => constantAdapter({ name: 'half', precision: 'float16', run: async () => ({ loss: { shape: [3], data } }) });
    const f = (name: string): Fixture => ({ ...fixture(name, 0), expected: { kind: 'outputs', loss: { shape: [3], data: [1, 0.001, 2] } } });
    // 1.15 vs 1: |d| = 0.15 <= 0.1 * 1 + 0.1 * 2 = 0.3; 0.1 vs 0.001: 0.099 <= 0.0001 + 0.2.
    const near = await runSuite({ fixtures: [f('a/near')], adapters: [half([1.15, 0.1, 2])] });
    expect(near.results[0]).toMatchObject({ status: 'pass' });
    // The same output from a float32 adapter fails the fixture's own atol 0.01.
    const strict = await runSuite({ fixtures: [f('a/near')], adapters: [constantAdapter({ run: async () => ({ loss: { shape: [3], data: [1.15, 0.1, 2] } }) })] });
    expect(strict.results[0]).toMatchObject({ status: 'fail' });
    const far = await runSuite({ fixtures: [f('a/far')], adapters: [half([1.35, 0.001, 2])] });
    expect(far.results[0]?.status).toBe('fail');
    const nan = await runSuite({ fixtures: [f('a/nan')], adapters: [half([1, Number.NaN, 2])] });
    expect(nan.results[0]).toMatchObject({ status: 'fail', reason: expect.stringContaining('NaN or infinity') });
  });
});
