/**
 * Saving a model with its focal loss. A loss function cannot be serialised (tfjs-layers writes an
 * empty loss entry), so the loss is recorded as data in the model's user-defined metadata, which
 * `model.save` writes and `loadLayersModel` reads back; `restoreFocalLoss` rebuilds the same loss
 * from it. Works with any save handler (files, IndexedDB, localStorage, memory).
 */
import { FocalLossError, describeValue, isPlainObject, type LossOpName } from '@focal-loss/core';
import { sigmoidFocalLossFn, softmaxFocalLossFn, sparseSoftmaxFocalLossFn, type CompileLoss } from './compile-loss.js';
import type { SigmoidFocalLossTensorOptions } from './sigmoid.js';
import type { SoftmaxFocalLossTensorOptions } from './softmax.js';

/** The metadata key under which the loss is recorded. */
export const FOCAL_LOSS_METADATA_KEY = 'focalLoss';

/** Which factory and which options: JSON data, so it survives `model.save`. */
export type FocalLossSpec =
  | { readonly factory: 'sigmoidFocalLossFn'; readonly options?: SigmoidFocalLossTensorOptions }
  | { readonly factory: 'softmaxFocalLossFn'; readonly options?: SoftmaxFocalLossTensorOptions }
  | { readonly factory: 'sparseSoftmaxFocalLossFn'; readonly options?: SoftmaxFocalLossTensorOptions };

/** What this module needs of a tfjs-layers LayersModel (typed structurally: layers is the user's). */
export interface ModelWithMetadata {
  setUserDefinedMetadata(metadata: {}): void;
  getUserDefinedMetadata(): {} | undefined;
}

const FACTORIES: Readonly<Record<FocalLossSpec['factory'], { op: LossOpName; make: (options: never) => CompileLoss }>> = {
  sigmoidFocalLossFn: { op: 'sigmoid_focal_loss', make: sigmoidFocalLossFn },
  softmaxFocalLossFn: { op: 'softmax_focal_loss', make: softmaxFocalLossFn },
  sparseSoftmaxFocalLossFn: { op: 'softmax_focal_loss', make: sparseSoftmaxFocalLossFn },
};

/** The loss a spec describes (checks the spec as the factory would: INVALID_OPTION). */
export function focalLossFromSpec(spec: FocalLossSpec): CompileLoss {
  const entry = isPlainObject(spec) ? FACTORIES[spec.factory as FocalLossSpec['factory']] : undefined;
  if (entry === undefined) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `focal loss spec must be { factory: ${Object.keys(FACTORIES).join(' | ')}, options }, got ${describeValue(spec)}`,
    );
  }
  return entry.make((spec.options ?? {}) as never);
}

/**
 * Records `spec` in the model's user-defined metadata (other keys kept) and returns its loss, for
 * `model.compile({ loss: recordFocalLoss(model, spec) })`. Options must be JSON: a `weight` tensor
 * cannot be saved (INVALID_OPTION).
 */
export function recordFocalLoss(model: ModelWithMetadata, spec: FocalLossSpec): CompileLoss {
  const loss = focalLossFromSpec(spec);
  const options = spec.options ?? {};
  if ('weight' in options && options.weight != null) {
    throw new FocalLossError('INVALID_OPTION', 'option "weight" is a tensor and cannot be recorded in model metadata');
  }
  // A JSON round trip now, so what is recorded is what a load will give back.
  const saved = JSON.parse(JSON.stringify({ factory: spec.factory, options })) as FocalLossSpec;
  model.setUserDefinedMetadata({ ...(model.getUserDefinedMetadata() ?? {}), [FOCAL_LOSS_METADATA_KEY]: saved });
  return loss;
}

/** The loss recorded in a (loaded) model's metadata; INVALID_OPTION when there is none. */
export function restoreFocalLoss(model: ModelWithMetadata): CompileLoss {
  const metadata = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const spec = metadata?.[FOCAL_LOSS_METADATA_KEY];
  if (spec === undefined) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `the model's user-defined metadata has no "${FOCAL_LOSS_METADATA_KEY}" entry (record it with recordFocalLoss before model.save)`,
    );
  }
  return focalLossFromSpec(spec as FocalLossSpec);
}
