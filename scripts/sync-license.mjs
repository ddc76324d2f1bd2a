#!/usr/bin/env node
// Copies the root LICENSE into every publishable package. npm and pnpm always pack a LICENSE file
// that sits in the package directory (whatever "files" says), but cannot reach ../../LICENSE, so
// each package keeps a committed copy; `pnpm check:packages` fails when a copy drifts.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishablePackages, repoRoot } from './lib/workspace.mjs';

const source = join(repoRoot, 'LICENSE');
const text = readFileSync(source, 'utf8');
for (const pkg of publishablePackages()) {
  const target = join(pkg.dir, 'LICENSE');
  let current = null;
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing: copied below
  }
  if (current === text) {
    console.log(`${pkg.relativeDir}/LICENSE is up to date`);
  } else {
    copyFileSync(source, target);
    console.log(`${pkg.relativeDir}/LICENSE ${current === null ? 'created' : 'updated'}`);
  }
}
