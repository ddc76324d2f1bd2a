/**
 * Quality Focal Loss (GFL; mmdet `QualityFocalLoss`, dense targets) as ONNX nodes, after core's
 * family/quality-focal.ts:
 *   d = t q - (1 - t) p  (t - p without cancellation for t in {0, 1}),  ce = t softplus(-x) + (1 - t) softplus(x)
 *   loss = |d|^beta ce,  d/dx = -|d|^beta (d + beta (p q / d) ce),  0 where d = 0
 * At an infinite logit p q = 0 and ce may be +Infinity: the focusing term (p q / d) ce is then
 * absent (its limit 0, a Where), so the gradient is -|d|^beta d, the limit of the core's table.
 */
import type { BodyEmitter } from '../body-emitter.js';
import type { BodyIO, BodyOutputs } from '../body-common.js';
import { crossEntropyNodes, logisticNodes } from '../logistic-nodes.js';
import { emitElementwise, type FamilyVariant } from './elementwise.js';

export function emitQualityFocalBody(b: BodyEmitter, v: FamilyVariant, io: BodyIO, out: BodyOutputs): void {
  const t = io.target;
  const zero = b.float(0);
  const t1 = b.op('Sub', [b.float(1), t]);
  const l = logisticNodes(b, io.input);
  const d = b.op('Sub', [b.op('Mul', [t, l.q]), b.op('Mul', [t1, l.p])]);
  const ce = crossEntropyNodes(b, l, t, t1);
  const beta = b.param('beta', 'float');
  // |d|^beta: Pow(0, 0) = 1, and the gradient never raises |d| to beta - 1
  const modulating = b.op('Pow', [b.op('Abs', [d]), beta]);
  emitElementwise(b, v, io, out, {
    loss: () => b.op('Mul', [modulating, ce]),
    grad: () => {
      const pq = b.op('Mul', [l.p, l.q]);
      const focusing = b.op('Where', [b.op('Greater', [pq, zero]), b.op('Mul', [b.op('Div', [pq, d]), ce]), zero]);
      const grad = b.op('Neg', [b.op('Mul', [modulating, b.op('Add', [d, b.op('Mul', [beta, focusing])])])]);
      // d = 0: 0 (the derivative for beta > 1, torch's abs'(0) = 0 at the cusp otherwise); NaN stays NaN
      return b.op('Where', [b.op('Equal', [d, zero]), zero, grad]);
    },
  });
}
