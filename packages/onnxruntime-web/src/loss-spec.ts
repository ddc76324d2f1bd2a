/**
 * From user options to what the emitter needs: the op's structural variant (which selects the
 * function body) and the numeric attribute values (which the body reads by attribute reference).
 * Options are validated by @focal-loss/core, so the error codes and messages are the core's.
 */
import {
  FocalLossError,
  describeValue,
  isFamilyOp,
  isPlainObject,
  requireDeclaredOptions,
  resolveFamilyOptions,
  SIGMOID_CLASS_INDEX_TARGETS,
  resolveSigmoidOptions,
  resolveSoftmaxOptions,
  type ResolvedSigmoidOptions,
  type ResolvedSoftmaxOptions,
  type SigmoidFocalLossOptions,
  type SoftmaxFocalLossOptions,
  type AdapterDeclaration,
  type FamilyOpName,
  type FamilyOptionsByOp,
  type ResolvedFamilyOptionsByOp,
} from '@focal-loss/core';
import type { ParamValue } from './body-emitter.js';
import type { FamilyVariant } from './family/elementwise.js';
import { FAMILY_TABLE } from './family/table.js';
import type { SigmoidVariant } from './sigmoid-body.js';
import type { SoftmaxVariant } from './softmax-body.js';

/** The custom operator domain of every op this package emits. */
export const FOCAL_LOSS_DOMAIN = 'com.github.focal-loss';
export const FOCAL_LOSS_DOMAIN_VERSION = 1;
/**
 * Defaults of emitted standalone models: IR 8 (model-local functions) and opset 17, the newest
 * opset that Debian's onnx 1.12 checker accepts (so the checker test covers the default models).
 */
export const DEFAULT_IR_VERSION = 8;
export const DEFAULT_OPSET = 17;
/**
 * Default-domain opsets the bodies run at: from 13 (ReduceSum takes its axes as an input, as
 * every reduction the bodies use) to 26, the newest that onnxruntime-web 1.30 officially
 * supports ("Current official support for domain ai.onnx is till opset 26"). No op of the bodies
 * changed meaning between them: ReduceSum's axes input dates from 13, and the reduce ops that took
 * axes as an input only from 18 (ReduceMax, ReduceMean, ...) are not used; later versions of the
 * other ops (Pad 18-25, Cast 19-25, Reshape/Shape/Size 19-25, ...) add types or modes.
 */
export const MIN_OPSET = 13;
export const MAX_OPSET = 26;

/**
 * The lowest IR version a model of this default-domain opset needs (onnx's VERSION_TABLE: opset
 * 19 came with IR 9, 21 with 10, 23 with 11, 24 with 12, 25 with 13), and at least 8, for
 * model-local functions. Models are raised only this far.
 */
export function irVersionFor(opsetVersion: number): number {
  if (opsetVersion >= 25) return 13;
  if (opsetVersion >= 24) return 12;
  if (opsetVersion >= 23) return 11;
  if (opsetVersion >= 21) return 10;
  if (opsetVersion >= 19) return 9;
  return DEFAULT_IR_VERSION;
}

/** The ops of this package: the two focal losses, and the family ops of issue 15 by their core names. */
export type LossOp = 'sigmoid' | 'softmax' | FamilyOpName;

/** Names of each op's model-local functions (loss and gradient) in the custom domain. */
export const OP_NAMES: { readonly [Op in LossOp]: { readonly loss: string; readonly grad: string } } = {
  sigmoid: { loss: 'SigmoidFocalLoss', grad: 'SigmoidFocalLossGrad' },
  softmax: { loss: 'SoftmaxFocalLoss', grad: 'SoftmaxFocalLossGrad' },
  sigmoid_focal_loss_star: FAMILY_TABLE.sigmoid_focal_loss_star.names,
  quality_focal_loss: FAMILY_TABLE.quality_focal_loss.names,
  varifocal_loss: FAMILY_TABLE.varifocal_loss.names,
  asymmetric_loss: FAMILY_TABLE.asymmetric_loss.names,
};

/** A family op's spec: elementwise like the sigmoid loss, logits only. */
export type FamilySpec = {
  readonly [Op in FamilyOpName]: {
    readonly op: Op;
    readonly options: ResolvedFamilyOptionsByOp[Op];
    readonly variant: FamilyVariant;
    readonly values: Readonly<Record<string, ParamValue>>;
  };
}[FamilyOpName];

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
    }
  | FamilySpec;

/** The family ops' choices: each op with its own option type (core's). */
export type FamilyLossChoice = {
  readonly [Op in FamilyOpName]: {
    readonly op: Op;
    /** The op's options (validated by @focal-loss/core's resolveFamilyOptions). */
    readonly options?: FamilyOptionsByOp[Op];
    readonly targetKind?: undefined;
  };
}[FamilyOpName];

/**
 * The op and its options, typed per op (a discriminated union): `axis` or `ignoreIndex` on a
 * sigmoid loss, or a `targetKind`, is a compile error.
 */
export type LossChoice =
  | {
      readonly op: 'sigmoid';
      /** The loss options (validated by @focal-loss/core). */
      readonly options?: SigmoidFocalLossOptions;
      readonly targetKind?: undefined;
    }
  | {
      readonly op: 'softmax';
      /** The loss options (validated by @focal-loss/core). */
      readonly options?: SoftmaxFocalLossOptions;
      /** int32 class indices (default) or float per-class probabilities. */
      readonly targetKind?: 'index' | 'probability';
    }
  | FamilyLossChoice;

