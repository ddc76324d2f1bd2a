/**
 * `typed-array-pool`: the worker pool of `@focal-loss/typed-array/pool` (2 workers running the SIMD
 * kernel; worker_threads in Node, Web Workers in browsers). Browser-safe. Skipped where the runtime
 * has no WebAssembly SIMD (the pool would compute on the calling thread, as typed-array-f32 does).
 */
import { createFocalLossPool, POOL_DECLARATION, type FocalLossPool } from '@focal-loss/typed-array/pool';
import { simdStatus } from '@focal-loss/typed-array/simd';
import type { FocalLossResult, TensorView } from '@focal-loss/typed-array/simd';
import type { AdapterOutputs, ConformanceAdapter, Fixture } from '../adapter.js';
import { declaredOptionSupport, float32Support, floatInputSupport, tensorArray, wantsGradient } from './fixture-tensors.js';

/** Every op of the fixture format the pool runs, by fixture `op` (the family of issue 15 included). */
type Op = (
  pool: FocalLossPool,
  input: TensorView<Float32Array>,
  target: TensorView<ArrayLike<number>>,
  options: Record<string, unknown>,
) => Promise<FocalLossResult<Float32Array>>;
const OPS: Readonly<Record<string, Op>> = {
  sigmoid_focal_loss: (pool, x, t, o) => pool.sigmoidFocalLoss(x, t, o),
  softmax_focal_loss: (pool, x, t, o) => pool.softmaxFocalLoss(x, t, o),
  sigmoid_focal_loss_star: (pool, x, t, o) => pool.sigmoidFocalLossStar(x, t, o),
  quality_focal_loss: (pool, x, t, o) => pool.qualityFocalLoss(x, t, o),
  varifocal_loss: (pool, x, t, o) => pool.varifocalLoss(x, t, o),
  asymmetric_loss: (pool, x, t, o) => pool.asymmetricLoss(x, t, o),
};

export function createTypedArrayPoolAdapter(threads = 2): ConformanceAdapter {
  let pool: FocalLossPool | null = null;
  return {
    name: 'typed-array-pool',
    packageName: '@focal-loss/typed-array',
    precision: 'float32',
    async setup() {
      const status = simdStatus();
      if (status.backend !== 'wasm-simd128' && status.reason?.includes('no WebAssembly SIMD')) return status.reason;
      try {
        pool = createFocalLossPool({ threads });
      } catch (error) {
        return `cannot start workers: ${error instanceof Error ? error.message : String(error)}`;
      }
      return true;
    },
    supports(fixture: Fixture) {
      if (OPS[fixture.op] === undefined) return `op ${fixture.op} is not implemented by @focal-loss/typed-array/pool`;
      // options beyond the 1.1 base this entry does not implement (yet): a skip with the reason
      const declared = declaredOptionSupport(fixture, POOL_DECLARATION.implements);
      if (declared !== true) return declared;
      const floats = floatInputSupport(fixture);
      return floats === true ? float32Support(fixture) : floats;
    },
    async run(fixture: Fixture): Promise<AdapterOutputs> {
      if (pool === null) throw new Error('typed-array-pool: setup() has not started the pool');
      const { input, target, weight } = fixture.inputs;
      const call = {
        ...fixture.options,
        gradient: wantsGradient(fixture),
        weight: weight === undefined ? null : { data: tensorArray(weight, 'float32') as Float32Array, shape: weight.shape },
      };
      // An int32 input reaches the library only in error fixtures (floatInputSupport), which it must refuse.
      const x = { data: tensorArray(input, 'float32') as Float32Array, shape: input.shape };
      const t = { data: tensorArray(target, 'float32'), shape: target.shape };
      const op = OPS[fixture.op];
      if (op === undefined) throw new Error(`typed-array-pool adapter: no op ${fixture.op}`);
      const result = await op(pool, x, t, call);
      return result.gradInput === null ? { loss: result.loss } : { loss: result.loss, gradInput: result.gradInput };
    },
    async dispose() {
      await pool?.close();
      pool = null;
    },
  };
}
