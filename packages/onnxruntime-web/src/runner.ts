/**
 * Runs the loss models in onnxruntime-web. Each op is "plan, then run" (style: thin op over a
 * shared base): @focal-loss/core's call plan does every check in the contract's order, then the
 * call runs on a cached session.
 *
 * Sessions are cached by the loss structure only (op, variant, axis, rank, gradient; style
 * example 8): the numbers (gamma, alpha, normalizer, labelSmoothing, eps, per-class alpha,
 * ignoreIndex) are run-time inputs of the model (option-inputs.ts), fed on every run, so a
 * normalizer that changes every batch never creates a session. The cache is a bounded LRU
 * (session-cache.ts): `maxSessions` (default DEFAULT_MAX_SESSIONS) at once, the least recently
 * used released when a new one is needed.
 * `dispose()` waits for the runs in flight, releases every session and settles; later calls throw
 * RUNNER_DISPOSED.
 *
 * Everything that can be checked in JS is checked before any session exists: options, dtypes and
 * shapes (the core's plan: INVALID_OPTION / SHAPE_MISMATCH) and the target data (INVALID_TARGET:
 * sigmoid targets outside [0, 1] or, for int32/bool targets, not 0 or 1; class indices out of
 * range and not ignoreIndex). The graph itself does not check targets.
 */
import * as ort from 'onnxruntime-web';
import {
  FocalLossError,
  describeValue,
  checkBinaryTargets,
  checkClassIndexTargets,
  checkFamilyTargets,
  checkSigmoidClassIndexTargets,
  checkSigmoidTargetsIgnoring,
  expandClassIndexTargets,
  EXPANDED_IGNORED,
  checkUnitIntervalTargets,
  isFamilyOp,
  planFamilyCall,
  planSigmoidCall,
  planSoftmaxCall,
  readBooleanOption,
  splitCallOptions,
  splitFamilyCallOptions,
  type AsymmetricLossOptions,
  type FamilyOpName,
  type FocalLossStarOptions,
  type QualityFocalLossOptions,
  type SigmoidFocalLossOptions,
  type SoftmaxFocalLossOptions,
  type VarifocalLossOptions,
} from '@focal-loss/core';
import { distributionCall, type DistributionFocalLossOptions } from './distribution.js';
import { runnerDisposedError } from './errors.js';
import { ORT_DECLARATION, familySpec, sigmoidSpec, softmaxSpec, type LossOp, type LossSpec } from './loss-spec.js';
import { SessionCache } from './session-cache.js';
import { buildStandalone, encodeModel } from './standalone.js';
import { optionFeed, type OptionInput } from './option-inputs.js';
import { readTensor, type TensorInput, type View } from './tensor-view.js';
import { float16Bits } from './half.js';
import type { ValueDtypes } from './standalone.js';

export type { TensorInput, Float16Input } from './tensor-view.js';

/** Sessions a runner keeps by default; see FocalLossRunnerOptions.maxSessions. */
export const DEFAULT_MAX_SESSIONS = 16;

export interface RunCallOptions {
  /** Per-position weight, the shape of the unreduced loss. */
  readonly weight?: TensorInput | null;
  /** Also return the gradient of the loss with respect to `input`. Default false. */
  readonly gradient?: boolean;
  /**
   * The gradient's dtype: by default the input's (a float16 input gets a float16 gradient, the
   * float32 one rounded); 'float32' returns the float32 gradient the model computes, without that
   * rounding (e.g. for float32 master gradients). Ignored without `gradient`.
   */
  readonly gradientDtype?: 'float32' | 'float16';
}

/** The runner's own call options; every other key is a loss option. */
const ADAPTER_KEYS: readonly string[] = ['weight', 'gradient', 'gradientDtype'];

