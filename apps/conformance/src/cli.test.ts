import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';
import type { Report } from './report.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const testFixtures = (name: string) => join(appDir, 'test-fixtures', name);

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('focal-conformance CLI', () => {
  it('exits 0 when every fixture passes, and prints the table', async () => {
    const r = await run(['--fixtures', testFixtures('good'), '--adapter', 'typed-array-f64']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/typed-array-f64\s+unit\s+2\s+0\s+0/);
    expect(r.err).toContain('typed-array-f64: running 2 fixtures');
  });

  it('exits 1 when a fixture fails, with the reason on stderr and in the JSON report', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'conformance-')), 'report.json');
    const r = await run(['--fixtures', testFixtures('failing'), '--adapter', 'typed-array-f64', '--json', json]);
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.summary).toEqual({ 'typed-array-f64': { pass: 0, fail: 2, skip: 0 } });
    const wrongValue = report.results.find((x) => x.fixture === 'unit/wrong-value');
    // The expected loss is 1% too high: |a - e| / (rtol |e|) = (0.01 / 1.01) / 1e-6.
    expect(wrongValue?.outputs?.loss?.worstRatio).toBeCloseTo(0.01 / 1.01 / 1e-6, 0);
    expect(wrongValue?.outputs?.gradInput?.worstRatio).toBeLessThan(1);
    const wrongCode = report.results.find((x) => x.fixture === 'unit/wrong-code');
    expect(wrongCode?.reason).toContain('expected error SHAPE_MISMATCH, got INVALID_OPTION');
    expect(r.err).toContain('FAIL typed-array-f64 unit/wrong-value: loss: worst error');
  });

  it('exits 2 for a malformed fixture, naming the file and the field', async () => {
    const r = await run(['--fixtures', testFixtures('malformed')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad-shape\.json: inputs\.target\.shape: expected an array of non-negative integers, got "3"/);
  });

  it('exits 2 for duplicate names, an unknown adapter, a missing directory or an unknown flag', async () => {
    expect((await run(['--fixtures', testFixtures('duplicate')])).err).toMatch(/duplicate fixture name "unit\/same"/);
    const unknown = await run(['--fixtures', testFixtures('good'), '--adapter', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown adapter "nope"; known adapters: typed-array-f32, typed-array-f64');
    expect((await run(['--fixtures', join(appDir, 'no-such-dir')])).code).toBe(2);
    expect((await run(['--frobnicate'])).code).toBe(2);
  });

  it('exits 2 when the JSON report cannot be written, after printing the table', async () => {
    const r = await run(['--fixtures', testFixtures('good'), '--adapter', 'typed-array-f64', '--json', join(appDir, 'no-such-dir', 'r.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot write the JSON report to');
    expect(r.out).toContain('typed-array-f64');
  });

  it('filters fixtures by name and reports a filter that matches nothing', async () => {
    const r = await run(['--fixtures', testFixtures('good'), '--filter', 'closed', '--adapter', 'typed-array-f32']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/typed-array-f32\s+unit\s+1\s+0\s+0/);
    expect((await run(['--fixtures', testFixtures('good'), '--filter', 'zzz'])).code).toBe(2);
  });

  it('lists the adapters', async () => {
    const r = await run(['--list-adapters']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/typed-array-f32\s+@focal-loss\/typed-array\s+float32\s+available/);
  });

  it('works as a built executable with the same exit codes', () => {
    const cli = join(appDir, 'dist', 'cli.js');
    const ok = execFileSync(process.execPath, [cli, '--fixtures', testFixtures('good'), '--adapter', 'typed-array-f32'], { encoding: 'utf8', stdio: 'pipe' });
    expect(ok).toContain('typed-array-f32');
    expect(spawnSync(process.execPath, [cli, '--fixtures', testFixtures('failing')]).status).toBe(1);
    expect(spawnSync(process.execPath, [cli, '--fixtures', testFixtures('malformed')]).status).toBe(2);
  });
});
