/**
 * The conformance report page. Opened by a person, it runs the committed fixtures (bundled into the
 * build) on every adapter this browser can start, then draws the plots. Opened by the CLI
 * (`focal-conformance --browser`, with ?driver=1), it waits for the fixtures Node sends instead.
 */
import type { ConformanceAdapter } from '../../conformance/src/adapter.js';
import { unknownExpectationFixtures } from '../../conformance/src/expectations.js';
import type { Report } from '../../conformance/src/report.js';
import { runSuite, type Progress } from '../../conformance/src/run.js';
import { DRIVER_PARAM, PAGE_API_GLOBAL, PROGRESS_GLOBAL, type BrowserRunRequest, type PageApi } from '../../conformance/src/browser/protocol.js';
import { createBrowserAdapters, type BackendInfo } from './browser-adapters.js';
import { bundledExpectations, bundledFixtures } from './bundled.js';
import { probeWebGl, probeWebGpu } from './gpu-probes.js';
import { withOutsideReports } from './outside-reports.js';
import { renderBackends, renderPlots, renderReport, setStatus } from './render.js';
import { sweepAdapter } from './sweep.js';

type ProgressSink = (line: string) => void;

declare global {
  interface Window {
    [PAGE_API_GLOBAL]?: PageApi;
    [PROGRESS_GLOBAL]?: ProgressSink;
  }
}

const backendInfo: BackendInfo = {};
const adapters = createBrowserAdapters(backendInfo);

/** Progress goes to the status line, and to the driver's stderr when a driver listens. */
function say(line: string): void {
  setStatus(line);
  window[PROGRESS_GLOBAL]?.(line);
}

function pageProgress(): Progress {
  let last = 0;
  return {
    adapterStart(adapter, fixtures, unavailable) {
      say(unavailable ? `${adapter}: skipped, not available here: ${unavailable}` : `${adapter}: running ${fixtures} fixtures`);
      last = Date.now();
    },
    fixtureDone(adapter, done, total) {
      if (Date.now() - last > 2000 && done < total) {
        say(`${adapter}: ${done}/${total}`);
        last = Date.now();
      }
    },
    adapterDone(adapter, seconds) {
      say(`${adapter}: done in ${seconds.toFixed(1)} s`);
    },
    warn(message) {
      say(`warning: ${message}`);
    },
  };
}

function select(names: readonly string[]): ConformanceAdapter[] {
  if (names.length === 0) return adapters;
  return names.map((name) => {
    const found = adapters.find((a) => a.name === name);
    if (!found) throw new Error(`unknown adapter "${name}"; known adapters: ${adapters.map((a) => a.name).join(', ')}`);
    return found;
  });
}

async function environment(): Promise<Record<string, unknown>> {
  return {
    runtime: navigator.userAgent,
    webgl: probeWebGl(),
    webgpu: await probeWebGpu(),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    backends: backendInfo,
  };
}

async function run(request: BrowserRunRequest & { readonly staleCheckAgainst?: readonly string[] }): Promise<Report> {
  const chosen = select(request.adapters);
  const report = await runSuite({
    fixtures: request.fixtures,
    adapters: chosen,
    expectations: request.expectations,
    progress: pageProgress(),
  });
  if (request.staleCheckAgainst !== undefined) {
    const stale = unknownExpectationFixtures(request.expectations, new Set(request.staleCheckAgainst));
    if (stale.length > 0) report.staleExpectations = stale;
  }
  report.environment = { ...(await environment()), ...report.environment };
  // torchvision's measured float32 results next to ours, for the person reading the page only
  renderReport(withOutsideReports(report));
  renderBackends(report, backendInfo);
  if (request.plots) {
    say('computing the plots');
    const sweeps = [];
    for (const adapter of chosen) sweeps.push(await sweepAdapter(adapter));
    renderPlots(sweeps);
  }
  say(`done: ${request.fixtures.length} fixtures on ${chosen.length} adapters`);
  document.body.dataset['state'] = 'done';
  return report;
}

async function runCommitted(): Promise<void> {
  const fixtures = bundledFixtures();
  const expectations = bundledExpectations();
  await run({ fixtures, adapters: [], expectations, plots: true, staleCheckAgainst: fixtures.map((f) => f.name) });
}

if (new URLSearchParams(location.search).has(DRIVER_PARAM)) {
  window[PAGE_API_GLOBAL] = { adapterNames: () => adapters.map((a) => a.name), run };
  say('waiting for the fixtures from focal-conformance --browser');
} else {
  runCommitted().catch((error: unknown) => {
    say(`the run stopped: ${error instanceof Error ? error.message : String(error)}`);
    console.error(error);
  });
}
