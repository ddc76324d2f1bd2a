/**
 * Small constructors over the generated ONNX protobuf types (src/gen/onnx_pb.ts). Every message
 * is made with `create(...Schema)` so that encoding stays with @bufbuild/protobuf.
 */
import { create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AttrType,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType as DataType,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type NodeProto,
  type OperatorSetIdProto,
  type ValueInfoProto,
} from './gen/onnx_pb.js';

export { AttrType, DataType };

export function floatAttr(name: string, value: number): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: value });
}

export function floatsAttr(name: string, values: readonly number[]): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: [...values] });
}

export function intAttr(name: string, value: number): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(value) });
}

export function intsAttr(name: string, values: readonly number[]): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: values.map((v) => BigInt(v)) });
}

export function stringAttr(name: string, value: string): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(value) });
}

/** An attribute of a node inside a function body that takes its value from the call node's attribute. */
export function refAttr(name: string, type: AttrType, refAttrName: string): AttributeProto {
  return create(AttributeProtoSchema, { name, type, refAttrName });
}

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attribute: readonly AttributeProto[] = [],
  domain = '',
  name = '',
): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input: [...inputs],
    output: [...outputs],
    attribute: [...attribute],
    domain,
    name,
  });
}

export function opset(domain: string, version: number): OperatorSetIdProto {
  return create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) });
}

/** A tensor value info; `dims` entries are fixed sizes or symbolic names; `null` dims = unknown rank. */
export function tensorValueInfo(
  name: string,
  elemType: DataType,
  dims: readonly (number | string)[] | null,
): ValueInfoProto {
  const shape =
    dims === null
      ? undefined
      : create(TensorShapeProtoSchema, {
          dim: dims.map((d) =>
            create(TensorShapeProto_DimensionSchema, {
              value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
            }),
          ),
        });
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType, ...(shape ? { shape } : {}) }) },
    }),
  });
}
