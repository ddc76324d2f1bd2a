/** `typed-array-f32` and `typed-array-f64`: the plain typed-array adapter. Browser-safe. */
import { sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/typed-array';
import type { AdapterOutputs, ConformanceAdapter, Fixture } from '../adapter.js';
import { float32Support, floatArray, floatInputSupport, targetArray, wantsGradient } from './fixture-tensors.js';

function createTypedArrayAdapter(precision: 'float32' | 'float64'): ConformanceAdapter {
  return {
    name: precision === 'float32' ? 'typed-array-f32' : 'typed-array-f64',
    packageName: '@focal-loss/typed-array',
    precision,
    async setup() {
      return true;
    },
    supports(fixture: Fixture) {
      const floats = floatInputSupport(fixture);
      if (floats !== true) return floats;
      return precision === 'float32' ? float32Support(fixture) : true;
    },
    async run(fixture: Fixture): Promise<AdapterOutputs> {
      const { input, target, weight } = fixture.inputs;
      const call = {
        ...fixture.options,
        gradient: wantsGradient(fixture),
        weight: weight === undefined ? null : { data: floatArray(weight, precision), shape: weight.shape },
      };
      const x = { data: floatArray(input, precision), shape: input.shape };
      const t = { data: targetArray(target, precision), shape: target.shape };
      const result =
        fixture.op === 'sigmoid_focal_loss' ? sigmoidFocalLoss(x, t, call) : softmaxFocalLoss(x, t, call);
      return result.gradInput === null ? { loss: result.loss } : { loss: result.loss, gradInput: result.gradInput };
    },
    async dispose() {},
  };
}

export function createTypedArrayAdapters(): ConformanceAdapter[] {
  return [createTypedArrayAdapter('float32'), createTypedArrayAdapter('float64')];
}
