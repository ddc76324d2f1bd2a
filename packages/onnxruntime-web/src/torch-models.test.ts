/**
 * Issue 13 on real exported models: a two-head model exported by torch.onnx.export (Debian's
 * python3-torch 1.13) at opsets 13 and 17, both losses appended, run in onnxruntime-web; the
 * sigmoid loss and gradient against torchvision's float64 sigmoid_focal_loss, the softmax loss
 * against typed-array. Skipped with a message without python3-torch, required in CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
// test-only reference; a devDependency
import { softmaxFocalLoss } from '@focal-loss/typed-array';
import { appendFocalLoss, encodeModel } from './index.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../test/export_torch_models.py', import.meta.url));
const OPSETS = [13, 17];

function torchAvailable(): string | true {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not runnable: ${probe.error.message}`;
  if (probe.status !== 0) return `python torch/torchvision missing: ${probe.stderr.trim().split('\n').pop() ?? ''}`;
  return true;
}

const available = torchAvailable();
if (available !== true) {
  if (process.env.CI) throw new Error(`torch-exported model test cannot run in CI: ${available}`);
  console.warn(`skipping the torch-exported model test: ${available}`);
}

interface Exported {
  readonly torch: string;
  readonly files: Record<string, string>;
  readonly features: number[];
  readonly classLogits: number[];
  readonly objectness: number[];
  readonly objectnessTarget: number[];
  readonly classTarget: number[];
  readonly torchvisionLoss: number;
  readonly torchvisionGrad: number[];
}

const dir = mkdtempSync(join(tmpdir(), 'focal-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

describe.skipIf(available !== true)('models exported by torch.onnx.export', () => {
  it('opsets 13 and 17: both losses appended; sigmoid = torchvision, softmax = typed-array', async () => {
    const run = spawnSync(PYTHON, [SCRIPT, dir, ...OPSETS.map(String)], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const data = JSON.parse(run.stdout) as Exported;
    const batch = data.classTarget.length;
    for (const opset of OPSETS) {
      const bytes = readFileSync(data.files[String(opset)] as string);
      let model = appendFocalLoss(bytes, {
        op: 'sigmoid', logits: 'objectness', gradient: true,
        names: { target: 'objectness_target', loss: 'objectness_loss' },
      });
      model = appendFocalLoss(model, {
        op: 'softmax', logits: 'class_logits', gradient: true, optionInputs: true,
        names: { target: 'class_target', loss: 'class_loss' },
      });
      const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['wasm'], logSeverityLevel: 3 });
      const out = await session.run({
        features: new ort.Tensor('float32', Float32Array.from(data.features), [batch, 4]),
        objectness_target: new ort.Tensor('float32', Float32Array.from(data.objectnessTarget), [batch, 2]),
        class_target: new ort.Tensor('int32', Int32Array.from(data.classTarget), [batch]),
        class_loss_gamma: new ort.Tensor('float32', Float32Array.of(2), []),
        class_loss_alpha: new ort.Tensor('float32', Float32Array.of(0.25), []),
        class_loss_labelSmoothing: new ort.Tensor('float32', Float32Array.of(0), []),
      });
      await session.release();
      // the exported model itself: ORT's logits = torch's float32 logits
      closeTo(out.objectness!.data as Float32Array, data.objectness, 1e-5, 1e-6, `opset ${opset} objectness logits`);
      // torchvision float64, on torch's float32 logits (which differ from ORT's by float32 rounding)
      closeTo(out.objectness_loss!.data as Float32Array, [data.torchvisionLoss], 1e-4, 0, `opset ${opset} sigmoid loss`);
      closeTo(out.objectness_grad!.data as Float32Array, data.torchvisionGrad, 1e-4, 1e-7, `opset ${opset} sigmoid grad`);
      const logits = Float64Array.from(out.class_logits!.data as Float32Array);
      const ref = softmaxFocalLoss({ data: logits, shape: [batch, 3] }, { data: Int32Array.from(data.classTarget), shape: [batch] }, { gradient: true });
      closeTo(out.class_loss!.data as Float32Array, ref.loss.data, 1e-5, 0, `opset ${opset} softmax loss`);
      closeTo(out.class_logits_grad!.data as Float32Array, ref.gradInput!.data, 1e-4, 1e-7, `opset ${opset} softmax grad`);
    }
    console.log(`torch ${data.torch}: opsets ${OPSETS.join(', ')} checked`);
  }, 180_000);
});
