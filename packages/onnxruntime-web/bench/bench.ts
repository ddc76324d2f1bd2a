/**
 * Throughput of the onnxruntime-web runner (wasm EP) beside the typed-array implementation.
 *
 *   pnpm --filter @focal-loss/onnxruntime-web run bench                # 1e6 and 1e7 elements
 *   pnpm --filter @focal-loss/onnxruntime-web run bench -- --sizes 1e4,1e5   # smoke run
 *
 * ORT reads ort.env.wasm.numThreads once per process, so each thread count runs in its own child
 * process. Each configuration: one untimed warm-up call, then the best of 3 timed calls.
 * Session creation time = first call (model build + session + run) minus a steady-state call.
 *
 * Then, in the parent (one wasm thread): what the accurate reduction costs. The same mean models
 * (loss and gradient) with the blocked sums of contract 1.1 and with ORT's single float32
 * ReduceSum, timed on the same inputs in one run, with each one's relative error against the
 * typed-array float64 mean.
 *
 * And per-call time with a normalizer that changes every call (RetinaNet divides by the number of
 * positive anchors): before, a model with the value written in and a new session per value (what
 * the runner did before the numbers became run-time inputs); after, the runner's one session
 * per structure, fed the value.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { resolveSigmoidOptions, resolveSoftmaxOptions } from '@focal-loss/core';
import { FocalLossRunner } from '../src/index.js';
import { sigmoidSpec, softmaxSpec, type LossSpec } from '../src/loss-spec.js';
import { buildLossModelFromSpec, encodeModel } from '../src/standalone.js';
import type { SumMode } from '../src/body-emitter.js';
// bench-only comparison; not a dependency of this package
import { sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/typed-array';

const REPEATS = 3;
/** Repeats of the accurate-reduction timing (alternating plain and blocked). */
const SUM_REPEATS = 7;
const CLASSES = 10;

interface Row {
  readonly impl: string;
  readonly threads: number | '-';
  readonly op: string;
  readonly size: number;
  readonly gradient: boolean;
  readonly seconds: number;
  readonly sessionMs?: number;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const sizes = (argValue('--sizes') ?? '1e6,1e7').split(',').map(Number);

function inputs(size: number) {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = Math.sin(i * 12.9898) * 6;
  const sigmoidTarget = new Float32Array(size);
  for (let i = 0; i < size; i += 3) sigmoidTarget[i] = 1;
  const positions = size / CLASSES;
  const labels = new Int32Array(positions);
  for (let i = 0; i < positions; i++) labels[i] = (i * 7) % CLASSES;
  return { x, sigmoidTarget, labels, positions };
}

async function best(call: () => unknown): Promise<number> {
  let min = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    await call();
    min = Math.min(min, performance.now() - start);
  }
  return min / 1000;
}

async function child(threads: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of sizes) {
    // a fresh runner per size, so that every size measures its own session creation
    const runner = new FocalLossRunner({ numThreads: threads });
    const { x, sigmoidTarget, labels, positions } = inputs(size);
    for (const gradient of [false, true]) {
      const sig = () => runner.sigmoidFocalLoss({ data: x, shape: [size] }, { data: sigmoidTarget, shape: [size] }, { gradient });
      const soft = () =>
        runner.softmaxFocalLoss({ data: x, shape: [positions, CLASSES] }, { data: labels, shape: [positions] }, { gradient });
      for (const [op, call] of [['sigmoid', sig], ['softmax', soft]] as const) {
        const first = performance.now();
        await call();
        const firstMs = performance.now() - first;
        const seconds = await best(call);
        rows.push({ impl: 'onnxruntime-web', threads, op, size, gradient, seconds, sessionMs: firstMs - seconds * 1000 });
      }
    }
    await runner.dispose();
  }
  return rows;
}

async function typedArrayRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of sizes) {
    const { x, sigmoidTarget, labels, positions } = inputs(size);
    for (const gradient of [false, true]) {
      const sig = () => sigmoidFocalLoss({ data: x, shape: [size] }, { data: sigmoidTarget, shape: [size] }, { gradient });
      const soft = () => softmaxFocalLoss({ data: x, shape: [positions, CLASSES] }, { data: labels, shape: [positions] }, { gradient });
      for (const [op, call] of [['sigmoid', sig], ['softmax', soft]] as const) {
        call(); // warm-up
        rows.push({ impl: 'typed-array f32', threads: '-', op, size, gradient, seconds: await best(call) });
      }
    }
  }
  return rows;
}

