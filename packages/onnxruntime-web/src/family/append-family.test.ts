/**
 * Family losses appended to a model, next to a focal loss with Poly-1 (several losses per model,
 * options as run-time inputs), run in ORT (wasm) against the typed-array float64 reference; and the
 * DFL convenience against mmdet's formula (softmax cross-entropy against the two-hot target).
 */
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
// test-only reference (a devDependency)
import {
  asymmetricLoss,
  distributionFocalLoss,
  qualityFocalLoss,
  sigmoidFocalLossStar,
  softmaxFocalLoss,
  varifocalLoss,
} from '@focal-loss/typed-array';
import { FocalLossRunner, appendFocalLoss, encodeModel, isFocalLossError } from '../index.js';
import { DataType } from '../protos.js';
import { CLASSES, FEATURES, OBJECTNESS, classifierLogits, twoHeadModel } from '../../test/models.js';
import { fromHalfArray, halfArray } from '../../test/float16.js';

const sessions: ort.InferenceSession[] = [];
const runner = new FocalLossRunner({ numThreads: 1 });
afterAll(async () => {
  for (const s of sessions) await s.release();
  await runner.dispose();
});

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(1e-30, ...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= 1e-4 * Math.abs(e) + 1e-6 * scale)) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

const BATCH = 5;
const features = Float32Array.from({ length: BATCH * FEATURES }, (_, i) => Math.fround(Math.sin(i * 1.7) * 3));
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);

