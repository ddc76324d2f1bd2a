/**
 * What the Node driver (executor.ts) and the conformance-web page say to each other. Browser-safe:
 * the page imports this file too, so both sides agree on names and shapes.
 *
 * The driver opens the page with `?driver=1`; the page then does not run the bundled fixtures but
 * publishes `window[PAGE_API_GLOBAL]` and waits for `run` with the fixtures Node loaded (any
 * directory works). Progress lines go back through `window[PROGRESS_GLOBAL]`, which the driver
 * exposes with `page.exposeFunction`.
 */
import type { Fixture } from '../adapter.js';
import type { ExpectationsByAdapter } from '../expectations.js';
import type { Report } from '../report.js';

export const PAGE_API_GLOBAL = 'focalConformance';
export const PROGRESS_GLOBAL = 'focalConformanceProgress';
/** Query parameter that puts the page in driven mode. */
export const DRIVER_PARAM = 'driver';

export interface BrowserRunRequest {
  /** Parsed fixtures (NaN and infinities survive Playwright's serialization). */
  readonly fixtures: readonly Fixture[];
  /** Adapter names to run; empty means every adapter of the page. */
  readonly adapters: readonly string[];
  readonly expectations: ExpectationsByAdapter;
  /** Whether to compute the two plots after the run (for the screenshot). */
  readonly plots: boolean;
}

export interface PageApi {
  /** Every adapter the page can try, in table order (whether it can start is known only at setup). */
  adapterNames(): string[];
  /** Runs the suite in the page, renders the report and resolves to it. */
  run(request: BrowserRunRequest): Promise<Report>;
}

/** One progress event, as a line for stderr. */
export type ProgressLine = string;