function readGradientDtype(value: unknown, input: View): 'float32' | 'float16' {
  if (value === undefined) return input.half !== undefined ? 'float16' : 'float32';
  if (value === 'float32' || value === 'float16') return value;
  throw new FocalLossError('INVALID_OPTION', `gradientDtype must be "float32" or "float16", got ${describeValue(value)}`);
}
/**
 * dtypes the runner takes for `input`, `weight` and float targets. float16 (issue 14) is fed as
 * float16 to a model of its own that casts to float32 for the loss (as appendFocalLoss's models do).
 */
const INPUT_DTYPES: readonly string[] = ['float32', 'float16'];

/**
 * The loss is always float32 (computed in float32). The gradient has the input's dtype unless
 * `gradientDtype` says otherwise: float32 data, or for float16 the binary16 bits in a Uint16Array
 * (`dtype: 'float16'`), as the graph's Cast back to float16 leaves it.
 */
export interface RunnerResult {
  readonly loss: { readonly data: Float32Array; readonly shape: number[] };
  readonly gradInput: RunnerGradient | null;
}

export type RunnerGradient =
  | { readonly data: Float32Array; readonly shape: number[]; readonly dtype: 'float32' }
  | { readonly data: Uint16Array; readonly shape: number[]; readonly dtype: 'float16' };

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
  /**
   * Most sessions kept at once (an integer >= 1, default DEFAULT_MAX_SESSIONS = 16). Creating one
   * more releases the least recently used, after the runs in flight on it.
   */
  readonly maxSessions?: number;
}

/** What one call needs after validation. */
export interface Prepared {
  readonly spec: LossSpec;
  readonly input: View;
  /** The target as fed to the model: int32 class indices or float32 values. */
  readonly target: ort.Tensor;
  readonly weight: View | null;
  /** Shape of the returned loss. */
  readonly outputShape: number[];
  readonly gradient: boolean;
  /** The dtype of the returned gradient (the model casts the float32 gradient to it). */
  readonly gradientDtype: 'float32' | 'float16';
}

const OP_NAME = { sigmoid: 'sigmoid_focal_loss', softmax: 'softmax_focal_loss' } as const;

/** Steps 1-7 of the contract's check order (core/src/plan.ts), then the spec of the model to run. */
export function prepareCall(op: LossOp, inputValue: unknown, targetValue: unknown, options: unknown): Prepared {
  if (isFamilyOp(op)) return prepareFamilyCall(op, inputValue, targetValue, options);
  if (op !== 'sigmoid' && op !== 'softmax') throw new FocalLossError('INVALID_OPTION', `op must be "sigmoid" or "softmax"`);
  // 1. the options argument, and the runner's own keys split off
  const { adapter, loss } = splitCallOptions(options, OP_NAME[op], ADAPTER_KEYS);
  // 3. the runner's own options (2, the loss options, comes first inside the plan; both are INVALID_OPTION)
  const gradient = readBooleanOption('gradient', adapter.gradient, false);
  const weightValue = adapter.weight ?? null;
  const input = readTensor(inputValue, 'input');
  const target = readTensor(targetValue, 'target');
  const weight = weightValue === null ? null : readTensor(weightValue, 'weight');
  const tensors = { input: input.info, target: target.info, weight: weight?.info ?? null };
  const hasWeight = weight !== null;
  // 2, 4, 5, 6 in the plan; 7, the target values, here
  if (op === 'sigmoid') {
    const plan = planSigmoidCall(loss, tensors, INPUT_DTYPES, ORT_DECLARATION);
    const dense = sigmoidTargets(plan, target.view);
    return {
      spec: sigmoidSpec(plan.options, hasWeight, dense.ignoreIndex),
      input: input.view,
      // int32 or bool 0/1 targets mean the float targets 0/1 (contract 1.1): fed as float32
      target: floatTensor(dense.view),
      weight: weight?.view ?? null,
      outputShape: plan.outputShape,
      gradient,
      gradientDtype: readGradientDtype(adapter.gradientDtype, input.view),
    };
  }
  const plan = planSoftmaxCall(loss, tensors, INPUT_DTYPES, ORT_DECLARATION);
  if (plan.targetKind === 'index') checkClassIndexTargets(target.view.data, plan.layout.classes, plan.ignoreIndex);
  else checkUnitIntervalTargets(target.view.data);
  return {
    spec: softmaxSpec(plan.options, plan.targetKind, hasWeight),
    input: input.view,
    target:
      plan.targetKind === 'index'
        ? new ort.Tensor('int32', target.view.data as Int32Array, [...target.view.shape])
        : floatTensor(target.view),
    weight: weight?.view ?? null,
    outputShape: plan.outputShape,
    gradient,
    gradientDtype: readGradientDtype(adapter.gradientDtype, input.view),
  };
}

