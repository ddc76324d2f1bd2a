/**
 * Node only: `focal-conformance --browser`. Serves the built conformance-web page, opens it in
 * headless Chromium (Debian's /usr/bin/chromium through playwright-core), sends it the fixtures
 * Node loaded from the --fixtures directories, and returns the Report the page computed. The CLI
 * then prints it exactly as it prints a Node run.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import type { Executor } from '../cli.js';
import { unknownExpectationFixtures } from '../expectations.js';
import { DEFAULT_FIXTURES_DIR, loadExpectations, loadFixtures, UsageError } from '../load-fixtures.js';
import type { Report } from '../report.js';
import { DRIVER_PARAM, PAGE_API_GLOBAL, PROGRESS_GLOBAL, type BrowserRunRequest, type PageApi } from './protocol.js';

const appsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The built page (`pnpm --filter @focal-loss/conformance-web build`); same path from src/ and dist/. */
export const WEB_DIST_DIR = join(appsDir, 'conformance-web', 'dist');
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium flags. The first group keeps the run local and quiet (no QUIC, no update or
 * sync traffic). The second lets WebGL work without a GPU: ANGLE on SwiftShader, which Chromium
 * only allows for WebGL when told the software path is acceptable (--enable-unsafe-swiftshader).
 * The last turns WebGPU on: headless Chromium on Linux only offers an adapter with
 * --enable-unsafe-webgpu, and then it is Dawn on SwiftShader (architecture "swiftshader"), so the
 * WebGPU adapters (tfjs-webgpu, onnxruntime-web-webgpu) run on any machine, CI included. WebGPU also
 * needs a secure context, which the page has because it is served from http://127.0.0.1.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--enable-unsafe-webgpu',
];

/** Extra flags from FOCAL_CONFORMANCE_CHROMIUM_ARGS (space-separated), e.g. to try a real GPU. */
function envArgs(): string[] {
  return (process.env['FOCAL_CONFORMANCE_CHROMIUM_ARGS'] ?? '').split(/\s+/).filter(Boolean);
}

export interface BrowserExecutorOptions {
  readonly distDir?: string;
  readonly chromiumPath?: string;
  /** Extra Chromium flags (e.g. to try a real GPU). */
  readonly extraArgs?: readonly string[];
}

function requireBuiltPage(distDir: string): void {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new UsageError(
      `the conformance page is not built (${join(distDir, 'index.html')} is missing); ` +
        'run `pnpm --filter @focal-loss/conformance-web build` first',
    );
  }
}

function requireChromium(path: string): void {
  if (!existsSync(path)) {
    throw new UsageError(`Chromium not found at ${path}; install Debian's chromium package or set FOCAL_CONFORMANCE_CHROMIUM`);
  }
}

export function createBrowserExecutor(options: BrowserExecutorOptions = {}): Executor {
  return async ({ fixtureDirs, adapters: names, filter, io, screenshot, maxFileSize }) => {
    const distDir = options.distDir ?? WEB_DIST_DIR;
    const chromiumPath = options.chromiumPath ?? process.env['FOCAL_CONFORMANCE_CHROMIUM'] ?? DEFAULT_CHROMIUM;
    requireBuiltPage(distDir);
    requireChromium(chromiumPath);
    // Fixtures are read and validated in Node, so a bad directory or file is exit 2 before any browser starts.
    const all = loadFixtures(fixtureDirs, { maxFileSize });
    const fixtures = filter ? all.filter((f) => f.name.includes(filter)) : all;
    if (fixtures.length === 0) throw new UsageError(`no fixture name contains "${filter}"`);

    const { serveDirectory } = await import('./static-server.js');
    const server = await serveDirectory(distDir);
    const profile = mkdtempSync(join(tmpdir(), 'focal-conformance-chromium-'));
    let context: BrowserContext | undefined;
    try {
      io.err(`browser: starting ${chromiumPath} (headless), page at ${server.url}\n`);
      context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? envArgs())],
        viewport: { width: 1280, height: 900 },
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (error) => io.err(`browser: page error: ${error.message}\n`));
      page.on('console', (message) => {
        if (message.type() === 'error') io.err(`browser console: ${message.text()}\n`);
      });
      await page.exposeFunction(PROGRESS_GLOBAL, (line: string) => io.err(`${line}\n`));
      await page.goto(`${server.url}?${DRIVER_PARAM}=1`);
      await page.waitForFunction((name) => (globalThis as unknown as Record<string, unknown>)[name] !== undefined, PAGE_API_GLOBAL, {
        timeout: 60_000,
      });

      const available = await page.evaluate((name) => ((globalThis as unknown as Record<string, PageApi>)[name] as PageApi).adapterNames(), PAGE_API_GLOBAL);
      for (const name of names) {
        if (!available.includes(name)) throw new UsageError(`unknown adapter "${name}"; known adapters in the browser: ${available.join(', ')}`);
      }
      const selected = names.length > 0 ? names : available;
      const expectations = loadExpectations(selected);
      const request: BrowserRunRequest = { fixtures, adapters: selected, expectations, plots: screenshot !== undefined };
      const report = await page.evaluate(
        ([name, req]) => ((globalThis as unknown as Record<string, PageApi>)[name] as PageApi).run(req),
        [PAGE_API_GLOBAL, request] as const,
      );

      // Stale entries are only detectable against the full committed set (as in the Node run).
      const usingCommittedSet = fixtureDirs.length === 1 && resolve(fixtureDirs[0] as string) === DEFAULT_FIXTURES_DIR && !filter;
      if (usingCommittedSet) {
        const stale = unknownExpectationFixtures(expectations, new Set(all.map((f) => f.name)));
        if (stale.length > 0) report.staleExpectations = stale;
      }
      if (screenshot !== undefined) {
        await page.screenshot({ path: screenshot, fullPage: true });
        io.err(`screenshot written to ${screenshot}\n`);
      }
      return report as Report;
    } finally {
      await context?.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  };
}

export const browserExecutor: Executor = createBrowserExecutor();
