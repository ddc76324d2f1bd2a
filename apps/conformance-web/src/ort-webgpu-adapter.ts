/**
 * `onnxruntime-web-webgpu`: @focal-loss/onnxruntime-web's runner on ORT's WebGPU execution provider.
 * Browser-only (WebGPU), so it lives in the page; the wasm-EP adapter is the shared one in
 * apps/conformance/src/adapters/onnxruntime-web.ts. Nodes the WebGPU EP does not implement run on
 * ORT's CPU (wasm) kernels, as ORT itself decides.
 */
import { FocalLossRunner } from '@focal-loss/onnxruntime-web';
import * as ort from 'onnxruntime-web';
import type { AdapterOutputs, ConformanceAdapter, Fixture, FixtureTensor } from '../../conformance/src/adapter.js';
import { float32Support, wantsGradient } from '../../conformance/src/adapters/fixture-tensors.js';
import { probeWebGpu } from './gpu-probes.js';

function float32(tensor: FixtureTensor): Float32Array {
  return Float32Array.from(tensor.data);
}

export function createOrtWebGpuAdapter(wasmPaths: string): ConformanceAdapter {
  let runner: FocalLossRunner | null = null;
  return {
    name: 'onnxruntime-web-webgpu',
    packageName: '@focal-loss/onnxruntime-web',
    precision: 'float32',
    async setup() {
      const gpu = await probeWebGpu();
      if (typeof gpu === 'string') return gpu;
      try {
        ort.env.wasm.wasmPaths = wasmPaths;
        runner = new FocalLossRunner({ numThreads: 1, sessionOptions: { executionProviders: ['webgpu'] } });
        await runner.sigmoidFocalLoss({ data: new Float32Array([0]), shape: [1] }, { data: new Float32Array([1]), shape: [1] });
        return true;
      } catch (error) {
        return `onnxruntime-web (webgpu) could not start: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    supports(fixture: Fixture) {
      return float32Support(fixture);
    },
    async run(fixture: Fixture): Promise<AdapterOutputs> {
      if (runner === null) throw new Error('onnxruntime-web-webgpu adapter used before setup()');
      const { input, target, weight } = fixture.inputs;
      const call = {
        ...fixture.options,
        gradient: wantsGradient(fixture),
        weight: weight === undefined ? null : { data: float32(weight), shape: weight.shape },
      };
      const x = { data: float32(input), shape: input.shape };
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
