/**
 * What the family bodies share: every family op is elementwise like sigmoid_focal_loss (target and
 * weight of the input's shape, logits only), so after its per-element loss and gradient they all
 * end the same way as core's family/loop.ts: loss * weight by IEEE, then the reduction (the
 * accurate blocked sum of body-common.ts), and gradient * weight * scale.
 */
import type { BodyEmitter } from '../body-emitter.js';
import {
  emitReducedLoss,
  reductionScale,
  scaled,
  sizeAsFloat,
  type BodyIO,
  type BodyOutputs,
  type CommonVariant,
} from '../body-common.js';

/** The structure of a family body: the common choices and the op's own structural options. */
export interface FamilyVariant extends CommonVariant {
  /** sigmoid_focal_loss_star: false when alpha is null (alpha_t = 1, no alpha attribute). */
  readonly hasAlpha?: boolean;
  /** varifocal_loss: positives weighted by their IoU target (true) or by 1. */
  readonly iouWeighted?: boolean;
}

/**
 * The per-element loss and gradient of one op, emitted on demand: a function body holds the loss
 * or the gradient, never both, and emits only what that output needs.
 */
export interface ElementNodes {
  loss(): string;
  grad(): string;
}

export function emitElementwise(b: BodyEmitter, v: CommonVariant, io: BodyIO, out: BodyOutputs, element: ElementNodes): void {
  const scale = reductionScale(b, v, () => sizeAsFloat(b, io.input));
  if (out.loss !== null) {
    emitReducedLoss(b, v, scaled(b, element.loss(), [io.weight]), scale, out.loss);
  }
  if (out.gradInput !== null) {
    b.opNamed('Identity', [scaled(b, element.grad(), [io.weight, scale])], out.gradInput);
  }
}

/**
 * 0 with the NaN of `probability` (p * 0): the value of a branch whose formula does not apply
 * (ASL's negatives at p <= clip), which must still let a NaN logit through, as the core does.
 */
export function zeroKeepingNaN(b: BodyEmitter, probability: string): string {
  return b.op('Mul', [probability, b.float(0)]);
}
