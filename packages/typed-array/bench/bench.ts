/**
 * `pnpm bench`: sigmoid focal loss over float32, all in one run so the ratios compare like with
 * like on this machine:
 *   - the scalar JavaScript loop (`@focal-loss/typed-array`), forward and forward+gradient, and the
 *     straightforward implementation most snippets use (./naive.ts);
 *   - the WebAssembly SIMD kernel on one thread (`@focal-loss/typed-array/simd`);
 *   - the worker pool with 1 and 2 workers (`@focal-loss/typed-array/pool`; SharedArrayBuffer-backed
 *     arrays, so the workers read and write them in place);
 *   - softmax focal loss over 80 classes (class axis last): the JS loop and the SIMD kernel;
 *   - torchvision's sigmoid_focal_loss forward+backward at 1 and 2 threads, when /usr/bin/python3
 *     has torch (Debian's python3-torch, python3-torchvision).
 * Each figure is the median time per call over repeated calls (BENCH_TIME_MS per task, at least 5
 * calls). The machine's load average is printed with the figures: on a shared machine it matters.
 * torch runs with glibc's malloc thresholds raised (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_):
 * by default every 40 MB tensor is a fresh mmap, page-faulted at each call, which makes torch ~30x
 * slower here; the raised thresholds are its fastest setting on this machine.
 * Then, per size, the profile of a SIMD call (./profile.ts): kernel in cache, kernel streaming
 * without copies, the copies, the target check, and the memory bandwidth, best of 5 calls each.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sigmoidFocalLoss, softmaxFocalLoss } from '../src/index.js';
import { createFocalLossPool } from '../src/pool/node.js';
import { sigmoidFocalLoss as simdSigmoidFocalLoss, simdStatus, softmaxFocalLoss as simdSoftmaxFocalLoss } from '../src/simd/index.js';
import { naiveSigmoidFocalLoss } from './naive.js';
import { profileRows, type ProfileRow } from './profile.js';

const sizes = (process.env.BENCH_SIZES ?? '1e6,1e7').split(',').map(Number);
const time = Number(process.env.BENCH_TIME_MS ?? 1500);
const here = dirname(fileURLToPath(import.meta.url));

/**
 * Float32Arrays over SharedArrayBuffers: the pool's workers read and write them in place. The
 * one-thread rows use ordinary arrays with the same values (what a caller without a pool has;
 * copying to and from a SharedArrayBuffer is about 2x slower in V8, relaxed-atomic memcpy).
 */
function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * n));
}

function makeInputs(n: number): { x: Float32Array; t: Float32Array } {
  // Deterministic logits in [-8, 8] and about 1 positive in 10.
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
  const x = sharedFloat32(n);
  const t = sharedFloat32(n);
  for (let i = 0; i < n; i++) {
    x[i] = 16 * next() - 8;
    t[i] = next() < 0.1 ? 1 : 0;
  }
  return { x, t };
}

/**
 * Median wall-clock seconds and median CPU seconds (this process, all threads) per call of `run`
 * over repeated calls for about `time` ms (at least 5). On a loaded machine the CPU time of a
 * one-thread task is the steadier figure: the wall clock also counts the time other processes
 * held the core.
 */
async function median(run: () => unknown): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < 2; i++) await run();
  const wall: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  while (wall.length < 5 || (performance.now() - start < time && wall.length < 200)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  return { wall: mid(wall), cpu: mid(cpu) };
}

interface Row {
  size: number;
  name: string;
  /** Elements per wall-clock second. */
  rate: number;
  /** Elements per CPU second (all threads of the process). */
  cpuRate: number;
}

function torchRates(n: number): { rates: Record<string, number>; cpuRates: Record<string, number>; version: string } | string {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return `${python} not found`;
  try {
    const output = execFileSync(python, [join(here, 'torch_focal.py'), String(n), String(time / 1000)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...TORCH_MALLOC },
    });
    const parsed = JSON.parse(output) as {
      torch: string;
      torchvision: string;
      rates: Record<string, number>;
      cpu_rates: Record<string, number>;
    };
    return { rates: parsed.rates, cpuRates: parsed.cpu_rates, version: `torch ${parsed.torch}, torchvision ${parsed.torchvision}` };
  } catch (error) {
    return `torch not available (${(error as Error).message.split('\n')[0]})`;
  }
}

/** glibc malloc settings for torch: no mmap per large tensor, no trimming (its fastest here). */
const TORCH_MALLOC = { MALLOC_MMAP_THRESHOLD_: '4294967296', MALLOC_TRIM_THRESHOLD_: '4294967296' };

