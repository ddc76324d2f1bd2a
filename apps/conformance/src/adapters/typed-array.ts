/** `typed-array-f32` and `typed-array-f64`: the plain typed-array adapter. Browser-safe. */
import {
  SCALAR_OPS_DECLARATION,
  type FloatArray,
  type FocalLossResult,
  type TensorView,
  asymmetricLoss,
  fromFloat16,
  qualityFocalLoss,
  sigmoidFocalLoss,
  sigmoidFocalLossStar,
  softmaxFocalLoss,
  varifocalLoss,
} from '@focal-loss/typed-array';
import type { AdapterOutputs, ConformanceAdapter, Fixture, FixtureTensor } from '../adapter.js';
import { declaredOptionSupport, float16Bits, float32Support, floatInputSupport, tensorArray, wantsGradient } from './fixture-tensors.js';

/**
 * A fixture tensor as this package takes it; float16 data arrives as binary16 bits (Uint16Array) and is
 * widened exactly by the package's fromFloat16 (issue 14), then held in the adapter's precision.
 */
function packageArray(tensor: FixtureTensor, precision: 'float32' | 'float64'): ArrayLike<number> {
  if (tensor.dtype !== 'float16') return tensorArray(tensor, precision);
  const widened = fromFloat16(float16Bits(tensor.data));
  return precision === 'float32' ? widened : Float64Array.from(widened);
}

/** Every op of the fixture format this adapter runs, by fixture `op` (the family of issue 15 included). */
type Op = (input: TensorView, target: TensorView<ArrayLike<number>>, options: Record<string, unknown>) => FocalLossResult;
const OPS: Readonly<Record<string, Op>> = {
  sigmoid_focal_loss: sigmoidFocalLoss,
  softmax_focal_loss: softmaxFocalLoss,
  sigmoid_focal_loss_star: sigmoidFocalLossStar,
  quality_focal_loss: qualityFocalLoss,
  varifocal_loss: varifocalLoss,
  asymmetric_loss: asymmetricLoss,
};

function createTypedArrayAdapter(precision: 'float32' | 'float64'): ConformanceAdapter {
  return {
    name: precision === 'float32' ? 'typed-array-f32' : 'typed-array-f64',
    packageName: '@focal-loss/typed-array',
    precision,
    async setup() {
      return true;
    },
    supports(fixture: Fixture) {
      if (OPS[fixture.op] === undefined) return `op ${fixture.op} is not implemented by @focal-loss/typed-array`;
      const declared = declaredOptionSupport(fixture, SCALAR_OPS_DECLARATION.implements);
      if (declared !== true) return declared;
      const floats = floatInputSupport(fixture);
      if (floats !== true) return floats;
      return precision === 'float32' ? float32Support(fixture) : true;
    },
    async run(fixture: Fixture): Promise<AdapterOutputs> {
      const { input, target, weight } = fixture.inputs;
      const call = {
        ...fixture.options,
        gradient: wantsGradient(fixture),
        weight: weight === undefined ? null : { data: packageArray(weight, precision), shape: weight.shape },
      };
      // An int32 input reaches the library only in error fixtures (floatInputSupport), which it must refuse.
      const x = { data: packageArray(input, precision) as FloatArray, shape: input.shape };
      const t = { data: packageArray(target, precision), shape: target.shape };
      const op = OPS[fixture.op];
      if (op === undefined) throw new Error(`typed-array adapter: no op ${fixture.op}`);
      const result = op(x, t, call);
      return result.gradInput === null ? { loss: result.loss } : { loss: result.loss, gradInput: result.gradInput };
    },
    async dispose() {},
  };
}

export function createTypedArrayAdapters(): ConformanceAdapter[] {
  return [createTypedArrayAdapter('float32'), createTypedArrayAdapter('float64')];
}