function format(rows: Row[]): string {
  const key = (r: Row) => `${r.op}|${r.size}|${r.gradient}`;
  const baseline = new Map(rows.filter((r) => r.impl.startsWith('typed-array')).map((r) => [key(r), r.seconds]));
  const header = ['impl', 'threads', 'op', 'elements', 'pass', 'elements/s', 'vs typed-array', 'session ms'];
  const lines = rows.map((r) => [
    r.impl,
    String(r.threads),
    r.op,
    r.size.toExponential(0),
    r.gradient ? 'fwd+grad' : 'forward',
    (r.size / r.seconds).toExponential(2),
    `${((baseline.get(key(r)) ?? NaN) / r.seconds).toFixed(2)}x`,
    r.sessionMs === undefined ? '-' : r.sessionMs.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [row(header), row(widths.map((w) => '-'.repeat(w))), ...lines.map(row)].join('\n');
}

interface SumRow {
  readonly op: string;
  readonly size: number;
  readonly seconds: Record<SumMode, number>;
  readonly error: Record<SumMode, number>;
}

/** Mean loss + gradient with blocked and plain sums on the same session options and inputs. */
async function sumCostRows(): Promise<SumRow[]> {
  ort.env.wasm.numThreads = 1;
  const rows: SumRow[] = [];
  for (const size of sizes) {
    const { x, sigmoidTarget, labels, positions } = inputs(size);
    const cases: { op: string; spec: LossSpec; rank: number; feeds: Record<string, ort.Tensor>; reference: number }[] = [
      {
        op: 'sigmoid',
        spec: sigmoidSpec(resolveSigmoidOptions({}), false),
        rank: 1,
        feeds: { input: new ort.Tensor('float32', x, [size]), target: new ort.Tensor('float32', sigmoidTarget, [size]) },
        reference: sigmoidFocalLoss({ data: Float64Array.from(x), shape: [size] }, { data: Float64Array.from(sigmoidTarget), shape: [size] }).loss
          .data[0] as number,
      },
      {
        op: 'softmax',
        spec: softmaxSpec(resolveSoftmaxOptions({}), 'index', false),
        rank: 2,
        feeds: { input: new ort.Tensor('float32', x, [positions, CLASSES]), target: new ort.Tensor('int32', labels, [positions]) },
        reference: softmaxFocalLoss({ data: Float64Array.from(x), shape: [positions, CLASSES] }, { data: labels, shape: [positions] }).loss
          .data[0] as number,
      },
    ];
    for (const c of cases) {
      const seconds = {} as Record<SumMode, number>;
      const error = {} as Record<SumMode, number>;
      // both sessions open at once and timed alternately, best of SUM_REPEATS each, so that a
      // busy machine slows both alike
      const sessions = {} as Record<SumMode, ort.InferenceSession>;
      for (const sums of ['plain', 'blocked'] as const) {
        const model = buildLossModelFromSpec(c.spec, { rank: c.rank, gradient: true, sums });
        sessions[sums] = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['wasm'], logSeverityLevel: 3 });
        const loss = (await sessions[sums].run(c.feeds)).loss as ort.Tensor; // warm-up
        error[sums] = Math.abs((loss.data[0] as number) - c.reference) / Math.abs(c.reference);
        seconds[sums] = Infinity;
      }
      for (let r = 0; r < SUM_REPEATS; r++) {
        for (const sums of ['plain', 'blocked'] as const) {
          const start = performance.now();
          await sessions[sums].run(c.feeds);
          seconds[sums] = Math.min(seconds[sums], (performance.now() - start) / 1000);
        }
      }
      for (const session of Object.values(sessions)) await session.release();
      rows.push({ op: c.op, size, seconds, error });
    }
  }
  return rows;
}

