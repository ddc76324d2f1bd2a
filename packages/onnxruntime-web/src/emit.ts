/**
 * Emits a loss into a graph: either calls of the model-local functions SigmoidFocalLoss /
 * SigmoidFocalLossGrad (or the Softmax ones) with every attribute set on the call node, or the
 * same body inlined into standard ops.
 *
 * ONNX 1.12 (IR 8) has no attribute defaults in FunctionProto (`attribute_proto` arrived with
 * IR 9), so the function lists its attribute names and the call node always carries all of them,
 * filled from the core's defaults.
 *
 * With `optionInputs`, the numeric options are read from graph inputs instead (option-inputs.ts):
 * in function form they are extra formal inputs of the function, after input, target (and weight).
 */
import { create } from '@bufbuild/protobuf';
import { FunctionProtoSchema, type FunctionProto, type NodeProto } from './gen/onnx_pb.js';
import { BodyEmitter, type ParamKind, type SumMode } from './body-emitter.js';
import type { BodyIO, BodyOutputs } from './body-common.js';
import { emitSigmoidBody } from './sigmoid-body.js';
import { emitSoftmaxBody } from './softmax-body.js';
import { FAMILY_TABLE } from './family/table.js';
import { FOCAL_LOSS_DOMAIN, OP_NAMES, describeVariant, type LossSpec } from './loss-spec.js';
import { RUNTIME_OPTIONS, type OptionInput } from './option-inputs.js';
import { floatAttr, floatsAttr, intAttr, intsAttr, node, opset } from './protos.js';

export interface EmitOptions {
  /** Emit standard ops only, no custom-domain function calls. */
  readonly inline: boolean;
  /** The default-domain opset the bodies are declared against (the model's). */
  readonly opsetVersion: number;
  /** Prefix of internal value names (inline mode), to stay clear of the host graph's names. */
  readonly prefix: string;
  /** Internal: 'plain' sums for the benchmark's before/after (body-emitter.ts). Default 'blocked'. */
  readonly sums?: SumMode;
  /**
   * Read the numeric options from graph values with these names (option -> value name) instead
   * of writing them into the model. The caller declares the inputs the body used (`optionInputs`
   * of the result).
   */
  readonly optionInputs?: ReadonlyMap<string, string> | null;
  /** Names of the model-local functions (distinct per loss when a model holds several). */
  readonly functionNames?: { readonly loss: string; readonly grad: string };
}

export interface EmittedLoss {
  readonly nodes: NodeProto[];
  readonly functions: FunctionProto[];
  /** The options the graph reads from inputs, each once, in first-use order. */
  readonly optionInputs: OptionInput[];
}

function emitBody(b: BodyEmitter, spec: LossSpec, io: BodyIO, out: BodyOutputs): void {
  if (spec.op === 'sigmoid') emitSigmoidBody(b, spec.variant, io, out);
  else if (spec.op === 'softmax') emitSoftmaxBody(b, spec.variant, io, out);
  else FAMILY_TABLE[spec.op].emit(b, spec.variant, io, out);
}

function callAttribute(name: string, kind: ParamKind, spec: LossSpec) {
  const value = spec.values[name];
  if (value === undefined) throw new Error(`internal: no value for attribute ${name}`);
  if (kind === 'floats') return floatsAttr(name, value as readonly number[]);
  if (kind === 'ints') return intsAttr(name, value as readonly number[]);
  return kind === 'float' ? floatAttr(name, value as number) : intAttr(name, value as number);
}

function collect(into: Map<string, OptionInput>, read: ReadonlyMap<string, ParamKind>, names: ReadonlyMap<string, string>): void {
  for (const [option, kind] of read) {
    if (!into.has(option)) into.set(option, { option, name: names.get(option) as string, kind });
  }
}

export function emitLoss(spec: LossSpec, io: BodyIO, out: BodyOutputs, options: EmitOptions): EmittedLoss {
  const graphNames = options.optionInputs ?? null;
  const used = new Map<string, OptionInput>();
  if (options.inline) {
    const b = new BodyEmitter({ kind: 'inline', values: spec.values }, options.prefix, options.sums, graphNames, options.opsetVersion);
    emitBody(b, spec, io, out);
    if (graphNames !== null) collect(used, b.inputParams, graphNames);
    return { nodes: b.nodes, functions: [], optionInputs: [...used.values()] };
  }
  const names = options.functionNames ?? OP_NAMES[spec.op];
  const formalBase = io.weight === null ? ['input', 'target'] : ['input', 'target', 'weight'];
  const actualBase = io.weight === null ? [io.input, io.target] : [io.input, io.target, io.weight];
  const formalIO: BodyIO = { input: 'input', target: 'target', weight: io.weight === null ? null : 'weight' };
  // inside a function the option inputs are formal inputs named after the options
  const formalNames = graphNames === null ? null : new Map(RUNTIME_OPTIONS.map((o) => [o, o]));
  const nodes: NodeProto[] = [];
  const functions: FunctionProto[] = [];
  const parts: { name: string; output: string; formal: BodyOutputs }[] = [];
  if (out.loss !== null) parts.push({ name: names.loss, output: out.loss, formal: { loss: 'loss', gradInput: null } });
  if (out.gradInput !== null) {
    parts.push({ name: names.grad, output: out.gradInput, formal: { loss: null, gradInput: 'gradInput' } });
  }
  for (const part of parts) {
    const b = new BodyEmitter({ kind: 'function' }, '', options.sums, formalNames, options.opsetVersion);
    emitBody(b, spec, formalIO, part.formal);
    const runtime = [...b.inputParams.keys()];
    if (graphNames !== null) collect(used, b.inputParams, graphNames);
    functions.push(
      create(FunctionProtoSchema, {
        name: part.name,
        domain: FOCAL_LOSS_DOMAIN,
        input: [...formalBase, ...runtime],
        output: [part.formal.loss ?? 'gradInput'],
        attribute: [...b.params.keys()],
        node: b.nodes,
        opsetImport: [opset('', options.opsetVersion)],
        docString: `focal loss body for ${describeVariant(spec)}`,
      }),
    );
    const attributes = [...b.params.entries()].map(([name, kind]) => callAttribute(name, kind, spec));
    const actual = [...actualBase, ...runtime.map((o) => graphNames?.get(o) as string)];
    nodes.push(node(part.name, actual, [part.output], attributes, FOCAL_LOSS_DOMAIN, `${options.prefix}${part.name}`));
  }
  return { nodes, functions, optionInputs: [...used.values()] };
}