describe('family losses appended to a two-head model', () => {
  for (const [opsetVersion, inline] of [[17, false], [21, true], [26, false]] as const) {
    it(`opset ${opsetVersion} ${inline ? 'inlined' : 'functions'}: softmax + Poly-1 on the classes, varifocal and asymmetric on objectness`, async () => {
      const ir = opsetVersion >= 21 ? 10 : 8;
      let model = appendFocalLoss(twoHeadModel(opsetVersion, ir, DataType.FLOAT), {
        op: 'softmax', logits: 'class_logits', gradient: true, inline, optionInputs: true,
        names: { target: 'class_target', loss: 'class_loss' }, options: { polyEpsilon: 1, gamma: 2 },
      });
      model = appendFocalLoss(model, {
        op: 'varifocal_loss', logits: 'objectness', gradient: true, weight: true, inline, optionInputs: true,
        names: { target: 'vfl_target', weight: 'vfl_weight', loss: 'vfl_loss', gradInput: 'vfl_grad' }, options: { reduction: 'sum' },
      });
      model = appendFocalLoss(model, {
        op: 'asymmetric_loss', logits: 'objectness', gradient: true, inline,
        names: { target: 'asl_target', loss: 'asl_loss', gradInput: 'asl_grad' }, options: { gammaNeg: 2, clip: 0.1, reduction: 'none' },
      });
      if (!inline) {
        expect(model.opsetImport.filter((o) => o.domain === 'com.github.focal-loss')).toHaveLength(1);
        expect(model.functions.map((f) => f.name)).toEqual([
          'SoftmaxFocalLoss', 'SoftmaxFocalLossGrad', 'VarifocalLoss', 'VarifocalLossGrad', 'AsymmetricLoss', 'AsymmetricLossGrad',
        ]);
      }
      const labels = Int32Array.of(0, 2, 1, 2, 0);
      const iou = Float32Array.from({ length: BATCH * OBJECTNESS }, (_, i) => [0.8, 0, 0.35, 0, 1][i % 5] as number);
      const binary = Float32Array.from({ length: BATCH * OBJECTNESS }, (_, i) => (i % 3 === 0 ? 1 : 0));
      const weight = Float32Array.from({ length: BATCH * OBJECTNESS }, (_, i) => 0.5 + (i % 4) * 0.25);
      const scalar = (v: number) => new ort.Tensor('float32', Float32Array.of(v), []);
      const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['wasm'], logSeverityLevel: 3 });
      sessions.push(session);
      const out = await session.run({
        features: new ort.Tensor('float32', features, [BATCH, FEATURES]),
        class_target: new ort.Tensor('int32', labels, [BATCH]),
        class_loss_gamma: scalar(2), class_loss_alpha: scalar(0.25), class_loss_labelSmoothing: scalar(0), class_loss_polyEpsilon: scalar(1),
        vfl_target: new ort.Tensor('float32', iou, [BATCH, OBJECTNESS]),
        vfl_weight: new ort.Tensor('float32', weight, [BATCH, OBJECTNESS]),
        vfl_loss_alpha: scalar(0.75), vfl_loss_gamma: scalar(2),
        asl_target: new ort.Tensor('float32', binary, [BATCH, OBJECTNESS]),
      });
      // the heads' logits as the model computes them (float32), then the float64 reference
      const classLogits = { data: f64(out.class_logits!.data as Float32Array), shape: [BATCH, CLASSES] };
      expectClose(classLogits.data, classifierLogits(features, BATCH), 'class logits');
      const objectness = { data: f64(out.objectness!.data as Float32Array), shape: [BATCH, OBJECTNESS] };
      const cls = softmaxFocalLoss(classLogits, { data: labels, shape: [BATCH] }, { gamma: 2, alpha: 0.25, polyEpsilon: 1, gradient: true });
      expectClose(out.class_loss!.data as Float32Array, cls.loss.data, 'class loss');
      expectClose(out.class_logits_grad!.data as Float32Array, cls.gradInput!.data, 'class gradient');
      const vfl = varifocalLoss(objectness, { data: f64(iou), shape: [BATCH, OBJECTNESS] }, {
        reduction: 'sum', gradient: true, weight: { data: f64(weight), shape: [BATCH, OBJECTNESS] },
      });
      expectClose(out.vfl_loss!.data as Float32Array, vfl.loss.data, 'vfl loss');
      expectClose(out.vfl_grad!.data as Float32Array, vfl.gradInput!.data, 'vfl gradient');
      const asl = asymmetricLoss(objectness, { data: f64(binary), shape: [BATCH, OBJECTNESS] }, { gammaNeg: 2, clip: 0.1, reduction: 'none', gradient: true });
      expect(out.asl_loss!.dims).toEqual([BATCH, OBJECTNESS]);
      expectClose(out.asl_loss!.data as Float32Array, asl.loss.data, 'asl loss');
      expectClose(out.asl_grad!.data as Float32Array, asl.gradInput!.data, 'asl gradient');
    });
  }

  it('float16 logits (opset 18): FL* and QFL cast to float32 inside, loss float32, gradient float16', async () => {
    let model = appendFocalLoss(twoHeadModel(18, 8, DataType.FLOAT16), {
      op: 'sigmoid_focal_loss_star', logits: 'objectness', gradient: true, valueDtype: 'float16',
      names: { target: 'star_target', loss: 'star_loss', gradInput: 'star_grad' }, options: { gamma: 2, beta: 1, reduction: 'none' },
    });
    model = appendFocalLoss(model, {
      op: 'quality_focal_loss', logits: 'objectness', gradient: true, inline: true,
      names: { target: 'qfl_target', loss: 'qfl_loss', gradInput: 'qfl_grad' }, options: { reduction: 'sum' },
    });
    const soft = Float32Array.from({ length: BATCH * OBJECTNESS }, (_, i) => [1, 0, 0.5, 0.25][i % 4] as number);
    const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['wasm'], logSeverityLevel: 3 });
    sessions.push(session);
    const out = await session.run({
      features: new ort.Tensor('float32', features, [BATCH, FEATURES]),
      star_target: new ort.Tensor('float16', halfArray(soft), [BATCH, OBJECTNESS]),
      qfl_target: new ort.Tensor('float32', soft, [BATCH, OBJECTNESS]),
    });
    expect(out.star_loss!.type).toBe('float32');
    expect(out.star_grad!.type).toBe('float16');
    // the reference at the float16 logits the model produced
    const logits = { data: fromHalfArray(out.objectness!.data as Uint16Array), shape: [BATCH, OBJECTNESS] };
    const target = { data: f64(soft), shape: [BATCH, OBJECTNESS] };
    const star = sigmoidFocalLossStar(logits, target, { gamma: 2, beta: 1, reduction: 'none', gradient: true });
    expectClose(out.star_loss!.data as Float32Array, star.loss.data, 'FL* loss');
    // the gradient is rounded to float16 (11 bits): 1e-3 relative
    const grad = fromHalfArray(out.star_grad!.data as Uint16Array);
    star.gradInput!.data.forEach((g, i) => expect(Math.abs((grad[i] as number) - g)).toBeLessThanOrEqual(1e-3 * Math.abs(g) + 1e-7));
    const qfl = qualityFocalLoss(logits, target, { reduction: 'sum', gradient: true });
    expectClose(out.qfl_loss!.data as Float32Array, qfl.loss.data, 'QFL loss');
  });

  it('family options are checked by the core (INVALID_OPTION), options typed per op', () => {
    const model = twoHeadModel(17, 8, DataType.FLOAT);
    expect(() => appendFocalLoss(model, { op: 'quality_focal_loss', logits: 'objectness', options: { beta: -1 } })).toThrow(/beta/);
    // @ts-expect-error gamma is not a quality_focal_loss option
    expect(() => appendFocalLoss(model, { op: 'quality_focal_loss', logits: 'objectness', options: { gamma: 2 } })).toThrow(/unknown option "gamma"/);
    expect(() => appendFocalLoss(model, { op: 'asymmetric_loss', logits: 'objectness', options: { clip: 1 } })).toThrow(/clip/);
  });
});

