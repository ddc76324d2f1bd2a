/**
 * The browser half of `pnpm --filter @focal-loss/tfjs bench`: headless Chromium (Debian's
 * /usr/bin/chromium, WebGL and WebGPU on SwiftShader: --enable-unsafe-webgpu, page on
 * http://127.0.0.1, a secure context) runs ./browser/page.js, which imports the built package
 * (dist/) and tfjs's ESM bundles through an import map. Prints the same table as the Node bench.
 *
 *   pnpm --filter @focal-loss/tfjs run bench -- --sizes 1000,10000   # smoke run
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env['FOCAL_BENCH_CHROMIUM'] ?? '/usr/bin/chromium';
const sizesArg = process.argv.indexOf('--sizes');
const SIZES = sizesArg > 0 ? process.argv[sizesArg + 1]! : '100000,1000000';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** URL prefix -> directory served under it. */
const ROOTS: Record<string, string> = {
  '/bench/': join(here, 'browser'),
  '/focal-tfjs/': join(here, '..'),
  '/focal-core/': packageDir('@focal-loss/core'),
  '/tfjs-core/': packageDir('@tensorflow/tfjs-core'),
  '/tfjs-backend-webgl/': packageDir('@tensorflow/tfjs-backend-webgl'),
  '/tfjs-backend-webgpu/': packageDir('@tensorflow/tfjs-backend-webgpu'),
};

const IMPORT_MAP = {
  imports: {
    '@tensorflow/tfjs-core': '/tfjs-core/dist/tf-core.fesm.js',
    '@tensorflow/tfjs-backend-webgl': '/tfjs-backend-webgl/dist/tf-backend-webgl.fesm.js',
    '@tensorflow/tfjs-backend-webgpu': '/tfjs-backend-webgpu/dist/tf-backend-webgpu.fesm.js',
    '@focal-loss/core': '/focal-core/dist/index.js',
    '@focal-loss/tfjs': '/focal-tfjs/dist/index.js',
  },
};

const PAGE = `<!doctype html><meta charset="utf-8"><title>@focal-loss/tfjs bench</title>
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>
<script type="module" src="/bench/page.js"></script>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.json': 'application/json', '.wasm': 'application/wasm' };

function serve(): Promise<{ url: string; close: () => void }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    const root = Object.keys(ROOTS).find((prefix) => path.startsWith(prefix));
    const file = root === undefined ? null : normalize(join(ROOTS[root]!, path.slice(root.length)));
    if (file === null || !file.startsWith(ROOTS[root!]!) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => server.close() });
    });
  });
}

interface Row {
  backend: string;
  n?: number;
  implementation?: string;
  meanMs?: number;
  elementsPerSecond?: number;
  peakBytes?: number;
  peakNewBytes?: number;
  error?: string;
}

if (!existsSync(CHROMIUM)) {
  console.log(`browser bench skipped: no Chromium at ${CHROMIUM} (set FOCAL_BENCH_CHROMIUM)`);
} else if (!existsSync(join(here, '..', 'dist', 'index.js'))) {
  console.log('browser bench skipped: build the package first (pnpm --filter @focal-loss/tfjs build)');
} else {
  const { url, close } = await serve();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--enable-unsafe-webgpu'],
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${url}?sizes=${SIZES}`);
    await page.waitForFunction(() => (window as unknown as { __benchResult?: unknown }).__benchResult !== undefined);
    const result = (await page.evaluate(() => (window as unknown as { __benchResult: Promise<unknown> }).__benchResult)) as {
      rows?: Row[];
      error?: string;
    };
    if (result.error !== undefined) throw new Error(result.error);
    const userAgent = await page.evaluate(() => navigator.userAgent);
    console.log('');
    console.log(`Browser: ${userAgent} (WebGL and WebGPU on SwiftShader, a CPU renderer: absolute figures are not a GPU's)`);
    console.log('');
    console.log('| backend | elements | implementation | mean ms | elements/s | vs composite | peak tensor bytes / input bytes (absolute, above start) |');
    console.log('|---|---|---|---|---|---|---|');
    const rows = result.rows ?? [];
    for (const row of rows) {
      if (row.error !== undefined) {
        console.log(`| ${row.backend} | - | could not start: ${row.error} | | | | |`);
        continue;
      }
      const same = (name: string) => rows.find((r) => r.backend === row.backend && r.n === row.n && r.implementation === name);
      const ratio = (name: string) => (row.elementsPerSecond! / (same(name)?.elementsPerSecond ?? Number.NaN)).toFixed(2);
      const inputBytes = 4 * row.n!;
      console.log(
        `| ${row.backend} | ${row.n} | ${row.implementation} | ${row.meanMs!.toFixed(2)} | ${(row.elementsPerSecond! / 1e6).toFixed(2)} M/s | ` +
          `${ratio('composite')}x | ${(row.peakBytes! / inputBytes).toFixed(2)}, ${(row.peakNewBytes! / inputBytes).toFixed(2)} |`,
      );
    }
  } finally {
    await browser.close();
    close();
  }
}
