// The README's family example is documentation users copy: run it (against the built dist, through
// the package's self-reference) and check that it prints the values its comments state.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// inside the package, so that `@focal-loss/onnxruntime-web` resolves to this package
const scratchDir = mkdtempSync(join(packageDir, '.docs-test-family-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

describe('README: the focal-loss family and Poly-1', () => {
  it('runs the example and prints the values its comments state', () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## The focal-loss family and Poly-1\n'));
    const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const file = join(scratchDir, 'family.mjs');
    writeFileSync(file, block as string);
    const output = execFileSync(process.execPath, [file], { encoding: 'utf8' });
    const stated = [...(block as string).matchAll(/\/\/ ((?:FL\*|QFL|VFL|ASL|Poly-1|DFL|QFL model) [^\n]*)/g)].map((m) => m[1] as string);
    expect(stated).toHaveLength(7);
    for (const line of stated) expect(output).toContain(line);
  }, 60_000);
});
