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
});
