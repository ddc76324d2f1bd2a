/**
 * Loading fixture directories: every way a path can fail to load is exit 2 naming the path and
 * the reason, never a stack trace, never exit 1, never a hang.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { FixtureFormatError } from './fixture.js';
import { firstInvalidUtf8Offset, jsonDepthExceeds } from './json-text.js';
import { LoadError, loadFixtures, MAX_JSON_DEPTH } from './load-fixtures.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const goodFixture = join(appDir, 'test-fixtures', 'good', 'closed-form.json');
const goodText = readFileSync(goodFixture, 'utf8');

/** A fresh directory holding one good fixture (unit/closed-form) at good.json. */
function dirWithGood(): string {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-load-'));
  copyFileSync(goodFixture, join(dir, 'good.json'));
  return dir;
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/** Runs the CLI on a directory and expects exit 2 with one line naming the problem, no stack. */
async function expectLoadFailure(dir: string, ...fragments: string[]): Promise<string> {
  const r = await cli(['--fixtures', dir, '--adapter', 'typed-array-f64']);
  expect(r.code, r.err).toBe(2);
  for (const fragment of fragments) expect(r.err).toContain(fragment);
  expect(r.err).not.toMatch(/\n\s+at /);
  return r.err;
}

describe('firstInvalidUtf8Offset', () => {
  it('finds the first invalid sequence as a fatal TextDecoder defines it', () => {
    const bytes = (...b: number[]) => Uint8Array.from(b);
    expect(firstInvalidUtf8Offset(new TextEncoder().encode('{"a": "é€𝄞"}'))).toBe(-1);
    expect(firstInvalidUtf8Offset(bytes(0x61, 0xff, 0x62))).toBe(1);
    expect(firstInvalidUtf8Offset(bytes(0x61, 0x62, 0xc3))).toBe(2); // truncated
    expect(firstInvalidUtf8Offset(bytes(0xc0, 0x80))).toBe(0); // overlong NUL
    expect(firstInvalidUtf8Offset(bytes(0x20, 0xed, 0xa0, 0x80))).toBe(1); // a surrogate
    expect(firstInvalidUtf8Offset(bytes(0xf4, 0x90, 0x80, 0x80))).toBe(0); // above U+10FFFF
    expect(firstInvalidUtf8Offset(bytes(0xe2, 0x82, 0x41))).toBe(0); // bad continuation
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (const b of [bytes(0x61, 0xff), bytes(0xc0, 0x80), bytes(0xed, 0xa0, 0x80), bytes(0xe2, 0x82, 0xac)]) {
      let valid = true;
      try {
        decoder.decode(b);
      } catch {
        valid = false;
      }
      expect(firstInvalidUtf8Offset(b) === -1).toBe(valid);
    }
  });
});

describe('jsonDepthExceeds', () => {
  it('counts nesting outside strings only', () => {
    expect(jsonDepthExceeds('[[["[[[[["]]]', 3)).toBe(false);
    expect(jsonDepthExceeds('[[[[]]]]', 3)).toBe(true);
    expect(jsonDepthExceeds('{"a": "\\"[[[[", "b": [{}]}', 3)).toBe(false);
    expect(jsonDepthExceeds(goodText, 5)).toBe(false);
  });
});

describe('loading fixture directories', () => {
  it('follows symbolic links to files and directories', () => {
    const outside = dirWithGood();
    const dir = mkdtempSync(join(tmpdir(), 'conformance-links-'));
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'other.json'), goodText.replace('unit/closed-form', 'unit/through-a-directory-link'));
    symlinkSync(join(outside, 'good.json'), join(dir, 'linked-file.json'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'conformance-links-target-'));
    writeFileSync(join(elsewhere, 'x.json'), goodText.replace('unit/closed-form', 'unit/in-a-linked-directory'));
    symlinkSync(elsewhere, join(dir, 'linked-dir'));
    const names = loadFixtures([dir]).map((f) => f.name);
    expect(names).toEqual(['unit/closed-form', 'unit/in-a-linked-directory', 'unit/through-a-directory-link']);
  });

  it('reports a symbolic link loop with its path instead of following it', async () => {
    const dir = dirWithGood();
    mkdirSync(join(dir, 'sub'));
    symlinkSync('..', join(dir, 'sub', 'back-up'));
    expect(() => loadFixtures([dir])).toThrow(LoadError);
    await expectLoadFailure(dir, join('sub', 'back-up'), 'symbolic link loop');
    const self = dirWithGood();
    symlinkSync('self.json', join(self, 'self.json')); // a file link to itself: ELOOP from the OS
    await expectLoadFailure(self, 'self.json', 'ELOOP');
  });

  it('reports a dangling symbolic link with the OS error', async () => {
    const dir = dirWithGood();
    symlinkSync(join(dir, 'nowhere.json'), join(dir, 'dangling.json'));
    await expectLoadFailure(dir, 'dangling.json: cannot read: ENOENT');
  });

  it('refuses a FIFO named *.json instead of blocking on it', async () => {
    const dir = dirWithGood();
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    } catch {
      console.log('FIFO check skipped: mkfifo is not available');
      return;
    }
    await expectLoadFailure(dir, 'pipe.json: not a regular file');
  });

  it('rejects bytes that are not UTF-8, naming the file and the byte offset', async () => {
    const dir = dirWithGood();
    const text = Buffer.from(goodText.replace('closed form: p = 1/2', 'closed form: p = 1/2 XX'), 'utf8');
    const at = text.indexOf('XX');
    text[at] = 0xff;
    writeFileSync(join(dir, 'latin1.json'), text);
    await expectLoadFailure(dir, `latin1.json: (file): not UTF-8: invalid byte sequence at byte offset ${at}`);
  });

  it('refuses a file over the size cap unread, and --max-file-size raises the cap', async () => {
    const dir = dirWithGood();
    const size = Buffer.byteLength(goodText);
    const small = await cli(['--fixtures', dir, '--adapter', 'typed-array-f64', '--max-file-size', '100']);
    expect(small.code).toBe(2);
    expect(small.err).toContain(`good.json: ${size} bytes is larger than the limit of 100 bytes (raise it with --max-file-size)`);
    expect((await cli(['--fixtures', dir, '--adapter', 'typed-array-f64', '--max-file-size', '1KiB'])).code).toBe(0);
    const bad = await cli(['--fixtures', dir, '--max-file-size', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--max-file-size: expected a positive size');
  });

  it('refuses a 200 MB file of "[" at the default cap in well under a second', async () => {
    const dir = dirWithGood();
    writeFileSync(join(dir, 'brackets.json'), Buffer.alloc(200 * 1024 * 1024, '['));
    const started = performance.now();
    await expectLoadFailure(dir, 'brackets.json: 209715200 bytes is larger than the limit of 67108864 bytes');
    expect(performance.now() - started).toBeLessThan(1000);
    // Raised above its size, it is still refused by its depth, not handed to JSON.parse.
    const raised = await cli(['--fixtures', dir, '--adapter', 'typed-array-f64', '--max-file-size', '300MiB']);
    expect(raised.code).toBe(2);
    expect(raised.err).toContain(`brackets.json: (file): JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }, 30_000);

  it('reports 100,000-deep JSON (in a value and as the whole file) as exit 2, not a stack overflow', async () => {
    const dir = dirWithGood();
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    writeFileSync(join(dir, 'deep-option.json'), goodText.replace('"gamma": 2', `"gamma": ${deep}`));
    await expectLoadFailure(dir, 'deep-option.json: (file): JSON nested deeper than');
    expect(() => loadFixtures([dir])).toThrow(FixtureFormatError);
  });

  it('reports invalid JSON with the parser message', async () => {
    const dir = dirWithGood();
    writeFileSync(join(dir, 'cut.json'), goodText.slice(0, 100));
    await expectLoadFailure(dir, 'cut.json: (file): not valid JSON:');
  });

  it('reports an unreadable directory and file with the OS error (EACCES)', async () => {
    const dir = dirWithGood();
    mkdirSync(join(dir, 'locked'));
    writeFileSync(join(dir, 'locked', 'x.json'), goodText);
    chmodSync(join(dir, 'locked'), 0o000);
    const fileDir = dirWithGood();
    chmodSync(join(fileDir, 'good.json'), 0o000);
    const isRoot = process.getuid?.() === 0;
    if (!isRoot) {
      await expectLoadFailure(dir, 'locked: cannot read the directory: EACCES');
      await expectLoadFailure(fileDir, 'good.json: cannot read: EACCES');
      return;
    }
    // Root reads everything: run the built CLI as an unprivileged user instead (uid 65534, nobody).
    const cliPath = join(appDir, 'dist', 'cli.js');
    for (const d of [dir, fileDir]) chmodSync(d, 0o755);
    const asNobody = (target: string) =>
      spawnSync(process.execPath, [cliPath, '--fixtures', target, '--adapter', 'typed-array-f64'], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 30_000 });
    const probe = asNobody(fileDir);
    if (probe.error || /Cannot find module|EACCES: permission denied, open '.*dist/.test(probe.stderr)) {
      console.log(`EACCES check skipped: running as root and the built CLI cannot run as uid 65534 (${probe.error?.message ?? probe.stderr.split('\n')[0]})`);
      return;
    }
    expect(probe.status, probe.stderr).toBe(2);
    expect(probe.stderr).toContain('good.json: cannot read: EACCES');
    const locked = asNobody(dir);
    expect(locked.status, locked.stderr).toBe(2);
    expect(locked.stderr).toContain('locked: cannot read the directory: EACCES');
    expect(locked.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
