/**
 * `typed-array-simd`: the typed-array ops of `@focal-loss/typed-array/simd`, computed by the
 * WebAssembly SIMD kernel on float32. Browser-safe. Skipped (with the reason) where the runtime has
 * no WebAssembly SIMD, since the calls would then be the scalar loops `typed-array-f32` already runs.
 */
import { initSimd, sigmoidFocalLoss, SIMD_DECLARATION, simdStatus, softmaxFocalLoss } from '@focal-loss/typed-array/simd';
import type { AdapterOutputs, ConformanceAdapter, Fixture } from '../adapter.js';
import { declaredOptionSupport, float32Support, floatInputSupport, focalOpSupport, tensorArray, wantsGradient } from './fixture-tensors.js';

export function createTypedArraySimdAdapter(): ConformanceAdapter {
  return {
    name: 'typed-array-simd',
    packageName: '@focal-loss/typed-array',
    precision: 'float32',
    async setup() {
      if (await initSimd()) return true;
      return simdStatus().reason ?? 'no WebAssembly SIMD';
    },
    supports(fixture: Fixture) {
      const op = focalOpSupport(fixture);
      if (op !== true) return op;
      // options beyond the 1.1 base this entry does not implement (yet): a skip with the reason
      const declared = declaredOptionSupport(fixture, SIMD_DECLARATION.implements);
      if (declared !== true) return declared;
      const floats = floatInputSupport(fixture);
      return floats === true ? float32Support(fixture) : floats;
    },
    async run(fixture: Fixture): Promise<AdapterOutputs> {
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
        fixture.op === 'sigmoid_focal_loss' ? sigmoidFocalLoss(x, t, call) : softmaxFocalLoss(x, t, call);
      return result.gradInput === null ? { loss: result.loss } : { loss: result.loss, gradInput: result.gradInput };
    },
    async dispose() {},
  };
}