describe('FocalLossRunner.distributionFocalLoss (DFL)', () => {
  const bins = 5;
  const input = Float32Array.from({ length: 3 * 2 * bins }, (_, i) => Math.fround(Math.cos(i * 2.3) * 3));
  const positions = Float32Array.of(0, 1.75, 4, 2.5, 0.125, 3.999);
  it('= typed-array distributionFocalLoss (every reduction, weight, normalizer) and mmdet\'s formula', async () => {
    for (const options of [{}, { reduction: 'none' }, { reduction: 'sum' }, { normalizer: 4 }] as const) {
      const weight = Float32Array.of(1, 0.5, 2, 1, 0.25, 1);
      const r = await runner.distributionFocalLoss(
        { data: input, shape: [3, 2, bins] },
        { data: positions, shape: [3, 2] },
        { ...options, gradient: true, weight: { data: weight, shape: [3, 2] } },
      );
      const ref = distributionFocalLoss({ data: f64(input), shape: [3, 2, bins] }, { data: f64(positions), shape: [3, 2] }, {
        ...options, gradient: true, weight: { data: f64(weight), shape: [3, 2] },
      });
      expect(r.loss.shape).toEqual([...ref.loss.shape]);
      expectClose(r.loss.data, ref.loss.data, `loss ${JSON.stringify(options)}`);
      expectClose(r.gradInput!.data, ref.gradInput!.data, `gradient ${JSON.stringify(options)}`);
    }
    // mmdet: CE(x, left) (left + 1 - y) + CE(x, left + 1) (y - left), for the first box side with y = 1.75
    const row = Array.from(input.subarray(bins, 2 * bins));
    const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    const mmdet = (logSum - (row[1] as number)) * 0.25 + (logSum - (row[2] as number)) * 0.75;
    const single = await runner.distributionFocalLoss({ data: input.slice(bins, 2 * bins), shape: [bins] }, { data: Float32Array.of(1.75), shape: [] }, { reduction: 'sum' });
    expect(Math.abs((single.loss.data[0] as number) - mmdet)).toBeLessThan(1e-5 * mmdet);
  });

  it('refuses gamma/alpha (fixed), positions outside [0, bins - 1] and mismatched shapes', async () => {
    const x = { data: input, shape: [3, 2, bins] };
    const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (isFocalLossError(e) ? e.code : String(e)));
    expect(await codeOf(runner.distributionFocalLoss(x, { data: positions, shape: [3, 2] }, { gamma: 2 } as never))).toBe('INVALID_OPTION');
    expect(await codeOf(runner.distributionFocalLoss(x, { data: Float32Array.of(0, 1, 2, 3, 4, 4.5), shape: [3, 2] }))).toBe('INVALID_TARGET');
    expect(await codeOf(runner.distributionFocalLoss(x, { data: positions, shape: [6] }))).toBe('SHAPE_MISMATCH');
  });
});
