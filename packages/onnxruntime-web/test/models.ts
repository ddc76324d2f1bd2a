/** Test-only: a tiny classifier model (MatMul + Add -> logits) built with the generated protobuf types. */
import { create } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, TensorProtoSchema, type ModelProto } from '../src/gen/onnx_pb.js';
import { DataType, node, opset, tensorValueInfo } from '../src/protos.js';

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
