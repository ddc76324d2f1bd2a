/**
 * `onnxruntime-web`: @focal-loss/onnxruntime-web's runner on the wasm execution provider (float32).
 * Browser-safe: what the host knows (thread count, where the wasm files are served) is passed in.
 */
import { FocalLossRunner } from '@focal-loss/onnxruntime-web';
import * as ort from 'onnxruntime-web';
import type { AdapterOutputs, ConformanceAdapter, Fixture, FixtureTensor } from '../adapter.js';
import { float32Support, floatInputSupport, wantsGradient } from './fixture-tensors.js';

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

function float32(tensor: FixtureTensor): Float32Array {
  return Float32Array.from(tensor.data);
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
      const floats = floatInputSupport(fixture);
      return floats === true ? float32Support(fixture) : floats;
    },
    async run(fixture: Fixture): Promise<AdapterOutputs> {
      if (runner === null) throw new Error('onnxruntime-web adapter used before setup()');
      const { input, target, weight } = fixture.inputs;
      const call = {
        ...fixture.options,
        gradient: wantsGradient(fixture),
        weight: weight === undefined ? null : { data: float32(weight), shape: weight.shape },
      };
      const x = { data: float32(input), shape: input.shape };
      // int32 targets are class indices (softmax); sigmoid targets are always float
      const t = {
        data: target.dtype === 'int32' && fixture.op === 'softmax_focal_loss' ? Int32Array.from(target.data) : float32(target),
        shape: target.shape,
      };
      const result =
        fixture.op === 'sigmoid_focal_loss' ? await runner.sigmoidFocalLoss(x, t, call) : await runner.softmaxFocalLoss(x, t, call);
      return result.gradInput === null ? { loss: result.loss } : { loss: result.loss, gradInput: result.gradInput };
    },
    async dispose() {
      await runner?.dispose();
      runner = null;
    },
  };
}
