export type FloatArray = Float32Array | Float64Array;

/**
 * A `Float16Array` (ES2025; Node >= 24, Chromium 135+), typed by its tag so that this package's types need
 * no ES2025 lib and a `Uint16Array` of half bits does not pass for one. The scalar ops compute it in float32.
 */
export interface Float16ArrayLike extends ArrayLike<number> {
  readonly [Symbol.toStringTag]: 'Float16Array';
}

/** The float data the scalar ops (sigmoidFocalLoss, softmaxFocalLoss) take: float16 is computed in float32. */
export type InputArray = FloatArray | Float16ArrayLike;

/** A flat row-major buffer and its shape; `shape: []` is a scalar holding one value. */
export interface TensorView<T extends ArrayLike<number> = FloatArray> {
  readonly data: T;
  readonly shape: readonly number[];
}

/** Caller-owned output buffers: with both given, a call allocates no buffer. */
export interface OutputBuffers {
  /** Length 1 for "mean" / "sum", the unreduced loss size for "none". */
  loss?: FloatArray;
  /** The input's length. */
  gradInput?: FloatArray;
}

/** What the typed-array adapter adds to the loss options of the core. */
export interface CallOptions {
  /** Per-position weights, with the shape of the unreduced loss (a Float16Array too, in the scalar ops). */
  weight?: TensorView<InputArray> | null;
  /** Also return the gradient of the returned loss with respect to `input`. Default false. */
  gradient?: boolean;
  /** Output buffers to fill instead of allocating. */
  out?: OutputBuffers;
}

export interface FocalLossResult<T extends FloatArray = FloatArray> {
  /** The loss: shape [] when reduced, the unreduced loss shape for "none". Same array type as the input. */
  readonly loss: TensorView<T>;
  /** The gradient with respect to `input` (shape of `input`), when `gradient: true`. */
  readonly gradInput: TensorView<T> | null;
}
