import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, registerBrowserExecutor } from '../cli.js';
import { createBrowserExecutor } from './executor.js';
import { resolveInside, serveDirectory } from './static-server.js';

const root = mkdtempSync(join(tmpdir(), 'conformance-static-'));
mkdirSync(join(root, 'wasm'));
writeFileSync(join(root, 'index.html'), '<!doctype html><p>page</p>');
writeFileSync(join(root, 'wasm', 'a.wasm'), Buffer.from([0, 97, 115, 109]));

describe('static server', () => {
  const server = serveDirectory(root);
  afterAll(async () => (await server).close());

  it('serves files with their content type, index.html for /, and 404 outside the root', async () => {
    const { url } = await server;
    const index = await fetch(url);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<p>page</p>');
    const wasm = await fetch(`${url}wasm/a.wasm?v=1`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect([...new Uint8Array(await wasm.arrayBuffer())]).toEqual([0, 97, 115, 109]);
    expect((await fetch(`${url}missing.js`)).status).toBe(404);
  });

  it('never resolves a path that escapes the root', () => {
    expect(resolveInside(root, '/../../etc/passwd')).toBeUndefined();
    expect(resolveInside(root, '/%2e%2e/%2e%2e/etc/passwd')).toBeUndefined();
    expect(resolveInside(root, '/%E0%A4%A')).toBeUndefined();
    expect(resolveInside(root, '/wasm/a.wasm')).toBe(join(root, 'wasm', 'a.wasm'));
  });
});

describe('--browser without the built page', () => {
  it('exits 2 and says how to build it', async () => {
    const missing = join(root, 'no-dist');
    registerBrowserExecutor(createBrowserExecutor({ distDir: missing }));
    let err = '';
    const code = await main(['--browser'], { out: () => {}, err: (t) => void (err += t) });
    expect(code).toBe(2);
    expect(err).toContain(`${join(missing, 'index.html')} is missing`);
    expect(err).toContain('pnpm --filter @focal-loss/conformance-web build');
  });

  it('rejects --screenshot without --browser (exit 2)', async () => {
    let err = '';
    const code = await main(['--screenshot', 'x.png'], { out: () => {}, err: (t) => void (err += t) });
    expect(code).toBe(2);
    expect(err).toContain('--screenshot needs --browser');
  });
});
