/**
 * float16 tensors through FocalLossRunner (issue 14): the same exactly representable values given
 * as float16 and as float32 give the same float32 loss, and a float16 gradient that is the float32
 * gradient rounded to half (the graph casts to float32 for the loss and the gradient back).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FocalLossRunner, isFocalLossError, type RunnerResult } from './index.js';
import { widenFloat16 } from './half.js';

const runner = new FocalLossRunner({ numThreads: 1 });
afterAll(() => runner.dispose());

/** binary16 bits of values that are exactly half values (checked: the test fails otherwise). */
function halfBits(values: ArrayLike<number>): Uint16Array {
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
    const a = Math.abs(v);
    let b: number;
    if (a < 2 ** -14) b = a * 2 ** 24;
    else {
      const e = Math.floor(Math.log2(a));
      b = ((e + 15) << 10) | ((a / 2 ** e - 1) * 1024);
    }
    bits[i] = sign | b;
    if (widenFloat16(bits.subarray(i, i + 1))[0] !== v) throw new Error(`${v} is not a half value`);
  }
  return bits;
}

/** The float16 gradient widened equals the float32 one within half's rounding (2^-11 relative, 2^-24 absolute). */
function expectHalfOf(grad: RunnerResult['gradInput'], reference: RunnerResult['gradInput'], what: string): void {
  if (grad === null || reference === null) throw new Error(`${what}: no gradient`);
  expect(grad.dtype, what).toBe('float16');
  expect(grad.data, what).toBeInstanceOf(Uint16Array);
  expect(grad.shape, what).toEqual(reference.shape);
  const half = widenFloat16(grad.data as Uint16Array);
  for (let i = 0; i < half.length; i++) {
    const e = reference.data[i] as number;
    const a = half[i] as number;
    if (!(Math.abs(a - e) <= 2 ** -11 * Math.abs(e) + 2 ** -24)) expect.fail(`${what}[${i}]: float16 ${a}, float32 ${e}`);
  }
  // not all zero: the comparison is meaningful
  expect(half.some((v) => v !== 0), what).toBe(true);
}

function expectSameLoss(loss: RunnerResult['loss'], reference: RunnerResult['loss'], what: string): void {
  expect(loss.data, what).toBeInstanceOf(Float32Array);
  expect(loss.shape, what).toEqual(reference.shape);
  for (let i = 0; i < loss.data.length; i++) {
    const e = reference.data[i] as number;
    if (!(Math.abs((loss.data[i] as number) - e) <= 1e-6 * Math.abs(e) + 1e-30)) expect.fail(`${what} loss[${i}]: ${loss.data[i]} vs ${e}`);
  }
}

const logits = [-8, -2.5, -0.75, 0, 0.5, 1.25, 3, 6.5, -0.125, 2, -4, 0.0625];
const soft = [0, 1, 0.25, 0.5, 1, 0, 0.75, 1, 0, 0.5, 0.125, 1];
const weights = [1, 0.5, 2, 0.25, 1, 3, 0.75, 1, 1.5, 0, 2, 1];
const f32 = (v: number[]) => Float32Array.from(v);
const f16 = (v: number[], shape: number[]) => ({ data: halfBits(v), shape, dtype: 'float16' as const });

