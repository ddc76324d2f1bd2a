/**
 * The focal-loss family (issue 15) in this package, one row per op (style example 6: variants
 * through a table, not branches): the names of its model-local functions, the numbers its body
 * reads (attributes, or run-time inputs), its structure beyond the common choices, and its body.
 * Options, defaults and validation are @focal-loss/core's (family/options.ts).
 */
import type { FamilyOpName, ResolvedFamilyOptionsByOp } from '@focal-loss/core';
import type { BodyEmitter, ParamValue } from '../body-emitter.js';
import type { BodyIO, BodyOutputs } from '../body-common.js';
import { emitAsymmetricBody } from './asymmetric-body.js';
import type { FamilyVariant } from './elementwise.js';
import { emitFocalLossStarBody } from './focal-star-body.js';
import { emitQualityFocalBody } from './quality-focal-body.js';
import { emitVarifocalBody } from './varifocal-body.js';

export interface FamilyOpRow<Op extends FamilyOpName> {
  /** Names of the model-local functions (loss and gradient) in the custom domain. */
  readonly names: { readonly loss: string; readonly grad: string };
  /** The op's numbers (besides the normalizer): attribute values, or values fed as inputs. */
  values(options: ResolvedFamilyOptionsByOp[Op]): Record<string, ParamValue>;
  /** The op's structural choices beyond reduction, weight and normalizer. */
  structure(options: ResolvedFamilyOptionsByOp[Op]): Partial<FamilyVariant>;
  emit(b: BodyEmitter, v: FamilyVariant, io: BodyIO, out: BodyOutputs): void;
}

export const FAMILY_TABLE: { readonly [Op in FamilyOpName]: FamilyOpRow<Op> } = {
  sigmoid_focal_loss_star: {
    names: { loss: 'SigmoidFocalLossStar', grad: 'SigmoidFocalLossStarGrad' },
    values: (o) => {
      const values: Record<string, ParamValue> = { gamma: o.gamma, beta: o.beta };
      if (o.alpha !== null) values.alpha = o.alpha;
      return values;
    },
    structure: (o) => ({ hasAlpha: o.alpha !== null }),
    emit: emitFocalLossStarBody,
  },
  quality_focal_loss: {
    names: { loss: 'QualityFocalLoss', grad: 'QualityFocalLossGrad' },
    values: (o) => ({ beta: o.beta }),
    structure: () => ({}),
    emit: emitQualityFocalBody,
  },
  varifocal_loss: {
    names: { loss: 'VarifocalLoss', grad: 'VarifocalLossGrad' },
    values: (o) => ({ alpha: o.alpha, gamma: o.gamma }),
    structure: (o) => ({ iouWeighted: o.iouWeighted }),
    emit: emitVarifocalBody,
  },
  asymmetric_loss: {
    names: { loss: 'AsymmetricLoss', grad: 'AsymmetricLossGrad' },
    values: (o) => ({ gammaPos: o.gammaPos, gammaNeg: o.gammaNeg, clip: o.clip }),
    structure: () => ({}),
    emit: emitAsymmetricBody,
  },
};
