/**
 * `typed-array-simd`: the typed-array ops of `@focal-loss/typed-array/simd`, computed by the
 * WebAssembly SIMD kernel on float32. Browser-safe. Skipped (with the reason) where the runtime has
 * no WebAssembly SIMD, since the calls would then be the scalar loops `typed-array-f32` already runs.
 */
import {
  asymmetricLoss,
  initSimd,
  qualityFocalLoss,
  sigmoidFocalLoss,
  sigmoidFocalLossStar,
  SIMD_DECLARATION,
  simdStatus,
  softmaxFocalLoss,
  varifocalLoss,
  type FocalLossResult,
  type TensorView,
} from '@focal-loss/typed-array/simd';
import type { AdapterOutputs, ConformanceAdapter, Fixture } from '../adapter.js';
import { declaredOptionSupport, float32Support, floatInputSupport, tensorArray, wantsGradient } from './fixture-tensors.js';

/**
 * Every op of the fixture format this entry runs, by fixture `op`. The family ops of issue 15 have
 * no SIMD kernel: the entry re-exports the scalar ops (core's float64 loops).
 */
type Op = (input: TensorView<Float32Array>, target: TensorView<ArrayLike<number>>, options: Record<string, unknown>) => FocalLossResult<Float32Array>;
const OPS: Readonly<Record<string, Op>> = {
  sigmoid_focal_loss: sigmoidFocalLoss,
  softmax_focal_loss: softmaxFocalLoss,
  sigmoid_focal_loss_star: sigmoidFocalLossStar,
  quality_focal_loss: qualityFocalLoss,
  varifocal_loss: varifocalLoss,
  asymmetric_loss: asymmetricLoss,
};

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
      if (OPS[fixture.op] === undefined) return `op ${fixture.op} is not implemented by @focal-loss/typed-array/simd`;
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
      const op = OPS[fixture.op];
      if (op === undefined) throw new Error(`typed-array-simd adapter: no op ${fixture.op}`);
      const result = op(x, t, call);
      return result.gradInput === null ? { loss: result.loss } : { loss: result.loss, gradInput: result.gradInput };
    },
    async dispose() {},
  };
}
