/**
 * A standalone loss model: inputs `input`, `target` (and `weight`), outputs `loss` (and `gradInput`).
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { FocalLossError, describeValue } from '@focal-loss/core';
import { GraphProtoSchema, ModelProtoSchema, type ModelProto } from './gen/onnx_pb.js';
import { emitLoss } from './emit.js';
import type { SumMode } from './body-emitter.js';
import { optionGraphInputs, optionInputNames, type OptionInput } from './option-inputs.js';
import {
  irVersionFor,
  DEFAULT_OPSET,
  FOCAL_LOSS_DOMAIN,
  FOCAL_LOSS_DOMAIN_VERSION,
  MAX_OPSET,
  MIN_OPSET,
  resolveLossSpec,
  type LossChoice,
  type LossSpec,
} from './loss-spec.js';
import { DataType, intAttr, node, opset, tensorValueInfo } from './protos.js';
import type { NodeProto } from './gen/onnx_pb.js';

/** What buildLossModel needs besides the op and its options. */
export interface LossModelSettings {
  /**
   * Rank of `input`, declared with symbolic dimensions d0, d1, ... (ONNX 1.12's checker requires a
   * shape on every graph input and output, so the rank is part of the model).
   */
  readonly rank: number;
  /** Adds the `weight` input (the unreduced loss's shape). */
  readonly weight?: boolean;
  /** Adds the `gradInput` output. Default false. */
  readonly gradient?: boolean;
  /** Emits standard ops only instead of calls of the custom-domain functions. Default false. */
  readonly inline?: boolean;
  /**
   * Default-domain opset, MIN_OPSET..MAX_OPSET (13..26). Default 17, the newest that onnx 1.12's
   * checker accepts. The IR version follows the opset (irVersionFor).
   */
  readonly opsetVersion?: number;
  /**
   * Reads the numeric options of the loss (gamma, alpha, normalizer, labelSmoothing, eps,
   * per-class alpha as `classAlpha`, ignoreIndex) from graph inputs of those names, which every
   * run must feed: one model then serves every value. float32 scalars, `classAlpha` float32 [C],
   * `ignoreIndex` int32 scalar; only the options the loss reads become inputs (`axis` never does).
   * The values in `options` still choose the structure (alpha null, scalar or per class; a
   * normalizer or not; an ignoreIndex or not) and are checked. Default false (the numbers are
   * written into the model).
   */
  readonly optionInputs?: boolean;
}

export function checkOpsetVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < MIN_OPSET || version > MAX_OPSET) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `default-domain opset ${String(version)} is not supported (supported: ${MIN_OPSET}..${MAX_OPSET})`,
    );
  }
}

/** Symbolic dims of input, target and loss for a given rank (null when the rank is not declared). */
export type Dims = (number | string)[];

/**
 * Declared dims of input, target and loss, from the input's rank (symbolic dims d0, d1, ...) or
 * from the input's own dims.
 */
export function declaredDims(spec: LossSpec, rankOrDims: number | Dims) {
  if (!Array.isArray(rankOrDims) && !(Number.isSafeInteger(rankOrDims) && (rankOrDims as number) >= 0)) {
    // an option of the builder (the model declares the rank), not a tensor shape
    throw new FocalLossError('INVALID_OPTION', `rank must be a non-negative integer, got ${describeValue(rankOrDims)}`);
  }
  const rank = typeof rankOrDims === 'number' ? rankOrDims : rankOrDims.length;
  const input: Dims = typeof rankOrDims === 'number' ? Array.from({ length: rank }, (_, i) => `d${i}`) : rankOrDims;
  if (spec.op !== 'softmax') return { input, target: input, loss: input };
  const axis = spec.options.axis;
  if (axis < -rank || axis >= rank) {
    throw new FocalLossError('SHAPE_MISMATCH', `axis ${axis} is out of range for an input of rank ${rank}`);
  }
  const ax = axis < 0 ? axis + rank : axis;
  const loss = input.filter((_, i) => i !== ax);
  return { input, target: spec.variant.targetKind === 'index' ? loss : input, loss };
}

export function buildLossModel(options: LossModelOptions): ModelProto {
  return buildLossModelFromSpec(resolveLossSpec(options), options);
}

/** As buildLossModel, for options already resolved (the runner resolves them once per call). */
export function buildLossModelFromSpec(spec: LossSpec, options: SpecModelOptions): ModelProto {
  return buildStandalone(spec, options).model;
}

