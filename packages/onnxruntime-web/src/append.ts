/**
 * Appends the focal loss to an existing ONNX model: a named output (the logits) feeds the loss;
 * `target` (and `weight`) become new graph inputs and `loss` (and the gradient with respect to
 * the logits) new outputs. Every existing node, input, output and initializer is kept as is.
 */
import { clone, fromBinary } from '@bufbuild/protobuf';
import { FocalLossError, type SigmoidFocalLossOptions, type SoftmaxFocalLossOptions } from '@focal-loss/core';
import { ModelProtoSchema, TensorProto_DataType, type ModelProto, type ValueInfoProto } from './gen/onnx_pb.js';
import { emitLoss } from './emit.js';
import { DEFAULT_IR_VERSION, FOCAL_LOSS_DOMAIN, FOCAL_LOSS_DOMAIN_VERSION, OP_NAMES, resolveLossSpec, type LossOp } from './loss-spec.js';
import { optionGraphInputs, optionInputNames } from './option-inputs.js';
import { checkOpsetVersion, declaredDims, type Dims } from './standalone.js';
import { DataType, opset, tensorValueInfo } from './protos.js';

export interface AppendLossOptions {
  readonly op: LossOp;
  readonly options?: SigmoidFocalLossOptions | SoftmaxFocalLossOptions;
  /** The graph output holding the logits (or probabilities with fromLogits: false). Default: the only output. */
  readonly logits?: string;
  /** Softmax only: int32 class indices (default) or float32 per-class probabilities. */
  readonly targetKind?: 'index' | 'probability';
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
}

/** The logits' dims (fixed sizes or names; an unnamed dim gets a fresh name), or undefined for an unknown rank. */
function dimsOf(info: ValueInfoProto): Dims | undefined {
  const type = info.type?.value;
  if (type?.case !== 'tensorType' || type.value.shape === undefined) return undefined;
  return type.value.shape.dim.map((d, i) =>
    d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : `focal_loss_d${i}`,
  );
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
  const out = model instanceof Uint8Array ? fromBinary(ModelProtoSchema, model) : clone(ModelProtoSchema, model);
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
  if (elemType !== undefined && elemType !== TensorProto_DataType.FLOAT) {
    throw new FocalLossError('INVALID_OPTION', `logits ${JSON.stringify(logitsName)} must be float32, got data type ${elemType}`);
  }
  const logitsDims = dimsOf(logitsInfo);
  if (logitsDims === undefined) {
    throw new FocalLossError('INVALID_OPTION', `logits ${JSON.stringify(logitsName)} has no declared shape; its rank is needed`);
  }
  const dims = declaredDims(spec, logitsDims);

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
  const emitted = emitLoss(
    spec,
    { input: logitsName, target: names.target, weight: spec.variant.hasWeight ? names.weight : null },
    { loss: names.loss, gradInput: options.gradient === true ? names.gradInput : null },
    {
      inline: !useFunctions,
      opsetVersion,
      prefix,
      optionInputs: optionNames,
      // a second loss on the same model gets functions of its own (its body may differ)
      functionNames: freeFunctionNames(out, OP_NAMES[spec.op]),
    },
  );
  graph.node.push(...emitted.nodes);
  const targetType = spec.op === 'softmax' && spec.variant.targetKind === 'index' ? DataType.INT32 : DataType.FLOAT;
  graph.input.push(tensorValueInfo(names.target, targetType, dims.target));
  if (spec.variant.hasWeight) graph.input.push(tensorValueInfo(names.weight, DataType.FLOAT, dims.loss));
  graph.output.push(
    tensorValueInfo(names.loss, DataType.FLOAT, spec.options.reduction === 'none' ? dims.loss : []),
  );
  if (options.gradient === true) graph.output.push(tensorValueInfo(names.gradInput, DataType.FLOAT, dims.input));
  graph.input.push(...optionGraphInputs(emitted.optionInputs, spec.values));
  if (useFunctions) {
    out.functions.push(...emitted.functions);
    // the domain is imported once, however many losses the model holds
    if (imported === undefined) out.opsetImport.push(opset(FOCAL_LOSS_DOMAIN, FOCAL_LOSS_DOMAIN_VERSION));
    // model-local functions need IR 8
    if (out.irVersion < BigInt(DEFAULT_IR_VERSION)) out.irVersion = BigInt(DEFAULT_IR_VERSION);
  }
  return out;
}
