/**
 * Every model this package emits passes the official ONNX checker (onnx 1.12, IR 8 / opset 17,
 * full_check = True: with shape inference, and model-local functions checked against their calls).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendFocalLoss, buildLossModel, encodeModel, type LossModelOptions } from './index.js';
import { tinyClassifier, twoHeadModel } from '../test/models.js';
import { DataType } from './protos.js';

const PYTHON = '/usr/bin/python3';

function onnxAvailable(): string | true {
  const probe = spawnSync(PYTHON, ['-c', 'import onnx; print(onnx.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not runnable: ${probe.error.message}`;
  if (probe.status !== 0) return `python onnx package missing: ${probe.stderr.trim().split('\n').pop() ?? ''}`;
  return true;
}

const available = onnxAvailable();
if (available !== true) {
  if (process.env.CI) throw new Error(`ONNX checker test cannot run in CI: ${available}`);
  console.warn(`skipping the ONNX checker test: ${available}`);
}

const STANDALONE: [string, LossModelOptions][] = [
  ['sigmoid-default', { op: 'sigmoid', rank: 2 }],
  ['sigmoid-grad', { op: 'sigmoid', rank: 2, gradient: true }],
  ['sigmoid-probabilities-weight-none', {
    op: 'sigmoid', rank: 1, gradient: true, weight: true,
    options: { fromLogits: false, eps: 1e-4, alpha: null, reduction: 'none', labelSmoothing: 0.1 },
  }],
  ['sigmoid-normalizer-scalar-rank', { op: 'sigmoid', rank: 0, gradient: true, options: { normalizer: 4, gamma: 0.5 } }],
  ['sigmoid-sum-rank3', { op: 'sigmoid', rank: 3, gradient: true, options: { reduction: 'sum' } }],
  ['softmax-index', { op: 'softmax', rank: 2, gradient: true }],
  ['softmax-index-ignore-perclass-weight', {
    op: 'softmax', rank: 3, gradient: true, weight: true,
    options: { alpha: [0.2, 0.3, 0.5], ignoreIndex: -100, axis: 1, reduction: 'mean' },
  }],
  ['softmax-probability-clip-normalizer', {
    op: 'softmax', rank: 4, targetKind: 'probability', gradient: true,
    options: { fromLogits: false, normalizer: 2, axis: -3, alpha: null, gamma: 0 },
  }],
  ['softmax-loss-only-opset13', { op: 'softmax', rank: 1, opsetVersion: 13, options: { reduction: 'none' } }],
  ['sigmoid-option-inputs', {
    op: 'sigmoid', rank: 2, gradient: true, weight: true, optionInputs: true,
    options: { normalizer: 3, labelSmoothing: 0.1 },
  }],
  ['softmax-option-inputs-perclass-ignore', {
    op: 'softmax', rank: 3, gradient: true, optionInputs: true,
    options: { alpha: [0.2, 0.3, 0.5], ignoreIndex: -100, axis: 1, normalizer: 7 },
  }],
  ['softmax-option-inputs-probabilities', {
    op: 'softmax', rank: 2, gradient: true, optionInputs: true, targetKind: 'probability',
    options: { fromLogits: false, eps: 1e-4 },
  }],
  // Poly-1 on both graphs, and the family ops of issue 15
  ['sigmoid-poly-weight', { op: 'sigmoid', rank: 2, gradient: true, weight: true, options: { polyEpsilon: 1, alpha: null } }],
  ['sigmoid-poly-probabilities-inputs', {
    op: 'sigmoid', rank: 1, gradient: true, optionInputs: true, options: { polyEpsilon: -0.5, fromLogits: false, reduction: 'none' },
  }],
  ['softmax-poly-index-ignore', { op: 'softmax', rank: 3, gradient: true, options: { polyEpsilon: 2, ignoreIndex: -1, axis: 1 } }],
  ['softmax-poly-probability-inputs', {
    op: 'softmax', rank: 2, gradient: true, optionInputs: true, targetKind: 'probability', options: { polyEpsilon: 0.5, fromLogits: false },
  }],
  ['fl-star-alpha-weight', { op: 'sigmoid_focal_loss_star', rank: 2, gradient: true, weight: true, options: { gamma: 2, beta: 1, alpha: 0.25 } }],
  ['fl-star-inputs-none', { op: 'sigmoid_focal_loss_star', rank: 1, gradient: true, optionInputs: true, options: { reduction: 'none' } }],
  ['qfl-normalizer', { op: 'quality_focal_loss', rank: 2, gradient: true, options: { beta: 0.5, normalizer: 4 } }],
  ['qfl-inputs-sum', { op: 'quality_focal_loss', rank: 3, gradient: true, weight: true, optionInputs: true, options: { reduction: 'sum' } }],
  ['vfl-default', { op: 'varifocal_loss', rank: 2, gradient: true }],
  ['vfl-not-iou-weighted-inputs', { op: 'varifocal_loss', rank: 2, gradient: true, optionInputs: true, options: { iouWeighted: false, normalizer: 3 } }],
  ['asl-default-weight', { op: 'asymmetric_loss', rank: 2, gradient: true, weight: true }],
  // issue 14: posWeight (scalar, per class), sigmoid ignoreIndex, softmax normalizeProbabilities
  ['sigmoid-pos-weight-ignore', { op: 'sigmoid', rank: 2, gradient: true, options: { posWeight: 2, ignoreIndex: -1 } }],
  ['sigmoid-class-pos-weight-poly-inputs', {
    op: 'sigmoid', rank: 3, gradient: true, optionInputs: true, options: { posWeight: [1, 2, 3], axis: 1, polyEpsilon: -1, ignoreIndex: 2 },
  }],
  ['softmax-normalize-probabilities', {
    op: 'softmax', rank: 2, gradient: true, targetKind: 'probability', options: { fromLogits: false, normalizeProbabilities: true },
  }],
  ['asl-inputs-opset13', { op: 'asymmetric_loss', rank: 1, gradient: true, optionInputs: true, opsetVersion: 13, options: { clip: 0, reduction: 'none' } }],
];

const dir = mkdtempSync(join(tmpdir(), 'focal-onnx-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeModels(): string[] {
  const files: string[] = [];
  const save = (name: string, bytes: Uint8Array) => {
    const file = join(dir, `${name}.onnx`);
    writeFileSync(file, bytes);
    files.push(file);
  };
  for (const [name, options] of STANDALONE) {
    for (const inline of [false, true]) save(`${name}-${inline ? 'inline' : 'functions'}`, encodeModel(buildLossModel({ ...options, inline })));
  }
  for (const inline of [false, true]) {
    save(`append-softmax-${inline}`, encodeModel(appendFocalLoss(tinyClassifier(), { op: 'softmax', gradient: true, weight: true, inline })));
    save(`append-sigmoid-${inline}`, encodeModel(appendFocalLoss(encodeModel(tinyClassifier(17, 8)), {
      op: 'sigmoid', gradient: true, inline, options: { reduction: 'none' },
    })));
  }
  for (const inline of [false, true]) {
    // two losses on one model: distinct names and functions, the domain imported once
    const first = appendFocalLoss(tinyClassifier(17, 8), {
      op: 'softmax', gradient: true, inline, optionInputs: true, names: { loss: 'class_loss' },
    });
    save(`append-two-losses-${inline}`, encodeModel(appendFocalLoss(first, {
      op: 'sigmoid', logits: 'logits', gradient: true, inline, optionInputs: true,
      names: { target: 'objectness_target', loss: 'objectness_loss', gradInput: 'logits_grad_sigmoid' },
      options: { reduction: 'sum', gamma: 1 },
    })));
  }
  // float16 logits (casts around the float32 loss) on a two-head model, opset 17
  let twoHeads = appendFocalLoss(twoHeadModel(17, 8, DataType.FLOAT16), {
    op: 'softmax', logits: 'class_logits', gradient: true, names: { target: 'class_target', loss: 'class_loss' },
  });
  twoHeads = appendFocalLoss(twoHeads, {
    op: 'sigmoid', logits: 'objectness', gradient: true, weight: true, valueDtype: 'float16',
    names: { target: 'objectness_target', loss: 'objectness_loss' },
  });
  save('append-two-heads-float16', encodeModel(twoHeads));
  // a family loss and a focal loss with Poly-1 on the two heads of one model (functions and inlined)
  for (const inline of [false, true]) {
    let heads = appendFocalLoss(twoHeadModel(17, 8, DataType.FLOAT), {
      op: 'softmax', logits: 'class_logits', gradient: true, inline, names: { target: 'class_target', loss: 'class_loss' },
      options: { polyEpsilon: 1 },
    });
    heads = appendFocalLoss(heads, {
      op: 'quality_focal_loss', logits: 'objectness', gradient: true, weight: true, inline, optionInputs: true,
      names: { target: 'objectness_target', loss: 'objectness_loss' },
    });
    save(`append-family-and-poly-${inline}`, encodeModel(heads));
  }
  return files;
}

describe.skipIf(available !== true)('onnx.checker.check_model(full_check=True)', () => {
  it('accepts every emitted model (functions and inlined, loss and gradient, appended)', () => {
    const files = writeModels();
    const script = [
      'import sys, onnx',
      'for f in sys.argv[1:]:',
      '    m = onnx.load(f)',
      '    onnx.checker.check_model(m, full_check=True)',
      '    print("ok", f.rsplit("/", 1)[-1], "functions=%d nodes=%d" % (len(m.functions), len(m.graph.node)))',
    ].join('\n');
    const run = spawnSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' });
    console.log(run.stdout);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(files.length);
    expect(files.length).toBe(STANDALONE.length * 2 + 9);
  });
});