/** The op and its options (per-op types), and the model settings. */
export type LossModelOptions = LossChoice & LossModelSettings;

export type SpecModelOptions = Omit<LossModelSettings, 'weight'> & {
  /** Internal: the benchmark's plain sums (body-emitter.ts). */
  readonly sums?: SumMode;
  /**
   * Internal (the runner's float16 calls): the dtypes of `input`, a float `target` and `weight`.
   * float16 ones are cast to float32 for the loss, which stays float32; the gradient is cast back
   * to the input's dtype (as appendFocalLoss does). Default all float32.
   */
  readonly dtypes?: ValueDtypes;
};

/** dtypes of the standalone model's float inputs (int32 class-index targets stay int32). */
export interface ValueDtypes {
  readonly input: 'float32' | 'float16';
  readonly target: 'float32' | 'float16';
  readonly weight: 'float32' | 'float16';
  /** The gradient output's dtype; default the input's. */
  readonly gradient?: 'float32' | 'float16';
}

/** The model and the option inputs it declares (the runner feeds them on every run). */
export function buildStandalone(spec: LossSpec, options: SpecModelOptions): { model: ModelProto; optionInputs: OptionInput[] } {
  const opsetVersion = options.opsetVersion ?? DEFAULT_OPSET;
  checkOpsetVersion(opsetVersion);
  const dims = declaredDims(spec, options.rank);
  const hasWeight = spec.variant.hasWeight;
  const gradient = options.gradient === true;
  const typeOf = (dtype: 'float32' | 'float16' | undefined) => (dtype === 'float16' ? DataType.FLOAT16 : DataType.FLOAT);
  const inputType = typeOf(options.dtypes?.input);
  const weightType = typeOf(options.dtypes?.weight);
  const targetType = spec.op === 'softmax' && spec.variant.targetKind === 'index' ? DataType.INT32 : typeOf(options.dtypes?.target);
  // float16 values are cast to float32 before the loss and the gradient back after it, so the
  // loss graph (and its functions) is the float32 one whatever the dtypes
  const casts: NodeProto[] = [];
  const asFloat = (name: string, type: DataType): string => {
    if (type !== DataType.FLOAT16) return name;
    casts.push(node('Cast', [name], [`${name}_float32`], [intAttr('to', DataType.FLOAT)], '', `focal_loss/Cast_${name}`));
    return `${name}_float32`;
  };
  const gradType = typeOf(options.dtypes?.gradient ?? options.dtypes?.input);
  const gradFloat = gradType === DataType.FLOAT16 ? 'gradInput_float32' : 'gradInput';
  const emitted = emitLoss(
    spec,
    { input: asFloat('input', inputType), target: asFloat('target', targetType), weight: hasWeight ? asFloat('weight', weightType) : null },
    { loss: 'loss', gradInput: gradient ? gradFloat : null },
    {
      inline: options.inline === true,
      opsetVersion,
      prefix: 'focal_loss/',
      sums: options.sums ?? 'blocked',
      optionInputs: options.optionInputs === true ? optionInputNames('') : null,
    },
  );
  const nodes = [...casts, ...emitted.nodes];
  if (gradient && gradFloat !== 'gradInput') {
    nodes.push(node('Cast', [gradFloat], ['gradInput'], [intAttr('to', DataType.FLOAT16)], '', 'focal_loss/Cast_gradient'));
  }
  const inputs = [tensorValueInfo('input', inputType, dims.input), tensorValueInfo('target', targetType, dims.target)];
  if (hasWeight) inputs.push(tensorValueInfo('weight', weightType, dims.loss));
  inputs.push(...optionGraphInputs(emitted.optionInputs, spec.values));
  const lossDims = spec.options.reduction === 'none' ? dims.loss : [];
  const outputs = [tensorValueInfo('loss', DataType.FLOAT, lossDims)];
  if (gradient) outputs.push(tensorValueInfo('gradInput', gradType, dims.input));
  const opsetImport = [opset('', opsetVersion)];
  if (emitted.functions.length > 0) opsetImport.push(opset(FOCAL_LOSS_DOMAIN, FOCAL_LOSS_DOMAIN_VERSION));
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(irVersionFor(opsetVersion)),
    producerName: '@focal-loss/onnxruntime-web',
    opsetImport,
    functions: emitted.functions,
    graph: create(GraphProtoSchema, {
      name: `${spec.op}_focal_loss`,
      node: nodes,
      input: inputs,
      output: outputs,
    }),
  });
  return { model, optionInputs: emitted.optionInputs };
}

export function encodeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}
