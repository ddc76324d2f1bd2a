import { FocalLossError, describeValue } from './errors.js';
import { presetDefaults, type PresetName } from './presets.js';

export type Reduction = 'none' | 'mean' | 'sum';
export const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

/** Options shared by both ops; see docs/math.md and the fixture contract for their meaning. */
export interface CommonFocalLossOptions {
  /** Focusing parameter, >= 0. Default 2. `0^0` is 1, so gamma = 0 is (weighted) cross-entropy. */
  gamma?: number;
  /** Reduction of the per-position loss. Default `"mean"`. */
  reduction?: Reduction;
  /** `input` holds logits (default) or, when false, probabilities. */
  fromLogits?: boolean;
  /** With `fromLogits: false` only: probabilities are clipped to [eps, 1 - eps]. Default 1e-7. */
  eps?: number;
  /** Targets are smoothed before the loss. In [0, 1). Default 0. */
  labelSmoothing?: number;
  /** With `reduction: "mean"`: divide the sum by this instead of the count (RetinaNet). Default null. */
  normalizer?: number | null;
  /**
   * Poly-1 (Leng et al., PolyLoss, ICLR 2022): adds `polyEpsilon * (1 - p_t)^(gamma + 1)` to each
   * position's loss, not multiplied by alpha. A finite number >= -1. Default 0 (no term).
   * Beyond the 1.1 base: an adapter must declare it (see adapter-declaration.ts).
   */
  polyEpsilon?: number;
}

export interface SigmoidFocalLossOptions extends CommonFocalLossOptions {
  /** Class balance in [0, 1]: positives weigh alpha, negatives 1 - alpha. `null` disables it. Default 0.25. */
  alpha?: number | null;
  /**
   * A peer library's defaults and conventions by name (presets.ts); explicit options win over it.
   * Beyond the 1.1 base (adapter-declaration.ts).
   */
  preset?: PresetName;
  /**
   * Weight of the positive term of the cross-entropy, as BCEWithLogitsLoss(pos_weight) and kornia:
   * ce = -posWeight t log p - (1 - t) log(1 - p). A number >= 0, or one per class along `axis`. Default 1.
   */
  posWeight?: number | readonly number[];
  /** Targets (float, int32 or class indices) equal to this contribute 0 and are not counted. Default null. */
  ignoreIndex?: number | null;
  /** The class axis, for a per-class posWeight and for int32 class-index targets. Default -1. */
  axis?: number;
}

export interface SoftmaxFocalLossOptions extends CommonFocalLossOptions {
  /** A scalar weight for every class, one weight per class, or `null` (1). Default 0.25. */
  alpha?: number | readonly number[] | null;
  /** The class axis of `input`. Default -1. */
  axis?: number;
  /** Integer targets equal to this contribute 0 and are not counted by the mean. Default null. */
  ignoreIndex?: number | null;
  /** A peer library's defaults and conventions by name (presets.ts); explicit options win over it. */
  preset?: PresetName;
  /**
   * With `fromLogits: false`: divide each row by its sum along the class axis before the clip, as
   * Keras' CategoricalFocalCrossentropy does (the gradient flows through the division). Default false.
   */
  normalizeProbabilities?: boolean;
}

export interface ResolvedCommonOptions {
  readonly gamma: number;
  readonly reduction: Reduction;
  readonly fromLogits: boolean;
  readonly eps: number;
  readonly labelSmoothing: number;
  readonly normalizer: number | null;
  readonly polyEpsilon: number;
}

export interface ResolvedSigmoidOptions extends ResolvedCommonOptions {
  readonly alpha: number | null;
  readonly preset: PresetName | null;
  readonly posWeight: number | readonly number[];
  readonly ignoreIndex: number | null;
  readonly axis: number;
  /** True when the caller gave `axis` (not a preset): without a use for it, it is an option without effect. */
  readonly axisGiven?: boolean;
}