describe('FocalLossRunner float16 inputs = float32 on the same values', () => {
  it.each([
    { reduction: 'none', gamma: 2, alpha: 0.25 },
    { reduction: 'mean', gamma: 1.5, alpha: null },
    { reduction: 'sum', gamma: 0, alpha: 0.5 },
  ] as const)('sigmoid, soft targets and weights in float16 (%o)', async (options) => {
    const shape = [3, 4];
    const ref = await runner.sigmoidFocalLoss({ data: f32(logits), shape }, { data: f32(soft), shape }, {
      ...options, gradient: true, weight: { data: f32(weights), shape },
    });
    const half = await runner.sigmoidFocalLoss(f16(logits, shape), f16(soft, shape), {
      ...options, gradient: true, weight: f16(weights, shape),
    });
    expectSameLoss(half.loss, ref.loss, 'sigmoid');
    expectHalfOf(half.gradInput, ref.gradInput, 'sigmoid');
    expect(ref.gradInput?.dtype).toBe('float32');
  }, 60_000);

  it('sigmoid, float16 logits with float32 0/1 targets and int32 targets', async () => {
    const shape = [12];
    const binary = soft.map((t) => (t >= 0.5 ? 1 : 0));
    const ref = await runner.sigmoidFocalLoss({ data: f32(logits), shape }, { data: Int32Array.from(binary), shape }, { gradient: true, reduction: 'none' });
    const half = await runner.sigmoidFocalLoss(f16(logits, shape), { data: f32(binary), shape }, { gradient: true, reduction: 'none' });
    const halfInt = await runner.sigmoidFocalLoss(f16(logits, shape), { data: Int32Array.from(binary), shape }, { gradient: true, reduction: 'none' });
    expectSameLoss(half.loss, ref.loss, 'float targets');
    expectSameLoss(halfInt.loss, ref.loss, 'int32 targets');
    expectHalfOf(half.gradInput, ref.gradInput, 'float targets');
    expectHalfOf(halfInt.gradInput, ref.gradInput, 'int32 targets');
  }, 60_000);

  it('softmax, class indices and float16 probabilities along axis 1 (NCHW)', async () => {
    const shape = [2, 3, 2];
    const labels = Int32Array.of(0, 2, 1, 1);
    const probs = [0.25, 0.5, 0.25, 0, 0.5, 0.5, 1, 0, 0, 0.125, 0, 0.875];
    for (const options of [{ axis: 1, reduction: 'none', gamma: 2 }, { axis: 1, reduction: 'mean', alpha: [0.25, 0.5, 0.25] }] as const) {
      const ref = await runner.softmaxFocalLoss({ data: f32(logits), shape }, { data: labels, shape: [2, 2] }, { ...options, gradient: true });
      const half = await runner.softmaxFocalLoss(f16(logits, shape), { data: labels, shape: [2, 2] }, { ...options, gradient: true });
      expectSameLoss(half.loss, ref.loss, 'softmax index');
      expectHalfOf(half.gradInput, ref.gradInput, 'softmax index');
      const refP = await runner.softmaxFocalLoss({ data: f32(logits), shape }, { data: f32(probs), shape }, { ...options, gradient: true });
      const halfP = await runner.softmaxFocalLoss(f16(logits, shape), f16(probs, shape), { ...options, gradient: true });
      expectSameLoss(halfP.loss, refP.loss, 'softmax probabilities');
      expectHalfOf(halfP.gradInput, refP.gradInput, 'softmax probabilities');
    }
  }, 60_000);

  it('gradientDtype "float32": the float32 gradient of a float16 input, unrounded', async () => {
    const shape = [3, 4];
    const options = { gamma: 2, alpha: 0.25, reduction: 'none', gradient: true } as const;
    const ref = await runner.sigmoidFocalLoss({ data: f32(logits), shape }, { data: f32(soft), shape }, options);
    const wide = await runner.sigmoidFocalLoss(f16(logits, shape), f16(soft, shape), { ...options, gradientDtype: 'float32' });
    expect(wide.gradInput?.dtype).toBe('float32');
    expectSameLoss(wide.loss, ref.loss, 'loss');
    expectSameLoss(wide.gradInput as RunnerResult['loss'], ref.gradInput as RunnerResult['loss'], 'gradient');
    // and the float16 one for a float32 input on request
    const narrow = await runner.sigmoidFocalLoss({ data: f32(logits), shape }, { data: f32(soft), shape }, { ...options, gradientDtype: 'float16' });
    expectHalfOf(narrow.gradInput, ref.gradInput, 'float16 gradient of float32 input');
  }, 60_000);

  it('one session per structure: the dtypes are part of the key, the numbers are not', async () => {
    const local = new FocalLossRunner({ numThreads: 1 });
    try {
      const shape = [12];
      const t = { data: f32(soft), shape };
      await local.sigmoidFocalLoss({ data: f32(logits), shape }, t, { gamma: 2 });
      expect(local.sessionCount).toBe(1);
      await local.sigmoidFocalLoss(f16(logits, shape), t, { gamma: 2 });
      await local.sigmoidFocalLoss(f16(logits, shape), t, { gamma: 0.5, alpha: 0.75 });
      expect(local.sessionCount).toBe(2);
      await local.sigmoidFocalLoss(f16(logits, shape), f16(soft, shape), { gamma: 2 });
      expect(local.sessionCount).toBe(3);
    } finally {
      await local.dispose();
    }
  }, 60_000);

  it('empty float16 input: float32 loss, empty float16 gradient, no session', async () => {
    const local = new FocalLossRunner({ numThreads: 1 });
    const r = await local.sigmoidFocalLoss(f16([], [0, 3]), f16([], [0, 3]), { gradient: true, reduction: 'sum' });
    expect(Array.from(r.loss.data)).toEqual([0]);
    expect(r.gradInput).toEqual({ data: new Uint16Array(0), shape: [0, 3], dtype: 'float16' });
    expect(local.sessionCount).toBe(0);
    await local.dispose();
  });
});

