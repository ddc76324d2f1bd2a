/**
 * Emits a loss into a graph: either calls of the model-local functions SigmoidFocalLoss /
 * SigmoidFocalLossGrad (or the Softmax ones) with every attribute set on the call node, or the
 * same body inlined into standard ops.
 *
 * ONNX 1.12 (IR 8) has no attribute defaults in FunctionProto (`attribute_proto` arrived with
 * IR 9), so the function lists its attribute names and the call node always carries all of them,
 * filled from the core's defaults.
 */
import { create } from '@bufbuild/protobuf';
import { FunctionProtoSchema, type FunctionProto, type NodeProto } from './gen/onnx_pb.js';
import { BodyEmitter, type ParamKind, type SumMode } from './body-emitter.js';
import type { BodyIO, BodyOutputs } from './body-common.js';
import { emitSigmoidBody } from './sigmoid-body.js';
import { emitSoftmaxBody } from './softmax-body.js';
import { FOCAL_LOSS_DOMAIN, OP_NAMES, describeVariant, type LossSpec } from './loss-spec.js';
import { floatAttr, floatsAttr, intAttr, node, opset } from './protos.js';

export interface EmitOptions {
  /** Emit standard ops only, no custom-domain function calls. */
  readonly inline: boolean;
  /** The default-domain opset the bodies are declared against (the model's). */
  readonly opsetVersion: number;
  /** Prefix of internal value names (inline mode), to stay clear of the host graph's names. */
  readonly prefix: string;
  /** Internal: 'plain' sums for the benchmark's before/after (body-emitter.ts). Default 'blocked'. */
  readonly sums?: SumMode;
}

export interface EmittedLoss {
  readonly nodes: NodeProto[];
  readonly functions: FunctionProto[];
}

function emitBody(b: BodyEmitter, spec: LossSpec, io: BodyIO, out: BodyOutputs): void {
  if (spec.op === 'sigmoid') emitSigmoidBody(b, spec.variant, io, out);
  else emitSoftmaxBody(b, spec.variant, io, out);
}

function callAttribute(name: string, kind: ParamKind, spec: LossSpec) {
  const value = spec.values[name];
  if (value === undefined) throw new Error(`internal: no value for attribute ${name}`);
  if (kind === 'floats') return floatsAttr(name, value as readonly number[]);
  return kind === 'float' ? floatAttr(name, value as number) : intAttr(name, value as number);
}

export function emitLoss(spec: LossSpec, io: BodyIO, out: BodyOutputs, options: EmitOptions): EmittedLoss {
  if (options.inline) {
    const b = new BodyEmitter({ kind: 'inline', values: spec.values }, options.prefix, options.sums);
    emitBody(b, spec, io, out);
    return { nodes: b.nodes, functions: [] };
  }
  const names = OP_NAMES[spec.op];
  const formalInputs = io.weight === null ? ['input', 'target'] : ['input', 'target', 'weight'];
  const actualInputs = io.weight === null ? [io.input, io.target] : [io.input, io.target, io.weight];
  const formalIO: BodyIO = { input: 'input', target: 'target', weight: io.weight === null ? null : 'weight' };
  const nodes: NodeProto[] = [];
  const functions: FunctionProto[] = [];
  const parts: { name: string; output: string; formal: BodyOutputs }[] = [];
  if (out.loss !== null) parts.push({ name: names.loss, output: out.loss, formal: { loss: 'loss', gradInput: null } });
  if (out.gradInput !== null) {
    parts.push({ name: names.grad, output: out.gradInput, formal: { loss: null, gradInput: 'gradInput' } });
  }
  for (const part of parts) {
    const b = new BodyEmitter({ kind: 'function' }, '', options.sums);
    emitBody(b, spec, formalIO, part.formal);
    const attributeNames = [...b.params.keys()];
    functions.push(
      create(FunctionProtoSchema, {
        name: part.name,
        domain: FOCAL_LOSS_DOMAIN,
        input: formalInputs,
        output: [part.formal.loss ?? 'gradInput'],
        attribute: attributeNames,
        node: b.nodes,
        opsetImport: [opset('', options.opsetVersion)],
        docString: `focal loss body for ${describeVariant(spec)}`,
      }),
    );
    const attributes = [...b.params.entries()].map(([name, kind]) => callAttribute(name, kind, spec));
    nodes.push(node(part.name, actualInputs, [part.output], attributes, FOCAL_LOSS_DOMAIN, `${options.prefix}${part.name}`));
  }
  return { nodes, functions };
}
