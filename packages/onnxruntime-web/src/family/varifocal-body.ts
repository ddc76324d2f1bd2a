/**
 * Varifocal Loss (VarifocalNet; mmdet `VarifocalLoss`) as ONNX nodes, after core's family/varifocal.ts:
 *   t > 0:  loss = w ce(x, t)                 d/dx = w (p (1 - t) - q t)        w = t (iouWeighted) or 1
 *   t = 0:  loss = alpha p^gamma softplus(x)  d/dx = alpha p^gamma (gamma q softplus(x) + p)
 * Both branches are computed and a Where picks one (no 0 * NaN between them). p^(gamma - 1) never
 * appears, so gamma in [0, 1) stays finite at p -> 0. At infinite logits the products of a zero
 * factor and softplus = +Infinity are absent terms (Wheres), giving the core's limits.
 */
import type { BodyEmitter } from '../body-emitter.js';
import { mulAbsentIfZero, type BodyIO, type BodyOutputs } from '../body-common.js';
import { crossEntropyNodes, logisticNodes } from '../logistic-nodes.js';
import { emitElementwise, type FamilyVariant } from './elementwise.js';

export function emitVarifocalBody(b: BodyEmitter, v: FamilyVariant, io: BodyIO, out: BodyOutputs): void {
  const t = io.target;
  const t1 = b.op('Sub', [b.float(1), t]);
  const l = logisticNodes(b, io.input);
  const positive = b.op('Greater', [t, b.float(0)]);
  const iouWeight = v.iouWeighted === true ? t : null;
  const focal = b.op('Mul', [b.param('alpha', 'float'), b.op('Pow', [l.p, b.param('gamma', 'float')])]);
  emitElementwise(b, v, io, out, {
    loss: () => {
      const ce = crossEntropyNodes(b, l, t, t1);
      const lossPositive = iouWeight === null ? ce : b.op('Mul', [iouWeight, ce]);
      // alpha = 0 at x = +Infinity: 0, not 0 * Infinity
      const lossNegative = mulAbsentIfZero(b, focal, l.softplusPos);
      return b.op('Where', [positive, lossPositive, lossNegative]);
    },
    grad: () => {
      const direct = b.op('Sub', [b.op('Mul', [l.p, t1]), b.op('Mul', [l.q, t])]);
      const gradPositive = iouWeight === null ? direct : b.op('Mul', [iouWeight, direct]);
      // q softplus(x) -> 0 as x -> +Infinity (q = 0 there)
      const qSoftplus = mulAbsentIfZero(b, l.q, l.softplusPos);
      const gradNegative = b.op('Mul', [focal, b.op('Add', [b.op('Mul', [b.param('gamma', 'float'), qSoftplus]), l.p])]);
      return b.op('Where', [positive, gradPositive, gradNegative]);
    },
  });
}
