/**
 * The sigmoid focal loss and its analytic gradient as ONNX nodes, following the accurate
 * formulation of @focal-loss/core (sigmoid-math.ts, docs/math.md):
 *   p, q = 1 - p from softplus: log p = -softplus(-x), log q = -softplus(x), never q = 1 - p;
 *   u = p (1 - t) + q t (1 - p_t without cancellation), loss = alpha_t u^gamma ce,
 *   d/dx = alpha_t u^gamma (gamma (p q / u) (1 - 2t) ce + (p (1 - t) - q t)), with p q / u := 0 at u = 0.
 * ORT's Sigmoid is only absolutely accurate (it returns 0 below about -18), so it is not used.
 *
 * Infinite logits (contract 1.1, the limits): at x = +-Infinity one of -log p, -log q is +Infinity
 * and p q = 0. The formulas then hold with three zero-times-infinity products read as absent terms:
 * ce's term whose target weight (t or 1 - t) is 0, the loss where alpha_t u^gamma is 0, and the
 * gradient's focusing term (p q / u) ce where p q is 0. Everything else is IEEE arithmetic, so at
 * x = +Infinity: t = 1 gives loss 0, gradient 0; t < 1 gives loss +Infinity (0 when alpha_t = 0),
 * gradient alpha_t (1 - t)^gamma (1 - t); x = -Infinity mirrors it (math.md "Gradient").
 *
 * Poly-1 (`polyEpsilon` = eps, Leng et al., ICLR 2022): only in the variant `hasPoly`, so eps = 0
 * emits exactly the focal graph; its body (sigmoid-poly.ts) shares p, q and the logs computed here
 * and regroups loss and gradient so that eps near -alpha_t does not cancel.
 */
