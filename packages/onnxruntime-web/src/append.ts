/**
 * Appends the focal loss to an existing ONNX model: a named output (the logits) feeds the loss;
 * `target` (and `weight`) become new graph inputs and `loss` (and the gradient with respect to
 * the logits) new outputs. Every existing node, input, output and initializer is kept as is.
 */
import { clone, fromBinary } from '@bufbuild/protobuf';
import { FocalLossError, describeValue, type SigmoidFocalLossOptions, type SoftmaxFocalLossOptions } from '@focal-loss/core';
import { ModelProtoSchema, TensorProto_DataType, type ModelProto, type NodeProto, type ValueInfoProto } from './gen/onnx_pb.js';
import { emitLoss } from './emit.js';
import { irVersionFor, FOCAL_LOSS_DOMAIN, FOCAL_LOSS_DOMAIN_VERSION, OP_NAMES, resolveLossSpec, type LossChoice, type LossSpec } from './loss-spec.js';
import { optionGraphInputs, optionInputNames } from './option-inputs.js';
import { checkOpsetVersion, declaredDims, type Dims } from './standalone.js';
import { DataType, intAttr, node, opset, tensorValueInfo } from './protos.js';

/** What appendFocalLoss needs besides the op and its options. */
export interface AppendSettings {
  /** The graph output holding the logits (or probabilities with fromLogits: false). Default: the only output. */
  readonly logits?: string;
  readonly weight?: boolean;
  readonly gradient?: boolean;
  readonly inline?: boolean;
  /** Names of the new inputs and outputs. */
  readonly names?: { target?: string; weight?: string; loss?: string; gradInput?: string };
  /**
   * Read the numeric options from new graph inputs named `<loss>_<option>` (e.g. `loss_gamma`,
   * `loss_normalizer`), which every run must feed; see LossModelOptions.optionInputs.
   * Default false.
   */
  readonly optionInputs?: boolean;
  /**
   * dtype of the new float `target` (sigmoid, or softmax probabilities) and `weight` inputs:
   * 'float32' (default) or 'float16'. Either is cast to float32 inside. Class-index targets stay
   * int32, option inputs float32.
   */
  readonly valueDtype?: 'float32' | 'float16';
}

/** The op and its options (per-op types), and where and how to append the loss. */
export type AppendLossOptions = LossChoice & AppendSettings;

/** Logits dtypes the loss takes: float32 as is; float16 and bfloat16 are cast to float32 inside. */
const LOGITS_TYPES: ReadonlyMap<number, string> = new Map([
  [TensorProto_DataType.FLOAT, 'float32'],
  [TensorProto_DataType.FLOAT16, 'float16'],
  [TensorProto_DataType.BFLOAT16, 'bfloat16'],
]);

/** The logits' dims (fixed sizes or names; an unnamed dim gets a fresh name), or undefined for an unknown rank. */
function dimsOf(info: ValueInfoProto): Dims | undefined {
  const type = info.type?.value;
  if (type?.case !== 'tensorType' || type.value.shape === undefined) return undefined;
  return type.value.shape.dim.map((d, i) =>
    d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : `focal_loss_d${i}`,
  );
}

