/**
 * Test-only: headless Chromium (Debian's /usr/bin/chromium, via playwright-core) with WebGPU on
 * (--enable-unsafe-webgpu: Dawn on SwiftShader), a page served from http://127.0.0.1 (a secure
 * context) that loads onnxruntime-web's browser build, and a function that runs a model there on
 * one execution provider and returns its outputs as plain numbers.
 */
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ORT_DIST = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };
const PAGE = `<!doctype html><script type="module">
import * as ort from '/ort/ort.all.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;
window.ort = ort;
window.ready = true;
</script>`;

export interface Feed {
  readonly type: 'float32' | 'int32' | 'float16';
  readonly data: readonly number[];
  readonly dims: readonly number[];
}

export type Outputs = Record<string, { type: string; data: number[] }>;

export interface BrowserSession {
  /** Runs `model` once per feed set in one session on `ep` ('webgpu' or 'wasm'). */
  run(model: Uint8Array, feeds: readonly Record<string, Feed>[], ep: 'webgpu' | 'wasm'): Promise<Outputs[]>;
  /** The WebGPU adapter's features (e.g. 'shader-f16'), or a reason there is none. */
  gpuFeatures(): Promise<string[] | string>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  const server = createServer((request, response) => {
    const url = request.url ?? '/';
    if (url === '/') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(PAGE);
      return;
    }
    const file = join(ORT_DIST, url.replace(/^\/ort\//, '').split('?')[0] as string);
    if (url.startsWith('/ort/') && existsSync(file)) {
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(readFileSync(file));
      return;
    }
    response.writeHead(404);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--enable-unsafe-webgpu'],
    });
    const page: Page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
    const opened = browser;
    return {
      run: (model, feeds, ep) =>
        page.evaluate(
          async ([bytes, feedSets, provider]) => {
            // runs in the page
            const ort = (globalThis as unknown as { ort: typeof import('onnxruntime-web') }).ort;
            const session = await ort.InferenceSession.create(new Uint8Array(bytes), { executionProviders: [provider], logSeverityLevel: 3 });
            const results: Record<string, { type: string; data: number[] }>[] = [];
            try {
              for (const feeds of feedSets) {
                const inputs: Record<string, InstanceType<typeof ort.Tensor>> = {};
                for (const [name, f] of Object.entries(feeds)) {
                  const data = f.type === 'int32' ? Int32Array.from(f.data) : f.type === 'float16' ? Uint16Array.from(f.data) : Float32Array.from(f.data);
                  inputs[name] = new ort.Tensor(f.type, data, [...f.dims]);
                }
                const out = await session.run(inputs);
                const plain: Record<string, { type: string; data: number[] }> = {};
                for (const [name, t] of Object.entries(out)) plain[name] = { type: t.type, data: Array.from(t.data as ArrayLike<number>, Number) };
                results.push(plain);
              }
            } finally {
              await session.release();
            }
            return results;
          },
          [Array.from(model), feeds as Record<string, Feed>[], ep] as const,
        ),
      gpuFeatures: () =>
        page.evaluate(async () => {
          const gpu = ((globalThis as unknown as { navigator: unknown }).navigator as { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu;
          if (gpu === undefined) return 'no navigator.gpu';
          const adapter = await gpu.requestAdapter();
          return adapter === null ? 'no WebGPU adapter' : [...adapter.features];
        }),
      close: async () => {
        await opened.close();
        server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    server.close();
    throw error;
  }
}
