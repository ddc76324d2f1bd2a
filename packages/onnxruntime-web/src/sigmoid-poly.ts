/**
 * The sigmoid focal loss with Poly-1's term (`polyEpsilon` = eps != 0; the variant `hasPoly`),
 * following packages/core/docs/math.md's Poly-1 section ("Accuracy") step by step, as the core's
 * `sigmoidPolyFromParts` and `logOneMinusExcess` do (with w+ = 1: this package has no posWeight).
 * The plain sum alpha_t u^g ce + eps u^(g+1) (u = 1 - p_t, g = gamma) loses every digit when eps is
 * close to -alpha_t (e.g. -1 with alpha null) and u is small, since ce - u ~ u^2 / 2 for a confident
 * correct prediction (in float32 from x ~ 9). So it is regrouped, with f(v) = -log(1 - v) - v >= 0
 * and D = ce - u = t f(q) + (1 - t) f(p):
 *   loss  = u^g (alpha_t D + (alpha_t + eps) u)
 *   dL/dx = u^g (alpha_t g (p q / u)(1 - 2t) D + alpha_t (p^2 (1 - t) - q^2 t) + (g + 1)(alpha_t + eps) p q (1 - 2t))
 * and, from probabilities (math.md's d/dp regrouped the same way, with
 * (1 - t)/q - t/p = (1 - t) p/q - t q/p + 1 - 2t),
 *   dL/dp = u^g (alpha_t g (1 - 2t) D / u + alpha_t ((1 - t) p/q - t q/p) + (g + 1)(alpha_t + eps)(1 - 2t))
 * f(v) for v < 1/2 from r = v / (2 - v) (-log(1 - v) = 2 atanh r): 2 r^2 / (1 + r) + 2 (r^3/3 + ... + r^17/17),
 * non-negative terms (r < 1/3: the next term is below float32's resolution); above 1/2, -log(1 - v) - v
 * loses at most two bits. At x = +-Infinity, D is +Infinity where the target does not match, alpha_t D
 * is an absent term where alpha_t = 0, and (p q / u) D where p q = 0: the loss tends to +Infinity or
 * eps u^(g+1), the gradient to alpha_t u^g (1 - t) (or -alpha_t u^g t), the core's limits.
 */
import type { BodyEmitter } from './body-emitter.js';
import {
  emitReducedLoss,
  mulAbsentIfZero,
  powGamma,
  scaled,
  type BodyIO,
  type BodyOutputs,
} from './body-common.js';
import type { SigmoidVariant } from './sigmoid-body.js';
import { maskIgnored, sigmoidIgnoring } from './sigmoid-ignore.js';

/** What the sigmoid body computed before the loss: the smoothed target and both probabilities. */
export interface SigmoidPieces {
  readonly t: string;
  readonly t1: string;
  readonly p: string;
  readonly q: string;
  /** -log p = -log(1 - q) */
  readonly negLogP: string;
  /** -log q = -log(1 - p) */
  readonly negLogQ: string;
  /** From probabilities: 0 where the clip is active. */
  readonly clipped: ((value: string) => string) | null;
  /** posWeight w+ (broadcastable), or null for 1. */
  readonly posWeight: string | null;
}

/**
 * f(v) = -log(1 - v) - v >= 0 (core's logOneMinusExcess), from negLog = -log(1 - v) computed
 * accurately: the atanh series below 1/2, the difference above. Exported for the softmax body.
 */
export function logExcess(b: BodyEmitter, v: string, negLog: string): string {
  const r = b.op('Div', [v, b.op('Sub', [b.float(2), v])]);
  const r2 = b.op('Mul', [r, r]);
  let tail = b.float(1 / 17);
  for (let k = 15; k >= 3; k -= 2) tail = b.op('Add', [b.float(1 / k), b.op('Mul', [r2, tail])]);
  const series = b.op('Add', [
    b.op('Div', [b.op('Mul', [b.float(2), r2]), b.op('Add', [b.float(1), r])]),
    b.op('Mul', [b.float(2), b.op('Mul', [b.op('Mul', [r, r2]), tail])]),
  ]);
  return b.op('Where', [b.op('Less', [v, b.float(0.5)]), series, b.op('Sub', [negLog, v])]);
}