export interface ResolvedSoftmaxOptions extends ResolvedCommonOptions {
  readonly alpha: number | readonly number[] | null;
  readonly axis: number;
  readonly ignoreIndex: number | null;
  readonly preset: PresetName | null;
  /** Only ever true with fromLogits false (a preset's true is dropped with logits). */
  readonly normalizeProbabilities: boolean;
  /**
   * True when ignoreIndex came from the preset rather than the caller: with float targets it is then
   * dropped instead of being an option without effect.
   */
  readonly ignoreIndexFromPreset?: boolean;
}

export const COMMON_DEFAULTS: ResolvedCommonOptions = Object.freeze({
  gamma: 2,
  reduction: 'mean',
  fromLogits: true,
  eps: 1e-7,
  labelSmoothing: 0,
  normalizer: null,
  polyEpsilon: 0,
});

export const SIGMOID_DEFAULTS: ResolvedSigmoidOptions = Object.freeze({
  ...COMMON_DEFAULTS,
  alpha: 0.25,
  preset: null,
  posWeight: 1,
  ignoreIndex: null,
  axis: -1,
});

export const SOFTMAX_DEFAULTS: ResolvedSoftmaxOptions = Object.freeze({
  ...COMMON_DEFAULTS,
  alpha: 0.25,
  axis: -1,
  ignoreIndex: null,
  preset: null,
  normalizeProbabilities: false,
});

export const SIGMOID_OPTION_NAMES: readonly string[] = Object.keys(SIGMOID_DEFAULTS);
export const SOFTMAX_OPTION_NAMES: readonly string[] = Object.keys(SOFTMAX_DEFAULTS);

function invalid(name: string, value: unknown, expected: string): FocalLossError {
  return new FocalLossError(
    'INVALID_OPTION',
    `option "${name}" must be ${expected}, got ${describeValue(value)}`,
  );
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function readGamma(value: unknown): number {
  if (!isFiniteNumber(value) || value < 0) throw invalid('gamma', value, 'a finite number >= 0');
  return value;
}

function readScalarAlpha(value: unknown, name = 'alpha'): number {
  if (!isFiniteNumber(value) || value < 0 || value > 1) {
    throw invalid(name, value, 'a number in [0, 1]');
  }
  return value;
}

function readReduction(value: unknown): Reduction {
  if (typeof value !== 'string' || !(REDUCTIONS as readonly string[]).includes(value)) {
    throw invalid('reduction', value, 'one of "none", "mean", "sum"');
  }
  return value as Reduction;
}

function readBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(name, value, 'a boolean');
  return value;
}

function readEps(value: unknown): number {
  if (!isFiniteNumber(value) || value <= 0 || value >= 0.5) {
    throw invalid('eps', value, 'a number in (0, 0.5)');
  }
  return value;
}

function readLabelSmoothing(value: unknown): number {
  if (!isFiniteNumber(value) || value < 0 || value >= 1) {
    throw invalid('labelSmoothing', value, 'a number in [0, 1)');
  }
  return value;
}

function readNormalizer(value: unknown): number | null {
  if (value === null) return null;
  if (!isFiniteNumber(value) || value <= 0) {
    throw invalid('normalizer', value, 'a finite number > 0, or null');
  }
  return value;
}

/** Poly-1's epsilon in the paper's domain, >= -1 (with gamma 0 and no alpha the loss then stays >= 0). */
function readPolyEpsilon(value: unknown): number {
  if (!isFiniteNumber(value) || value < -1) throw invalid('polyEpsilon', value, 'a finite number >= -1');
  return value === 0 ? 0 : value; // -0 is 0: no term
}

