/**
 * The browser run end to end: the committed fixtures in headless Chromium through the CLI
 * (`--browser`), compared verdict by verdict with the Node run of the same adapters.
 * Needs Debian's /usr/bin/chromium: without it the test fails on CI and is skipped elsewhere.
 * When apps/conformance-web/dist is missing it is built first (vite build), so the test never
 * silently uses nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli.js';
import type { Report } from '../report.js';
import { DEFAULT_CHROMIUM, WEB_DIST_DIR } from './executor.js';

const chromium = process.env['FOCAL_CONFORMANCE_CHROMIUM'] ?? DEFAULT_CHROMIUM;
const hasChromium = existsSync(chromium);
if (!hasChromium && process.env['CI']) {
  throw new Error(`CI is set but Chromium is missing at ${chromium}: the browser conformance run cannot be skipped on CI`);
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

function verdicts(report: Report, adapters: ReadonlySet<string>): Map<string, string> {
  return new Map(report.results.filter((r) => adapters.has(r.adapter)).map((r) => [`${r.adapter} ${r.fixture}`, r.status]));
}

describe.skipIf(!hasChromium)(`browser run (${hasChromium ? chromium : `skipped: no Chromium at ${chromium}`})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-browser-'));
  const screenshot = join(dir, 'conformance-page.png');
  let browser: { code: number; out: string; err: string; report: Report };

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST_DIR, 'index.html'))) {
      const webDir = join(WEB_DIST_DIR, '..');
      execFileSync(process.execPath, [join(webDir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { cwd: webDir, stdio: 'inherit' });
    }
    const json = join(dir, 'browser.json');
    const run = await cli(['--browser', '--json', json, '--screenshot', screenshot]);
    browser = { ...run, report: JSON.parse(readFileSync(json, 'utf8')) as Report };
    // 11 browser adapters x 335 fixtures took 312 s here (2 shared cores; WebGL, WebGPU and float16
    // on SwiftShader take 30-90 s each), so the bound is 15 minutes, not the 5 it was at 4 adapters.
  }, 900_000);

  it('runs every committed fixture in Chromium and prints the same table format as Node', () => {
    expect(browser.err).toContain('screenshot written to');
    expect(browser.out).toMatch(/^adapter\s+group\s+pass\s+fail\s+skip\s+worst \(x tol\)/);
    expect(browser.report.environment?.['runtime']).toMatch(/HeadlessChrome/);
    // Known WebGL deviations are skips with their reason, so the browser run passes as a whole.
    expect(browser.code, browser.err).toBe(0);
    const webgl = browser.report.results.filter((r) => r.adapter === 'tfjs-webgl');
    expect(webgl.length).toBe(browser.report.results.filter((r) => r.adapter === 'typed-array-f64').length);
    if (browser.report.unavailable?.['tfjs-webgl'] === undefined) {
      const deviations = webgl.filter((r) => r.reason?.startsWith('known deviation:'));
      expect(deviations.every((r) => r.status === 'skip')).toBe(true);
    }
  });

  it('runs the GPU and float16 adapters (WebGL, WebGPU through SwiftShader) and they pass', () => {
    // Without these the browser run would pass by skipping them ("not available here"): CI must
    // prove them, since Chromium with --enable-unsafe-webgpu gives a WebGPU adapter on any machine.
    const gpu = ['tfjs-webgl', 'tfjs-webgpu', 'tfjs-webgl-f16', 'onnxruntime-web-webgpu'];
    for (const name of gpu) {
      expect(browser.report.unavailable?.[name], `${name} unavailable`).toBeUndefined();
      const summary = browser.report.summary[name];
      expect(summary, name).toBeDefined();
      expect(summary?.fail, name).toBe(0);
      // every committed focal fixture but the family ops (issue 15) and measured known deviations
      expect(summary?.pass, name).toBeGreaterThan(200);
    }
  });

  it('gives the same pass/fail/skip verdict as the Node run for every adapter both have', async () => {
    const json = join(dir, 'node.json');
    const nodeRun = await cli(['--json', json]);
    const node = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const shared = new Set(Object.keys(node.summary).filter((a) => a in browser.report.summary));
    for (const name of ['typed-array-f32', 'typed-array-f64', 'tfjs-cpu', 'tfjs-wasm']) expect(shared.has(name), name).toBe(true);
    const inNode = verdicts(node, shared);
    const inBrowser = verdicts(browser.report, shared);
    expect(inNode.size).toBeGreaterThan(0);
    const differences = [...inNode].filter(([key, status]) => inBrowser.get(key) !== status).map(([key, status]) => `${key}: node ${status}, browser ${inBrowser.get(key)}`);
    expect(differences).toEqual([]);
    expect(inBrowser.size).toBe(inNode.size);
    console.log(`browser run: ${shared.size} shared adapters (${[...shared].join(', ')}), ${inNode.size} verdicts identical; node exit ${nodeRun.code}`);
  }, 300_000);

  it('saves a screenshot of the report page', () => {
    const png = readFileSync(screenshot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(statSync(screenshot).size).toBeGreaterThan(50_000);
    console.log(`screenshot of the conformance page: ${screenshot}`);
  });
});
