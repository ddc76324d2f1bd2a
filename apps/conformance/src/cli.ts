#!/usr/bin/env node
/**
 * focal-conformance: runs every adapter on fixture directories and prints where they differ.
 * Exit codes: 0 nothing failed, 1 a fixture ran and failed, 2 anything else: bad usage (unknown
 * adapter, missing directory), a fixture or file that cannot be loaded (malformed, unreadable,
 * not UTF-8, too large, a symbolic link loop), or an internal error. Never a stack trace.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { ConformanceAdapter } from './adapter.js';
import { createNodeAdapters } from './adapters/index.js';
import { unknownExpectationFixtures } from './expectations.js';
import { FixtureFormatError } from './fixture.js';
import { DEFAULT_FIXTURES_DIR, DEFAULT_MAX_FILE_SIZE, loadExpectations, loadFixtures, readJson, UsageError } from './load-fixtures.js';
import { formatFailures, formatTable, hasFailures, mergeReports, summarize, parseReport, ReportFormatError, reportToJson, type Report } from './report.js';
import { runSuite, type Progress } from './run.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export interface CliOptions {
  fixtures: string[];
  adapter: string[];
  filter?: string;
  json?: string;
  listAdapters?: boolean;
  browser?: boolean;
  screenshot?: string;
  maxFileSize?: string;
  report: string[];
}

/** Runs a suite somewhere (in this process, or in a browser page) and returns its report. */
export type Executor = (request: {
  fixtureDirs: string[];
  adapters: string[];
  filter: string | undefined;
  io: CliIo;
  /** With --browser: where to save a PNG of the report page after the run. */
  screenshot?: string | undefined;
  /** Bytes: larger fixture files are refused unread. */
  maxFileSize?: number | undefined;
}) => Promise<Report>;

const collect = (value: string, previous: string[]) => [...previous, value];

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3 };

/** "64MiB", "200MB", "1e9", "1048576" -> bytes; anything else is a usage error. */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = BYTE_UNITS[(match?.[2] ?? '').toLowerCase()];
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new UsageError(`--max-file-size: expected a positive size such as 64MiB, 200MB or 1048576, got ${JSON.stringify(text)}`);
  }
  return bytes;
}

function stderrProgress(io: CliIo): Progress {
  let last = 0;
  return {
    adapterStart(adapter, fixtures, unavailable) {
      io.err(unavailable ? `${adapter}: skipped, not available here: ${unavailable}\n` : `${adapter}: running ${fixtures} fixtures\n`);
      last = Date.now();
    },
    fixtureDone(adapter, done, total) {
      if (Date.now() - last > 2000 && done < total) {
        io.err(`${adapter}: ${done}/${total}\n`);
        last = Date.now();
      }
    },
    adapterDone(adapter, seconds) {
      io.err(`${adapter}: done in ${seconds.toFixed(1)} s\n`);
    },
    warn(message) {
      io.err(`warning: ${message}\n`);
    },
  };
}

function selectAdapters(all: ConformanceAdapter[], names: string[]): ConformanceAdapter[] {
  if (names.length === 0) return all;
  return names.map((name) => {
    const found = all.find((a) => a.name === name);
    if (!found) throw new UsageError(`unknown adapter "${name}"; known adapters: ${all.map((a) => a.name).join(', ')}`);
    return found;
  });
}

/** The default executor: this Node process. */
export const nodeExecutor: Executor = async ({ fixtureDirs, adapters: names, filter, io, maxFileSize }) => {
  const adapters = selectAdapters(createNodeAdapters(), names);
  const all = loadFixtures(fixtureDirs, { maxFileSize });
  const fixtures = filter ? all.filter((f) => f.name.includes(filter)) : all;
  if (fixtures.length === 0) throw new UsageError(`no fixture name contains "${filter}"`);
  const expectations = loadExpectations(adapters.map((a) => a.name));
  // Stale entries are only detectable against the full committed set.
  const usingCommittedSet = fixtureDirs.length === 1 && resolve(fixtureDirs[0] as string) === DEFAULT_FIXTURES_DIR && !filter;
  const report = await runSuite({ fixtures, adapters, expectations, progress: stderrProgress(io) });
  if (usingCommittedSet) {
    const stale = unknownExpectationFixtures(expectations, new Set(all.map((f) => f.name)));
    // Kept apart from `results` so every result row is a real fixture and the summary counts fixtures.
    if (stale.length > 0) report.staleExpectations = stale;
  }
  report.environment = { runtime: `node ${process.version}`, ...report.environment };
  return report;
};