const rows: Row[] = [];
const profiles: Array<{ size: number; rows: ProfileRow[] }> = [];
const notes: string[] = [];
const loadBefore = loadavg();
const pool1 = createFocalLossPool({ threads: 1 });
const pool2 = createFocalLossPool({ threads: 2 });
try {
  for (const n of sizes) {
    const { x: sharedX, t: sharedT } = makeInputs(n);
    const x = sharedX.slice();
    const t = sharedT.slice();
    const input = { data: x, shape: [n] };
    const target = { data: t, shape: [n] };
    const loss = new Float32Array(1);
    const naiveGrad = new Float32Array(n);
    const fwd = { out: { loss } };
    const fwdGrad = { gradient: true, out: { loss, gradInput: new Float32Array(n) } };
    // the pool's rows: the same values in shared memory, the gradient written there in place
    const sharedInput = { data: sharedX, shape: [n] };
    const sharedTarget = { data: sharedT, shape: [n] };
    const sharedFwdGrad = { gradient: true, out: { loss, gradInput: sharedFloat32(n) } };
    const label = n.toExponential(0);
    // softmax over 80 classes (COCO's), class axis last, on the same logits: n / 80 positions
    const classes = 80;
    const positions = Math.floor(n / classes);
    const logits = { data: x.subarray(0, positions * classes), shape: [positions, classes] };
    const labels = { data: Int32Array.from({ length: positions }, (_, i) => (i * 7) % classes), shape: [positions] };
    const softmaxGrad = { gradient: true, out: { loss, gradInput: new Float32Array(positions * classes) } };
    const tasks: Array<[string, () => unknown]> = [
      ['JS loop forward', () => sigmoidFocalLoss(input, target, fwd)],
      ['naive forward', () => naiveSigmoidFocalLoss(x, t, 0.25, 2, null)],
      ['SIMD forward', () => simdSigmoidFocalLoss(input, target, fwd)],
      ['JS loop forward+gradient', () => sigmoidFocalLoss(input, target, fwdGrad)],
      ['naive forward+gradient', () => naiveSigmoidFocalLoss(x, t, 0.25, 2, naiveGrad)],
      ['SIMD forward+gradient', () => simdSigmoidFocalLoss(input, target, fwdGrad)],
      ['pool 1 worker forward+gradient', () => pool1.sigmoidFocalLoss(sharedInput, sharedTarget, sharedFwdGrad)],
      ['pool 2 workers forward+gradient', () => pool2.sigmoidFocalLoss(sharedInput, sharedTarget, sharedFwdGrad)],
      ['softmax C=80: JS loop forward+gradient', () => softmaxFocalLoss(logits, labels, softmaxGrad)],
      ['softmax C=80: SIMD forward+gradient', () => simdSoftmaxFocalLoss(logits, labels, softmaxGrad)],
    ];
    for (const [name, run] of tasks) {
      console.error(`n=${label}: ${name}...`);
      const { wall, cpu } = await median(run);
      rows.push({ size: n, name, rate: n / wall, cpuRate: n / cpu });
    }
    console.error(`n=${label}: profile of the SIMD call...`);
    profiles.push({ size: n, rows: profileRows(x, t) });
    console.error(`n=${label}: torchvision...`);
    const torch = torchRates(n);
    if (typeof torch === 'string') notes.push(`n=${label}: torchvision skipped: ${torch}`);
    else {
      for (const [threads, rate] of Object.entries(torch.rates)) {
        const name = `torchvision forward+backward, ${threads} thread${threads === '1' ? '' : 's'}`;
        rows.push({ size: n, name, rate, cpuRate: torch.cpuRates[threads] as number });
      }
      notes.push(
        `torchvision: ${torch.version} (/usr/bin/python3), torch.set_num_threads(1 | 2), glibc malloc thresholds raised (${Object.entries(TORCH_MALLOC)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}): its fastest setting here`,
      );
    }
  }
} finally {
  await Promise.all([pool1.close(), pool2.close()]);
}

const rateOf = (size: number, name: string) => rows.find((r) => r.size === size && r.name === name)?.rate;
console.log(
  `sigmoid focal loss, float32, gamma 2, alpha 0.25, mean; Node ${process.version}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); ` +
    `SIMD: ${JSON.stringify(simdStatus())}`,
);
console.log(`load average (1, 5, 15 min): before ${loadBefore.map((v) => v.toFixed(2)).join(', ')}; after ${loadavg().map((v) => v.toFixed(2)).join(', ')}`);
console.log(
  'size   | task                                     | wall clock          | / JS loop | / torch 1 thread | per CPU second (all threads)',
);
for (const row of rows) {
  const softmax = row.name.startsWith('softmax');
  const plain = softmax
    ? rateOf(row.size, 'softmax C=80: JS loop forward+gradient')
    : rateOf(row.size, row.name.includes('forward+') ? 'JS loop forward+gradient' : 'JS loop forward');
  const torch1 = softmax ? undefined : rateOf(row.size, 'torchvision forward+backward, 1 thread');
  const vsJs = plain === undefined ? '' : `${(row.rate / plain).toFixed(2)}x`;
  const vsTorch = torch1 === undefined || !row.name.includes('forward+') ? '' : `${(row.rate / torch1).toFixed(2)}x`;
  const m = (rate: number) => `${(rate / 1e6).toFixed(1)} M elements/s`;
  console.log(
    `${row.size.toExponential(0).padEnd(6)} | ${row.name.padEnd(40)} | ${m(row.rate).padEnd(19)} | ${vsJs.padEnd(9)} | ${vsTorch.padEnd(16)} | ${m(row.cpuRate)}`,
  );
}
for (const note of new Set(notes)) console.log(note);

const rateText = (rate: number) => `${(rate / 1e6).toFixed(1)} M elements/s`;
for (const { size, rows: parts } of profiles) {
  console.log('');
  console.log(`profile of the SIMD forward+gradient call at ${size.toExponential(0)} (best of 5; one thread)`);
  console.log('part                                             | wall clock          | per CPU second      | note');
  for (const part of parts) {
    console.log(`${part.name.padEnd(48)} | ${rateText(part.rate).padEnd(19)} | ${rateText(part.cpuRate).padEnd(19)} | ${part.note ?? ''}`);
  }
}
