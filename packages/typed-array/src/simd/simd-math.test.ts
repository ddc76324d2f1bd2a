/**
 * Accuracy of the SIMD kernel's float32 exp / log1p / log (wasm/simd-math.h), and of the gamma 2
 * sigmoid's cheaper exp (flushed below 2^-126) and log1p on [0, 1], in float32 ulps:
 * against correctly rounded values from mpmath (/usr/bin/python3 with python3-mpmath; required in
 * CI, skipped with a message elsewhere when missing) and, densely, against Math.exp / Math.log1p /
 * Math.log rounded to float32 (float64 results, so within 0.5 ulp + a hair of correct rounding).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sharedKernel } from './kernel.js';

const kernel = sharedKernel();
const CHUNK = 4096;

/** Applies one of the kernel's test exports to every value (float32). */
type KernelName = 'exp_neg_f32' | 'log1p_f32' | 'log_f32' | 'exp_neg_flush_f32' | 'log1p_unit_f32';
function apply(name: KernelName, values: Float32Array): Float32Array {
  kernel.reserve(CHUNK, 0);
  const out = new Float32Array(values.length);
  for (let start = 0; start < values.length; start += CHUNK) {
    const part = values.subarray(start, start + CHUNK);
    const padded = Math.ceil(part.length / 4) * 4;
    kernel.f32.fill(1, kernel.x >> 2, (kernel.x >> 2) + padded);
    kernel.f32.set(part, kernel.x >> 2);
    kernel.exports[name](kernel.x, kernel.grad, padded);
    out.set(kernel.f32.subarray(kernel.grad >> 2, (kernel.grad >> 2) + part.length), start);
  }
  return out;
}

const word = new Float32Array(1);
const bits = new Int32Array(word.buffer);
/** Ordered integer image of a float32 (monotonic across zero). */
function ordered(v: number): number {
  word[0] = v;
  const b = bits[0] as number;
  return b < 0 ? -(b & 0x7fffffff) : b;
}
function ulpsApart(a: number, b: number): number {
  return Object.is(a, b) || a === b ? 0 : Math.abs(ordered(a) - ordered(b));
}

function worstUlps(inputs: Float32Array, ours: Float32Array, reference: ArrayLike<number>) {
  let worst = 0;
  let at = Number.NaN;
  for (let i = 0; i < inputs.length; i++) {
    const d = ulpsApart(ours[i] as number, Math.fround(reference[i] as number));
    if (!(d <= worst)) {
      worst = d;
      at = inputs[i] as number;
    }
  }
  return { worst, at };
}

