/**
 * Options of the focal-loss family (issue 15): sigmoid_focal_loss_star (FL*), quality_focal_loss
 * (QFL), varifocal_loss (VFL) and asymmetric_loss (ASL). Each op has its own option names, with the
 * defaults of the reference implementation it maps to (docs/math.md), except `reduction`, which is
 * "mean" across the project. Checked as strictly as the focal ops (contract 1.1): unknown names,
 * wrong types and out-of-range values are INVALID_OPTION; `normalizer` only with "mean".
 */
import { FocalLossError, describeValue } from '../errors.js';
import { REDUCTIONS, isPlainObject, type Reduction } from '../options.js';

export type FamilyOpName = 'sigmoid_focal_loss_star' | 'quality_focal_loss' | 'varifocal_loss' | 'asymmetric_loss';

export const FAMILY_OPS: readonly FamilyOpName[] = [
  'sigmoid_focal_loss_star',
  'quality_focal_loss',
  'varifocal_loss',
  'asymmetric_loss',
];

/** Options every family op takes. */
export interface FamilyCommonOptions {
  /** Reduction of the per-element loss. Default "mean". */
  reduction?: Reduction;
  /** With reduction "mean" only: divide the sum by this instead of the count (mmdet's avg_factor). */
  normalizer?: number | null;
}

/** FL* (Lin et al. 2017, appendix A): loss = alpha_t softplus(-(gamma x_t + beta)) / gamma, x_t = x (2t - 1). */
export interface FocalLossStarOptions extends FamilyCommonOptions {
  /** gamma > 0. Default 1 (fvcore). */
  gamma?: number;
  /** The shift beta of the paper, any finite number. Default 0 (fvcore has none). */
  beta?: number;
  /** Class balance in [0, 1], or null for none. Default null (fvcore's alpha = -1). */
  alpha?: number | null;
}

/** QFL (Li et al. 2020): loss = |t - p|^beta * ce(x, t), t the soft (IoU) target. */
export interface QualityFocalLossOptions extends FamilyCommonOptions {
  /** beta >= 0. Default 2 (mmdet). */
  beta?: number;
}

/** VFL (Zhang et al. 2021): positives t * ce (t > 0), negatives alpha p^gamma ce (t = 0). */
export interface VarifocalLossOptions extends FamilyCommonOptions {
  /** Weight of the negatives, finite and >= 0. Default 0.75 (mmdet). */
  alpha?: number;
  /** gamma >= 0. Default 2. */
  gamma?: number;
  /** Weight positives by their IoU target t (else by 1). Default true. */
  iouWeighted?: boolean;
}

/** ASL (Ridnik et al. 2021): positives q^gammaPos ce, negatives p_m^gammaNeg ce with p_m = max(p - clip, 0). */
export interface AsymmetricLossOptions extends FamilyCommonOptions {
  /** gammaPos >= 0. Default 1 (Alibaba-MIIL/ASL). */
  gammaPos?: number;
  /** gammaNeg >= 0. Default 4. */
  gammaNeg?: number;
  /** The probability margin m in [0, 1) shifted off negatives; 0 turns it off. Default 0.05. */
  clip?: number;
}

export interface ResolvedFamilyCommon {
  readonly reduction: Reduction;
  readonly normalizer: number | null;
}
export interface ResolvedFocalLossStarOptions extends ResolvedFamilyCommon {
  readonly gamma: number;
  readonly beta: number;
  readonly alpha: number | null;
}
export interface ResolvedQualityFocalLossOptions extends ResolvedFamilyCommon {
  readonly beta: number;
}
export interface ResolvedVarifocalLossOptions extends ResolvedFamilyCommon {
  readonly alpha: number;
  readonly gamma: number;
  readonly iouWeighted: boolean;
}
export interface ResolvedAsymmetricLossOptions extends ResolvedFamilyCommon {
  readonly gammaPos: number;
  readonly gammaNeg: number;
  readonly clip: number;
}

export interface FamilyOptionsByOp {
  sigmoid_focal_loss_star: FocalLossStarOptions;
  quality_focal_loss: QualityFocalLossOptions;
  varifocal_loss: VarifocalLossOptions;
  asymmetric_loss: AsymmetricLossOptions;
}
export interface ResolvedFamilyOptionsByOp {
  sigmoid_focal_loss_star: ResolvedFocalLossStarOptions;
  quality_focal_loss: ResolvedQualityFocalLossOptions;
  varifocal_loss: ResolvedVarifocalLossOptions;
  asymmetric_loss: ResolvedAsymmetricLossOptions;
}

const COMMON: ResolvedFamilyCommon = { reduction: 'mean', normalizer: null };

export const FAMILY_DEFAULTS: { readonly [Op in FamilyOpName]: ResolvedFamilyOptionsByOp[Op] } = Object.freeze({
  sigmoid_focal_loss_star: Object.freeze({ ...COMMON, gamma: 1, beta: 0, alpha: null }),
  quality_focal_loss: Object.freeze({ ...COMMON, beta: 2 }),
  varifocal_loss: Object.freeze({ ...COMMON, alpha: 0.75, gamma: 2, iouWeighted: true }),
  asymmetric_loss: Object.freeze({ ...COMMON, gammaPos: 1, gammaNeg: 4, clip: 0.05 }),
});

