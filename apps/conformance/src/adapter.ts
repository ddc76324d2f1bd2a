import type { FamilyOpName } from '@focal-loss/core';

/**
 * The contract between the conformance runner and one adapter. Each adapter lives in
 * `src/adapters/<name>.ts` and is listed in `src/adapters/index.ts`.
 */

/** `float16` (issue 14): values exactly representable in IEEE half precision (checked by the loader). */
export type Dtype = 'float16' | 'float32' | 'float64' | 'int32';

/** A fixture tensor with non-finite strings ("NaN", "Infinity", "-Infinity") already decoded. */
export interface FixtureTensor {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** The two ops of the contract, and the focal-loss family's (issue 15), elementwise like sigmoid. */
export type FixtureOp = 'sigmoid_focal_loss' | 'softmax_focal_loss' | FamilyOpName;

export interface ExpectedOutput {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** One parsed fixture file (format focal-loss-fixture/1, see docs/fixture-format.md). */
export interface Fixture {
  /** Path of the file it came from, for messages. */
  readonly file: string;
  readonly name: string;
  readonly op: FixtureOp;
  readonly reference: string;
  /** The options exactly as written; adapters pass them to the loss, which validates them. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly inputs: {
    readonly input: FixtureTensor;
    readonly target: FixtureTensor;
    readonly weight?: FixtureTensor;
  };
  /** Either outputs to compare, or the error code the call must throw. */
  readonly expected:
    | { readonly kind: 'outputs'; readonly loss: ExpectedOutput; readonly gradInput?: ExpectedOutput }
    | { readonly kind: 'error'; readonly code: string };
  /** Tolerance per output name ("loss", "gradInput"). */
  readonly tolerance: Readonly<Record<'loss' | 'gradInput', Tolerance>>;
}

/** What an adapter returns for one fixture; `gradInput` only when the fixture expects it. */
export interface AdapterOutputs {
  readonly loss: { readonly shape: readonly number[]; readonly data: ArrayLike<number> };
  readonly gradInput?: { readonly shape: readonly number[]; readonly data: ArrayLike<number> };
}

export interface ConformanceAdapter {
  /** Registry name, e.g. "typed-array-f32", "tfjs-cpu", "onnxruntime-web". */
  readonly name: string;
  /** The npm package it exercises, e.g. "@focal-loss/typed-array". */
  readonly packageName: string;
  /**
   * The float precision it computes and returns in. 'float16' adapters are judged at the float16
   * tier (compare.ts FLOAT16_TOLERANCE) instead of the fixtures' tolerances.
   */
  readonly precision: 'float16' | 'float32' | 'float64';
  /**
   * Starts the adapter (loads a backend, creates sessions). Resolves to `true`, or to the reason it
   * cannot run on this machine; the runner then skips it with that reason.
   */
  setup(): Promise<true | string>;
  /** `true` when it can run the fixture, else the reason for a skip (never a silent pass). */
  supports(fixture: Fixture): true | string;
  /**
   * Runs the fixture. Must throw the library's error (with `code`) for invalid options, shapes or
   * targets: error fixtures pass when the code matches.
   */
  run(fixture: Fixture): Promise<AdapterOutputs>;
  /** Releases what `setup` created. */
  dispose(): Promise<void>;
}
