/**
 * Appending the loss to a model built here (MatMul + Add -> logits): the original output is
 * unchanged, and loss and gradient equal the typed-array reference within float32 tolerance.
 */
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
// test-only reference; not a dependency of this package
import { sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/typed-array';
import { appendFocalLoss, encodeModel } from './index.js';
import { CLASSES, FEATURES, classifierLogits, tinyClassifier } from '../test/models.js';
import { FOCAL_LOSS_DOMAIN } from './loss-spec.js';

const BATCH = 5;
const features = Float32Array.from({ length: BATCH * FEATURES }, (_, i) => Math.fround(Math.sin(i * 1.7) * 3));
const labels = Int32Array.from([0, 2, 1, 2, 0]);
const weights = Float32Array.from([1, 0.5, 2, 1, 0.25]);

const sessions: ort.InferenceSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
});

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], logSeverityLevel: 3 });
  sessions.push(s);
  return s;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs((actual[i] as number) - (expected[i] as number))).toBeLessThanOrEqual(rtol * Math.abs(expected[i] as number) + 1e-6 * scale);
  }
}

describe('appendFocalLoss', () => {
  it('keeps the original model intact and adds target/weight inputs and loss/gradient outputs', async () => {
    const original = tinyClassifier();
    const appended = appendFocalLoss(original, { op: 'softmax', gradient: true, weight: true, options: { gamma: 1.5 } });
    expect(appended.graph?.input.map((v) => v.name)).toEqual(['features', 'target', 'weight']);
    expect(appended.graph?.output.map((v) => v.name)).toEqual(['logits', 'loss', 'logits_grad']);
    expect(appended.graph?.initializer.map((t) => t.name)).toEqual(['W', 'b']);
    expect(appended.graph?.node.slice(0, 2).map((n) => n.opType)).toEqual(['MatMul', 'Add']);
    expect(appended.graph?.node.slice(2).map((n) => `${n.domain}:${n.opType}`)).toEqual([
      `${FOCAL_LOSS_DOMAIN}:SoftmaxFocalLoss`,
      `${FOCAL_LOSS_DOMAIN}:SoftmaxFocalLossGrad`,
    ]);
    expect(Number(appended.irVersion)).toBe(8); // raised from 7 for model-local functions
    expect(original.graph?.output).toHaveLength(1); // the input model is not mutated
  });

  for (const inline of [false, true]) {
    it(`softmax (${inline ? 'inlined' : 'functions'}): logits unchanged, loss and gradient match typed-array`, async () => {
      const options = { gamma: 1.5, alpha: [0.25, 0.5, 0.75], labelSmoothing: 0.1 };
      const base = await session(encodeModel(tinyClassifier()));
      const full = await session(encodeModel(appendFocalLoss(tinyClassifier(), { op: 'softmax', gradient: true, weight: true, inline, options })));
      const x = new ort.Tensor('float32', features, [BATCH, FEATURES]);
      const before = (await base.run({ features: x })).logits as ort.Tensor;
      const after = await full.run({
        features: x,
        target: new ort.Tensor('int32', labels, [BATCH]),
        weight: new ort.Tensor('float32', weights, [BATCH]),
      });
      expect(Array.from(after.logits!.data as Float32Array)).toEqual(Array.from(before.data as Float32Array));
      expectClose(before.data as Float32Array, classifierLogits(features, BATCH));

      const logits = Float64Array.from(before.data as Float32Array);
      const ref = softmaxFocalLoss({ data: logits, shape: [BATCH, CLASSES] }, { data: labels, shape: [BATCH] }, {
        ...options,
        weight: { data: Float64Array.from(weights), shape: [BATCH] },
        gradient: true,
      });
      expectClose(after.loss!.data as Float32Array, ref.loss.data);
      expect(after.logits_grad!.dims).toEqual([BATCH, CLASSES]);
      expectClose(after.logits_grad!.data as Float32Array, ref.gradInput!.data);
    });
  }

  it('sigmoid on a model given as bytes (opset 17, IR 8), reduction none', async () => {
    const targets = Float32Array.from({ length: BATCH * CLASSES }, (_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : 0.3));
    const full = await session(encodeModel(appendFocalLoss(encodeModel(tinyClassifier(17, 8)), {
      op: 'sigmoid', gradient: true, options: { reduction: 'none', alpha: null, gamma: 0.5 },
    })));
    const out = await full.run({
      features: new ort.Tensor('float32', features, [BATCH, FEATURES]),
      target: new ort.Tensor('float32', targets, [BATCH, CLASSES]),
    });
    const logits = Float64Array.from(out.logits!.data as Float32Array);
    const ref = sigmoidFocalLoss({ data: logits, shape: [BATCH, CLASSES] }, { data: Float64Array.from(targets), shape: [BATCH, CLASSES] }, {
      reduction: 'none', alpha: null, gamma: 0.5, gradient: true,
    });
    expectClose(out.loss!.data as Float32Array, ref.loss.data);
    expectClose(out.logits_grad!.data as Float32Array, ref.gradInput!.data);
  });

  it('rejects unsupported opsets, unknown outputs and name clashes with INVALID_OPTION', () => {
    expect(() => appendFocalLoss(tinyClassifier(12), { op: 'sigmoid' })).toThrow(/opset 12 is not supported/);
    expect(() => appendFocalLoss(tinyClassifier(27), { op: 'sigmoid' })).toThrow(/opset 27/);
    expect(() => appendFocalLoss(tinyClassifier(), { op: 'sigmoid', logits: 'scores' })).toThrow(/"scores" is not an output/);
    expect(() => appendFocalLoss(tinyClassifier(), { op: 'sigmoid', names: { target: 'features' } })).toThrow(/"features" already exists/);
    try {
      appendFocalLoss(tinyClassifier(11), { op: 'softmax' });
      expect.unreachable();
    } catch (error) {
      expect((error as { code?: string }).code).toBe('INVALID_OPTION');
    }
  });
});
