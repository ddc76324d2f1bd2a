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

/** The runtime's Float16Array (ES2025: Chromium, Node >= 24), or undefined (Node 20). */
function runtimeFloat16Array(): (new (values: readonly number[]) => ArrayLike<number>) | undefined {
  return (globalThis as { Float16Array?: new (values: readonly number[]) => ArrayLike<number> }).Float16Array;
}

/** How typed-array-f32 hands float16 fixture data to the ops on this runtime (shown by the browser page). */
export function float16Handover(): string {
  return runtimeFloat16Array() === undefined
    ? 'float16 fixtures: binary16 bits (Uint16Array) widened by fromFloat16 (no Float16Array here)'
    : 'float16 fixtures: the runtime\'s Float16Array, taken by the ops directly';
}

/** The ops that take Float16Array data directly (the scalar sigmoid and softmax ops, FLOAT16_INPUTS). */
const FLOAT16_OPS: readonly string[] = ['sigmoid_focal_loss', 'softmax_focal_loss'];

/**
 * A fixture tensor as this package takes it (issue 14). float16 data: typed-array-f32 gives the ops
 * that declare float16 inputs a real Float16Array where the runtime has one (they widen it to float32
 * themselves); otherwise it arrives as binary16 bits (Uint16Array), widened exactly by the package's
 * fromFloat16, then held in the adapter's precision.
 */
function packageArray(tensor: FixtureTensor, precision: 'float32' | 'float64', op: string): ArrayLike<number> {
  if (tensor.dtype !== 'float16') return tensorArray(tensor, precision);
  const Float16 = runtimeFloat16Array();
  if (precision === 'float32' && Float16 !== undefined && FLOAT16_OPS.includes(op)) return new Float16(tensor.data);
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
        weight: weight === undefined ? null : { data: packageArray(weight, precision, fixture.op), shape: weight.shape },
      };
      // An int32 input reaches the library only in error fixtures (floatInputSupport), which it must refuse.
      const x = { data: packageArray(input, precision, fixture.op) as FloatArray, shape: input.shape };
      const t = { data: packageArray(target, precision, fixture.op), shape: target.shape };
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