/** The option names of each op (what a fixture of that op may give). */
export const FAMILY_OPTION_NAMES: { readonly [Op in FamilyOpName]: readonly string[] } = Object.freeze({
  sigmoid_focal_loss_star: Object.keys(FAMILY_DEFAULTS.sigmoid_focal_loss_star),
  quality_focal_loss: Object.keys(FAMILY_DEFAULTS.quality_focal_loss),
  varifocal_loss: Object.keys(FAMILY_DEFAULTS.varifocal_loss),
  asymmetric_loss: Object.keys(FAMILY_DEFAULTS.asymmetric_loss),
});

export function isFamilyOp(op: unknown): op is FamilyOpName {
  return typeof op === 'string' && (FAMILY_OPS as readonly string[]).includes(op);
}

function invalid(name: string, value: unknown, expected: string): FocalLossError {
  return new FocalLossError('INVALID_OPTION', `option "${name}" must be ${expected}, got ${describeValue(value)}`);
}

type Check = (value: unknown) => boolean;
const finite: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const nonNegative: Check = (v) => finite(v) && (v as number) >= 0;

function read<T>(options: Record<string, unknown>, name: string, fallback: T, ok: Check, expected: string): T {
  const value = options[name];
  if (value === undefined) return fallback; // "not given", as for a missing key
  if (!ok(value)) throw invalid(name, value, expected);
  return value as T;
}

/**
 * Step 1 of a family call (as `splitCallOptions` for the focal ops): `options` must be a plain
 * object or absent; the adapter's own keys are split from the loss options.
 */
export function splitFamilyCallOptions(
  options: unknown,
  op: FamilyOpName,
  adapterKeys: readonly string[],
): { adapter: Record<string, unknown>; loss: Record<string, unknown> } {
  const adapter: Record<string, unknown> = {};
  const loss: Record<string, unknown> = {};
  if (options === undefined) return { adapter, loss };
  if (!isPlainObject(options)) {
    throw new FocalLossError('INVALID_OPTION', `${op} options must be a plain object or absent, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (adapterKeys.includes(key)) adapter[key] = options[key];
    else loss[key] = options[key];
  }
  return { adapter, loss };
}

function resolveCommon(raw: Record<string, unknown>): ResolvedFamilyCommon {
  const reduction = read<Reduction>(raw, 'reduction', 'mean', (v) => (REDUCTIONS as readonly unknown[]).includes(v), 'one of "none", "mean", "sum"');
  const normalizer = read<number | null>(raw, 'normalizer', null, (v) => v === null || (finite(v) && (v as number) > 0), 'a finite number > 0, or null');
  if (normalizer !== null && reduction !== 'mean') {
    throw invalid('normalizer', normalizer, `null with reduction "${reduction}" (it only divides a "mean")`);
  }
  return { reduction, normalizer };
}

/** Validates and completes the options of one family op. Unknown names are INVALID_OPTION. */
export function resolveFamilyOptions<Op extends FamilyOpName>(op: Op, options?: unknown): ResolvedFamilyOptionsByOp[Op] {
  if (options !== undefined && !isPlainObject(options)) {
    throw new FocalLossError('INVALID_OPTION', `${op} options must be a plain object or absent, got ${describeValue(options)}`);
  }
  const raw: Record<string, unknown> = options ?? {};
  const known = FAMILY_OPTION_NAMES[op];
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      throw new FocalLossError('INVALID_OPTION', `unknown option "${key}" for ${op} (known: ${known.join(', ')})`);
    }
  }
  const common = resolveCommon(raw);
  let resolved: ResolvedFamilyOptionsByOp[FamilyOpName];
  switch (op) {
    case 'sigmoid_focal_loss_star': {
      const d = FAMILY_DEFAULTS.sigmoid_focal_loss_star;
      resolved = {
        ...common,
        // FL* divides by gamma: 0 has no limit that keeps the loss a loss
        gamma: read(raw, 'gamma', d.gamma, (v) => finite(v) && (v as number) > 0, 'a finite number > 0'),
        beta: read(raw, 'beta', d.beta, finite, 'a finite number'),
        alpha: read(raw, 'alpha', d.alpha, (v) => v === null || (nonNegative(v) && (v as number) <= 1), 'a number in [0, 1], or null'),
      };
      break;
    }
    case 'quality_focal_loss':
      resolved = { ...common, beta: read(raw, 'beta', FAMILY_DEFAULTS.quality_focal_loss.beta, nonNegative, 'a finite number >= 0') };
      break;
    case 'varifocal_loss': {
      const d = FAMILY_DEFAULTS.varifocal_loss;
      resolved = {
        ...common,
        alpha: read(raw, 'alpha', d.alpha, nonNegative, 'a finite number >= 0'),
        gamma: read(raw, 'gamma', d.gamma, nonNegative, 'a finite number >= 0'),
        iouWeighted: read(raw, 'iouWeighted', d.iouWeighted, (v) => typeof v === 'boolean', 'a boolean'),
      };
      break;
    }
    case 'asymmetric_loss': {
      const d = FAMILY_DEFAULTS.asymmetric_loss;
      resolved = {
        ...common,
        gammaPos: read(raw, 'gammaPos', d.gammaPos, nonNegative, 'a finite number >= 0'),
        gammaNeg: read(raw, 'gammaNeg', d.gammaNeg, nonNegative, 'a finite number >= 0'),
        clip: read(raw, 'clip', d.clip, (v) => nonNegative(v) && (v as number) < 1, 'a number in [0, 1)'),
      };
      break;
    }
    default:
      throw new FocalLossError('INVALID_OPTION', `unknown op ${describeValue(op)} (known: ${FAMILY_OPS.join(', ')})`);
  }
  return resolved as ResolvedFamilyOptionsByOp[Op];
}
