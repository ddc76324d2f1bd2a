/**
 * Runs the loss models in onnxruntime-web. One session per option set, target kind, weight,
 * gradient flag and input rank is created on first use and cached; `dispose()` releases them.
 *
 * Everything that can be checked in JS is checked before any session exists: options and shapes
 * (through @focal-loss/core, codes INVALID_OPTION / SHAPE_MISMATCH) and the target data
 * (INVALID_TARGET: sigmoid targets outside [0, 1], class indices out of range and not ignoreIndex).
 * The graph itself does not check targets.
 */
import * as ort from 'onnxruntime-web';
import {
  FocalLossError,
  checkClassIndexTargets,
  checkUnitIntervalTargets,
  reducedShape,
  requireLength,
  resolveSigmoidLayout,
  resolveSoftmaxLayout,
  type SigmoidFocalLossOptions,
  type SoftmaxFocalLossOptions,
} from '@focal-loss/core';
import { resolveLossSpec, type LossOp, type LossSpec } from './loss-spec.js';
import { buildLossModelFromSpec, encodeModel } from './standalone.js';

/** A float32 (or, for class-index targets, int32) tensor: an ort.Tensor or a typed array with its shape. */
export type TensorInput = ort.Tensor | { readonly data: Float32Array | Int32Array; readonly shape: readonly number[] };

export interface RunCallOptions {
  /** Per-position weight, the shape of the unreduced loss. */
  readonly weight?: TensorInput | null;
  /** Also return the gradient of the loss with respect to `input`. Default false. */
  readonly gradient?: boolean;
}

export interface RunnerResult {
  readonly loss: { readonly data: Float32Array; readonly shape: number[] };
  readonly gradInput: { readonly data: Float32Array; readonly shape: number[] } | null;
}

export interface FocalLossRunnerOptions {
  /**
   * Threads of the wasm backend (ort.env.wasm.numThreads). ORT reads it once, when the backend
   * initialises with the first session of the process; later values have no effect.
   */
  readonly numThreads?: number;
  /** Run the fully inlined graph instead of the function-call form. Default false. */
  readonly inline?: boolean;
  /** Extra ORT session options; the execution provider defaults to ['wasm']. */
  readonly sessionOptions?: ort.InferenceSession.SessionOptions;
}

interface View {
  readonly data: Float32Array | Int32Array;
  readonly shape: readonly number[];
}

function view(value: TensorInput | undefined | null, name: string): View {
  if (value instanceof ort.Tensor) {
    if (value.type !== 'float32' && value.type !== 'int32') {
      throw new FocalLossError('INVALID_OPTION', `${name} must be a float32 or int32 tensor, got ${value.type}`);
    }
    return { data: value.data as Float32Array | Int32Array, shape: value.dims };
  }
  const candidate = value as Partial<View> | null | undefined;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    !(candidate.data instanceof Float32Array || candidate.data instanceof Int32Array) ||
    !Array.isArray(candidate.shape)
  ) {
    throw new FocalLossError('INVALID_OPTION', `${name} must be an ort.Tensor or { data: Float32Array, shape: number[] }`);
  }
  requireLength(candidate.data.length, candidate.shape, name);
  return candidate as View;
}

function requireFloat(v: View, name: string): void {
  if (!(v.data instanceof Float32Array)) {
    throw new FocalLossError('INVALID_OPTION', `${name} must hold float32 data, got ${v.data.constructor.name}`);
  }
}

/** What one call needs after validation. */
interface Prepared {
  readonly spec: LossSpec;
  readonly input: View;
  readonly target: View;
  readonly weight: View | null;
  readonly lossShape: number[];
  readonly gradient: boolean;
}

export function prepareCall(op: LossOp, inputValue: TensorInput, targetValue: TensorInput, call: RunCallOptions & object): Prepared {
  const { weight: weightValue = null, gradient = false, ...lossOptions } = call as RunCallOptions & Record<string, unknown>;
  const input = view(inputValue, 'input');
  requireFloat(input, 'input');
  const target = view(targetValue, 'target');
  const weight = weightValue === null ? null : view(weightValue, 'weight');
  if (weight !== null) requireFloat(weight, 'weight');
  const targetKind = target.data instanceof Int32Array ? 'index' : 'probability';
  if (op === 'sigmoid' && targetKind === 'index') {
    throw new FocalLossError('INVALID_OPTION', 'sigmoid_focal_loss target must hold float32 data, got Int32Array');
  }
  const spec = resolveLossSpec({ op, options: lossOptions, targetKind, weight: weight !== null });
  let unreduced: readonly number[];
  if (spec.op === 'sigmoid') {
    unreduced = resolveSigmoidLayout(input.shape, target.shape, weight?.shape).lossShape;
    checkUnitIntervalTargets(target.data);
  } else {
    const o = spec.options;
    const layout = resolveSoftmaxLayout(input.shape, target.shape, targetKind, o.axis, weight?.shape, o.alpha);
    if (targetKind === 'index') checkClassIndexTargets(target.data, layout.classes, o.ignoreIndex);
    else checkUnitIntervalTargets(target.data);
    unreduced = layout.lossShape;
  }
  return { spec, input, target, weight, lossShape: reducedShape(spec.options.reduction, unreduced), gradient: gradient === true };
}

