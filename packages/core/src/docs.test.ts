// The README's example is documentation users copy: run it and check what it prints.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratchDir = mkdtempSync(join(packageDir, '.docs-test-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

describe('README', () => {
  it('runs the example and prints the worked example and the error message it states', () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const block = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const file = join(scratchDir, 'readme.mjs');
    writeFileSync(file, block as string);
    const output = execFileSync(process.execPath, [file], { encoding: 'utf8' });
    expect(output).toContain('0.002231435513142098 -0.005570296821027357');
    expect(output).toContain('INVALID_OPTION: option "gamma" must be a finite number >= 0, got -1');
  });

  it('runs the "new adapter" example: the mean of a worked example and a +Infinity limit', () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)][1]?.[1];
    expect(block).toBeDefined();
    const file = join(scratchDir, 'adapter.mjs');
    writeFileSync(file, block as string);
    const output = execFileSync(process.execPath, [file], { encoding: 'utf8' });
    // mean of FL(p = 0.8, y = 1) and the limit 0 at x = +Infinity, y = 1
    expect(output).toContain('0.00111572 Float64Array(2) [ -0.0027851484105136785, 0 ]');
  });
});