/** Deterministic uniform [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = Math.imul(s ^ (s >>> 15), 1 | s);
    z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

function draw(count: number, seed: number, f: (u: number) => number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: count }, () => f(next()));
}

// The domains the loops use: exp(-a) for a >= 0 up to the end of the float32 subnormals; log1p on
// [-1/2, 1] (sigmoid's log1p(e^-|x|), and log(1 - p) of probabilities >= 1/2 as log1p(-p)) and far
// beyond for the softmax's log1p(sum); log on (0, 1] including subnormals (clipped probabilities).
const expArgs = () => draw(20_000, 1, (u) => 104 * u);
const expTiny = () => draw(5_000, 2, (u) => 2 ** (-40 * u - 1));
const log1pArgs = () => draw(20_000, 3, (u) => 1.5 * u - 0.5);
const log1pTiny = () => draw(5_000, 4, (u) => (u < 0.5 ? 1 : -1) * 2 ** (-126 * u));
const log1pLarge = () => draw(5_000, 5, (u) => 2 ** (20 * u));
const logArgs = () => draw(20_000, 6, (u) => 2 ** (-149 * u));
// the gamma 2 sigmoid's: exp(-a) for a = |x| in [0, 87] (normal results; beyond, 0), log1p(e) for
// e = exp(-a) in [0, 1], dense and down to tiny e
const flushArgs = () => draw(20_000, 9, (u) => 87 * u);
const unitArgs = () => draw(20_000, 10, (u) => u);
const unitTiny = () => draw(5_000, 11, (u) => 2 ** (-126 * u));

describe('SIMD float32 kernels against Math (float64, rounded to float32)', () => {
  it('exp(-a) is within 1 ulp on [0, 104] and near 0', { timeout: 30_000 }, () => {
    for (const a of [expArgs(), expTiny(), draw(200_000, 7, (u) => 90 * u)]) {
      const { worst, at } = worstUlps(a, apply('exp_neg_f32', a), Array.from(a, (v) => Math.exp(-v)));
      expect(worst, `worst at a = ${at}`).toBeLessThanOrEqual(1);
    }
  });

  it('log1p(y) is within 2 ulp on [-1/2, 1], for tiny |y| and up to 2^20', { timeout: 30_000 }, () => {
    for (const y of [log1pArgs(), log1pTiny(), log1pLarge(), draw(200_000, 8, (u) => 1.5 * u - 0.5)]) {
      const { worst, at } = worstUlps(y, apply('log1p_f32', y), Array.from(y, (v) => Math.log1p(v)));
      expect(worst, `worst at y = ${at}`).toBeLessThanOrEqual(2);
    }
  });

  it('log(u) is within 2 ulp on (0, 1], subnormals included', { timeout: 30_000 }, () => {
    const u = logArgs();
    const { worst, at } = worstUlps(u, apply('log_f32', u), Array.from(u, (v) => Math.log(v)));
    expect(worst, `worst at u = ${at}`).toBeLessThanOrEqual(2);
  });

  it('the gamma 2 kernels: exp(-a) within 2 ulp on [0, 87], log1p(e) within 2 ulp on [0, 1]', { timeout: 30_000 }, () => {
    for (const a of [flushArgs(), draw(200_000, 12, (u) => 87 * u)]) {
      const { worst, at } = worstUlps(a, apply('exp_neg_flush_f32', a), Array.from(a, (v) => Math.exp(-v)));
      expect(worst, `worst at a = ${at}`).toBeLessThanOrEqual(2);
    }
    for (const e of [unitArgs(), unitTiny(), draw(200_000, 13, (u) => u)]) {
      const { worst, at } = worstUlps(e, apply('log1p_unit_f32', e), Array.from(e, (v) => Math.log1p(v)));
      expect(worst, `worst at e = ${at}`).toBeLessThanOrEqual(2);
    }
    // flushed: 0 above 87 (exp(-87) < 2^-125), 1 at 0; log1p(0) = 0, tiny e exactly e
    expect(Array.from(apply('exp_neg_flush_f32', Float32Array.of(0, 87.5, 100, 1e30)))).toEqual([1, 0, 0, 0]);
    const tiny = Float32Array.of(0, 2 ** -100, 2 ** -30, 2 ** -149);
    expect(Array.from(apply('log1p_unit_f32', tiny))).toEqual(Array.from(tiny));
  });

  it('gives exactly 0 beyond the float32 range and exp(0) = 1, log1p(0) = 0, log(1) = 0', () => {
    expect(Array.from(apply('exp_neg_f32', Float32Array.of(0, 104, 110, Infinity)))).toEqual([1, 0, 0, 0]);
    expect(Array.from(apply('log1p_f32', Float32Array.of(0, 0, 0, 0)))).toEqual([0, 0, 0, 0]);
    expect(Array.from(apply('log_f32', Float32Array.of(1, 1, 1, 1)))).toEqual([0, 0, 0, 0]);
  });
});

const python = '/usr/bin/python3';
const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'mpmath-float32.py');
function mpmathAvailable(): string | true {
  if (!existsSync(python)) return `${python} not found`;
  try {
    execFileSync(python, ['-c', 'import mpmath'], { stdio: 'ignore' });
    return true;
  } catch {
    return 'python3-mpmath is not installed';
  }
}
const available = mpmathAvailable();
if (available !== true && process.env.CI !== 'true') console.warn(`skipping the mpmath comparison: ${available}`);

describe.skipIf(available !== true && process.env.CI !== 'true')('SIMD float32 kernels against mpmath (correctly rounded)', () => {
  it('exp(-a) <= 1 ulp, log1p <= 2 ulp, log <= 2 ulp; the gamma 2 kernels <= 2 ulp', { timeout: 60_000 }, () => {
    const inputs = { exp_neg: [expArgs(), expTiny()], log1p: [log1pArgs(), log1pTiny(), log1pLarge()], log: [logArgs()] };
    const flat = (arrays: Float32Array[]) => {
      const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
      let at = 0;
      for (const a of arrays) out.set(a, (at += a.length) - a.length);
      return out;
    };
    const exp = flat(inputs.exp_neg);
    const log1p = flat(inputs.log1p);
    const log = flat(inputs.log);
    const flush = flushArgs();
    const unit = flat([unitArgs(), unitTiny()]);
    const reference = JSON.parse(
      execFileSync(python, [script], {
        input: JSON.stringify({
          exp_neg: [...Array.from(exp), ...Array.from(flush)],
          log1p: [...Array.from(log1p), ...Array.from(unit)],
          log: Array.from(log),
        }),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      }),
    ) as { exp_neg: number[]; log1p: number[]; log: number[] };
    const measured = {
      exp_neg: worstUlps(exp, apply('exp_neg_f32', exp), reference.exp_neg.slice(0, exp.length)),
      log1p: worstUlps(log1p, apply('log1p_f32', log1p), reference.log1p.slice(0, log1p.length)),
      log: worstUlps(log, apply('log_f32', log), reference.log),
      exp_neg_flush: worstUlps(flush, apply('exp_neg_flush_f32', flush), reference.exp_neg.slice(exp.length)),
      log1p_unit: worstUlps(unit, apply('log1p_unit_f32', unit), reference.log1p.slice(log1p.length)),
    };
    console.log(`SIMD kernels, max error in float32 ulps against mpmath: ${JSON.stringify(measured)}`);
    expect(measured.exp_neg.worst).toBeLessThanOrEqual(1);
    expect(measured.log1p.worst).toBeLessThanOrEqual(2);
    expect(measured.log.worst).toBeLessThanOrEqual(2);
    expect(measured.exp_neg_flush.worst).toBeLessThanOrEqual(2);
    expect(measured.log1p_unit.worst).toBeLessThanOrEqual(2);
  });
});
