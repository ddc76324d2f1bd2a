/**
 * Options as run-time inputs (issue 13): the numbers of a loss (gamma, alpha, normalizer,
 * labelSmoothing, eps, per-class alpha, ignoreIndex) can be graph inputs instead of values written
 * into the model, so that one model, and one ORT session, serves every value: RetinaNet's
 * normalizer (the number of positive anchors) changes every batch. Only the structure (op,
 * variant, axis, rank, gradient) then needs its own model.
 *
 * They are plain required inputs, without a default initializer: ONNX would take an initializer
 * of the same name as the input's default, but onnxruntime-web refuses to feed such an input
 * ("invalid input": its session lists only inputs without initializers), which would defeat the
 * point. The option values given when the model is built serve as the documented values to feed.
 */
import type { ValueInfoProto } from './gen/onnx_pb.js';
import type { ParamKind, ParamValue } from './body-emitter.js';
import { DataType, tensorValueInfo } from './protos.js';

/**
 * Options that may be run-time inputs. `axis` is not: it is an attribute of ReduceMax and friends;
 * neither are booleans such as varifocal_loss's `iouWeighted`, which choose the graph.
 */
export const RUNTIME_OPTIONS: readonly string[] = [
  'gamma',
  'alpha',
  'classAlpha',
  'normalizer',
  'labelSmoothing',
  'eps',
  'ignoreIndex',
  // Poly-1 (only read when polyEpsilon is not 0), posWeight (issue 14; per class: classPosWeight)
  'polyEpsilon',
  'posWeight',
  'classPosWeight',
  // the family ops' own numbers (issue 15)
  'beta',
  'gammaPos',
  'gammaNeg',
  'clip',
];

/** One option the emitted graph reads from an input. */
export interface OptionInput {
  /** The option's name (gamma, alpha, ...). */
  readonly option: string;
  /** The graph input's name. */
  readonly name: string;
  readonly kind: ParamKind;
}

/** Graph value names of the option inputs: `<prefix><option>` ("gamma", or "loss_gamma" when appended). */
export function optionInputNames(prefix: string): ReadonlyMap<string, string> {
  return new Map(RUNTIME_OPTIONS.map((option) => [option, `${prefix}${option}`]));
}

/** dtype and dims of an option input: float32 scalar, float32 [C], or int32 scalar. */
function inputType(kind: ParamKind, value: ParamValue): { type: DataType; dims: number[] } {
  if (kind === 'floats') return { type: DataType.FLOAT, dims: [(value as readonly number[]).length] };
  return { type: kind === 'float' ? DataType.FLOAT : DataType.INT32, dims: [] };
}

/** The run-time feed of one option input: a float32 scalar, float32 [C] or int32 scalar. */
export function optionFeed(kind: ParamKind, value: ParamValue): { type: 'float32' | 'int32'; data: Float32Array | Int32Array; dims: number[] } {
  if (kind === 'floats') {
    const values = value as readonly number[];
    return { type: 'float32', data: Float32Array.from(values), dims: [values.length] };
  }
  if (kind === 'float') return { type: 'float32', data: Float32Array.of(value as number), dims: [] };
  return { type: 'int32', data: Int32Array.of(value as number), dims: [] };
}

/** The graph inputs of the option inputs. */
export function optionGraphInputs(inputs: readonly OptionInput[], values: Readonly<Record<string, ParamValue>>): ValueInfoProto[] {
  return inputs.map(({ option, name, kind }) => {
    const value = values[option];
    if (value === undefined) throw new Error(`internal: no value for option input ${option}`);
    const { type, dims } = inputType(kind, value);
    // a per-class alpha's length follows the class dimension, which may differ per run
    return tensorValueInfo(name, type, kind === 'floats' ? [`${name}_classes`] : dims);
  });
}
