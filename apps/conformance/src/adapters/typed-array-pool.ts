/**
 * `typed-array-pool`: the worker pool of `@focal-loss/typed-array/pool` (2 workers running the SIMD
 * kernel; worker_threads in Node, Web Workers in browsers). Browser-safe. Skipped where the runtime
 * has no WebAssembly SIMD (the pool would compute on the calling thread, as typed-array-f32 does).
 */
import { createFocalLossPool, POOL_DECLARATION, type FocalLossPool } from '@focal-loss/typed-array/pool';
import { simdStatus } from '@focal-loss/typed-array/simd';
import type { AdapterOutputs, ConformanceAdapter, Fixture } from '../adapter.js';
import { declaredOptionSupport, float32Support, floatInputSupport, focalOpSupport, tensorArray, wantsGradient } from './fixture-tensors.js';

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
      const op = focalOpSupport(fixture);
      if (op !== true) return op;
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
      const result =
        fixture.op === 'sigmoid_focal_loss' ? await pool.sigmoidFocalLoss(x, t, call) : await pool.softmaxFocalLoss(x, t, call);
      return result.gradInput === null ? { loss: result.loss } : { loss: result.loss, gradInput: result.gradInput };
    },
    async dispose() {
      await pool?.close();
      pool = null;
    },
  };
}