/** The model from bytes (decoded) or a ModelProto (copied, never mutated). */
function readModel(model: unknown): ModelProto {
  if (model instanceof Uint8Array) {
    let decoded: ModelProto;
    try {
      decoded = fromBinary(ModelProtoSchema, model);
    } catch (error) {
      throw new FocalLossError(
        'INVALID_OPTION',
        `model bytes are not an ONNX model (${model.length} bytes): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    // protobuf decodes many byte strings without error; an ONNX model has a graph and an IR version
    if (decoded.graph === undefined || decoded.irVersion === 0n) {
      throw new FocalLossError('INVALID_OPTION', `model bytes are not an ONNX model (${model.length} bytes): no graph or IR version`);
    }
    return decoded;
  }
  if (model !== null && typeof model === 'object' && (model as { $typeName?: unknown }).$typeName === ModelProtoSchema.typeName) {
    return clone(ModelProtoSchema, model as ModelProto);
  }
  throw new FocalLossError('INVALID_OPTION', `model must be ONNX bytes (Uint8Array) or a ModelProto, got ${describeValue(model)}`);
}

function readValueDtype(value: unknown): DataType {
  if (value === undefined || value === 'float32') return DataType.FLOAT;
  if (value === 'float16') return DataType.FLOAT16;
  throw new FocalLossError('INVALID_OPTION', `valueDtype must be "float32" or "float16", got ${describeValue(value)}`);
}

/** A per-class alpha must have one entry per class when the model declares the class dimension. */
function checkClassAlpha(spec: LossSpec, logitsDims: Dims): void {
  if (spec.op !== 'softmax' || !Array.isArray(spec.options.alpha)) return;
  const rank = logitsDims.length;
  const axis = spec.options.axis < 0 ? spec.options.axis + rank : spec.options.axis;
  const classes = logitsDims[axis];
  if (typeof classes === 'number' && classes !== spec.options.alpha.length) {
    throw new FocalLossError(
      'SHAPE_MISMATCH',
      `alpha has ${spec.options.alpha.length} per-class entries but the logits declare ${classes} classes on axis ${axis}`,
    );
  }
}

/** The default-domain ("" or "ai.onnx") opset of a model. */
function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (entry === undefined) throw new FocalLossError('INVALID_OPTION', 'the model imports no default-domain opset');
  return Number(entry.version);
}

/** The op names, or `<name>_2`, `<name>_3`, ... when the model already defines functions of that name. */
function freeFunctionNames(model: ModelProto, names: { readonly loss: string; readonly grad: string }) {
  const defined = new Set(model.functions.filter((f) => f.domain === FOCAL_LOSS_DOMAIN).map((f) => f.name));
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `_${n}`;
    const candidate = { loss: `${names.loss}${suffix}`, grad: `${names.grad}${suffix}` };
    if (!defined.has(candidate.loss) && !defined.has(candidate.grad)) return candidate;
  }
}

export function appendFocalLoss(model: ModelProto | Uint8Array, options: AppendLossOptions): ModelProto {
  const spec = resolveLossSpec(options);
  const out = readModel(model);
  const graph = out.graph;
  if (graph === undefined) throw new FocalLossError('INVALID_OPTION', 'the model has no graph');
  const opsetVersion = defaultOpset(out);
  checkOpsetVersion(opsetVersion);

  const outputs = graph.output;
  const logitsName = options.logits ?? (outputs.length === 1 ? outputs[0]?.name : undefined);
  if (logitsName === undefined) {
    throw new FocalLossError('INVALID_OPTION', `logits must name one of the outputs ${JSON.stringify(outputs.map((o) => o.name))}`);
  }
  const logitsInfo = outputs.find((o) => o.name === logitsName);
  if (logitsInfo === undefined) {
    throw new FocalLossError('INVALID_OPTION', `logits ${JSON.stringify(logitsName)} is not an output of the model`);
  }
  const elemType = logitsInfo.type?.value.case === 'tensorType' ? logitsInfo.type.value.value.elemType : undefined;
  if (elemType === undefined || !LOGITS_TYPES.has(elemType)) {
    const got = elemType === undefined ? 'no tensor type' : (TensorProto_DataType[elemType] ?? String(elemType)).toLowerCase();
    throw new FocalLossError(
      'INVALID_OPTION',
      `logits ${JSON.stringify(logitsName)} must be float32, float16 or bfloat16, got ${got}`,
    );
  }
  const logitsDims = dimsOf(logitsInfo);
  if (logitsDims === undefined) {
    throw new FocalLossError('INVALID_OPTION', `logits ${JSON.stringify(logitsName)} has no declared shape; its rank is needed`);
  }
  const valueType = readValueDtype(options.valueDtype);
  const dims = declaredDims(spec, logitsDims);
  checkClassAlpha(spec, logitsDims);

  const names = {
    target: options.names?.target ?? 'target',
    weight: options.names?.weight ?? 'weight',
    loss: options.names?.loss ?? 'loss',
    gradInput: options.names?.gradInput ?? `${logitsName}_grad`,
  };
  const taken = new Set<string>([
    ...graph.input.map((v) => v.name),
    ...graph.output.map((v) => v.name),
    ...graph.initializer.map((t) => t.name),
    ...graph.node.flatMap((n) => n.output),
  ]);
  const wanted = [names.target, names.loss];
  if (spec.variant.hasWeight) wanted.push(names.weight);
  if (options.gradient === true) wanted.push(names.gradInput);
  for (const name of wanted) {
    if (taken.has(name)) throw new FocalLossError('INVALID_OPTION', `name ${JSON.stringify(name)} already exists in the model`);
  }
  // internal names of this loss: apart from the host graph's and from any other appended loss
  const prefix = `focal_loss/${names.loss}/`;
  if ([...taken].some((n) => n.startsWith(prefix))) {
    throw new FocalLossError('INVALID_OPTION', `the model already has values named ${prefix}*: was this loss appended twice?`);
  }
  const optionNames = options.optionInputs === true ? optionInputNames(`${names.loss}_`) : null;
  if (optionNames !== null) {
    for (const name of optionNames.values()) {
      if (taken.has(name)) throw new FocalLossError('INVALID_OPTION', `name ${JSON.stringify(name)} already exists in the model`);
    }
  }

  const useFunctions = options.inline !== true;
  const imported = out.opsetImport.find((o) => o.domain === FOCAL_LOSS_DOMAIN);
  if (useFunctions && imported !== undefined && Number(imported.version) !== FOCAL_LOSS_DOMAIN_VERSION) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `the model imports domain ${FOCAL_LOSS_DOMAIN} at version ${imported.version}, not ${FOCAL_LOSS_DOMAIN_VERSION}`,
    );
  }
  // float16 / bfloat16 logits (and float16 target, weight) are cast to float32 for the loss; the
  // gradient is cast back to the logits' dtype. The casts sit in the graph, so the functions stay
  // float32 whatever the model.
  const casts: NodeProto[] = [];
  const asFloat = (name: string, type: number): string => {
    // only half-precision floats are cast (int32 class indices stay as they are)
    if (type !== TensorProto_DataType.FLOAT16 && type !== TensorProto_DataType.BFLOAT16) return name;
    const cast = `${prefix}${name}_float32`;
    casts.push(node('Cast', [name], [cast], [intAttr('to', DataType.FLOAT)], '', `${prefix}Cast_${name}`));
    return cast;
  };
  const indexTarget = spec.op === 'softmax' && spec.variant.targetKind === 'index';
  const targetType = indexTarget ? DataType.INT32 : valueType;
  const gradient = options.gradient === true;
  const gradFloat = elemType === TensorProto_DataType.FLOAT ? names.gradInput : `${prefix}${names.gradInput}_float32`;
  const emitted = emitLoss(
    spec,
    {
      input: asFloat(logitsName, elemType),
      target: asFloat(names.target, targetType),
      weight: spec.variant.hasWeight ? asFloat(names.weight, valueType) : null,
    },
    { loss: names.loss, gradInput: gradient ? gradFloat : null },
    {
      inline: !useFunctions,
      opsetVersion,
      prefix,
      optionInputs: optionNames,
      // a second loss on the same model gets functions of its own (its body may differ)
      functionNames: freeFunctionNames(out, OP_NAMES[spec.op]),
    },
  );
  graph.node.push(...casts, ...emitted.nodes);
  if (gradient && gradFloat !== names.gradInput) {
    graph.node.push(node('Cast', [gradFloat], [names.gradInput], [intAttr('to', elemType)], '', `${prefix}Cast_gradient`));
  }
  graph.input.push(tensorValueInfo(names.target, targetType, dims.target));
  if (spec.variant.hasWeight) graph.input.push(tensorValueInfo(names.weight, valueType, dims.loss));
  graph.output.push(
    tensorValueInfo(names.loss, DataType.FLOAT, spec.options.reduction === 'none' ? dims.loss : []),
  );
  if (gradient) graph.output.push(tensorValueInfo(names.gradInput, elemType, dims.input));
  graph.input.push(...optionGraphInputs(emitted.optionInputs, spec.values));
  if (useFunctions) {
    out.functions.push(...emitted.functions);
    // the domain is imported once, however many losses the model holds
    if (imported === undefined) out.opsetImport.push(opset(FOCAL_LOSS_DOMAIN, FOCAL_LOSS_DOMAIN_VERSION));
    // model-local functions need IR 8; a newer opset its own IR (raised only this far)
    const needed = BigInt(irVersionFor(opsetVersion));
    if (out.irVersion < needed) out.irVersion = needed;
  }
  return out;
}
