// The README's presets and float16 examples are documentation users copy: run each and check that it
// prints every number its comments state (fenced as ```javascript, so src/docs.test.ts is unaffected).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the package so that `@focal-loss/typed-array` resolves to this package (self-reference).
const scratchDir = mkdtempSync(join(packageDir, '.docs-test-presets-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

/** The ```javascript block of the README section whose heading is `heading`, run; its code and output. */
function runSection(heading: string): { block: string; output: string } {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + heading.length + 2));
  const block = /```javascript\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block, heading).toBeDefined();
  const file = join(scratchDir, `${heading.replace(/\W+/g, '-')}.mjs`);
  writeFileSync(file, block as string);
  return { block: block as string, output: execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 }) };
}

/** What each `// label value` comment says the line prints. */
function statedLines(block: string): string[] {
  return [...block.matchAll(/\/\/ ((?:detectron2|gradient|spelled out|mean|posWeight|keras|f16) -?\d[^\n(]*?)\s*(?:\(|$)/gm)].map(
    (m) => m[1] as string,
  );
}

describe('README: presets and float16 inputs', () => {
  it('runs the presets example and prints what its comments state', { timeout: 30_000 }, () => {
    const { block, output } = runSection('## Presets and the options they need');
    const stated = statedLines(block);
    expect(stated).toHaveLength(6);
    for (const line of stated) expect(output).toContain(line);
    // torchvision 0.14.1 in float64 (README text): 0.30058509697809066; Keras' test expects 0.02059
    expect(Number(/detectron2 (\S+)/.exec(output)?.[1])).toBeCloseTo(0.30058509697809066, 15);
    expect(Number(/keras (\S+)/.exec(output)?.[1])).toBeCloseTo(0.02059, 4); // Keras asserts 3 places
  });

  it('runs the float16 example: half bits widened, Float16Array (where present) the same, Uint16Array refused', { timeout: 30_000 }, () => {
    const { block, output } = runSection('## float16 inputs');
    const stated = statedLines(block);
    expect(stated).toHaveLength(1);
    const lines = output.trim().split('\n');
    const hasFloat16 = typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'function';
    // one f16 line from the bits, a second identical one where this runtime has Float16Array
    expect(lines).toEqual([stated[0], ...(hasFloat16 ? [stated[0]] : []), 'INVALID_OPTION']);
  });
});
