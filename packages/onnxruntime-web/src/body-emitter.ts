/**
 * Emits the nodes of one loss body, either as the body of a model-local function (numeric options
 * become attribute references, `ref_attr_name`) or inlined into a graph (the same nodes with the
 * option values written in). The loss formulas (sigmoid-body.ts, softmax-body.ts) are written once
 * against this interface, so both forms compute exactly the same graph.
 */
import type { AttributeProto, NodeProto } from './gen/onnx_pb.js';
import { AttrType, DataType, floatAttr, floatsAttr, intAttr, intsAttr, node, refAttr } from './protos.js';

/** How the bodies sum many elements: see accurateSum in body-common.ts. */
export type SumMode = 'blocked' | 'plain';
export type ParamKind = 'float' | 'floats' | 'int' | 'ints';
export type ParamValue = number | readonly number[];

const KIND_TYPE: Record<ParamKind, AttrType> = { float: AttrType.FLOAT, floats: AttrType.FLOATS, int: AttrType.INT, ints: AttrType.INTS };
const CONSTANT_FIELD: Record<ParamKind, string> = { float: 'value_float', floats: 'value_floats', int: 'value_int', ints: 'value_ints' };

export type EmitMode =
  | { readonly kind: 'function' }
  | { readonly kind: 'inline'; readonly values: Readonly<Record<string, ParamValue>> };

export class BodyEmitter {
  readonly nodes: NodeProto[] = [];
  /** The option attributes the body read, in first-use order: the function's attribute list. */
  readonly params = new Map<string, ParamKind>();
  /** The options the body read from run-time inputs, in first-use order (see `runtimeInputs`). */
  readonly inputParams = new Map<string, ParamKind>();
  private counter = 0;
  private readonly constants = new Map<string, string>();

  /**
   * `prefix` keeps internal names apart from the names of a graph the body is inlined into.
   * `sums`: 'blocked' (accurate for any length, the default) or 'plain' (one ReduceSum, the
   * pre-1.1 graph; only the benchmark uses it, to show what the accurate sum costs).
   * `runtimeInputs`: options read from a value of the graph (or a formal input of the function)
   * instead of an attribute or literal: option name -> value name. Numbers then change per run
   * without a new model (style example 5: structure in the key, numbers in uniforms).
   */
  constructor(
    private readonly mode: EmitMode,
    private readonly prefix: string,
    readonly sums: SumMode = 'blocked',
    private readonly runtimeInputs: ReadonlyMap<string, string> | null = null,
    /** The default-domain opset the nodes are written for (ops whose form changed, e.g. ReduceMax at 18). */
    readonly opsetVersion = 17,
  ) {}

  private fresh(hint: string): string {
    this.counter += 1;
    return `${this.prefix}${hint}_${this.counter}`;
  }

  /** Adds a node with one output and returns that output's name. */
  op(opType: string, inputs: readonly string[], attributes: readonly AttributeProto[] = []): string {
    const out = this.fresh(opType);
    this.nodes.push(node(opType, inputs, [out], attributes));
    return out;
  }

  /** Adds a node whose output gets the given name (the body's declared outputs). */
  opNamed(opType: string, inputs: readonly string[], output: string, attributes: readonly AttributeProto[] = []): void {
    this.nodes.push(node(opType, inputs, [output], attributes));
  }

  private cachedConstant(key: string, attribute: AttributeProto): string {
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const out = this.op('Constant', [], [attribute]);
    this.constants.set(key, out);
    return out;
  }

  /** A float32 scalar literal. */
  float(value: number): string {
    return this.cachedConstant(`f:${value}`, floatAttr('value_float', value));
  }

  /** An int64 scalar literal. */
  int(value: number): string {
    return this.cachedConstant(`i:${value}`, intAttr('value_int', value));
  }

  /** A 1-D int64 literal (e.g. the axes input of Unsqueeze). */
  ints(values: readonly number[]): string {
    return this.cachedConstant(`is:${values.join(',')}`, intsAttr('value_ints', values));
  }

  /**
   * A tensor holding option `name`: float32 scalar, 1-D float32, or an integer scalar (int64 from
   * an attribute, int32 from a run-time input; the bodies cast it to the type they need).
   */
  param(name: string, kind: ParamKind): string {
    const input = this.runtimeInputs?.get(name);
    if (input !== undefined) {
      this.inputParams.set(name, kind);
      return input;
    }
    return this.cachedConstant(`p:${name}`, this.valueAttribute(CONSTANT_FIELD[kind], name, kind));
  }

  /** An attribute of a body node that carries option `name`, e.g. the `axis` of ArgMax. */
  paramAttribute(attributeName: string, name: string, kind: ParamKind): AttributeProto {
    return this.valueAttribute(attributeName, name, kind);
  }

  private valueAttribute(attributeName: string, name: string, kind: ParamKind): AttributeProto {
    const seen = this.params.get(name);
    if (seen !== undefined && seen !== kind) throw new Error(`option ${name} used as ${seen} and ${kind}`);
    this.params.set(name, kind);
    if (this.mode.kind === 'function') return refAttr(attributeName, KIND_TYPE[kind], name);
    const value = this.mode.values[name];
    if (value === undefined) throw new Error(`no value for option ${name} in an inlined body`);
    if (kind === 'floats') return floatsAttr(attributeName, value as readonly number[]);
    if (kind === 'ints') return intsAttr(attributeName, value as readonly number[]);
    return kind === 'float' ? floatAttr(attributeName, value as number) : intAttr(attributeName, value as number);
  }

  cast(value: string, to: DataType): string {
    return this.op('Cast', [value], [intAttr('to', to)]);
  }
}
