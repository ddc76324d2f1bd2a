/**
 * FL* (Lin et al. 2017, appendix A; fvcore `sigmoid_focal_loss_star`) as ONNX nodes, after core's
 * family/focal-star.ts:
 *   s = 2t - 1,  z = gamma s x + beta,  loss = alpha_t softplus(-z) / gamma,  d/dx = -alpha_t s sigmoid(-z)
 * softplus(-z) = max(-z, 0) + log1p(e) and sigmoid(-z) = e/(1+e) (z >= 0) or 1/(1+e) (z < 0) from one
 * e = exp(-|z|): exact at |z| = gamma 1e4, no Pow, no 1 - p. At x = +-Infinity z is +-Infinity, or
 * beta where t = 1/2 (s = 0: a Where, not 0 * Infinity); alpha_t = 0 times softplus = +Infinity is 0.
 */
import type { BodyEmitter } from '../body-emitter.js';
import { log1p, type BodyIO, type BodyOutputs } from '../body-common.js';
import { emitElementwise, type FamilyVariant } from './elementwise.js';

export function emitFocalLossStarBody(b: BodyEmitter, v: FamilyVariant, io: BodyIO, out: BodyOutputs): void {
  const x = io.input;
  const t = io.target;
  const one = b.float(1);
  const zero = b.float(0);
  const gamma = b.param('gamma', 'float');
  const beta = b.param('beta', 'float');
  const s = b.op('Sub', [b.op('Mul', [b.float(2), t]), one]);
  const z = b.op('Where', [b.op('Equal', [s, zero]), beta, b.op('Add', [b.op('Mul', [b.op('Mul', [gamma, s]), x]), beta])]);
  const negative = b.op('Less', [z, zero]);
  const e = b.op('Exp', [b.op('Neg', [b.op('Abs', [z])])]);
  const inv = b.op('Reciprocal', [b.op('Add', [one, e])]);
  let alphaT: string | null = null;
  if (v.hasAlpha === true) {
    const alpha = b.param('alpha', 'float');
    alphaT = b.op('Add', [b.op('Mul', [alpha, t]), b.op('Mul', [b.op('Sub', [one, alpha]), b.op('Sub', [one, t])])]);
  }
  emitElementwise(b, v, io, out, {
    loss: () => {
      // -log sigmoid(z); a NaN z is not negative and gives log1p(NaN) = NaN
      const softplusNegZ = b.op('Add', [b.op('Where', [negative, b.op('Neg', [z]), zero]), log1p(b, e)]);
      const perGamma = b.op('Div', [softplusNegZ, gamma]);
      if (alphaT === null) return perGamma;
      // alpha_t = 0 at z = -Infinity: the limit 0, not 0 * Infinity (a NaN z still gives NaN)
      const product = b.op('Mul', [alphaT, perGamma]);
      return b.op('Where', [b.op('Equal', [softplusNegZ, b.float(Infinity)]), b.op('Where', [b.op('Equal', [alphaT, zero]), zero, product]), product]);
    },
    grad: () => {
      const sigmoidNegZ = b.op('Where', [negative, inv, b.op('Mul', [e, inv])]);
      const factor = alphaT === null ? s : b.op('Mul', [alphaT, s]);
      return b.op('Neg', [b.op('Mul', [factor, sigmoidNegZ])]);
    },
  });
}