function formatSums(rows: SumRow[]): string {
  const header = ['op', 'elements', 'plain ms', 'blocked ms', 'blocked/plain', 'plain rel. error', 'blocked rel. error'];
  const lines = rows.map((r) => [
    r.op,
    r.size.toExponential(0),
    (r.seconds.plain * 1000).toFixed(2),
    (r.seconds.blocked * 1000).toFixed(2),
    `${(r.seconds.blocked / r.seconds.plain).toFixed(3)}x`,
    r.error.plain.toExponential(2),
    r.error.blocked.toExponential(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [row(header), row(widths.map((w) => '-'.repeat(w))), ...lines.map(row)].join('\n');
}

interface NormalizerRow {
  readonly size: number;
  readonly calls: number;
  readonly beforeMs: number;
  readonly afterMs: number;
}

async function changingNormalizerRows(): Promise<NormalizerRow[]> {
  ort.env.wasm.numThreads = 1;
  const calls = 20;
  const rows: NormalizerRow[] = [];
  for (const size of [1e3, 1e4, 1e5]) {
    const { x, sigmoidTarget } = inputs(size);
    const feeds = { input: new ort.Tensor('float32', x, [size]), target: new ort.Tensor('float32', sigmoidTarget, [size]) };
    const normalizers = Array.from({ length: calls }, (_, i) => 10 + i * 3);
    // before: one model and session per normalizer value
    let start = performance.now();
    for (const normalizer of normalizers) {
      const spec = sigmoidSpec(resolveSigmoidOptions({ normalizer }), false);
      const session = await ort.InferenceSession.create(encodeModel(buildLossModelFromSpec(spec, { rank: 1, gradient: true })), {
        executionProviders: ['wasm'],
        logSeverityLevel: 3,
      });
      await session.run(feeds);
      await session.release();
    }
    const beforeMs = (performance.now() - start) / calls;
    // after: the runner, one session fed each value (warmed by one call)
    const runner = new FocalLossRunner();
    const call = (normalizer: number) =>
      runner.sigmoidFocalLoss({ data: x, shape: [size] }, { data: sigmoidTarget, shape: [size] }, { normalizer, gradient: true });
    await call(1);
    start = performance.now();
    for (const normalizer of normalizers) await call(normalizer);
    const afterMs = (performance.now() - start) / calls;
    if (runner.sessionCount !== 1) throw new Error(`expected one session, got ${runner.sessionCount}`);
    await runner.dispose();
    rows.push({ size, calls, beforeMs, afterMs });
  }
  return rows;
}

function formatNormalizer(rows: NormalizerRow[]): string {
  const header = ['elements', 'calls', 'before ms/call', 'after ms/call', 'before/after'];
  const lines = rows.map((r) => [
    r.size.toExponential(0),
    String(r.calls),
    r.beforeMs.toFixed(2),
    r.afterMs.toFixed(2),
    `${(r.beforeMs / r.afterMs).toFixed(1)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [row(header), row(widths.map((w) => '-'.repeat(w))), ...lines.map(row)].join('\n');
}

async function main(): Promise<void> {
  const childThreads = argValue('--child');
  if (childThreads !== undefined) {
    process.stdout.write(JSON.stringify(await child(Number(childThreads))));
    return;
  }
  const only = argValue('--only')?.split(',');
  if (only !== undefined) {
    // e.g. --only sums,normalizer: skip the throughput table
    if (only.includes('sums')) console.log(formatSums(await sumCostRows()));
    if (only.includes('normalizer')) console.log(formatNormalizer(await changingNormalizerRows()));
    return;
  }
  const rows: Row[] = await typedArrayRows();
  for (const threads of [1, 2]) {
    const run = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--child', String(threads), '--sizes', sizes.join(',')],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    if (run.status !== 0) throw new Error(`child with ${threads} threads failed: ${run.stderr}`);
    rows.push(...(JSON.parse(run.stdout) as Row[]));
  }
  console.log(`focal loss throughput, best of ${REPEATS} after one warm-up; softmax with ${CLASSES} classes; node ${process.version}`);
  console.log(format(rows));
  console.log(`\naccurate reduction cost: mean loss + gradient, one wasm thread, best of ${SUM_REPEATS} alternating runs; error vs typed-array float64`);
  console.log(formatSums(await sumCostRows()));
  console.log('\nchanging normalizer (sigmoid mean + gradient, one wasm thread): a session per value (before) vs one session fed the value (after)');
  console.log(formatNormalizer(await changingNormalizerRows()));
}

await main();
