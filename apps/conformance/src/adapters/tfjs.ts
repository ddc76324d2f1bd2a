/**
 * `tfjs-cpu` and `tfjs-wasm` (the package's fused kernels) and `tfjs-cpu-composite` /
 * `tfjs-wasm-composite` (the composite tf-ops formulation that every other backend runs, forced
 * with the `composite` option): @focal-loss/tfjs on TensorFlow.js backends. Browser-safe: where
 * the wasm binaries live is passed in (a directory URL in the browser, an absolute path in Node).
 */
import { isPlainObject } from '@focal-loss/core';
import {
  asymmetricLoss,
  qualityFocalLoss,
  sigmoidFocalLoss,
  sigmoidFocalLossStar,
  softmaxFocalLoss,
  varifocalLoss,
  TFJS_DECLARATION,
} from '@focal-loss/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { AdapterOutputs, ConformanceAdapter, Fixture, FixtureTensor } from '../adapter.js';
import { declaredOptionSupport, float32Support, floatInputSupport, wantsGradient } from './fixture-tensors.js';

export interface TfjsAdapterOptions {
  /** Directory (ending in "/") holding tfjs-backend-wasm's *.wasm files; without it the wasm adapter is skipped. */
  wasmPaths?: string;
}

/** The loss function of each fixture op (the focal ops and the focal-loss family of issue 15). */
type TensorLoss = (input: tf.Tensor, target: tf.Tensor, options: unknown) => tf.Tensor;
const LOSS_BY_OP: Readonly<Record<string, TensorLoss>> = {
  sigmoid_focal_loss: sigmoidFocalLoss as TensorLoss,
  softmax_focal_loss: softmaxFocalLoss as TensorLoss,
  sigmoid_focal_loss_star: sigmoidFocalLossStar as TensorLoss,
  quality_focal_loss: qualityFocalLoss as TensorLoss,
  varifocal_loss: varifocalLoss as TensorLoss,
  asymmetric_loss: asymmetricLoss as TensorLoss,
};

function toTensor(tensor: FixtureTensor): tf.Tensor {
  const shape = [...tensor.shape];
  return tensor.dtype === 'int32'
    ? tf.tensor(Int32Array.from(tensor.data), shape, 'int32')
    : tf.tensor(Float32Array.from(tensor.data), shape, 'float32');
}