export class FocalLossRunner {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private readonly inline: boolean;
  private readonly sessionOptions: ort.InferenceSession.SessionOptions;
  private disposed = false;

  constructor(options: FocalLossRunnerOptions = {}) {
    if (options.numThreads !== undefined) {
      if (!Number.isSafeInteger(options.numThreads) || options.numThreads < 1) {
        throw new FocalLossError('INVALID_OPTION', `numThreads must be an integer >= 1, got ${String(options.numThreads)}`);
      }
      ort.env.wasm.numThreads = options.numThreads;
    }
    this.inline = options.inline === true;
    // severity 3 (errors only): ORT's optimizer warnings about the graph are noise to callers
    this.sessionOptions = { executionProviders: ['wasm'], logSeverityLevel: 3, ...options.sessionOptions };
  }

  /** The wasm thread count ORT is configured with. */
  get numThreads(): number {
    return ort.env.wasm.numThreads ?? 1;
  }

  /** Number of cached sessions. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  sigmoidFocalLoss(
    input: TensorInput,
    target: TensorInput,
    options: SigmoidFocalLossOptions & RunCallOptions = {},
  ): Promise<RunnerResult> {
    return this.run('sigmoid', input, target, options);
  }

  /** `target`: int32 class indices (input shape without the class axis) or float32 probabilities. */
  softmaxFocalLoss(
    input: TensorInput,
    target: TensorInput,
    options: SoftmaxFocalLossOptions & RunCallOptions = {},
  ): Promise<RunnerResult> {
    return this.run('softmax', input, target, options);
  }

  async run(op: LossOp, input: TensorInput, target: TensorInput, options: RunCallOptions & object): Promise<RunnerResult> {
    if (this.disposed) throw new Error('FocalLossRunner was disposed');
    const call = prepareCall(op, input, target, options);
    if (call.input.data.length === 0) return emptyResult(call);
    const session = await this.session(call);
    const feeds: Record<string, ort.Tensor> = {
      input: new ort.Tensor('float32', call.input.data, [...call.input.shape]),
      target:
        call.target.data instanceof Int32Array
          ? new ort.Tensor('int32', call.target.data, [...call.target.shape])
          : new ort.Tensor('float32', call.target.data, [...call.target.shape]),
    };
    if (call.weight !== null) feeds.weight = new ort.Tensor('float32', call.weight.data, [...call.weight.shape]);
    const results = await session.run(feeds);
    const loss = results.loss as ort.Tensor;
    const grad = call.gradient ? (results.gradInput as ort.Tensor) : null;
    const out: RunnerResult = {
      loss: { data: loss.data as Float32Array, shape: [...loss.dims] },
      gradInput: grad === null ? null : { data: grad.data as Float32Array, shape: [...grad.dims] },
    };
    loss.dispose();
    grad?.dispose();
    return out;
  }

  private session(call: Prepared): Promise<ort.InferenceSession> {
    const rank = call.input.shape.length;
    const key = JSON.stringify([call.spec.op, call.spec.variant, call.spec.values, rank, call.gradient]);
    let session = this.sessions.get(key);
    if (session === undefined) {
      const model = buildLossModelFromSpec(call.spec, { rank, gradient: call.gradient, inline: this.inline });
      session = ort.InferenceSession.create(encodeModel(model), this.sessionOptions);
      // a failed creation is not cached, so a later call can retry
      session.catch(() => this.sessions.delete(key));
      this.sessions.set(key, session);
    }
    return session;
  }

  /** Releases every cached session; the runner cannot be used afterwards. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    // a session whose creation failed has nothing to release
    await Promise.all(sessions.map((s) => s.then((session) => session.release(), () => undefined)));
  }
}

/**
 * A zero-element input needs no session: its loss is 0 everywhere (an empty "none" loss, or a sum
 * or mean over nothing, which is 0 by the contract), and its gradient is empty. The short-cut also
 * covers softmax inputs with zero classes, where ArgMax has nothing to reduce.
 */
function emptyResult(call: Prepared): RunnerResult {
  const size = call.lossShape.reduce((a, b) => a * b, 1);
  return {
    loss: { data: new Float32Array(size), shape: call.lossShape },
    gradInput: call.gradient ? { data: new Float32Array(0), shape: [...call.input.shape] } : null,
  };
}