import type { BodyEmitter } from './body-emitter.js';
import {
  alongClassAxis,
  clippedProbability,
  log1p,
  mulAbsentIfZero,
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
import { emitSigmoidPolyBody } from './sigmoid-poly.js';
import { maskIgnored, sigmoidIgnoring } from './sigmoid-ignore.js';

export interface SigmoidVariant extends CommonVariant {
  /** False when alpha is null: alpha_t is then 1 and the body has no alpha attribute. */
  readonly hasAlpha: boolean;
  /** Poly-1's term, read from `polyEpsilon`; absent (not false) when polyEpsilon is 0. */
  readonly hasPoly?: boolean;
  /**
   * posWeight w+ (issue 14) on the positive term, ce = w+ t softplus(-x) + (1 - t) softplus(x):
   * one number (`posWeight`) or one per class along `axis` (`classPosWeight`); absent when it is 1.
   */
  readonly posWeight?: 'scalar' | 'perClass';
  /**
   * Elements whose target equals the `ignoreIndex` attribute give loss 0 and gradient 0 and are not
   * counted by "mean" (issue 14; class-index targets reach the graph expanded, their ignored
   * positions marked with core's EXPANDED_IGNORED). Absent when there is no ignoreIndex.
   */
  readonly hasIgnoreIndex?: boolean;
}

/** w+ as a value that broadcasts over the input, or null when it is 1 (the graph of before). */
function positiveWeight(b: BodyEmitter, v: SigmoidVariant, x: string): string | null {
  if (v.posWeight === 'scalar') return b.param('posWeight', 'float');
  if (v.posWeight === 'perClass') return alongClassAxis(b, x, b.param('axis', 'int'), () => b.param('classPosWeight', 'floats'));
  return null;
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
  let clipped: ((value: string) => string) | null = null;
  if (v.fromLogits) {
    // math.md "Computing it accurately": e = exp(-|x|) in [0, 1] never overflows; p = 1 / (1 + e)
    // and q = e / (1 + e), or the other way round for x < 0, both relatively accurate; and
    // -log q = softplus(x) = max(x, 0) + log1p(e), -log p = softplus(-x) = max(-x, 0) + log1p(e).
    // (ORT's Sigmoid is only absolutely accurate; its Softplus has no WebGPU kernel.)
    const negative = b.op('Less', [x, b.float(0)]);
    const e = b.op('Exp', [b.op('Neg', [b.op('Abs', [x])])]);
    const logTerm = log1p(b, e);
    const inv = b.op('Reciprocal', [b.op('Add', [one, e])]);
    const small = b.op('Mul', [e, inv]);
    p = b.op('Where', [negative, small, inv]);
    q = b.op('Where', [negative, inv, small]);
    // max(x, 0) and max(-x, 0) by Where, so that a NaN logit stays NaN (x = NaN is not negative)
    negLogQ = b.op('Add', [b.op('Where', [negative, b.float(0), x]), logTerm]);
    negLogP = b.op('Add', [b.op('Where', [negative, b.op('Neg', [x]), b.float(0)]), logTerm]);
  } else {
    ({ p, q, clipped } = clippedProbability(b, x));
    negLogQ = negLogFromComplement(b, q, p);
    negLogP = negLogFromComplement(b, p, q);
  }
  const posWeight = positiveWeight(b, v, x);
  // w+ t, the positive term's weight (t itself without posWeight)
  const tPos = posWeight === null ? t : b.op('Mul', [posWeight, t]);
  if (v.hasPoly === true) {
    emitSigmoidPolyBody(b, v, io, out, { t, t1, p, q, negLogP, negLogQ, clipped, posWeight });
    return;
  }
  // ce = t (-log p) + (1 - t)(-log q) (math.md "Computing it accurately"); from logits a -log is
  // +Infinity at an infinite logit, where a zero target weight means the term is absent
  const ce = v.fromLogits
    ? b.op('Add', [mulAbsentIfZero(b, tPos, negLogP), mulAbsentIfZero(b, t1, negLogQ)])
    : b.op('Add', [b.op('Mul', [tPos, negLogP]), b.op('Mul', [t1, negLogQ])]);
  const u = b.op('Add', [b.op('Mul', [p, t1]), b.op('Mul', [q, t])]);
  let focal = powGamma(b, u);
  if (v.hasAlpha) {
    const alpha = b.param('alpha', 'float');
    const alphaT = b.op('Add', [b.op('Mul', [alpha, t]), b.op('Mul', [b.op('Sub', [one, alpha]), t1])]);
    focal = b.op('Mul', [alphaT, focal]);
  }
  const weight = io.weight;
  const { ignored, scale } = sigmoidIgnoring(b, v, io);

  // The weight multiplies the focal factor first: an infinite weight then meets alpha_t u^gamma
  // (tiny but not 0) before a product of tiny factors underflows float32 to 0, where IEEE would
  // give Infinity * 0 = NaN instead of the +-Infinity of the contract's float64 arithmetic.
  const weightedFocal = weight === null ? focal : b.op('Mul', [weight, focal]);
  if (out.loss !== null) {
    // loss = w alpha_t u^gamma ce; at an infinite logit ce may be +Infinity where alpha_t u^gamma = 0
    // (the target matches, or alpha_t = 0): the term's limit is 0, times the weight by IEEE (w * 0)
    let perPosition: string;
    if (!v.fromLogits) perPosition = b.op('Mul', [weightedFocal, ce]);
    else {
      const absent = weight === null ? b.float(0) : b.op('Mul', [weight, b.float(0)]);
      // only an infinite ce is an absent term: a NaN logit's NaN ce still flows (0 * NaN = NaN);
      // two Wheres instead of And (no WebGPU kernel)
      const product = b.op('Mul', [weightedFocal, ce]);
      const atInfinity = b.op('Where', [b.op('Equal', [ce, b.float(Infinity)]), absent, product]);
      perPosition = b.op('Where', [b.op('Equal', [focal, b.float(0)]), atInfinity, product]);
    }
    emitReducedLoss(b, v, maskIgnored(b, ignored, perPosition), scale, out.loss);
  }
  if (out.gradInput !== null) {
    const gamma = b.param('gamma', 'float');
    const oneMinus2t = b.op('Sub', [one, b.op('Mul', [b.float(2), t])]);
    // dce/dx = p (1 - t) - w+ q t
    const direct = b.op('Sub', [b.op('Mul', [p, t1]), b.op('Mul', [q, tPos])]);
    let inner: string;
    if (v.fromLogits) {
      // gamma (p q / u)(1 - 2t) ce + (p - t) (math.md "Gradient"). p q / u is bounded, and p q > 0
      // implies u >= min(p, q) > 0. Where p q = 0 (a probability that underflowed, or an infinite
      // logit, where ce may be +Infinity) the focusing term's limit is 0.
      const pq = b.op('Mul', [p, q]);
      const pqCeOverU = b.op('Where', [
        b.op('Greater', [pq, b.float(0)]),
        b.op('Mul', [b.op('Div', [pq, u]), ce]),
        b.float(0),
      ]);
      inner = b.op('Add', [b.op('Mul', [b.op('Mul', [gamma, pqCeOverU]), oneMinus2t]), direct]);
    } else {
      // d/dp: gamma (1 - 2t) ce / u + (1 - t) / q - t / p; u >= eps > 0 after the clip
      const focusing = b.op('Div', [b.op('Mul', [b.op('Mul', [gamma, oneMinus2t]), ce]), u]);
      inner = b.op('Add', [focusing, b.op('Sub', [b.op('Div', [t1, q]), b.op('Div', [tPos, p])])]);
    }
    // 0 where the clip is active, before the weight: the weight then applies by IEEE (NaN * 0 = NaN)
    if (clipped !== null) inner = clipped(inner);
    const grad = scaled(b, b.op('Mul', [weightedFocal, inner]), [scale]);
    b.opNamed('Identity', [maskIgnored(b, ignored, grad)], out.gradInput);
  }
}