export function emitSigmoidPolyBody(b: BodyEmitter, v: SigmoidVariant, io: BodyIO, out: BodyOutputs, s: SigmoidPieces): void {
  const { t, t1, p, q } = s;
  const one = b.float(1);
  const u = b.op('Add', [b.op('Mul', [p, t1]), b.op('Mul', [q, t])]);
  const uPow = powGamma(b, u);
  const eps = b.param('polyEpsilon', 'float');
  let alphaT: string | null = null;
  if (v.hasAlpha) {
    const alpha = b.param('alpha', 'float');
    alphaT = b.op('Add', [b.op('Mul', [alpha, t]), b.op('Mul', [b.op('Sub', [one, alpha]), t1])]);
  }
  const alphaPlusEps = b.op('Add', [alphaT ?? one, eps]);
  // ce - u without cancellation (a term of zero target weight is absent: f is +Infinity at an infinite logit)
  // with w+: D gains t (w+ - 1) softplus(-x) (core's sigmoidPolyFromParts)
  const extra = s.posWeight === null ? null : b.op('Sub', [s.posWeight, one]);
  let positiveExcess = logExcess(b, q, s.negLogP);
  if (extra !== null) positiveExcess = b.op('Add', [mulAbsentIfZero(b, extra, s.negLogP), positiveExcess]);
  const excess = b.op('Add', [mulAbsentIfZero(b, t, positiveExcess), mulAbsentIfZero(b, t1, logExcess(b, p, s.negLogQ))]);
  const withAlpha = (value: string) => (alphaT === null ? value : b.op('Mul', [alphaT, value]));
  // the weight multiplies u^g first (as the focal path multiplies the focal factor first)
  const weightedPow = io.weight === null ? uPow : b.op('Mul', [io.weight, uPow]);
  const { ignored, scale } = sigmoidIgnoring(b, v, io);
  if (out.loss !== null) {
    const alphaExcess = alphaT === null ? excess : mulAbsentIfZero(b, alphaT, excess);
    const inner = b.op('Add', [alphaExcess, b.op('Mul', [alphaPlusEps, u])]);
    emitReducedLoss(b, v, maskIgnored(b, ignored, b.op('Mul', [weightedPow, inner])), scale, out.loss);
  }
  if (out.gradInput !== null) {
    const gamma = b.param('gamma', 'float');
    const oneMinus2t = b.op('Sub', [one, b.op('Mul', [b.float(2), t])]);
    const polyCoefficient = b.op('Mul', [b.op('Add', [gamma, one]), alphaPlusEps]);
    let inner: string;
    if (v.fromLogits) {
      const pq = b.op('Mul', [p, q]);
      const first = b.op('Mul', [b.op('Mul', [polyCoefficient, pq]), oneMinus2t]);
      let direct = b.op('Sub', [b.op('Mul', [b.op('Mul', [p, p]), t1]), b.op('Mul', [b.op('Mul', [q, q]), t])]);
      // B = p^2 (1 - t) - q t (w+ - 1 + q)
      if (extra !== null) direct = b.op('Sub', [direct, b.op('Mul', [b.op('Mul', [q, t]), extra])]);
      // (p q / u) D -> 0 where p q = 0 (an infinite logit: D may be +Infinity there)
      const focusing = b.op('Where', [b.op('Greater', [pq, b.float(0)]), b.op('Mul', [b.op('Div', [pq, u]), excess]), b.float(0)]);
      const rest = b.op('Add', [direct, b.op('Mul', [b.op('Mul', [gamma, oneMinus2t]), focusing])]);
      inner = b.op('Add', [first, withAlpha(rest)]);
    } else {
      const first = b.op('Mul', [polyCoefficient, oneMinus2t]);
      let direct = b.op('Sub', [b.op('Div', [b.op('Mul', [t1, p]), q]), b.op('Div', [b.op('Mul', [t, q]), p])]);
      // (1 - t)/q - w+ t/p = (1 - t) p/q - t q/p + (1 - 2t) - (w+ - 1) t/p
      if (extra !== null) direct = b.op('Sub', [direct, b.op('Div', [b.op('Mul', [extra, t]), p])]);
      // u >= eps > 0 after the clip
      const focusing = b.op('Div', [excess, u]);
      const rest = b.op('Add', [direct, b.op('Mul', [b.op('Mul', [gamma, oneMinus2t]), focusing])]);
      inner = (s.clipped as (value: string) => string)(b.op('Add', [first, withAlpha(rest)]));
    }
    b.opNamed('Identity', [maskIgnored(b, ignored, scaled(b, b.op('Mul', [weightedPow, inner]), [scale]))], out.gradInput);
  }
}