function readInteger(name: string, value: unknown): number {
  if (!Number.isSafeInteger(value)) throw invalid(name, value, 'an integer');
  return value as number;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * ignoreIndex is compared with int32 targets, so it must itself be an int32: a larger value would
 * wrap (4294967297 becomes 1) in a backend that stores it as int32.
 */
function readIgnoreIndex(value: unknown): number | null {
  if (value === null) return null;
  if (!Number.isSafeInteger(value) || (value as number) < INT32_MIN || (value as number) > INT32_MAX) {
    throw invalid('ignoreIndex', value, `an integer in [${INT32_MIN}, ${INT32_MAX}], or null`);
  }
  return value as number;
}

/** Per-class alpha: a dense array of numbers in [0, 1]; a hole is named, never read as undefined. */
function readAlphaArray(alpha: readonly unknown[]): readonly number[] {
  return readDenseArray('alpha', alpha, 'a number in [0, 1]', readScalarAlpha);
}

function readDenseArray(
  name: string,
  values: readonly unknown[],
  expected: string,
  readEntry: (value: unknown, name: string) => number,
): readonly number[] {
  const entries: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (!(i in values)) throw invalid(`${name}[${i}]`, values, `${expected} (the array has a hole there)`);
    entries.push(readEntry(values[i], `${name}[${i}]`));
  }
  return Object.freeze(entries);
}

function readPosWeightEntry(value: unknown, name = 'posWeight'): number {
  if (!isFiniteNumber(value) || value < 0) throw invalid(name, value, 'a finite number >= 0');
  return value;
}

/** posWeight: a number >= 0, or one per class (a dense array; its length is checked with the shapes). */
function readPosWeight(value: unknown): number | readonly number[] {
  if (Array.isArray(value)) return readDenseArray('posWeight', value, 'a finite number >= 0', readPosWeightEntry);
  if (typeof value !== 'number') throw invalid('posWeight', value, 'a finite number >= 0, or an array of them (one per class)');
  return readPosWeightEntry(value);
}

/** A plain object: `{}` or `Object.create(null)`, not an array, Map, class instance or function. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The options argument: absent, or a plain object. Anything else (null, 5, true, [], a function,
 * a Map) is an error rather than silently read as "no options".
 */
function readOptionsObject(options: unknown, op: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlainObject(options)) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `${op} options must be a plain object or absent, got ${describeValue(options)}`,
    );
  }
  return options;
}

export type LossOpName = 'sigmoid_focal_loss' | 'softmax_focal_loss';

/**
 * Step 1 of every call: checks that `options` is a plain object (or absent) and splits the
 * adapter's own keys (weight, gradient, out, ...) from the loss options, which the op's resolver
 * then checks (unknown names included).
 */
export function splitCallOptions(
  options: unknown,
  op: LossOpName,
  adapterKeys: readonly string[],
): { adapter: Record<string, unknown>; loss: Record<string, unknown> } {
  const raw = readOptionsObject(options, op);
  const adapter: Record<string, unknown> = {};
  const loss: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (adapterKeys.includes(key)) adapter[key] = raw[key];
    else loss[key] = raw[key];
  }
  return { adapter, loss };
}

/** A boolean adapter option: `undefined` takes the fallback; anything but a boolean is an error. */
export function readBooleanOption(name: string, value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : readBoolean(name, value);
}

function rejectUnknown(
  options: Record<string, unknown>,
  known: readonly string[],
  op: string,
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new FocalLossError(
        'INVALID_OPTION',
        `unknown option "${key}" for ${op} (known: ${known.join(', ')})`,
      );
    }
  }
}

/** `undefined` means "not given": the default applies, as for a missing key. */
function pick<T>(options: Record<string, unknown>, name: string, fallback: T): unknown {
  const value = options[name];
  return value === undefined ? fallback : value;
}

function resolveCommon(options: Record<string, unknown>, d: ResolvedCommonOptions = COMMON_DEFAULTS): ResolvedCommonOptions {
  const resolved: ResolvedCommonOptions = {
    gamma: readGamma(pick(options, 'gamma', d.gamma)),
    reduction: readReduction(pick(options, 'reduction', d.reduction)),
    fromLogits: readBoolean('fromLogits', pick(options, 'fromLogits', d.fromLogits)),
    eps: readEps(pick(options, 'eps', d.eps)),
    labelSmoothing: readLabelSmoothing(pick(options, 'labelSmoothing', d.labelSmoothing)),
    normalizer: readNormalizer(pick(options, 'normalizer', d.normalizer)),
    polyEpsilon: readPolyEpsilon(pick(options, 'polyEpsilon', d.polyEpsilon)),
  };
  // Options that would silently have no effect are errors (contract 1.1): the caller meant
  // something the call would not do.
  if (resolved.normalizer !== null && resolved.reduction !== 'mean') {
    throw invalid('normalizer', resolved.normalizer, `null with reduction "${resolved.reduction}" (it only divides a "mean")`);
  }
  if (options.eps !== undefined && resolved.fromLogits) {
    throw invalid('eps', resolved.eps, 'left out with fromLogits: true (it only clips probabilities)');
  }
  return resolved;
}