/**
 * The same steps for a family op (core's family plan): elementwise like the sigmoid loss, float32
 * targets in [0, 1] or int32/bool 0/1 labels (fed as float32), asymmetric_loss 0/1 only.
 */
function prepareFamilyCall(op: FamilyOpName, inputValue: unknown, targetValue: unknown, options: unknown): Prepared {
  const { adapter, loss } = splitFamilyCallOptions(options, op, ADAPTER_KEYS);
  const gradient = readBooleanOption('gradient', adapter.gradient, false);
  const weightValue = adapter.weight ?? null;
  const input = readTensor(inputValue, 'input');
  const target = readTensor(targetValue, 'target');
  const weight = weightValue === null ? null : readTensor(weightValue, 'weight');
  const plan = planFamilyCall(op, loss, { input: input.info, target: target.info, weight: weight?.info ?? null }, INPUT_DTYPES);
  checkFamilyTargets(op, plan.targetKind, target.view.data);
  return {
    spec: familySpec(op, plan.options, weight !== null),
    input: input.view,
    target: floatTensor(target.view),
    weight: weight?.view ?? null,
    outputShape: plan.outputShape,
    gradient,
    gradientDtype: readGradientDtype(adapter.gradientDtype, input.view),
  };
}

/**
 * Step 7 for sigmoid targets (as typed-array's prepare.ts), and what the graph reads: the targets,
 * or (issue 14) int32 class indices expanded to dense 0/1 targets of the input's shape with ignored
 * positions marked EXPANDED_IGNORED, which the graph then ignores. A "mean" counts the elements that
 * are not ignored (the graph counts them itself).
 */
function sigmoidTargets(plan: ReturnType<typeof planSigmoidCall>, view: View): { view: View; ignoreIndex: number | null } {
  const ignore = plan.options.ignoreIndex;
  if (plan.targetKind === 'classIndex' && plan.classLayout !== null) {
    checkSigmoidClassIndexTargets(view.data, plan.classLayout.classes, ignore);
    const expanded = expandClassIndexTargets(view.data, plan.classLayout, ignore);
    return { view: { dtype: 'int32', data: expanded, shape: plan.layout.lossShape }, ignoreIndex: ignore === null ? null : EXPANDED_IGNORED };
  }
  if (ignore !== null) {
    checkSigmoidTargetsIgnoring(view.data, plan.targetKind === 'binary' ? 'binary' : 'float', ignore);
    return { view, ignoreIndex: ignore };
  }
  if (plan.targetKind === 'binary') checkBinaryTargets(view.data);
  else checkUnitIntervalTargets(view.data);
  return { view, ignoreIndex: null };
}

function floatTensor(view: View): ort.Tensor {
  if (view.half !== undefined) return new ort.Tensor('float16', view.half, [...view.shape]);
  const data = view.data instanceof Float32Array ? view.data : Float32Array.from(view.data);
  return new ort.Tensor('float32', data, [...view.shape]);
}

export class FocalLossRunner {
  private readonly cache: SessionCache<LossSession>;
  private readonly inline: boolean;
  private readonly sessionOptions: ort.InferenceSession.SessionOptions;

