/**
 * The adapters the page can try, in table order: the shared browser-safe modules of
 * apps/conformance/src/adapters (given the URLs of the wasm files this page serves) and the two
 * browser-only ones. Each is wrapped so that, once it has started, the page records what the
 * backend says about its own float precision.
 */
import { SIGMOID_FOCAL_LOSS, SOFTMAX_FOCAL_LOSS, sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web';
import type { ConformanceAdapter } from '../../conformance/src/adapter.js';
import { createOnnxRuntimeWebAdapter } from '../../conformance/src/adapters/onnxruntime-web.js';
import { createTfjsAdapters } from '../../conformance/src/adapters/tfjs.js';
import { createTypedArrayAdapters, float16Handover } from '../../conformance/src/adapters/typed-array.js';
import { createTypedArrayPoolAdapter } from '../../conformance/src/adapters/typed-array-pool.js';
import { createTypedArraySimdAdapter } from '../../conformance/src/adapters/typed-array-simd.js';
import { simdStatus } from '@focal-loss/typed-array/simd';
import { probeWebGl, probeWebGpu } from './gpu-probes.js';
import { createOrtWebGpuAdapter } from './ort-webgpu-adapter.js';
import { createTfjsWebGlAdapter } from './tfjs-webgl-adapter.js';
import { createTfjsWebGlFloat16Adapter } from './tfjs-webgl-f16-adapter.js';
import { createTfjsWebGpuAdapter } from './tfjs-webgpu-adapter.js';

/** What one backend reported about itself, by adapter name; shown on the page and in the report. */
export type BackendInfo = Record<string, Record<string, unknown>>;

/** A directory URL under the page (the build copies the wasm files there, see vite.config.ts). */
function pageUrl(path: string): string {
  return new URL(path, document.baseURI).href;
}

interface TfjsBackendLike {
  floatPrecision(): number;
  epsilon(): number;
}

/**
 * Measured on the backend itself: (1 + 2^-23) - 1 is 2^-23 (1.19e-7) in float32 and 0 in float16;
 * 1e-30 survives abs() in float32 and flushes to 0 in float16.
 */
function measuredPrecision(): Record<string, unknown> {
  return tf.tidy(() => {
    const ulp = tf.sub(tf.add(tf.scalar(1), tf.scalar(2 ** -23)), tf.scalar(1)).dataSync()[0] ?? Number.NaN;
    const tiny = tf.abs(tf.scalar(1e-30)).dataSync()[0] ?? Number.NaN;
    // What the backend does with values float16 cannot hold (infinities, beyond 65504).
    const extremes = Array.from(tf.abs(tf.tensor1d([Infinity, -Infinity, 7e4, Number.NaN])).dataSync());
    const identity = Array.from(tf.tensor1d([Infinity, -Infinity, 7e4]).dataSync());
    return {
      'measured (1 + 2^-23) - 1': ulp,
      'measured abs(1e-30)': tiny,
      'measured abs([inf, -inf, 7e4, NaN])': extremes.map(String).join(', '),
      'uploaded and read back [inf, -inf, 7e4]': identity.map(String).join(', '),
      'measured float precision': ulp > 0 && tiny > 0 ? 'float32' : 'below float32',
    };
  });
}

/** Which path @focal-loss/tfjs takes on the active backend: the kernels one small call runs. */
async function tfjsPaths(): Promise<Record<string, unknown>> {
  const x = tf.tensor2d([[0.5, -1], [2, 0]]);
  const t = tf.tensor2d([[1, 0], [0, 1]]);
  const ids = tf.tensor1d([1, 0], 'int32');
  const kernels = async (f: () => tf.Tensor) => {
    const profile = await tf.profile(f);
    tf.dispose(profile.result as tf.Tensor);
    return profile.kernelNames;
  };
  const sigmoid = await kernels(() => sigmoidFocalLoss(x, t));
  const softmax = await kernels(() => softmaxFocalLoss(x, ids));
  tf.dispose([x, t, ids]);
  const path = (names: string[], fused: string) => (names.includes(fused) ? `fused kernel ${fused}` : `composite (${names.length} kernels)`);
  return { '@focal-loss/tfjs sigmoid path': path(sigmoid, SIGMOID_FOCAL_LOSS), '@focal-loss/tfjs softmax path': path(softmax, SOFTMAX_FOCAL_LOSS) };
}

async function tfjsInfoWithPaths(): Promise<Record<string, unknown>> {
  return { ...tfjsInfo(), ...(await tfjsPaths()) };
}

function tfjsInfo(): Record<string, unknown> {
  const backend = tf.backend() as unknown as TfjsBackendLike;
  const info: Record<string, unknown> = {
    backend: tf.getBackend(),
    // tfjs-backend-webgl 4.22 answers 16 whenever WEBGL_RENDER_FLOAT32_ENABLED is true (its
    // floatPrecision() only probes when float32 rendering is off), so the measurements below decide.
    'tf.backend().floatPrecision()': backend.floatPrecision(),
    'tf.backend().epsilon()': backend.epsilon(),
    ...measuredPrecision(),
  };
  const flag = (name: string, kind: 'bool' | 'number') => {
    try {
      info[name] = kind === 'bool' ? tf.env().getBool(name) : tf.env().getNumber(name);
    } catch {
      // The flag belongs to a backend that is not registered; nothing to report.
    }
  };
  if (tf.getBackend() === 'webgl') {
    flag('WEBGL_VERSION', 'number');
    flag('WEBGL_RENDER_FLOAT32_ENABLED', 'bool');
    flag('WEBGL_RENDER_FLOAT32_CAPABLE', 'bool');
    flag('WEBGL_PACK', 'bool');
    flag('WEBGL_FORCE_F16_TEXTURES', 'bool');
    const gl = probeWebGl();
    if (typeof gl !== 'string') {
      info['WebGL renderer'] = gl.renderer;
      info['WebGL vendor'] = gl.vendor;
      info['fragment highp mantissa bits'] = gl.fragmentHighpMantissaBits;
    }
  }
  if (tf.getBackend() === 'wasm') {
    flag('WASM_HAS_SIMD_SUPPORT', 'bool');
    flag('WASM_HAS_MULTITHREAD_SUPPORT', 'bool');
  }
  return info;
}

function ortInfo(executionProvider: string): Record<string, unknown> {
  return {
    'execution provider': executionProvider,
    'onnxruntime-web': ort.env.versions?.web ?? 'unknown',
    'ort.env.wasm.numThreads': ort.env.wasm.numThreads ?? 1,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    arithmetic: 'float32 tensors and kernels',
  };
}

/** Delegates to `adapter`, and after a successful setup stores `describe()` in `sink`. */
function recordingBackendInfo(
  adapter: ConformanceAdapter,
  describe: () => Promise<Record<string, unknown>> | Record<string, unknown>,
  sink: BackendInfo,
): ConformanceAdapter {
  return {
    name: adapter.name,
    packageName: adapter.packageName,
    precision: adapter.precision,
    async setup() {
      const ready = await adapter.setup();
      if (ready === true) {
        try {
          sink[adapter.name] = await describe();
        } catch (error) {
          sink[adapter.name] = { 'could not query the backend': error instanceof Error ? error.message : String(error) };
        }
      }
      return ready;
    },
    supports: (fixture) => adapter.supports(fixture),
    run: (fixture) => adapter.run(fixture),
    dispose: () => adapter.dispose(),
  };
}

export function createBrowserAdapters(sink: BackendInfo): ConformanceAdapter[] {
  const ortWasmPaths = pageUrl('wasm/ort/');
  const [f32, f64] = createTypedArrayAdapters() as [ConformanceAdapter, ConformanceAdapter];
  const [tfCpu, tfWasm] = createTfjsAdapters({ wasmPaths: pageUrl('wasm/tfjs/') }) as [ConformanceAdapter, ConformanceAdapter];
  return [
    recordingBackendInfo(
      f32,
      () => ({ arithmetic: 'JavaScript numbers (float64), stored in Float32Array', float16: float16Handover() }),
      sink,
    ),
    recordingBackendInfo(f64, () => ({ arithmetic: 'JavaScript numbers (float64), stored in Float64Array' }), sink),
    recordingBackendInfo(createTypedArraySimdAdapter(), () => ({ ...simdStatus(), arithmetic: 'WebAssembly SIMD128, float32' }), sink),
    recordingBackendInfo(
      createTypedArrayPoolAdapter(),
      () => ({
        ...simdStatus(),
        workers: 2,
        crossOriginIsolated: globalThis.crossOriginIsolated === true,
        memory: globalThis.crossOriginIsolated === true ? 'SharedArrayBuffer' : 'transferred copies',
      }),
      sink,
    ),
    recordingBackendInfo(tfCpu, tfjsInfoWithPaths, sink),
    recordingBackendInfo(tfWasm, tfjsInfoWithPaths, sink),
    recordingBackendInfo(createTfjsWebGlAdapter(), tfjsInfoWithPaths, sink),
    recordingBackendInfo(createTfjsWebGlFloat16Adapter(), tfjsInfoWithPaths, sink),
    recordingBackendInfo(
      createTfjsWebGpuAdapter(),
      async () => ({ ...(await tfjsInfoWithPaths()), 'WebGPU adapter': await probeWebGpu() }),
      sink,
    ),
    // The composite formulation on the GPU backends, so that both paths stay tested there.
    recordingBackendInfo(createTfjsWebGlAdapter(true), tfjsInfo, sink),
    recordingBackendInfo(createTfjsWebGpuAdapter(true), tfjsInfo, sink),
    recordingBackendInfo(createOnnxRuntimeWebAdapter({ numThreads: 1, wasmPaths: ortWasmPaths }), () => ortInfo('wasm'), sink),
    recordingBackendInfo(
      createOrtWebGpuAdapter(ortWasmPaths),
      async () => {
        const gpu = await probeWebGpu();
        return { ...ortInfo('webgpu'), 'WebGPU adapter': gpu };
      },
      sink,
    ),
  ];
}