describe('float16 errors', () => {
  const shape = [2];
  const target = { data: Float32Array.of(0, 1), shape };
  async function errorOf(call: Promise<unknown>): Promise<{ code: string; message: string }> {
    try {
      await call;
    } catch (error) {
      if (isFocalLossError(error)) return { code: error.code, message: error.message };
      throw error;
    }
    throw new Error('expected an error');
  }

  it('a Uint16Array without dtype "float16" is refused naming its dtype, never read as half bits', async () => {
    const bits = halfBits([0.5, -1]);
    for (const [input, t, weight] of [
      [{ data: bits, shape }, target, null],
      [{ data: Float32Array.of(0.5, -1), shape }, { data: halfBits([0, 1]), shape }, null],
      [{ data: Float32Array.of(0.5, -1), shape }, target, { data: bits, shape }],
    ] as const) {
      const e = await errorOf(runner.sigmoidFocalLoss(input as never, t as never, { weight: weight as never }));
      expect(e.code).toBe('INVALID_OPTION');
      expect(e.message).toContain('Uint16Array');
    }
    const e = await errorOf(runner.softmaxFocalLoss({ data: halfBits([0.5, -1]), shape: [1, 2] } as never, { data: Int32Array.of(1), shape: [1] }));
    expect(e).toMatchObject({ code: 'INVALID_OPTION' });
    expect(e.message).toContain('Uint16Array');
  });

  it('dtype "float16" on data that is not half, and a dtype that does not describe the data', async () => {
    const a = await errorOf(runner.sigmoidFocalLoss({ data: Float32Array.of(0.5, -1), shape, dtype: 'float16' } as never, target));
    expect(a.code).toBe('INVALID_OPTION');
    expect(a.message).toContain('float16');
    expect(a.message).toContain('Float32Array');
    const b = await errorOf(runner.sigmoidFocalLoss({ data: halfBits([0.5, -1]), shape, dtype: 'float32' } as never, target));
    expect(b.code).toBe('INVALID_OPTION');
    expect(b.message).toContain('Uint16Array');
  });

  it('gradientDtype other than "float32" / "float16" is INVALID_OPTION', async () => {
    const e = await errorOf(runner.sigmoidFocalLoss(f16([0.5, -1], shape), target, { gradient: true, gradientDtype: 'bfloat16' } as never));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toContain('gradientDtype');
  });

  it('float16 targets are checked by value (widened), and shapes by length', async () => {
    const bad = await errorOf(runner.sigmoidFocalLoss(f16([0.5, -1], shape), f16([0, 1.5], shape)));
    expect(bad.code).toBe('INVALID_TARGET');
    const short = await errorOf(runner.sigmoidFocalLoss(f16([0.5], shape), target));
    expect(short.code).toBe('SHAPE_MISMATCH');
  });
});