  constructor(options: FocalLossRunnerOptions = {}) {
    if (options.numThreads !== undefined) {
      if (!Number.isSafeInteger(options.numThreads) || options.numThreads < 1) {
        throw new FocalLossError('INVALID_OPTION', `numThreads must be an integer >= 1, got ${String(options.numThreads)}`);
      }
      ort.env.wasm.numThreads = options.numThreads;
    }
    const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) {
      throw new FocalLossError('INVALID_OPTION', `maxSessions must be an integer >= 1, got ${String(maxSessions)}`);
    }
    this.cache = new SessionCache(maxSessions, runnerDisposedError);
    this.inline = options.inline === true;
    // severity 3 (errors only): ORT's optimizer warnings about the graph are noise to callers
    this.sessionOptions = { executionProviders: ['wasm'], logSeverityLevel: 3, ...options.sessionOptions };
  }

  /** The wasm thread count ORT is configured with. */
  get numThreads(): number {
    return ort.env.wasm.numThreads ?? 1;
  }

  /** Number of cached sessions (at most `maxSessions`). */
  get sessionCount(): number {
    return this.cache.size;
  }

  /** The bound on cached sessions. */
  get maxSessions(): number {
    return this.cache.maxSessions;
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

  /** FL* (fvcore `sigmoid_focal_loss_star`): alpha_t softplus(-(gamma x_t + beta)) / gamma. */
  sigmoidFocalLossStar(input: TensorInput, target: TensorInput, options: FocalLossStarOptions & RunCallOptions = {}): Promise<RunnerResult> {
    return this.run('sigmoid_focal_loss_star', input, target, options);
  }

  /** Quality Focal Loss (GFL; mmdet `QualityFocalLoss`, dense IoU targets): |t - p|^beta ce(x, t). */
  qualityFocalLoss(input: TensorInput, target: TensorInput, options: QualityFocalLossOptions & RunCallOptions = {}): Promise<RunnerResult> {
    return this.run('quality_focal_loss', input, target, options);
  }

  /** Varifocal Loss (mmdet `VarifocalLoss`): t ce for t > 0, alpha p^gamma ce for t = 0. */
  varifocalLoss(input: TensorInput, target: TensorInput, options: VarifocalLossOptions & RunCallOptions = {}): Promise<RunnerResult> {
    return this.run('varifocal_loss', input, target, options);
  }

  /** Asymmetric Loss (Alibaba-MIIL/ASL `AsymmetricLoss`) over 0/1 multi-label targets. */
  asymmetricLoss(input: TensorInput, target: TensorInput, options: AsymmetricLossOptions & RunCallOptions = {}): Promise<RunnerResult> {
    return this.run('asymmetric_loss', input, target, options);
  }

  /**
   * Distribution Focal Loss (GFL; mmdet `DistributionFocalLoss`): `input` [..., bins] logits,
   * `positions` [...] continuous targets in [0, bins - 1]. The softmax graph with gamma 0, alpha
   * null against the two-hot targets of core's `twoHotTargets`, so the gradient is softmax - two-hot.
   */
  distributionFocalLoss(input: TensorInput, positions: TensorInput, options: DistributionFocalLossOptions = {}): Promise<RunnerResult> {
    if (this.cache.isClosed) return Promise.reject(runnerDisposedError());
    try {
      const call = distributionCall(input, positions, options);
      return this.run('softmax', call.input, call.target, call.options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async run(op: LossOp, input: TensorInput, target: TensorInput, options?: object): Promise<RunnerResult> {
    if (this.cache.isClosed) throw runnerDisposedError();
    const call = prepareCall(op, input, target, options);
    if (call.input.data.length === 0) return emptyResult(call);
    const rank = call.input.shape.length;
    const dtypes = valueDtypes(call);
    const key = structureKey(call, rank, dtypes);
    return this.cache.use(
      key,
      async () => {
        const { model, optionInputs } = buildStandalone(call.spec, {
          rank,
          dtypes,
          gradient: call.gradient,
          inline: this.inline,
          optionInputs: true,
        });
        const session = await ort.InferenceSession.create(encodeModel(model), this.sessionOptions);
        return { session, optionInputs, release: () => session.release() };
      },
      (loss) => execute(loss, call),
    );
  }

  /**
   * Releases every cached session once the runs in flight on it have settled, and resolves then.
   * Calls waiting for a session that was still being created reject with RUNNER_DISPOSED; later
   * calls do too. Calling it again is harmless.
   */
  dispose(): Promise<void> {
    return this.cache.close();
  }
}

/** A cached session and the option inputs its model reads. */
interface LossSession {
  readonly session: ort.InferenceSession;
  readonly optionInputs: readonly OptionInput[];
  release(): Promise<void>;
}

/** The dtypes of the tensors fed to the model: float16 where the caller gave float16. */
function valueDtypes(call: Prepared): ValueDtypes {
  const of = (half: boolean) => (half ? 'float16' : 'float32');
  return {
    input: of(call.input.half !== undefined),
    target: of(call.target.type === 'float16'),
    weight: of(call.weight?.half !== undefined),
    gradient: call.gradientDtype,
  };
}

/** What selects a model: everything but the numbers, which are fed as inputs (dtypes included). */
function structureKey(call: Prepared, rank: number, dtypes: ValueDtypes): string {
  const axis = call.spec.op === 'softmax' ? call.spec.options.axis : null;
  return JSON.stringify([call.spec.op, call.spec.variant, axis, rank, call.gradient, dtypes.input, dtypes.target, dtypes.weight, call.gradient ? dtypes.gradient : null]);
}

async function execute({ session, optionInputs }: LossSession, call: Prepared): Promise<RunnerResult> {
  const feeds: Record<string, ort.Tensor> = {
    input: floatTensor(call.input),
    target: call.target,
  };
  for (const { option, name, kind } of optionInputs) {
    const value = call.spec.values[option];
    if (value === undefined) throw new Error(`internal: no value for option input ${option}`);
    const feed = optionFeed(kind, value);
    feeds[name] = new ort.Tensor(feed.type, feed.data, feed.dims);
  }
  if (call.weight !== null) feeds.weight = floatTensor(call.weight);
  const results = await session.run(feeds);
  const loss = results.loss as ort.Tensor;
  const grad = call.gradient ? (results.gradInput as ort.Tensor) : null;
  const out: RunnerResult = {
    loss: { data: loss.data as Float32Array, shape: [...loss.dims] },
    gradInput: grad === null ? null : gradientOf(grad),
  };
  loss.dispose();
  grad?.dispose();
  return out;
}

/** The gradient as returned: float16 as its bits (ORT gives a Uint16Array, or a Float16Array where one exists). */
function gradientOf(grad: ort.Tensor): RunnerGradient {
  const shape = [...grad.dims];
  if (grad.type === 'float16') return { data: float16Bits(grad.data as Uint16Array), shape, dtype: 'float16' };
  return { data: grad.data as Float32Array, shape, dtype: 'float32' };
}

/**
 * A zero-element input needs no session: its loss is 0 everywhere (an empty "none" loss, or a sum
 * or mean over nothing, which is 0 by the contract), and its gradient is empty. The short-cut also
 * covers softmax inputs with zero classes, where ArgMax has nothing to reduce.
 */
function emptyResult(call: Prepared): RunnerResult {
  const size = call.outputShape.reduce((a, b) => a * b, 1);
  return {
    loss: { data: new Float32Array(size), shape: call.outputShape },
    gradInput: !call.gradient
      ? null
      : call.gradientDtype === 'float16'
        ? { data: new Uint16Array(0), shape: [...call.input.shape], dtype: 'float16' }
        : { data: new Float32Array(0), shape: [...call.input.shape], dtype: 'float32' },
  };
}
