// esbuild is not a direct dependency of the root; it reaches the workspace through tsx (a dev
// dependency of the packages), so it is resolved along that declared chain rather than from a
// hard-coded .pnpm path. A root devDependency on esbuild would make this a plain import.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './workspace.mjs';

export function loadEsbuild() {
  const attempts = [
    () => createRequire(join(repoRoot, 'package.json'))('esbuild'),
    () => {
      const fromPackage = createRequire(join(repoRoot, 'packages', 'typed-array', 'package.json'));
      return createRequire(fromPackage.resolve('tsx/package.json'))('esbuild');
    },
  ];
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch {
      // try the next route
    }
  }
  throw new Error('esbuild could not be resolved from the workspace root or through tsx; add it as a root devDependency');
}
