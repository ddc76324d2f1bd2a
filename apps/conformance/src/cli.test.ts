import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Each malformed test fixture and the start of what the CLI must say about it (after "<file>: "). */
const MALFORMED: Readonly<Record<string, string>> = {
  'adapter-option-check-targets.json': 'options.checkTargets: "checkTargets" is an adapter\'s call option',
  'adapter-option-gradient-in-error-fixture.json': 'options.gradient: "gradient" is an adapter\'s call option',
  'adapter-option-out.json': 'options.out: "out" is an adapter\'s call option',
  'adapter-option-weight.json': 'options.weight: "weight" is an adapter\'s call option',
  'bad-shape.json': 'inputs.target.shape: expected an array of non-negative integers, got "3"',
  'data-length.json': 'inputs.input.data: has 2 values but shape [1] needs 1',
  'dtype-bfloat16.json': 'inputs.input.dtype: expected one of float16, float32, float64, int32, got "bfloat16"',
  'error-code-not-string.json': 'expected.error: expected a non-empty string, got 3',
  'expected-missing.json': 'expected: expected an object, got nothing',
  'float16-not-exact.json': 'inputs.input.data[0]: expected a value exactly representable in float16, got 0.1',
  'extra-input.json': 'inputs.bias: expected only input, target, weight',
  'int32-fraction.json': 'inputs.target.data[0]: expected an int32, got 0.5',
  'int32-out-of-range.json': 'inputs.target.data[0]: expected an int32, got 2147483648',
  'missing-name.json': 'name: expected a non-empty string, got nothing',
  'negative-rtol.json': 'tolerance.rtol: expected a number >= 0, got -1',
  'nested-data.json': 'inputs.input.data[0]: expected a number',
  'non-finite-spelling.json': 'inputs.input.data[0]: expected a number or "NaN" / "Infinity" / "-Infinity", got "inf"',
  'options-array.json': 'options: expected an object, got []',
  'outputs-without-tolerance.json': 'tolerance: expected an object, got nothing',
  'shape-fraction.json': 'inputs.input.shape: expected an array of non-negative integers, got [1.5]',
  'shape-unsafe-integer.json': 'inputs.input.shape: expected an array of non-negative integers',
  'sigmoid-softmax-option-in-outputs-fixture.json': 'options.normalizeProbabilities: unknown option of sigmoid_focal_loss',
  'unknown-error-code.json': 'expected.error: expected one of INVALID_OPTION, SHAPE_MISMATCH, INVALID_TARGET, got "NOT_A_CODE"',
  'unknown-op.json': 'op: expected "sigmoid_focal_loss" or "softmax_focal_loss" or',
  'unknown-option-expecting-shape-mismatch.json': 'options.gama: unknown option of sigmoid_focal_loss',
  'unknown-option-in-outputs-fixture.json': 'options.gama: unknown option of sigmoid_focal_loss',
  'wrong-format.json': 'format: expected "focal-loss-fixture/1", got "focal-loss-fixture/2"',
};

describe('focal-conformance CLI', () => {
  it('exits 0 when every fixture passes, and prints the table', async () => {
    const r = await run(['--fixtures', testFixtures('good'), '--adapter', 'typed-array-f64']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/typed-array-f64\s+unit\s+4\s+0\s+0/);
    expect(r.err).toContain('typed-array-f64: running 4 fixtures');
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

  it('exits 2 for every malformed test fixture, naming the file and the field', async () => {
    const files = readdirSync(testFixtures('malformed')).filter((f) => f.endsWith('.json')).sort();
    expect(Object.keys(MALFORMED).sort()).toEqual(files);
    for (const file of files) {
      const dir = mkdtempSync(join(tmpdir(), 'conformance-malformed-'));
      copyFileSync(join(testFixtures('malformed'), file), join(dir, file));
      const r = await run(['--fixtures', dir, '--adapter', 'typed-array-f64']);
      expect(r.code, `${file}: ${r.err}`).toBe(2);
      expect(r.err, file).toContain(`${file}: ${MALFORMED[file]}`);
      expect(r.err, file).not.toMatch(/\n\s+at /);
    }
    const whole = await run(['--fixtures', testFixtures('malformed')]);
    expect(whole.code).toBe(2);
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

  it('merges --report files into the table; their failures do not change the exit code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-report-'));
    const outside = join(dir, 'outside.json');
    writeFileSync(
      outside,
      JSON.stringify({
        results: [
          { fixture: 'unit/closed-form', adapter: 'torchvision-f32', status: 'pass', outputs: { loss: { maxAbsError: 0, maxRelError: 0, worstRatio: 0.5 } } },
          { fixture: 'unit/error-gamma', adapter: 'torchvision-f32', status: 'skip', reason: 'no error codes' },
          { fixture: 'unit/nan', adapter: 'torchvision-f32', status: 'fail', reason: 'gradInput: NaN', outputs: { gradInput: { maxAbsError: 'Infinity', maxRelError: 0, worstRatio: 'Infinity' } } },
        ],
        summary: { 'torchvision-f32': { pass: 99, fail: 0, skip: 0 } },
        environment: { runtime: 'python 3.11, torch 1.13' },
      }),
    );
    const json = join(dir, 'merged.json');
    const r = await run(['--fixtures', testFixtures('good'), '--adapter', 'typed-array-f64', '--report', outside, '--json', json]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/typed-array-f64\s+unit\s+4\s+0\s+0/);
    // The summary is recounted from the results, not taken from the file.
    expect(r.out).toMatch(/torchvision-f32\s+unit\s+1\s+1\s+1\s+inf/);
    expect(r.err).toContain('FAIL torchvision-f32 unit/nan: gradInput: NaN');
    const merged = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(merged.merged).toEqual({ 'torchvision-f32': outside });
    expect(merged.summary['torchvision-f32']).toEqual({ pass: 1, fail: 1, skip: 1 });
    // --filter applies to merged results too.
    const filtered = await run(['--fixtures', testFixtures('good'), '--adapter', 'typed-array-f64', '--report', outside, '--filter', 'closed']);
    expect(filtered.out).toMatch(/torchvision-f32\s+unit\s+1\s+0\s+0/);
  });

  it('exits 2 for a --report file that is missing, malformed or names an adapter already in the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-report-'));
    const missing = await run(['--fixtures', testFixtures('good'), '--report', join(dir, 'none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('none.json: cannot read: ENOENT');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ results: [{ fixture: 'a', adapter: 'b', status: 'skip' }], summary: {} }));
    const malformed = await run(['--fixtures', testFixtures('good'), '--report', bad]);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain(`${bad}: results[0].reason: a skip needs a reason`);
    const clash = join(dir, 'clash.json');
    writeFileSync(clash, JSON.stringify({ results: [], summary: { 'typed-array-f64': { pass: 0, fail: 0, skip: 0 } } }));
    const twice = await run(['--fixtures', testFixtures('good'), '--adapter', 'typed-array-f64', '--report', clash]);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('adapter "typed-array-f64" is already in the table');
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
    const malformed = spawnSync(process.execPath, [cli, '--fixtures', testFixtures('malformed')], { encoding: 'utf8' });
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).not.toMatch(/\n\s+at /);
  });
});