/**
 * Validates and completes the options of `sigmoid_focal_loss`. Unknown names are an error, so a
 * typo such as `gama` cannot silently fall back to a default.
 */
export function resolveSigmoidOptions(options?: unknown): ResolvedSigmoidOptions {
  const raw = readOptionsObject(options, 'sigmoid_focal_loss');
  rejectUnknown(raw, SIGMOID_OPTION_NAMES, 'sigmoid_focal_loss');
  // A preset replaces defaults only: what the caller gives explicitly is read (and checked) as usual.
  const preset = presetDefaults('sigmoid_focal_loss', raw.preset);
  const d: ResolvedSigmoidOptions = { ...SIGMOID_DEFAULTS, ...preset.defaults };
  const alpha = pick(raw, 'alpha', d.alpha);
  return {
    ...resolveCommon(raw, d),
    alpha: alpha === null ? null : readScalarAlpha(alpha),
    preset: preset.name,
    posWeight: readPosWeight(pick(raw, 'posWeight', d.posWeight)),
    ignoreIndex: readIgnoreIndex(pick(raw, 'ignoreIndex', d.ignoreIndex)),
    axis: readInteger('axis', pick(raw, 'axis', d.axis)),
    ...(raw.axis !== undefined ? { axisGiven: true } : {}),
  };
}

/** Validates and completes the options of `softmax_focal_loss`. */
export function resolveSoftmaxOptions(options?: unknown): ResolvedSoftmaxOptions {
  const raw = readOptionsObject(options, 'softmax_focal_loss');
  rejectUnknown(raw, SOFTMAX_OPTION_NAMES, 'softmax_focal_loss');
  const preset = presetDefaults('softmax_focal_loss', raw.preset);
  const d: ResolvedSoftmaxOptions = { ...SOFTMAX_DEFAULTS, ...preset.defaults };
  const alpha = pick(raw, 'alpha', d.alpha);
  let resolvedAlpha: number | readonly number[] | null;
  if (alpha === null) resolvedAlpha = null;
  else if (Array.isArray(alpha)) resolvedAlpha = readAlphaArray(alpha);
  else resolvedAlpha = readScalarAlpha(alpha);
  const common = resolveCommon(raw, d);
  const normalize = readBoolean('normalizeProbabilities', pick(raw, 'normalizeProbabilities', d.normalizeProbabilities));
  // Explicitly asked for with logits it would do nothing (softmax rows already sum to 1): an error, as
  // eps with logits. A preset's default (keras) simply does not apply to logits.
  if (normalize && common.fromLogits && raw.normalizeProbabilities !== undefined) {
    throw invalid('normalizeProbabilities', normalize, 'false or left out with fromLogits: true (it only divides probabilities by their row sum)');
  }
  const ignoreIndex = readIgnoreIndex(pick(raw, 'ignoreIndex', d.ignoreIndex));
  return {
    ...common,
    alpha: resolvedAlpha,
    axis: readInteger('axis', pick(raw, 'axis', d.axis)),
    ignoreIndex,
    preset: preset.name,
    normalizeProbabilities: normalize && !common.fromLogits,
    ...(ignoreIndex !== null && raw.ignoreIndex === undefined ? { ignoreIndexFromPreset: true } : {}),
  };
}

/** Per-class weights for C classes: the scalar repeated, the array itself, or ones. */
export function classWeights(alpha: number | readonly number[] | null, classes: number): Float64Array {
  const weights = new Float64Array(classes);
  if (alpha === null) weights.fill(1);
  else if (typeof alpha === 'number') weights.fill(alpha);
  else weights.set(alpha);
  return weights;
}
