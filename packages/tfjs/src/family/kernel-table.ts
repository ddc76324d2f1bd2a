/**
 * The focal-loss family's fused kernels in one table (issue 15): for each op of @focal-loss/core's
 * family (sigmoid_focal_loss_star, quality_focal_loss, varifocal_loss, asymmetric_loss) its kernel
 * name, the attributes a call passes (the op's resolved numbers, as tfjs attributes) and the core's
 * fused loop that computes loss and gradient in one pass (the same code as @focal-loss/typed-array).
 * A new op is a row here, not a branch in every file (as onnxruntime's op-resolve-rules).
 *
 * Only host backends (cpu, wasm) get kernels: on webgl / webgpu the family runs the composite
 * formulation (./composite-elements.ts), whose gradient is analytic too.
 */
import {
  asymmetricLoop,
  binaryAlphaPair,
  focalLossStarLoop,
  qualityFocalLoop,
  varifocalLoop,
  type FamilyLoopBase,
  type FamilyOpName,
  type ResolvedFamilyOptionsByOp,
} from '@focal-loss/core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';

/** The op's own numbers, as kernel attributes. */
export type FamilyOpAttrs = Record<string, number | boolean>;

/** What every family kernel takes besides the op's numbers. */
export interface FamilyKernelAttrs extends NamedAttrMap {
  /** "mean" and "sum" return a scalar (reduced in compensated float64, then scaled). */
  reduction: 'none' | 'mean' | 'sum';
  /** Also compute the scaled gradient (second output); false when no gradient tape records. */
  gradient: boolean;
  /** The reduction's factor (reductionScale), on the reduced loss and on every gradient. */
  scale: number;
  /** The op's numbers (attrsOf below). */
  op: FamilyOpAttrs;
}

export interface FamilyKernelRow<Op extends FamilyOpName = FamilyOpName> {
  readonly op: Op;
  readonly kernelName: string;
  /** The op's numbers from its resolved options. */
  attrsOf(options: ResolvedFamilyOptionsByOp[Op]): FamilyOpAttrs;
  /** The core's fused loop; returns the compensated sum of weighted losses when lossOut is null. */
  loop(base: FamilyLoopBase, attrs: FamilyOpAttrs): number;
}

const n = (attrs: FamilyOpAttrs, name: string): number => attrs[name] as number;

const starRow: FamilyKernelRow<'sigmoid_focal_loss_star'> = {
  op: 'sigmoid_focal_loss_star',
  kernelName: 'FocalLossStarFused',
  attrsOf: (o) => {
    const [alphaPos, alphaNeg] = binaryAlphaPair(o.alpha);
    return { gamma: o.gamma, beta: o.beta, alphaPos, alphaNeg };
  },
  loop: (base, a) =>
    focalLossStarLoop({ ...base, gamma: n(a, 'gamma'), beta: n(a, 'beta'), alphaPos: n(a, 'alphaPos'), alphaNeg: n(a, 'alphaNeg') }),
};

const qualityRow: FamilyKernelRow<'quality_focal_loss'> = {
  op: 'quality_focal_loss',
  kernelName: 'QualityFocalLossFused',
  attrsOf: (o) => ({ beta: o.beta }),
  loop: (base, a) => qualityFocalLoop({ ...base, beta: n(a, 'beta') }),
};

const varifocalRow: FamilyKernelRow<'varifocal_loss'> = {
  op: 'varifocal_loss',
  kernelName: 'VarifocalLossFused',
  attrsOf: (o) => ({ alpha: o.alpha, gamma: o.gamma, iouWeighted: o.iouWeighted }),
  loop: (base, a) => varifocalLoop({ ...base, alpha: n(a, 'alpha'), gamma: n(a, 'gamma'), iouWeighted: a.iouWeighted === true }),
};

const asymmetricRow: FamilyKernelRow<'asymmetric_loss'> = {
  op: 'asymmetric_loss',
  kernelName: 'AsymmetricLossFused',
  attrsOf: (o) => ({ gammaPos: o.gammaPos, gammaNeg: o.gammaNeg, clip: o.clip }),
  loop: (base, a) => asymmetricLoop({ ...base, gammaPos: n(a, 'gammaPos'), gammaNeg: n(a, 'gammaNeg'), clip: n(a, 'clip') }),
};

export const FAMILY_KERNEL_TABLE: { readonly [Op in FamilyOpName]: FamilyKernelRow<Op> } = {
  sigmoid_focal_loss_star: starRow,
  quality_focal_loss: qualityRow,
  varifocal_loss: varifocalRow,
  asymmetric_loss: asymmetricRow,
};

export const FAMILY_KERNEL_ROWS: readonly FamilyKernelRow[] = Object.values(FAMILY_KERNEL_TABLE) as FamilyKernelRow[];
