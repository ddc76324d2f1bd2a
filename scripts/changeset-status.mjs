#!/usr/bin/env node
// `pnpm changeset:status` (a CI step): makes a change without a changeset visible.
//
// `changeset status` compares HEAD with a base ref, and only fails when packages changed and the
// branch adds no changeset at all. This wrapper
//   1. picks a base ref that exists in the checkout at hand: $CHANGESET_BASE if set, else
//      origin/main (a CI clone), else main (a local repository without a remote). A bare
//      `--since=origin/main` fails in a repository without a remote, and a bare `main` is missing
//      from CI checkouts that only fetched the PR branch;
//   2. runs `changeset status --since=<base>` (prints the planned bumps; fails as described);
//   3. fails as well when a publishable package changed but no changeset added since the base
//      names it, so an adapter change cannot ride along on another package's changeset unnoticed.
//      A change that needs no release is declared with `pnpm changeset --empty`.
// On the base branch itself (e.g. a fresh clone of main) nothing changed, so it passes.
// CI checkouts must have history back to the merge base (actions/checkout: fetch-depth: 0).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishablePackages, repoRoot } from './lib/workspace.mjs';

const git = (...args) => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' });

function chooseBase() {
  const candidates = process.env.CHANGESET_BASE ? [process.env.CHANGESET_BASE] : ['origin/main', 'main'];
  for (const ref of candidates) {
    if (git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`).status === 0) return ref;
  }
  console.error(`changeset:status: none of ${candidates.join(', ')} exists in this checkout; set CHANGESET_BASE to the base branch ref.`);
  process.exit(2);
}

const base = chooseBase();
const mergeBase = git('merge-base', base, 'HEAD');
if (mergeBase.status !== 0) {
  console.error(`changeset:status: HEAD shares no history with ${base} (shallow clone? fetch with fetch-depth: 0).`);
  process.exit(2);
}
console.log(`changeset:status: comparing with ${base} (merge base ${mergeBase.stdout.trim().slice(0, 12)})`);

const changeset = join(repoRoot, 'node_modules', '.bin', 'changeset');
const status = spawnSync(changeset, ['status', `--since=${base}`], { cwd: repoRoot, stdio: 'inherit' });
if (status.status !== 0) process.exit(status.status ?? 1);

// The release plan as JSON: which changesets were added since the base and what they name.
const outDir = mkdtempSync(join(tmpdir(), 'changeset-status-'));
let plan;
try {
  execFileSync(changeset, ['status', `--since=${base}`, `--output=${join(outDir, 'plan.json')}`], { cwd: repoRoot, stdio: 'ignore' });
  plan = JSON.parse(readFileSync(join(outDir, 'plan.json'), 'utf8'));
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

// Same notion of "changed" as changesets: any file under the package directory, working tree included.
const changedFiles = git('diff', '--name-only', '--no-relative', mergeBase.stdout.trim()).stdout.split('\n').filter(Boolean);
const changedPackages = publishablePackages().filter((pkg) => changedFiles.some((file) => file.startsWith(`${pkg.relativeDir}/`)));
const named = new Set(plan.changesets.flatMap((entry) => entry.releases.map((release) => release.name)));
const hasEmptyChangeset = plan.changesets.some((entry) => entry.releases.length === 0);
const unnamed = changedPackages.filter((pkg) => !named.has(pkg.name));

if (unnamed.length > 0 && !hasEmptyChangeset) {
  console.error(
    `changeset:status: changed since ${base} but named by no changeset: ${unnamed.map((pkg) => pkg.name).join(', ')}.\n` +
      'Run `pnpm changeset` and describe the change for each of them (or `pnpm changeset --empty` if it needs no release).',
  );
  process.exit(1);
}
console.log(
  `changeset:status: ok (${changedPackages.length} changed publishable package(s), ${plan.changesets.length} changeset(s) since ${base})`,
);
