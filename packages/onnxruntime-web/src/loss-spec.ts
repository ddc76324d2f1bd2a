/**
 * From user options to what the emitter needs: the op's structural variant (which selects the
 * function body) and the numeric attribute values (which the body reads by attribute reference).
 * Options are validated by @focal-loss/core, so the error codes and messages are the core's.
 */
import {
  FocalLossError,
  describeValue,
  resolveSigmoidOptions,
  resolveSoftmaxOptions,
  type ResolvedSigmoidOptions,
  type ResolvedSoftmaxOptions,
  type SigmoidFocalLossOptions,
  type SoftmaxFocalLossOptions,
} from '@focal-loss/core';
import type { ParamValue } from './body-emitter.js';
import type { SigmoidVariant } from './sigmoid-body.js';
import type { SoftmaxVariant } from './softmax-body.js';

/** The custom operator domain of every op this package emits. */
export const FOCAL_LOSS_DOMAIN = 'com.github.focal-loss';
export const FOCAL_LOSS_DOMAIN_VERSION = 1;
/** Defaults of emitted standalone models: IR 8 (model-local functions) and opset 17. */
export const DEFAULT_IR_VERSION = 8;
export const DEFAULT_OPSET = 17;
/** Default-domain opsets the bodies are written for (ReduceSum takes axes as an input from 13). */
export const MIN_OPSET = 13;
export const MAX_OPSET = 17;

export const OP_NAMES = {
  sigmoid: { loss: 'SigmoidFocalLoss', grad: 'SigmoidFocalLossGrad' },
  softmax: { loss: 'SoftmaxFocalLoss', grad: 'SoftmaxFocalLossGrad' },
} as const;

export type LossOp = 'sigmoid' | 'softmax';

export type LossSpec =
  | {
      readonly op: 'sigmoid';
      readonly options: ResolvedSigmoidOptions;
      readonly variant: SigmoidVariant;
      readonly values: Readonly<Record<string, ParamValue>>;
    }
  | {
      readonly op: 'softmax';
      readonly options: ResolvedSoftmaxOptions;
      readonly variant: SoftmaxVariant;
      readonly values: Readonly<Record<string, ParamValue>>;
    };

export interface SpecRequest {
  readonly op: LossOp;
  readonly options?: SigmoidFocalLossOptions | SoftmaxFocalLossOptions;
  /** Softmax only: int32 class indices (default) or float32 per-class probabilities. */
  readonly targetKind?: 'index' | 'probability';
  readonly weight?: boolean;
}

function commonValues(o: ResolvedSigmoidOptions | ResolvedSoftmaxOptions): Record<string, ParamValue> {
  const values: Record<string, ParamValue> = { gamma: o.gamma, labelSmoothing: o.labelSmoothing, eps: o.eps };
  if (o.normalizer !== null) values.normalizer = o.normalizer;
  return values;
}

export function resolveLossSpec(request: SpecRequest): LossSpec {
  if (request.op !== 'sigmoid' && request.op !== 'softmax') {
    throw new FocalLossError('INVALID_OPTION', `op must be "sigmoid" or "softmax", got ${describeValue(request.op)}`);
  }
  const hasWeight = request.weight === true;
  if (request.op === 'sigmoid') return sigmoidSpec(resolveSigmoidOptions(request.options), hasWeight);
  const options = resolveSoftmaxOptions(request.options);
  const targetKind = request.targetKind ?? 'index';
  if (targetKind !== 'index' && targetKind !== 'probability') {
    throw new FocalLossError('INVALID_OPTION', `targetKind must be "index" or "probability", got ${describeValue(targetKind)}`);
  }
  return softmaxSpec(options, targetKind, hasWeight);
}

/** The spec of options the core has already resolved (the runner's call plan). */
export function sigmoidSpec(options: ResolvedSigmoidOptions, hasWeight: boolean): LossSpec {
  const values = commonValues(options);
  if (options.alpha !== null) values.alpha = options.alpha;
  return {
    op: 'sigmoid',
    options,
    values,
    variant: {
      reduction: options.reduction,
      fromLogits: options.fromLogits,
      hasWeight,
      hasNormalizer: options.normalizer !== null,
      hasAlpha: options.alpha !== null,
    },
  };
}

export function softmaxSpec(options: ResolvedSoftmaxOptions, targetKind: 'index' | 'probability', hasWeight: boolean): LossSpec {
  const values = commonValues(options);
  values.axis = options.axis;
  const alphaKind = options.alpha === null ? 'none' : typeof options.alpha === 'number' ? 'scalar' : 'perClass';
  if (alphaKind === 'scalar') values.alpha = options.alpha as number;
  if (alphaKind === 'perClass') values.classAlpha = options.alpha as readonly number[];
  const hasIgnoreIndex = targetKind === 'index' && options.ignoreIndex !== null;
  if (hasIgnoreIndex) values.ignoreIndex = options.ignoreIndex as number;
  return {
    op: 'softmax',
    options,
    values,
    variant: {
      reduction: options.reduction,
      fromLogits: options.fromLogits,
      hasWeight,
      hasNormalizer: options.normalizer !== null,
      targetKind,
      alphaKind,
      hasIgnoreIndex,
    },
  };
}

/** A short, stable description of the structural variant, written into the function's doc_string. */
export function describeVariant(spec: LossSpec): string {
  return Object.entries(spec.variant)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
