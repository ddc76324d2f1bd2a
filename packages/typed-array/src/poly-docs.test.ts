// The README's Poly-1 example is documentation users copy: run it and check that it prints what its
// comments state (fenced as ```javascript, like the family's, so src/docs.test.ts is unaffected).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratchDir = mkdtempSync(join(packageDir, '.docs-test-poly-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

describe('README: Poly-1', () => {
  it('runs the example and prints the values its comments state', () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Poly-1'), readme.indexOf('## The focal-loss family'));
    const block = /```javascript\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const file = join(scratchDir, 'poly.mjs');
    writeFileSync(file, block as string);
    const output = execFileSync(process.execPath, [file], { encoding: 'utf8' });
    const stated = [...(block as string).matchAll(/\/\/ ((?:FL|Poly-1|Poly-1 CE) -?\d[^\n]*)/g)].map((m) => m[1] as string);
    expect(stated).toHaveLength(3);
    for (const line of stated) expect(output).toContain(line);
    // mpmath at 40 digits: 0.0077466638248773066794 and 0.51565707615065299728
    expect(output).toContain('Poly-1 0.00774666382487730');
    expect(output).toContain('Poly-1 CE 0.51565707615065');
  }, 30_000);
});
