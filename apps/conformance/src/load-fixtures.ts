/**
 * Node-only: reads fixture directories and expectation files from disk.
 *
 * Every way a file can fail to load is a LoadError or a FixtureFormatError (exit code 2) naming
 * the path and either the field or the operating system's error: a directory or file that cannot
 * be read, a symbolic link loop, a file that is not UTF-8 (with the byte offset), larger than the
 * size cap, nested deeper than any fixture needs, or not JSON. None of them may surface as a stack
 * trace or as exit code 1, which means "a fixture ran and failed".
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturesDir } from '@focal-loss/fixtures';
import type { Fixture } from './adapter.js';
import { parseExpectations, type Expectation } from './expectations.js';
import { checkUniqueNames, FixtureFormatError, parseFixture } from './fixture.js';
import { firstInvalidUtf8Offset, jsonDepthExceeds } from './json-text.js';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The committed fixtures: the files of the @focal-loss/fixtures package (found through it, not the working directory). */
export const DEFAULT_FIXTURES_DIR = fixturesDir;
export const EXPECTATIONS_DIR = join(appDir, 'expectations');

/** Files larger than this are refused before they are read (`--max-file-size` raises it). */
export const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;
/** A fixture nests 4 levels deep; nothing legitimate comes near this. */
export const MAX_JSON_DEPTH = 256;

/** A usage problem (missing directory, ...): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A path that could not be loaded: exit code 2, the message names the path and the reason. */
export class LoadError extends UsageError {
  override name = 'LoadError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

export interface LoadOptions {
  /** Bytes; files above it are refused unread. Default DEFAULT_MAX_FILE_SIZE. */
  readonly maxFileSize?: number;
}

/** The path relative to the working directory when it is below it, else absolute. */
function label(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? resolve(path) : rel;
}

/** The OS error as "EACCES: permission denied, open '...'", without a stack. */
function osError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message.replace(/^[A-Z]+: /, '')}` : String((error as Error)?.message ?? error);
}

function statFollowing(path: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw new LoadError(label(path), `cannot read: ${osError(error)}`);
  }
}

/**
 * Every *.json under `dir`, following symbolic links. `ancestors` holds the real paths of the
 * directories on the way down: meeting one again is a loop, reported instead of followed.
 */
function jsonFiles(dir: string, ancestors: ReadonlySet<string>): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    throw new LoadError(label(dir), `cannot read the directory: ${osError(error)}`);
  }
  const out: string[] = [];
  for (const name of entries.sort()) {
    const path = join(dir, name);
    const stats = statFollowing(path);
    if (stats.isDirectory()) {
      let real: string;
      try {
        real = realpathSync(path);
      } catch (error) {
        throw new LoadError(label(path), `cannot resolve: ${osError(error)}`);
      }
      if (ancestors.has(real)) {
        throw new LoadError(label(path), `symbolic link loop: it leads back to ${label(real)}, which contains it`);
      }
      out.push(...jsonFiles(path, new Set([...ancestors, real])));
    } else if (name.endsWith('.json')) {
      // A FIFO, socket or device named *.json would block or never end: refuse it unread.
      if (!stats.isFile()) throw new LoadError(label(path), 'not a regular file (a FIFO, socket or device?)');
      out.push(path);
    }
  }
  return out;
}

/** Reads a regular file of at most maxFileSize bytes, checking the size on the open descriptor first. */
function readCapped(path: string, maxFileSize: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new LoadError(label(path), `cannot read: ${osError(error)}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > maxFileSize) {
      throw new LoadError(label(path), `${size} bytes is larger than the limit of ${maxFileSize} bytes (raise it with --max-file-size)`);
    }
    const buffer = Buffer.alloc(size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, buffer, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return buffer.subarray(0, done);
  } catch (error) {
    if (error instanceof LoadError) throw error;
    throw new LoadError(label(path), `cannot read: ${osError(error)}`);
  } finally {
    closeSync(fd);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The file's JSON value; every failure is a FixtureFormatError or LoadError naming the file. */
export function readJson(path: string, options: LoadOptions = {}): unknown {
  const name = label(path);
  const bytes = readCapped(path, options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new FixtureFormatError(name, '(file)', `not UTF-8: invalid byte sequence at byte offset ${firstInvalidUtf8Offset(bytes)}`);
  }
  // JSON.parse of a very deep document can throw RangeError or take the whole heap; refuse it first.
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new FixtureFormatError(name, '(file)', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FixtureFormatError(name, '(file)', `not valid JSON: ${(error as Error)?.message ?? String(error)}`);
  }
}

/** Every *.json under the directories (recursively), parsed, validated and sorted by name. */
export function loadFixtures(dirs: readonly string[], options: LoadOptions = {}): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const dir of dirs) {
    const abs = resolve(dir);
    if (!existsSync(abs)) throw new UsageError(`fixture directory not found: ${dir}`);
    if (!statFollowing(abs).isDirectory()) throw new UsageError(`not a directory: ${dir}`);
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (error) {
      throw new LoadError(label(abs), `cannot resolve: ${osError(error)}`);
    }
    const files = jsonFiles(abs, new Set([real]));
    if (files.length === 0) throw new UsageError(`no *.json fixtures in ${dir}`);
    for (const file of files) fixtures.push(parseFixture(readJson(file, options), label(file)));
  }
  return checkUniqueNames(fixtures);
}

/** `expectations/<adapter>.json` for each adapter that has one. */
export function loadExpectations(adapterNames: readonly string[], dir = EXPECTATIONS_DIR): Record<string, Expectation[]> {
  const out: Record<string, Expectation[]> = {};
  for (const name of adapterNames) {
    const file = join(dir, `${name}.json`);
    if (existsSync(file)) out[name] = parseExpectations(readJson(file), label(file));
  }
  return out;
}