async function useBackend(backend: string): Promise<true | string> {
  if (tf.getBackend() === backend) return true;
  try {
    return (await tf.setBackend(backend)) ? true : `tf.setBackend("${backend}") failed`;
  } catch (error) {
    return `tf.setBackend("${backend}") threw: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * The adapter for one tfjs backend. `prepare` runs before the backend is selected and may return
 * the reason it cannot run (no wasm files, no WebGL); the browser page uses it for `tfjs-webgl`,
 * whose backend module it imports itself.
 */
export interface TfjsBackendAdapterOptions {
  /** Checked before the backend is selected; returns why the adapter cannot run, or true. */
  prepare?: () => true | string;
  /** Force the composite formulation (`composite: true` on every call); the name gets "-composite". */
  composite?: boolean;
  /** The adapter's name, when it is not `tfjs-<backend>` (e.g. a flag set on the same backend). */
  name?: string;
  /**
   * tfjs environment flags in force while this adapter runs (set in setup and around each run,
   * restored after), e.g. WebGL with float16 textures: `tfjs-webgl-f16`.
   */
  flags?: Readonly<Record<string, boolean | number>>;
}

/** Sets `flags` and returns how to put the previous values back. */
function applyFlags(flags: Readonly<Record<string, boolean | number>>): () => void {
  const env = tf.env();
  const previous = Object.keys(flags).map((name) => [name, env.get(name)] as const);
  for (const [name, value] of Object.entries(flags)) env.set(name, value);
  return () => {
    for (const [name, value] of previous) env.set(name, value);
  };
}

export function createTfjsBackendAdapter(
  backend: string,
  prepareOrOptions: (() => true | string) | TfjsBackendAdapterOptions = {},
): ConformanceAdapter {
  const settings: TfjsBackendAdapterOptions =
    typeof prepareOrOptions === 'function' ? { prepare: prepareOrOptions } : prepareOrOptions;
  const prepare = settings.prepare ?? (() => true);
  const composite = settings.composite ?? false;
  const flags = settings.flags ?? {};
  let restoreFlags = () => {};
  return {
    name: settings.name ?? `tfjs-${backend}${composite ? '-composite' : ''}`,
    packageName: '@focal-loss/tfjs',
    precision: 'float32',
    async setup() {
      const prepared = prepare();
      if (prepared !== true) return prepared;
      // In force from here (so that what the page records about the backend is under them) until
      // the end of the first run, then around each run.
      restoreFlags = applyFlags(flags);
      return useBackend(backend);
    },
    supports(fixture: Fixture) {
      if (LOSS_BY_OP[fixture.op] === undefined) return `op ${fixture.op} is not implemented by @focal-loss/tfjs`;
      // options beyond the 1.1 base that @focal-loss/tfjs has not declared to core (issue 14's presets)
      const declared = declaredOptionSupport(fixture, TFJS_DECLARATION.implements);
      if (declared !== true) return declared;
      // An error fixture runs as written: an int32 input or weight becomes an int32 tensor, which
      // the losses refuse (INVALID_OPTION naming the dtype) as the fixture expects.
      if (fixture.expected.kind === 'error') return true;
      // The losses refuse a non-float input or weight (INVALID_OPTION) rather than cast it.
      const floats = floatInputSupport(fixture);
      return floats === true ? float32Support(fixture) : floats;
    },
    async run(fixture: Fixture): Promise<AdapterOutputs> {
      // Another adapter may have switched the global backend since setup.
      restoreFlags();
      restoreFlags = applyFlags(flags);
      const ready = await useBackend(backend);
      if (ready !== true) throw new Error(ready);
      const { input, target, weight } = fixture.inputs;
      const tensors = [toTensor(input), toTensor(target), ...(weight === undefined ? [] : [toTensor(weight)])];
      const [x, t, w] = tensors as [tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      // The conformance suite expects INVALID_TARGET, which needs the opt-in host-side target check.
      // Options that are not a plain object go through as they are, to be refused (INVALID_OPTION).
      const options: unknown = fixture.options;
      const call = isPlainObject(options)
        ? { ...options, weight: w ?? null, checkTargets: true, ...(composite ? { composite } : {}) }
        : options;
      const op = LOSS_BY_OP[fixture.op] as TensorLoss;
      const loss = (logits: tf.Tensor) => op(logits, t, call);
      try {
        if (!wantsGradient(fixture)) {
          const value = loss(x);
          const result = { loss: { shape: value.shape, data: await value.data() } };
          value.dispose();
          return result;
        }
        const { value, grad } = tf.valueAndGrad(loss)(x);
        const result = {
          loss: { shape: value.shape, data: await value.data() },
          gradInput: { shape: grad.shape, data: await grad.data() },
        };
        value.dispose();
        grad.dispose();
        return result;
      } finally {
        tf.dispose(tensors);
        restoreFlags();
        restoreFlags = () => {};
      }
    },
    async dispose() {
      restoreFlags();
      restoreFlags = () => {};
    },
  };
}

export function createTfjsAdapters(options: TfjsAdapterOptions = {}): ConformanceAdapter[] {
  const wasm = createTfjsBackendAdapter('wasm', () => {
    if (options.wasmPaths === undefined) return 'no wasmPaths given for @tensorflow/tfjs-backend-wasm';
    setWasmPaths(options.wasmPaths);
    return true;
  });
  const wasmComposite = createTfjsBackendAdapter('wasm', {
    composite: true,
    prepare: () => (options.wasmPaths === undefined ? 'no wasmPaths given for @tensorflow/tfjs-backend-wasm' : true),
  });
  return [createTfjsBackendAdapter('cpu'), wasm, createTfjsBackendAdapter('cpu', { composite: true }), wasmComposite];
}
