// The README's code blocks and the demo are documentation users copy: run them and check the
// numbers they print, so the docs cannot drift from the library.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the package so that `@focal-loss/typed-array` resolves to this package (self-reference).
const scratchDir = mkdtempSync(join(packageDir, '.docs-test-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

function runModule(source: string): string {
  const file = join(scratchDir, `block-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  return execFileSync(process.execPath, [file], { encoding: 'utf8' });
}

describe('documentation', () => {
  it('runs the README example and prints the values its comments state', () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(blocks).toHaveLength(1);
    const output = runModule(blocks[0] as string);
    expect(output).toContain('0.0022314353846013546'); // float32 FL(ln 4, y=1)
    expect(output).toContain('2.0747103691101074');
    expect(output).toContain('0.0056039491119787635');
  });

  it('runs the demo, which prints the worked example 0.00223144', () => {
    const output = execFileSync(process.execPath, [join(packageDir, 'examples', 'demo.mjs')], { encoding: 'utf8' });
    expect(output).toContain('worked example FL(p=0.8, y=1) = 0.00223144 (expected 0.00223144)');
    expect(output).not.toMatch(/NaN|Infinity/);
  });
});
