/**
 * `onnxruntime-web`: @focal-loss/onnxruntime-web's runner on the wasm execution provider (float32;
 * float16 fixture tensors are passed as float16, computed in float32 inside the model).
 * Browser-safe: what the host knows (thread count, where the wasm files are served) is passed in.
 */
import { isPlainObject, requireDeclaredOptions, resolveSigmoidOptions, resolveSoftmaxOptions } from '@focal-loss/core';
import { FocalLossRunner, ORT_DECLARATION, widenFloat16, type RunnerResult, type TensorInput } from '@focal-loss/onnxruntime-web';
import * as ort from 'onnxruntime-web';
import type { AdapterOutputs, ConformanceAdapter, Fixture, FixtureTensor } from '../adapter.js';
import { declaredOptionSupport, float16Bits, float32Support, floatInputSupport, wantsGradient } from './fixture-tensors.js';

export interface OnnxRuntimeWebAdapterConfig {
  /** ort.env.wasm.numThreads; default 1. */
  readonly numThreads?: number;
  /** ort.env.wasm.wasmPaths, for hosts that serve the wasm files elsewhere (browsers). */
  readonly wasmPaths?: string;
  /** The execution provider; default "wasm". "webgpu" names the adapter onnxruntime-web-webgpu. */
  readonly executionProvider?: 'wasm' | 'webgpu';
  /** Runs first in setup(); returns the reason the adapter cannot run here (e.g. no WebGPU adapter). */
  readonly prepare?: () => Promise<true | string>;
}

/** The runner's method for each fixture `op`: the two focal losses and the family of issue 15. */
type RunnerOp = (this: FocalLossRunner, input: TensorInput, target: TensorInput, options: never) => Promise<RunnerResult>;
const OPS: Readonly<Record<string, RunnerOp>> = {
  sigmoid_focal_loss: FocalLossRunner.prototype.sigmoidFocalLoss as RunnerOp,
  softmax_focal_loss: FocalLossRunner.prototype.softmaxFocalLoss as RunnerOp,
  sigmoid_focal_loss_star: FocalLossRunner.prototype.sigmoidFocalLossStar as RunnerOp,
  quality_focal_loss: FocalLossRunner.prototype.qualityFocalLoss as RunnerOp,
  varifocal_loss: FocalLossRunner.prototype.varifocalLoss as RunnerOp,
  asymmetric_loss: FocalLossRunner.prototype.asymmetricLoss as RunnerOp,
};

/**
 * A preset can switch on an option this package does not implement (detectron2's and kornia's
 * sigmoid `ignoreIndex`): the raw options do not show it, the resolved ones do. Such a fixture is
 * a skip with core's reason, as for an option given explicitly. Options that do not resolve (error
 * fixtures) run as written.
 */
function impliedOptionSupport(fixture: Fixture): true | string {
  if (!isPlainObject(fixture.options)) return true;
  try {
    if (fixture.op === 'sigmoid_focal_loss') requireDeclaredOptions('sigmoid_focal_loss', resolveSigmoidOptions(fixture.options), ORT_DECLARATION);
    else if (fixture.op === 'softmax_focal_loss') requireDeclaredOptions('softmax_focal_loss', resolveSoftmaxOptions(fixture.options), ORT_DECLARATION);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // only the declaration's refusal is a skip; any other error is the fixture's to expect
    if (message.includes('is not implemented by')) return `${message} (issue 14)`;
  }
  return true;
}

/**
 * A fixture tensor as the runner takes it: int32 stays int32 (class indices, 0/1 sigmoid targets,
 * or a dtype error); float16 (issue 14) goes as float16, its binary16 bits with dtype 'float16'
 * (the runner feeds a float16 model that casts to float32) on wasm; other floats become float32.
 * On WebGPU float16 stays widened to float32 as before: ORT's float16 tensors there need shader-f16,
 * which the test machine's adapter lacks (float16 on WebGPU is not verified, notes/ort.md).
 */
