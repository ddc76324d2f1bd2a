/**
 * `pnpm bench`: fused forward and forward+gradient of the typed-array adapter against the
 * straightforward implementation, on float32 inputs, all in one run, so the ratios compare like
 * with like on this machine. Also measures the ArrayBuffer bytes a call allocates when the caller
 * supplies the output buffers.
 */
import { Bench } from 'tinybench';
import { sigmoidFocalLoss } from '../src/index.js';
import { naiveSigmoidFocalLoss } from './naive.js';

const sizes = (process.env.BENCH_SIZES ?? '1e6,1e7').split(',').map(Number);
const time = Number(process.env.BENCH_TIME_MS ?? 1500);

function makeInputs(n: number): { x: Float32Array; t: Float32Array } {
  // Deterministic logits in [-8, 8] and about 1 positive in 10.
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
  const x = new Float32Array(n);
  const t = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = 16 * next() - 8;
    t[i] = next() < 0.1 ? 1 : 0;
  }
  return { x, t };
}

function format(rate: number): string {
  return `${(rate / 1e6).toFixed(1)} M elements/s`;
}

interface Row {
  size: number;
  name: string;
  rate: number;
}

const rows: Row[] = [];
for (const n of sizes) {
  const { x, t } = makeInputs(n);
  const input = { data: x, shape: [n] };
  const target = { data: t, shape: [n] };
  const loss = new Float32Array(1);
  const gradInput = new Float32Array(n);
  const naiveGrad = new Float32Array(n);

  // Allocation check: ArrayBuffer bytes per call with caller buffers, averaged over 20 calls.
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 20; i++) sigmoidFocalLoss(input, target, { gradient: true, out: { loss, gradInput } });
  const perCall = (process.memoryUsage().arrayBuffers - before) / 20;
  console.error(`n=${n.toExponential(0)}: ArrayBuffer bytes allocated per call with out buffers: ${perCall}`);

  const bench = new Bench({ time, warmupTime: 300, iterations: 5, warmupIterations: 2 });
  bench
    .add('fused forward', () => {
      sigmoidFocalLoss(input, target, { out: { loss } });
    })
    .add('naive forward', () => {
      naiveSigmoidFocalLoss(x, t, 0.25, 2, null);
    })
    .add('fused forward+gradient', () => {
      sigmoidFocalLoss(input, target, { gradient: true, out: { loss, gradInput } });
    })
    .add('naive forward+gradient', () => {
      naiveSigmoidFocalLoss(x, t, 0.25, 2, naiveGrad);
    });
  console.error(`n=${n.toExponential(0)}: running...`);
  await bench.run();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    rows.push({ size: n, name: task.name, rate: (n * 1000) / result.latency.mean });
  }
}

console.log(`typed-array sigmoid focal loss, float32, gamma 2, alpha 0.25, mean; Node ${process.version}, single thread`);
console.log('size   | task                    | throughput          | fused / naive');
for (const row of rows) {
  const partner = rows.find((r) => r.size === row.size && r.name === row.name.replace('fused', 'naive'));
  const ratio = row.name.startsWith('fused') && partner ? `${(row.rate / partner.rate).toFixed(2)}x` : '';
  console.log(`${row.size.toExponential(0).padEnd(6)} | ${row.name.padEnd(23)} | ${format(row.rate).padEnd(19)} | ${ratio}`);
}
