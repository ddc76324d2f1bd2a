/** Test-only: a tiny classifier model (MatMul + Add -> logits) built with the generated protobuf types. */
import { create } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, TensorProtoSchema, type ModelProto } from '../src/gen/onnx_pb.js';
import { DataType, intAttr, node, opset, tensorValueInfo } from '../src/protos.js';

export const FEATURES = 4;
export const CLASSES = 3;
/** Deterministic weights and bias, exactly representable in float32. */
export const WEIGHTS = Float32Array.from({ length: FEATURES * CLASSES }, (_, i) => ((i * 7) % 11) / 4 - 1.25);
export const BIAS = Float32Array.from([0.5, -0.25, 0.125]);

export function tinyClassifier(opsetVersion = 13, irVersion = 7): ModelProto {
  const initializer = [
    create(TensorProtoSchema, { name: 'W', dims: [BigInt(FEATURES), BigInt(CLASSES)], dataType: DataType.FLOAT, floatData: [...WEIGHTS] }),
    create(TensorProtoSchema, { name: 'b', dims: [BigInt(CLASSES)], dataType: DataType.FLOAT, floatData: [...BIAS] }),
  ];
  return create(ModelProtoSchema, {
    irVersion: BigInt(irVersion),
    producerName: 'focal-loss test',
    opsetImport: [opset('', opsetVersion)],
    graph: create(GraphProtoSchema, {
      name: 'tiny_classifier',
      node: [node('MatMul', ['features', 'W'], ['scores']), node('Add', ['scores', 'b'], ['logits'])],
      initializer,
      input: [tensorValueInfo('features', DataType.FLOAT, ['batch', FEATURES])],
      output: [tensorValueInfo('logits', DataType.FLOAT, ['batch', CLASSES])],
    }),
  });
}

/** logits = features W + b in float64, for checking the model itself. */
export function classifierLogits(features: Float32Array, batch: number): Float64Array {
  const out = new Float64Array(batch * CLASSES);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < CLASSES; c++) {
      let sum = BIAS[c] as number;
      for (let f = 0; f < FEATURES; f++) sum += (features[n * FEATURES + f] as number) * (WEIGHTS[f * CLASSES + c] as number);
      out[n * CLASSES + c] = sum;
    }
  }
  return out;
}

/** A second head's weights (objectness, 2 outputs), exactly representable in float32. */
export const OBJECTNESS = 2;
export const OBJ_WEIGHTS = Float32Array.from({ length: FEATURES * OBJECTNESS }, (_, i) => ((i * 5) % 7) / 2 - 1.5);
export const OBJ_BIAS = Float32Array.from([-0.5, 0.25]);

/**
 * A two-head detector-like model: class scores [batch, CLASSES] and objectness [batch, OBJECTNESS],
 * both computed in float32 and cast to `logitsType` (FLOAT16 or BFLOAT16, as a mixed-precision
 * export writes them), or left float32. With `probeFloat32`, each head also has a float32 copy
 * of its (rounded) logits as an output, since onnxruntime-web cannot return bfloat16 tensors.
 */
export function twoHeadModel(opsetVersion: number, irVersion: number, logitsType: DataType, probeFloat32 = false): ModelProto {
  const f = (name: string, dims: number[], data: Float32Array) =>
    create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: DataType.FLOAT, floatData: [...data] });
  const nodes = [
    node('MatMul', ['features', 'W'], ['cls_scores']),
    node('Add', ['cls_scores', 'b'], ['cls_f32']),
    node('MatMul', ['features', 'W_obj'], ['obj_scores']),
    node('Add', ['obj_scores', 'b_obj'], ['obj_f32']),
  ];
  const outputs = [];
  for (const [head, width] of [['cls', CLASSES], ['obj', OBJECTNESS]] as const) {
    const logits = head === 'cls' ? 'class_logits' : 'objectness';
    if (logitsType === DataType.FLOAT) nodes.push(node('Identity', [`${head}_f32`], [logits]));
    else nodes.push(node('Cast', [`${head}_f32`], [logits], [intAttr('to', logitsType)]));
    outputs.push(tensorValueInfo(logits, logitsType, ['batch', width]));
    if (probeFloat32) {
      nodes.push(node('Cast', [logits], [`${logits}_as_float32`], [intAttr('to', DataType.FLOAT)]));
      outputs.push(tensorValueInfo(`${logits}_as_float32`, DataType.FLOAT, ['batch', width]));
    }
  }
  return create(ModelProtoSchema, {
    irVersion: BigInt(irVersion),
    producerName: 'focal-loss test',
    opsetImport: [opset('', opsetVersion)],
    graph: create(GraphProtoSchema, {
      name: 'two_heads',
      node: nodes,
      initializer: [
        f('W', [FEATURES, CLASSES], WEIGHTS),
        f('b', [CLASSES], BIAS),
        f('W_obj', [FEATURES, OBJECTNESS], OBJ_WEIGHTS),
        f('b_obj', [OBJECTNESS], OBJ_BIAS),
      ],
      input: [tensorValueInfo('features', DataType.FLOAT, ['batch', FEATURES])],
      output: outputs,
    }),
  });
}