export type SpecRequest = LossChoice & { readonly weight?: boolean };

function commonValues(o: ResolvedSigmoidOptions | ResolvedSoftmaxOptions): Record<string, ParamValue> {
  const values: Record<string, ParamValue> = { gamma: o.gamma, labelSmoothing: o.labelSmoothing, eps: o.eps };
  if (o.normalizer !== null) values.normalizer = o.normalizer;
  if (o.polyEpsilon !== 0) values.polyEpsilon = o.polyEpsilon;
  return values;
}

/**
 * Poly-1's term is structure only when polyEpsilon is not 0: with 0 the variant (and so the graph,
 * its doc_string and the runner's session key) is exactly the focal loss's.
 */
function polyStructure(o: ResolvedSigmoidOptions | ResolvedSoftmaxOptions): { hasPoly?: true } {
  return o.polyEpsilon !== 0 ? { hasPoly: true } : {};
}

/**
 * What this package implements beyond the contract's 1.1 base (core's adapter declaration): the
 * runner's call plans and the model builders pass it, so an option it did not implement would be
 * INVALID_OPTION rather than silently ignored.
 */
export const ORT_DECLARATION: AdapterDeclaration = Object.freeze({
  adapter: '@focal-loss/onnxruntime-web',
  implements: Object.freeze(['polyEpsilon', 'preset', 'normalizeProbabilities', 'posWeight', 'ignoreIndex', SIGMOID_CLASS_INDEX_TARGETS]),
});

export function resolveLossSpec(request: SpecRequest): LossSpec {
  if (!isPlainObject(request)) {
    throw new FocalLossError('INVALID_OPTION', `the model options must be a plain object, got ${describeValue(request)}`);
  }
  const hasWeight = request.weight === true;
  if (isFamilyOp(request.op)) return familySpec(request.op, resolveFamilyOptions(request.op, request.options), hasWeight);
  if (request.op !== 'sigmoid' && request.op !== 'softmax') {
    throw new FocalLossError(
      'INVALID_OPTION',
      `op must be "sigmoid", "softmax" or one of the family ops (${Object.keys(FAMILY_TABLE).join(', ')}), got ${describeValue((request as { op: unknown }).op)}`,
    );
  }
  if (request.op === 'sigmoid') {
    const options = resolveSigmoidOptions(request.options);
    requireDeclaredOptions('sigmoid_focal_loss', options, ORT_DECLARATION);
    return sigmoidSpec(options, hasWeight);
  }
  const options = resolveSoftmaxOptions(request.options);
  requireDeclaredOptions('softmax_focal_loss', options, ORT_DECLARATION);
  const targetKind = request.targetKind ?? 'index';
  if (targetKind !== 'index' && targetKind !== 'probability') {
    throw new FocalLossError('INVALID_OPTION', `targetKind must be "index" or "probability", got ${describeValue(targetKind)}`);
  }
  return softmaxSpec(options, targetKind, hasWeight);
}

/** The spec of options the core has already resolved (the runner's call plan). */
export function sigmoidSpec(
  options: ResolvedSigmoidOptions,
  hasWeight: boolean,
  /** The target value the graph ignores: the option's, or core's EXPANDED_IGNORED for expanded class indices. */
  graphIgnoreIndex: number | null = options.ignoreIndex,
): LossSpec {
  const values = commonValues(options);
  if (options.alpha !== null) values.alpha = options.alpha;
  if (graphIgnoreIndex !== null) values.ignoreIndex = graphIgnoreIndex;
  // posWeight (issue 14): structure only when it is not 1
  let posWeight: { posWeight?: 'scalar' | 'perClass' } = {};
  if (Array.isArray(options.posWeight)) {
    posWeight = { posWeight: 'perClass' };
    values.classPosWeight = options.posWeight;
    values.axis = options.axis;
  } else if (options.posWeight !== 1) {
    posWeight = { posWeight: 'scalar' };
    values.posWeight = options.posWeight as number;
  }
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
      ...polyStructure(options),
      ...posWeight,
      ...(graphIgnoreIndex !== null ? { hasIgnoreIndex: true } : {}),
    },
  };
}

export function softmaxSpec(options: ResolvedSoftmaxOptions, targetKind: 'index' | 'probability', hasWeight: boolean): LossSpec {
  const values = commonValues(options);
  values.axis = options.axis;
  // the same axis as a list, for reduce ops that take `axes` as an attribute (before opset 18)
  values.classAxes = [options.axis];
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
      ...polyStructure(options),
      // structure only when on (and only from probabilities, where core allows it)
      ...(options.normalizeProbabilities ? { normalizeProbabilities: true } : {}),
    },
  };
}

/** The spec of a family op's resolved options (the runner's call plan, or resolveLossSpec). */
export function familySpec<Op extends FamilyOpName>(op: Op, options: ResolvedFamilyOptionsByOp[Op], hasWeight: boolean): LossSpec {
  const row = FAMILY_TABLE[op];
  const values: Record<string, ParamValue> = row.values(options);
  if (options.normalizer !== null) values.normalizer = options.normalizer;
  const variant: FamilyVariant = {
    reduction: options.reduction,
    fromLogits: true,
    hasWeight,
    hasNormalizer: options.normalizer !== null,
    ...row.structure(options),
  };
  return { op, options, values, variant } as FamilySpec;
}

/** A short, stable description of the structural variant, written into the function's doc_string. */
export function describeVariant(spec: LossSpec): string {
  return Object.entries(spec.variant)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
