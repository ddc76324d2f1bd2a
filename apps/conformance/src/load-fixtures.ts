/** Node-only: reads fixture directories and expectation files from disk. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fixture } from './adapter.js';
import { parseExpectations, type Expectation } from './expectations.js';
import { checkUniqueNames, FixtureFormatError, parseFixture } from './fixture.js';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The committed fixtures, found relative to the app, not the working directory. */
export const DEFAULT_FIXTURES_DIR = join(appDir, 'fixtures');
export const EXPECTATIONS_DIR = join(appDir, 'expectations');

/** A usage problem (missing directory, ...): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsonFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(path);
  }
  return out.sort();
}

function readJson(path: string, label: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new FixtureFormatError(label, '(file)', `not valid JSON: ${(error as Error).message}`);
  }
}

/** Every *.json under the directories (recursively), parsed, validated and sorted by name. */
export function loadFixtures(dirs: readonly string[]): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const dir of dirs) {
    const abs = resolve(dir);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new UsageError(`fixture directory not found: ${dir}`);
    const files = jsonFiles(abs);
    if (files.length === 0) throw new UsageError(`no *.json fixtures in ${dir}`);
    for (const file of files) {
      const label = relative(process.cwd(), file) || file;
      fixtures.push(parseFixture(readJson(file, label), label));
    }
  }
  return checkUniqueNames(fixtures);
}

/** `expectations/<adapter>.json` for each adapter that has one. */
export function loadExpectations(adapterNames: readonly string[], dir = EXPECTATIONS_DIR): Record<string, Expectation[]> {
  const out: Record<string, Expectation[]> = {};
  for (const name of adapterNames) {
    const file = join(dir, `${name}.json`);
    if (existsSync(file)) out[name] = parseExpectations(readJson(file, relative(process.cwd(), file)), file);
  }
  return out;
}
