/**
 * Presets (issue 14): each peer library's focal-loss convention by name. A preset is only a table of
 * defaults (and semantic switches) per op; options given explicitly win over it, and a call that names
 * no preset keeps the contract's defaults. The sources of every entry, and what a preset cannot express,
 * are in docs/coming-from.md; the fixtures under presets/ reproduce each library's own test values.
 *
 * A new preset is one row of PRESETS (style: variants through a table, not branches).
 */
import { FocalLossError, describeValue } from './errors.js';
import type { Reduction } from './options.js';

export type PresetName = 'torchvision' | 'keras' | 'mmdet' | 'detectron2' | 'kornia' | 'optax';

/** The defaults a preset gives `sigmoid_focal_loss` (any option left out keeps the contract's default). */
export interface SigmoidPresetDefaults {
  readonly alpha?: number | null;
  readonly gamma?: number;
  readonly reduction?: Reduction;
  readonly fromLogits?: boolean;
  readonly eps?: number;
  readonly ignoreIndex?: number | null;
  readonly axis?: number;
}

/** The defaults a preset gives `softmax_focal_loss`. */
export interface SoftmaxPresetDefaults {
  readonly alpha?: number | null;
  readonly gamma?: number;
  readonly reduction?: Reduction;
  readonly fromLogits?: boolean;
  readonly eps?: number;
  readonly ignoreIndex?: number | null;
  readonly axis?: number;
  readonly normalizeProbabilities?: boolean;
}

export interface PresetVariant {
  /** The library's function the preset follows, for messages and docs. */
  readonly follows: string;
  readonly sigmoid_focal_loss: SigmoidPresetDefaults;
  /** null: the library has no softmax focal loss, and the preset is refused there. */
  readonly softmax_focal_loss: SoftmaxPresetDefaults | null;
}

export const PRESETS: Readonly<Record<PresetName, PresetVariant>> = Object.freeze({
  // torchvision.ops.sigmoid_focal_loss(alpha=0.25, gamma=2, reduction="none")
  torchvision: {
    follows: 'torchvision.ops.sigmoid_focal_loss',
    sigmoid_focal_loss: { alpha: 0.25, gamma: 2, reduction: 'none', fromLogits: true },
    softmax_focal_loss: null,
  },
  // keras.losses.BinaryFocalCrossentropy: alpha only with apply_class_balancing (off), probabilities,
  // clipped to [1e-7, 1 - 1e-7]; CategoricalFocalCrossentropy: rows divided by their sum first.
  keras: {
    follows: 'keras.losses.BinaryFocalCrossentropy / CategoricalFocalCrossentropy',
    sigmoid_focal_loss: { alpha: null, gamma: 2, reduction: 'mean', fromLogits: false, eps: 1e-7 },
    softmax_focal_loss: { alpha: 0.25, gamma: 2, reduction: 'mean', fromLogits: false, eps: 1e-7, normalizeProbabilities: true },
  },
  // mmdet FocalLoss(use_sigmoid=True): int labels with C = background (sigmoid class-index targets),
  // mean over N * C; mmcv's softmax_focal_loss: mean over the N rows.
  mmdet: {
    follows: 'mmdet.models.losses.FocalLoss / mmcv.ops.softmax_focal_loss',
    sigmoid_focal_loss: { alpha: 0.25, gamma: 2, reduction: 'mean', fromLogits: true, axis: -1 },
    softmax_focal_loss: { alpha: 0.25, gamma: 2, reduction: 'mean', fromLogits: true, axis: -1 },
  },
  // Detectron2 RetinaNet: fvcore sigmoid_focal_loss with the config's alpha 0.25, gamma 2, reduction
  // "sum" (divided by the foreground normalizer afterwards), labels -1 ignored and C background.
  detectron2: {
    follows: 'detectron2 RetinaNet.losses (fvcore.nn.sigmoid_focal_loss)',
    sigmoid_focal_loss: { alpha: 0.25, gamma: 2, reduction: 'sum', fromLogits: true, ignoreIndex: -1, axis: -1 },
    softmax_focal_loss: null,
  },
  // kornia.losses.binary_focal_loss_with_logits / focal_loss: (N, C, *) with the class axis 1,
  // reduction "none", ignore_index -100; focal_loss has no default alpha.
  kornia: {
    follows: 'kornia.losses.binary_focal_loss_with_logits / focal_loss',
    sigmoid_focal_loss: { alpha: 0.25, gamma: 2, reduction: 'none', fromLogits: true, ignoreIndex: -100, axis: 1 },
    softmax_focal_loss: { alpha: null, gamma: 2, reduction: 'none', fromLogits: true, ignoreIndex: -100, axis: 1 },
  },
  // optax.losses.sigmoid_focal_loss(alpha=None, gamma=2.0): elementwise, no reduction.
  optax: {
    follows: 'optax.losses.sigmoid_focal_loss',
    sigmoid_focal_loss: { alpha: null, gamma: 2, reduction: 'none', fromLogits: true },
    softmax_focal_loss: null,
  },
});

export const PRESET_NAMES: readonly PresetName[] = Object.freeze(Object.keys(PRESETS) as PresetName[]);

/**
 * The defaults of `preset` for `op`, or nothing when the option is absent. INVALID_OPTION for anything
 * that is not one of the names (null included: leave the option out for no preset), and for a preset
 * whose library has no focal loss of this op.
 */
export function presetDefaults(
  op: 'sigmoid_focal_loss',
  preset: unknown,
): { readonly name: PresetName | null; readonly defaults: SigmoidPresetDefaults };
export function presetDefaults(
  op: 'softmax_focal_loss',
  preset: unknown,
): { readonly name: PresetName | null; readonly defaults: SoftmaxPresetDefaults };
export function presetDefaults(
  op: 'sigmoid_focal_loss' | 'softmax_focal_loss',
  preset: unknown,
): { readonly name: PresetName | null; readonly defaults: SigmoidPresetDefaults | SoftmaxPresetDefaults } {
  if (preset === undefined) return { name: null, defaults: {} };
  if (typeof preset !== 'string' || !Object.prototype.hasOwnProperty.call(PRESETS, preset)) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `option "preset" must be one of ${PRESET_NAMES.map((n) => `"${n}"`).join(', ')} (or left out), got ${describeValue(preset)}`,
    );
  }
  const variant = PRESETS[preset as PresetName];
  const defaults = variant[op];
  if (defaults === null) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `option "preset" "${preset}" has no ${op}: ${variant.follows} is a sigmoid focal loss only`,
    );
  }
  return { name: preset as PresetName, defaults };
}
