#!/usr/bin/env node
// `pnpm check:size`: what a browser user pays for each package. Bundles each entry in
// size-budgets.json from its built dist/ (what npm users get) with esbuild, minified, tree-shaken,
// with peer dependencies left external (the user already ships TF.js / onnxruntime), then gzips
// the bundle (level 9) and compares both sizes with the committed budget. This stands in for
// size-limit, whose current major needs Node 22. esbuild comes through tsx (see lib/esbuild.mjs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadEsbuild } from './lib/esbuild.mjs';
import { repoRoot } from './lib/workspace.mjs';

const esbuild = loadEsbuild();
const budgets = JSON.parse(readFileSync(join(repoRoot, 'size-budgets.json'), 'utf8'));

const rows = [];
let failed = false;
for (const entry of budgets.entries) {
  const packageDir = join(repoRoot, entry.package);
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const entryFile = join(packageDir, 'dist', 'index.js');
  // The import statement is what a user writes; bundling it from inside the package directory
  // resolves workspace dependencies exactly as an installed package would resolve them.
  const result = await esbuild.build({
    stdin: { contents: entry.import, resolveDir: packageDir, sourcefile: 'size-entry.mjs', loader: 'js' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // Node's built-in modules are never bundled (@focal-loss/fixtures reads its files with node:fs).
    external: [...Object.keys(manifest.peerDependencies ?? {}), 'node:*'],
    write: false,
    logLevel: 'silent',
    alias: { [manifest.name]: entryFile },
  }).catch((error) => ({ error }));
  if ('error' in result) {
    console.error(`${entry.name}: bundling failed (is ${entry.package} built?)\n${result.error.message}`);
    failed = true;
    continue;
  }
  const code = result.outputFiles[0].contents;
  const minified = code.byteLength;
  const gzipped = gzipSync(code, { level: 9 }).byteLength;
  const over = minified > entry.maxMinifiedBytes || gzipped > entry.maxGzipBytes;
  failed ||= over;
  rows.push({
    entry: entry.name,
    'minified B': minified,
    'budget min B': entry.maxMinifiedBytes,
    'gzip B': gzipped,
    'budget gzip B': entry.maxGzipBytes,
    status: over ? 'OVER BUDGET' : 'ok',
  });
}

console.table(rows);
if (failed) {
  console.error('Size check failed: a bundle is over budget or did not build. Raising a budget is a reviewed change to size-budgets.json.');
  process.exit(1);
}
