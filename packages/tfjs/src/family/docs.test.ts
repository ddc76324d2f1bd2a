// The README's family example is documentation users copy: run it (against the built package, as a
// user's module would import it) and check what it prints against its comments.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratchDir = mkdtempSync(join(packageDir, '.docs-test-family-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

describe('README: the focal-loss family', () => {
  it('runs the example and prints the values its comments state', () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The focal-loss family'));
    const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const file = join(scratchDir, 'family.mjs');
    writeFileSync(file, block as string);
    const output = execFileSync(process.execPath, [file], { encoding: 'utf8' });
    const stated = [...(block as string).matchAll(/\/\/ ((?:QFL|VFL|FL\*|ASL|DFL|dQFL) [^\n]*)/g)].map((m) => m[1] as string);
    expect(stated).toHaveLength(6);
    for (const line of stated) expect(output).toContain(line);
    // the worked numbers of core's docs/math.md (float64) to the printed float32 digits
    expect(output).toContain('QFL 0.330564');
    expect(output).toContain('DFL 1.11928');
  }, 60_000);
});
