#!/usr/bin/env node
// `pnpm check:packages`: checks each publishable package the way a user receives it, i.e. as the
// tarball `pnpm pack` produces (workspace:* already rewritten), with
//   1. our own metadata rules (ESM-only, exports map with types, MIT + LICENSE, repository.directory, ...),
//   2. publint --strict (warnings count as errors),
//   3. @arethetypeswrong/cli with the esm-only profile: we ship ESM only, so types must resolve for
//      node16/nodenext from ESM and for bundlers; the CommonJS rows are ignored because CJS callers
//      reach us through require(esm) (Node >= 20.19), which attw (bundling TypeScript 5.6) cannot model.
// Usage: node scripts/check-packages.mjs [package-name ...]   (default: every publishable package)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBuilt, packPackage, publishablePackages, repoRoot, run } from './lib/workspace.mjs';

const REPOSITORY_URL = 'git+https://github.com/focal-loss/focal-loss.git';
const rootLicense = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');

/** Metadata problems of one package manifest (the packed one), each naming the field and its value. */
function manifestProblems(manifest, relativeDir) {
  const problems = [];
  const expect = (condition, message) => condition || problems.push(message);
  const rootExport = manifest.exports?.['.'];
  expect(manifest.type === 'module', `"type" must be "module" (ESM only), got ${JSON.stringify(manifest.type)}`);
  expect(manifest.license === 'MIT', `"license" must be "MIT", got ${JSON.stringify(manifest.license)}`);
  // false, or the modules whose import is a deliberate side effect (e.g. @focal-loss/tfjs's kernel
  // registration entry), so that bundlers keep exactly those and tree-shake the rest
  const sideEffects = manifest.sideEffects;
  expect(
    sideEffects === false ||
      (Array.isArray(sideEffects) && sideEffects.length > 0 && sideEffects.every((f) => typeof f === 'string' && f.startsWith('./dist/') && f.endsWith('.js'))),
    `"sideEffects" must be false or list the side-effect modules under ./dist/, got ${JSON.stringify(sideEffects)}`,
  );
  expect(typeof manifest.types === 'string', `"types" is missing`);
  expect(
    rootExport && typeof rootExport === 'object' && typeof rootExport.types === 'string',
    `"exports"["."] must be an object with a "types" condition, got ${JSON.stringify(rootExport)}`,
  );
  expect(Array.isArray(manifest.files) && manifest.files.includes('dist'), `"files" must list "dist", got ${JSON.stringify(manifest.files)}`);
  expect(
    manifest.repository?.url === REPOSITORY_URL && manifest.repository?.directory === relativeDir,
    `"repository" must be { "type": "git", "url": "${REPOSITORY_URL}", "directory": "${relativeDir}" }, got ${JSON.stringify(manifest.repository)}`,
  );
  expect(typeof manifest.engines?.node === 'string', `"engines.node" is missing (require(esm) needs Node >= 20.19)`);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      expect(!String(range).startsWith('workspace:'), `${field}.${name} is still "${range}" in the tarball`);
    }
  }
  return problems;
}

function tarballFileProblems(files, tarball) {
  const problems = [];
  for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
    if (!files.includes(required)) problems.push(`the tarball has no ${required}`);
  }
  if (files.includes('LICENSE')) {
    const packedLicense = execFileSync('tar', ['-xOzf', tarball, 'package/LICENSE'], { encoding: 'utf8' });
    if (packedLicense !== rootLicense) problems.push('the packed LICENSE differs from the root LICENSE (run node scripts/sync-license.mjs)');
  }
  const tests = files.filter((file) => /\.test\.(js|d\.ts)$/.test(file));
  if (tests.length > 0) problems.push(`the tarball ships test files: ${tests.join(', ')}`);
  return problems;
}

const wanted = process.argv.slice(2);
const packages = publishablePackages().filter((pkg) => wanted.length === 0 || wanted.includes(pkg.name));
if (wanted.length > 0 && packages.length !== wanted.length) {
  const unknown = wanted.filter((name) => !packages.some((pkg) => pkg.name === name));
  console.error(`Unknown or private package(s): ${unknown.join(', ')}`);
  process.exit(2);
}

const packDir = mkdtempSync(join(tmpdir(), 'focal-loss-check-'));
const results = [];
try {
  for (const pkg of packages) {
    console.log(`\n=== ${pkg.name} (${pkg.relativeDir})`);
    if (!isBuilt(pkg)) {
      console.error(`  not built: run \`pnpm --filter ${pkg.name} run build\` first`);
      results.push({ name: pkg.name, metadata: 'not built', publint: '-', attw: '-' });
      continue;
    }
    const { tarball, files } = packPackage(pkg, packDir);
    const packedManifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    const problems = [...manifestProblems(packedManifest, pkg.relativeDir), ...tarballFileProblems(files, tarball)];
    for (const problem of problems) console.error(`  metadata: ${problem}`);
    console.log(`  packed ${files.length} files -> ${tarball}`);
    const publint = run('pnpm', ['exec', 'publint', 'run', '--strict', tarball], { cwd: repoRoot });
    const attw = run('pnpm', ['exec', 'attw', '--profile', 'esm-only', '--no-color', tarball], { cwd: repoRoot });
    results.push({
      name: pkg.name,
      metadata: problems.length === 0 ? 'ok' : `${problems.length} problem(s)`,
      publint: publint === 0 ? 'ok' : 'FAILED',
      attw: attw === 0 ? 'ok' : 'FAILED',
    });
  }
} finally {
  rmSync(packDir, { recursive: true, force: true });
}

console.log('\nSummary');
console.table(results);
const failed = results.some((row) => row.metadata !== 'ok' || row.publint !== 'ok' || row.attw !== 'ok');
process.exit(failed ? 1 : 0);
