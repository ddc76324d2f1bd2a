/**
 * Asymmetric Loss (Ridnik et al.; Alibaba-MIIL/ASL `AsymmetricLoss`) as ONNX nodes, after core's
 * family/asymmetric.ts, with the margin m ("clip") a number the graph reads (so clip 0 and clip > 0
 * share one graph):
 *   t = 1:  loss = q^gp softplus(-x)                 d/dx = -q^gp (gp p softplus(-x) + q)
 *   t = 0:  p_m = p - m where p > m (else loss 0, gradient 0)
 *           loss = p_m^gn nlog,  nlog = -log(1 - p_m)
 *           d/dx = p_m^gn (gn q p (nlog / p_m) + p q / (q + m))
 * nlog is -log1p(-p_m) while p_m < 1/2 (no cancellation when p is just above m), else -log(q + m),
 * or softplus(x) when m = 0 (q underflows float32 at x > 103, softplus does not). The core's
 * gradient p q p_m^gn (gn nlog / p_m + 1 / (1 - p_m)) is regrouped so that every factor stays
 * finite at m = 0 and x -> +Infinity: q nlog is an absent term where q = 0, and q / (q + m) is 1
 * where both are 0 (the limit, gradient 1).
 */
import type { BodyEmitter } from '../body-emitter.js';
import { log1p, mulAbsentIfZero, type BodyIO, type BodyOutputs } from '../body-common.js';
import { logisticNodes } from '../logistic-nodes.js';
import { emitElementwise, zeroKeepingNaN, type FamilyVariant } from './elementwise.js';

export function emitAsymmetricBody(b: BodyEmitter, v: FamilyVariant, io: BodyIO, out: BodyOutputs): void {
  const zero = b.float(0);
  const one = b.float(1);
  const l = logisticNodes(b, io.input);
  const positive = b.op('Equal', [io.target, one]);
  const gammaPos = b.param('gammaPos', 'float');
  const gammaNeg = b.param('gammaNeg', 'float');
  const clip = b.param('clip', 'float');
  const focalPositive = b.op('Pow', [l.q, gammaPos]);
  // the negatives' margin: p_m > 0 only where p > m; elsewhere the branch is 0 (NaN for a NaN logit)
  const aboveMargin = b.op('Greater', [l.p, clip]);
  const pm = b.op('Sub', [l.p, clip]); // exact while p <= 2m (Sterbenz)
  const oneMinusPm = b.op('Add', [l.q, clip]);
  const noMargin = b.op('Equal', [clip, zero]);
  const nlog = b.op('Where', [
    b.op('Less', [pm, b.float(0.5)]),
    b.op('Neg', [log1p(b, b.op('Neg', [pm]))]),
    b.op('Where', [noMargin, l.softplusPos, b.op('Neg', [b.op('Log', [oneMinusPm])])]),
  ]);
  const focalNegative = b.op('Pow', [pm, gammaNeg]);
  const notAbove = zeroKeepingNaN(b, l.p);
  emitElementwise(b, v, io, out, {
    loss: () => {
      const lossPositive = b.op('Mul', [focalPositive, l.softplusNeg]);
      const lossNegative = b.op('Where', [aboveMargin, b.op('Mul', [focalNegative, nlog]), notAbove]);
      return b.op('Where', [positive, lossPositive, lossNegative]);
    },
    grad: () => {
      // p softplus(-x) -> 0 as x -> -Infinity (p = 0 there)
      const pSoftplus = mulAbsentIfZero(b, l.p, l.softplusNeg);
      const gradPositive = b.op('Neg', [b.op('Mul', [focalPositive, b.op('Add', [b.op('Mul', [gammaPos, pSoftplus]), l.q])])]);
      const qpRatio = mulAbsentIfZero(b, l.q, b.op('Mul', [l.p, b.op('Div', [nlog, pm])]));
      const qOverOneMinusPm = b.op('Where', [b.op('Equal', [oneMinusPm, zero]), one, b.op('Div', [l.q, oneMinusPm])]);
      const inner = b.op('Add', [b.op('Mul', [gammaNeg, qpRatio]), b.op('Mul', [l.p, qOverOneMinusPm])]);
      const gradNegative = b.op('Where', [aboveMargin, b.op('Mul', [focalNegative, inner]), notAbove]);
      return b.op('Where', [positive, gradPositive, gradNegative]);
    },
  });
}
