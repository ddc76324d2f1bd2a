// The README's SIMD and pool example (the ```javascript block importing the ./simd entry; the
// main example is the ```js block ../docs.test.ts runs): run it against the built package and check
// what its comments state.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Inside the package so that `@focal-loss/typed-array/...` resolves to this package (self-reference).
const scratchDir = mkdtempSync(join(packageDir, '.docs-test-simd-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

it('runs the README SIMD and pool example and prints the values its comments state', { timeout: 60_000 }, () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```javascript\n([\s\S]*?)```/g)]
    .map((m) => m[1] as string)
    .filter((block) => block.includes("from '@focal-loss/typed-array/simd'"));
  expect(blocks).toHaveLength(1);
  const file = join(scratchDir, 'simd-example.mjs');
  writeFileSync(file, blocks[0] as string);
  const output = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 50_000 });
  expect(output.split('\n').slice(0, 3)).toEqual(['wasm-simd128', '0.8223881125450134', 'true']);
});