/** A merged report restricted to the fixtures --filter selects, like the run itself. */
function onlyMatching(report: Report, filter: string): Report {
  const results = report.results.filter((r) => r.fixture.includes(filter));
  return { ...report, results, summary: summarize(results, Object.keys(report.summary)) };
}

let browserExecutor: Executor | undefined;
/** The browser run (`--browser`) registers its executor here. */
export function registerBrowserExecutor(executor: Executor): void {
  browserExecutor = executor;
}

function buildProgram(io: CliIo): Command {
  return new Command()
    .name('focal-conformance')
    .description('Runs every focal-loss adapter on fixture directories and shows where they differ.')
    .option('--fixtures <dir>', 'a fixture directory (repeatable; default: the committed fixtures)', collect, [])
    .option('--adapter <name>', 'an adapter to run (repeatable; default: all that can run here)', collect, [])
    .option('--filter <text>', 'only fixtures whose name contains this text')
    .option('--json <file>', 'also write the machine report to this file')
    .option('--list-adapters', 'list the registered adapters and whether they can run here')
    .option('--browser', 'run in headless Chromium (the conformance-web page) instead of Node')
    .option('--screenshot <file>', 'with --browser: save a PNG of the report page (table and plots)')
    .option('--report <file>', 'merge a JSON report (e.g. from the PyTorch harness) into the table (repeatable)', collect, [])
    .option('--max-file-size <size>', `refuse fixture files larger than this, unread (default ${DEFAULT_MAX_FILE_SIZE / 1024 ** 2}MiB)`)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
}

async function listAdapters(io: CliIo): Promise<void> {
  for (const adapter of createNodeAdapters()) {
    let ready: true | string;
    try {
      ready = await adapter.setup();
    } catch (error) {
      ready = (error as Error).message;
    }
    await adapter.dispose();
    io.out(`${adapter.name.padEnd(18)} ${adapter.packageName.padEnd(30)} ${adapter.precision}  ${ready === true ? 'available' : `unavailable: ${ready}`}\n`);
  }
}

/** The CLI as a function: parses argv (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const options = program.opts<CliOptions>();
  try {
    if (options.listAdapters) {
      await listAdapters(io);
      return 0;
    }
    if (options.screenshot !== undefined && !options.browser) throw new UsageError('--screenshot needs --browser');
    const maxFileSize = options.maxFileSize === undefined ? undefined : parseByteSize(options.maxFileSize);
    // Loaded only on demand, so Node runs never load playwright.
    if (options.browser && browserExecutor === undefined) registerBrowserExecutor((await import('./browser/executor.js')).browserExecutor);
    const executor = options.browser ? browserExecutor : nodeExecutor;
    if (executor === undefined) throw new UsageError('--browser is not available in this build');
    // Read before the run, so a bad report file is exit 2 without waiting for the adapters.
    const others = options.report.map((file) => ({ file, report: parseReport(readJson(resolve(file), { maxFileSize }), file) }));
    const run = await executor({
      fixtureDirs: options.fixtures.length ? options.fixtures : [DEFAULT_FIXTURES_DIR],
      adapters: options.adapter,
      filter: options.filter,
      io,
      screenshot: options.screenshot,
      maxFileSize,
    });
    const filtered = options.filter === undefined ? others : others.map(({ file, report }) => ({ file, report: onlyMatching(report, options.filter as string) }));
    const report = others.length === 0 ? run : mergeReports(run, filtered);
    io.out(`${formatTable(report)}\n`);
    const failures = formatFailures(report);
    if (failures) io.err(`\n${failures}\n`);
    for (const problem of report.staleExpectations ?? []) io.err(`focal-conformance: ${problem}\n`);
    if (options.json) {
      try {
        writeFileSync(options.json, `${reportToJson(report)}\n`);
      } catch (error) {
        throw new UsageError(`cannot write the JSON report to ${options.json}: ${(error as Error).message}`);
      }
      io.err(`report written to ${options.json}\n`);
    }
    return hasFailures(report) ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof FixtureFormatError || error instanceof ReportFormatError) {
      io.err(`focal-conformance: ${error.message}\n`);
      return 2;
    }
    // Not a fixture that failed (that is exit 1, counted in the report): say what broke, without a
    // stack unless asked for, and exit 2.
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.err(`focal-conformance: internal error: ${text.slice(0, 2000)}\n`);
    if (process.env['FOCAL_CONFORMANCE_DEBUG'] && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    return 2;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
