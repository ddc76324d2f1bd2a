/**
 * The sigmoid focal loss and its analytic gradient as ONNX nodes, following the accurate
 * formulation of @focal-loss/core (sigmoid-math.ts, docs/math.md):
 *   p, q = 1 - p from softplus: log p = -softplus(-x), log q = -softplus(x), never q = 1 - p;
 *   u = p (1 - t) + q t (1 - p_t without cancellation), loss = alpha_t u^gamma ce,
 *   d/dx = alpha_t u^gamma (gamma (p q / u) (1 - 2t) ce + (p (1 - t) - q t)), with p q / u := 0 at u = 0.
 * ORT's Sigmoid is only absolutely accurate (it returns 0 below about -18), so it is not used.
 */
import type { BodyEmitter } from './body-emitter.js';
import {
  clippedProbability,
  emitReducedLoss,
  negLogFromComplement,
  powGamma,
  reductionScale,
  scaled,
  sizeAsFloat,
  type BodyIO,
  type BodyOutputs,
  type CommonVariant,
} from './body-common.js';

export interface SigmoidVariant extends CommonVariant {
  /** False when alpha is null: alpha_t is then 1 and the body has no alpha attribute. */
  readonly hasAlpha: boolean;
}

export function emitSigmoidBody(b: BodyEmitter, v: SigmoidVariant, io: BodyIO, out: BodyOutputs): void {
  const x = io.input;
  const one = b.float(1);
  const smoothing = b.param('labelSmoothing', 'float');
  // t = target (1 - s) + s / 2; exact for s = 0
  const t = b.op('Add', [
    b.op('Mul', [io.target, b.op('Sub', [one, smoothing])]),
    b.op('Mul', [smoothing, b.float(0.5)]),
  ]);
  const t1 = b.op('Sub', [one, t]);

  let p: string;
  let q: string;
  let negLogP: string;
  let negLogQ: string;
  let clipped: string | null = null;
  if (v.fromLogits) {
    negLogQ = b.op('Softplus', [x]);
    negLogP = b.op('Softplus', [b.op('Neg', [x])]);
    p = b.op('Exp', [b.op('Neg', [negLogP])]);
    q = b.op('Exp', [b.op('Neg', [negLogQ])]);
  } else {
    ({ p, q, clipped } = clippedProbability(b, x));
    negLogQ = negLogFromComplement(b, q, p);
    negLogP = negLogFromComplement(b, p, q);
  }
  const ce = b.op('Add', [b.op('Mul', [t, negLogP]), b.op('Mul', [t1, negLogQ])]);
  const u = b.op('Add', [b.op('Mul', [p, t1]), b.op('Mul', [q, t])]);
  let focal = powGamma(b, u);
  if (v.hasAlpha) {
    const alpha = b.param('alpha', 'float');
    const alphaT = b.op('Add', [b.op('Mul', [alpha, t]), b.op('Mul', [b.op('Sub', [one, alpha]), t1])]);
    focal = b.op('Mul', [alphaT, focal]);
  }
  const weight = io.weight;
  const scale = reductionScale(b, v, () => sizeAsFloat(b, x));

  if (out.loss !== null) {
    const perPosition = scaled(b, b.op('Mul', [focal, ce]), [weight]);
    emitReducedLoss(b, v, perPosition, scale, out.loss);
  }
  if (out.gradInput !== null) {
    const gamma = b.param('gamma', 'float');
    const oneMinus2t = b.op('Sub', [one, b.op('Mul', [b.float(2), t])]);
    const direct = b.op('Sub', [b.op('Mul', [p, t1]), b.op('Mul', [q, t])]);
    let inner: string;
    if (v.fromLogits) {
      // p q / u is bounded; u = 0 only when a probability underflowed, where 0 is the exact limit.
      const pqOverU = b.op('Where', [
        b.op('Greater', [u, b.float(0)]),
        b.op('Div', [b.op('Mul', [p, q]), u]),
        b.float(0),
      ]);
      inner = b.op('Add', [b.op('Mul', [b.op('Mul', [b.op('Mul', [gamma, pqOverU]), oneMinus2t]), ce]), direct]);
    } else {
      // d/dp: gamma (1 - 2t) ce / u + (1 - t) / q - t / p; u >= eps > 0 after the clip
      const focusing = b.op('Div', [b.op('Mul', [b.op('Mul', [gamma, oneMinus2t]), ce]), u]);
      inner = b.op('Add', [focusing, b.op('Sub', [b.op('Div', [t1, q]), b.op('Div', [t, p])])]);
    }
    let grad = scaled(b, b.op('Mul', [focal, inner]), [weight, scale]);
    if (clipped !== null) grad = b.op('Where', [clipped, b.float(0), grad]);
    b.opNamed('Identity', [grad], out.gradInput);
  }
}
