// The README's family example is documentation users copy: run it and check what it prints. It is
// fenced as ```javascript so that src/docs.test.ts (which runs the ```js blocks) is unaffected.
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
    const block = /```javascript\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const file = join(scratchDir, 'family.mjs');
    writeFileSync(file, block as string);
    const output = execFileSync(process.execPath, [file], { encoding: 'utf8' });
    // every value the comments state is printed
    const stated = [...(block as string).matchAll(/\/\/ ((?:QFL|VFL|FL\*|ASL|DFL) [^\n]*)/g)].map((m) => m[1] as string);
    expect(stated).toHaveLength(5);
    for (const line of stated) expect(output).toContain(line);
    expect(output).toContain('QFL 0.33056381247008154');
  }, 30_000);
});