function tensorInput(tensor: FixtureTensor, half: boolean): TensorInput {
  if (half && tensor.dtype === 'float16') return { data: float16Bits(tensor.data), shape: tensor.shape, dtype: 'float16' };
  return { data: tensor.dtype === 'int32' ? Int32Array.from(tensor.data) : Float32Array.from(tensor.data), shape: tensor.shape };
}

export function createOnnxRuntimeWebAdapter(config: OnnxRuntimeWebAdapterConfig = {}): ConformanceAdapter {
  let runner: FocalLossRunner | null = null;
  const provider = config.executionProvider ?? 'wasm';
  return {
    name: provider === 'wasm' ? 'onnxruntime-web' : `onnxruntime-web-${provider}`,
    packageName: '@focal-loss/onnxruntime-web',
    precision: 'float32',
    async setup() {
      const prepared = config.prepare === undefined ? true : await config.prepare();
      if (prepared !== true) return prepared;
      try {
        if (config.wasmPaths !== undefined) ort.env.wasm.wasmPaths = config.wasmPaths;
        runner = new FocalLossRunner(
          provider === 'wasm'
            ? { numThreads: config.numThreads ?? 1 }
            : { numThreads: config.numThreads ?? 1, sessionOptions: { executionProviders: [provider] } },
        );
        // one tiny call loads the wasm backend, so a machine that cannot run it is a skip
        await runner.sigmoidFocalLoss({ data: new Float32Array([0]), shape: [1] }, { data: new Float32Array([1]), shape: [1] });
        return true;
      } catch (error) {
        return `onnxruntime-web (${provider}) could not start: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    supports(fixture: Fixture) {
      if (OPS[fixture.op] === undefined) return `op ${fixture.op} is not implemented by @focal-loss/onnxruntime-web`;
      // options beyond the 1.1 base: what the package declares to the core (polyEpsilon), else a skip with the reason
      const declared = declaredOptionSupport(fixture, ORT_DECLARATION.implements);
      if (declared !== true) return declared;
      const implied = impliedOptionSupport(fixture);
      if (implied !== true) return implied;
      // An error fixture runs as written: an int32 input or weight reaches the runner as int32 data,
      // which the core's call plan refuses (INVALID_OPTION naming the dtype) as the fixture expects.
      if (fixture.expected.kind === 'error') return true;
      const floats = floatInputSupport(fixture);
      return floats === true ? float32Support(fixture) : floats;
    },
    async run(fixture: Fixture): Promise<AdapterOutputs> {
      if (runner === null) throw new Error('onnxruntime-web adapter used before setup()');
      const { input, target, weight } = fixture.inputs;
      // Options that are not a plain object go through as they are, to be refused (INVALID_OPTION).
      const options: unknown = fixture.options;
      const call = isPlainObject(options)
        ? {
            ...options,
            gradient: wantsGradient(fixture),
            // a float16 input's gradient by default comes back in float16 (2^-11 relative rounding,
            // 1.8-4.0x the fixtures' 1e-4 tolerance, measured); the model computes it in float32,
            // so the adapter asks for that, and the ordinary tolerance applies as for the loss
            gradientDtype: 'float32',
            weight: weight === undefined ? null : tensorInput(weight, provider === 'wasm'),
          }
        : options;
      const x = tensorInput(input, provider === 'wasm');
      const t = tensorInput(target, provider === 'wasm');
      const op = OPS[fixture.op];
      if (op === undefined) throw new Error(`onnxruntime-web adapter: no op ${fixture.op}`);
      const result = await op.call(runner, x, t, call as never);
      const grad = result.gradInput;
      if (grad === null) return { loss: result.loss };
      // a float16 gradient (not asked for above) would come back as binary16 bits: widened exactly
      return { loss: result.loss, gradInput: grad.dtype === 'float16' ? { data: widenFloat16(grad.data), shape: grad.shape } : grad };
    },
    async dispose() {
      await runner?.dispose();
      runner = null;
    },
  };
}
