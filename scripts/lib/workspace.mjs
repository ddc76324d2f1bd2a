// Helpers shared by the release scripts: which packages are published, and how to pack them the
// way `changeset publish` will (pnpm rewrites `workspace:*` to the real version when packing).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Every workspace package under packages/ that is not private, in directory order. */
export function publishablePackages() {
  const packagesDir = join(repoRoot, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { dir, relativeDir: `packages/${entry.name}`, name: manifest.name, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true);
}

/** True when the package's build output exists (packing without it would publish an empty package). */
export function isBuilt(pkg) {
  return existsSync(join(pkg.dir, 'dist', 'index.js')) && existsSync(join(pkg.dir, 'dist', 'index.d.ts'));
}

/** Packs `pkg` with pnpm into `destination`; returns the tarball's absolute path and its file list. */
export function packPackage(pkg, destination) {
  const stdout = execFileSync('pnpm', ['pack', '--json', '--pack-destination', destination], {
    cwd: pkg.dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const report = JSON.parse(stdout);
  return { tarball: report.filename, files: report.files.map((file) => file.path) };
}

/** Runs a command, streaming its output, and returns its exit status instead of throwing. */
export function run(command, args, options = {}) {
  try {
    execFileSync(command, args, { stdio: 'inherit', ...options });
    return 0;
  } catch (error) {
    return typeof error.status === 'number' ? error.status : 1;
  }
}
