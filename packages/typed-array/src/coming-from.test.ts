// docs/coming-from.md is documentation users copy: run each of its code blocks with this package and
// check that every number its comments state is printed (as docs.test.ts does for the README).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const page = join(packageDir, '..', '..', 'docs', 'coming-from.md');
// Inside the package so that `@focal-loss/typed-array` resolves to this package (self-reference).
const scratchDir = mkdtempSync(join(packageDir, '.docs-test-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

function runModule(source: string): string {
  const file = join(scratchDir, `block-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  return execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
}

/** The numbers a block's comments state (at least 6 decimals, so that they cannot match by chance). */
function statedNumbers(block: string): string[] {
  const comments = [...block.matchAll(/\/\/(.*)$/gm)].map((m) => m[1] as string).join('\n');
  return [...comments.matchAll(/-?\d+\.\d{6,}(?:e-?\d+)?/g)].map((m) => m[0]);
}

const blocks = [...readFileSync(page, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] as string);

describe('docs/coming-from.md', () => {
  it('has one runnable example per library', () => {
    expect(blocks).toHaveLength(6);
  });

  it.each(blocks.map((block, k) => [k, block] as const))('block %i prints every number its comments state', { timeout: 30_000 }, (_k, block) => {
    const stated = statedNumbers(block);
    expect(stated.length).toBeGreaterThan(0);
    const output = runModule(block);
    for (const number of stated) expect(output).toContain(number);
    expect(output).not.toMatch(/NaN|Error/);
  });
});
