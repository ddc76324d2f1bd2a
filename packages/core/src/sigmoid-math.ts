/**
 * Per-element math of sigmoid focal loss, written for accuracy (see docs/math.md).
 *
 * Notation: p = sigmoid(x), q = 1 - p, t the (smoothed) target, u = 1 - p_t = p (1 - t) + q t,
 * ce the cross-entropy, alpha_t = alphaPos t + alphaNeg (1 - t).
 *   loss = alpha_t u^gamma ce
 *   d/dx = alpha_t u^gamma (gamma (p q / u) (1 - 2t) ce + (p - t))
 * p and q both come from e = exp(-|x|) (never q = 1 - p by subtraction), so each keeps its relative
 * precision at saturated logits; u^(gamma - 1) never appears on its own, so gamma < 1 is finite.
 *
 * Poly-1 (`polyEpsilon`, eps; Leng et al., ICLR 2022) adds a term that alpha does not multiply:
 *   loss += eps u^(gamma+1)
 *   d/dx += eps (gamma + 1) u^gamma p q (1 - 2t)        (du/dx = p q (1 - 2t))
 * computed only when eps != 0, so eps = 0 gives the focal loss bit for bit. From logits the sum is
 * regrouped so that eps near -alpha_t does not cancel (sigmoidPolyFromParts).
 *
 * `posWeight` (w+, issue 14; BCEWithLogitsLoss(pos_weight), kornia) weighs the positive term of the
 * cross-entropy: ce = w+ t softplus(-x) + (1 - t) softplus(x), whose derivative is p (1 - t) - w+ q t:
 *   d/dx = alpha_t u^gamma (gamma (p q / u) (1 - 2t) ce + (p (1 - t) - w+ q t))
 * w+ = 1 is the plain cross-entropy (the same operations, so the same bits).
 */

/** Where the per-element functions write their two results, so the hot loop allocates nothing. */
export interface ElementResult {
  loss: number;
  grad: number;
}

export function createElementResult(): ElementResult {
  return { loss: 0, grad: 0 };
}

/** u^gamma with the common integer gammas spelled out: `Math.pow` is the slowest step otherwise. */
export function powGamma(u: number, gamma: number): number {
  if (gamma === 2) return u * u;
  if (gamma === 0) return 1; // 0^0 is 1 by the contract
  if (gamma === 1) return u;
  return Math.pow(u, gamma);
}

/** The contract's binary label smoothing: t = target (1 - s) + s / 2. */
export function smoothBinaryTarget(target: number, smoothing: number): number {
  return smoothing === 0 ? target : target * (1 - smoothing) + smoothing / 2;
}

/**
 * Sigmoid focal loss of one logit `x` against target `t` in [0, 1], and its derivative with
 * respect to `x`. `alphaPos` / `alphaNeg` are (alpha, 1 - alpha), or (1, 1) when alpha is null;
 * `polyEpsilon` the Poly-1 term's epsilon (0: none).
 */
export function sigmoidFocalFromLogit(
  x: number,
  t: number,
  gamma: number,
  alphaPos: number,
  alphaNeg: number,
  out: ElementResult,
  polyEpsilon = 0,
  posWeight = 1,
): void {
  if (x === Infinity || x === -Infinity) {
    sigmoidFocalAtInfinity(x, t, gamma, alphaPos, alphaNeg, out, polyEpsilon, posWeight);
    return;
  }
  const e = Math.exp(-Math.abs(x));
  const log1pE = Math.log1p(e);
  const inv = 1 / (1 + e);
  let p: number;
  let q: number;
  let softplusPos: number; // softplus(x)  = -log(1 - p)
  let softplusNeg: number; // softplus(-x) = -log(p)
  if (x >= 0) {
    p = inv;
    q = e * inv;
    softplusPos = x + log1pE;
    softplusNeg = log1pE;
  } else {
    // Also taken by NaN, which then flows through every result.
    p = e * inv;
    q = inv;
    softplusPos = log1pE;
    softplusNeg = log1pE - x;
  }
  const t1 = 1 - t;
  const tPos = posWeight * t;
  const ce = tPos * softplusNeg + t1 * softplusPos;
  const u = p * t1 + q * t; // 1 - p_t as a sum of non-negative terms: no cancellation
  const alphaT = alphaPos * t + alphaNeg * t1;
  const uPow = powGamma(u, gamma);
  const focal = alphaT * uPow;
  out.loss = focal * ce;
  // p q / u is bounded (by p / t and q / (1 - t)); u is 0 only when a probability underflowed,
  // and then u^gamma = 0 (gamma > 0) or gamma = 0 removes the term: 0 is the exact limit.
  const pqOverU = u > 0 ? (p * q) / u : 0;
  out.grad = focal * (gamma * pqOverU * (1 - 2 * t) * ce + (p * t1 - q * tPos));
  if (polyEpsilon !== 0) sigmoidPolyFromParts(p, q, softplusPos, softplusNeg, t, gamma, alphaT, posWeight, polyEpsilon, out);
}

/**
 * f(v) = -log(1 - v) - v >= 0 for v in [0, 1), given v and s = -log(1 - v) computed accurately.
 * Below 1/2 the difference would cancel (f ~ v^2 / 2), so it comes from r = v / (2 - v), with
 * -log(1 - v) = 2 atanh(r) and v = 2 r / (1 + r):
 *   f = 2 r^2 / (1 + r) + 2 (r^3 / 3 + r^5 / 5 + ...)      (every term >= 0; r <= 1/3)
 * From 1/2 on, s - v loses at most two bits (s >= ln 2).
 */
export function logOneMinusExcess(v: number, s: number): number {
  if (!(v < 0.5)) return s - v; // also NaN
  const r = v / (2 - v);
  const r2 = r * r;
  let power = r * r2;
  let tail = 0;
  for (let k = 3; power > 0; k += 2) {
    const term = power / k;
    tail += term;
    if (term <= tail * 1e-17) break;
    power *= r2;
  }
  return (2 * r2) / (1 + r) + 2 * tail;
}

/**
 * Sigmoid focal loss with its Poly-1 term from the logit's parts (p, q, softplus(x), softplus(-x),
 * all accurate), regrouped so that no two large terms cancel. With D = ce - u, which is
 *   D = t ((w+ - 1) softplus(-x) + f(q)) + (1 - t) f(p)        (f = logOneMinusExcess, >= 0)
 * the loss and its derivative are
 *   loss  = u^g (alpha_t D + (alpha_t + eps) u)
 *   d/dx  = u^g (alpha_t g (p q / u) (1 - 2t) D + alpha_t B + (g + 1)(alpha_t + eps) p q (1 - 2t))
 *   B     = p^2 (1 - t) - q t ((w+ - 1) + q)                    (= (p(1-t) - w+ q t) - p q (1 - 2t))
 * The plain sum alpha_t u^g ce + eps u^(g+1) loses every digit when eps = -alpha_t and u is small
 * (ce - u ~ u^2 / 2); this form keeps the relative precision there.
 */
export function sigmoidPolyFromParts(
  p: number,
  q: number,
  softplusPos: number,
  softplusNeg: number,
  t: number,
  gamma: number,
  alphaT: number,
  posWeight: number,
  polyEpsilon: number,
  out: ElementResult,
): void {
  const t1 = 1 - t;
  const u = p * t1 + q * t;
  const uPow = powGamma(u, gamma);
  const positive = t === 0 ? 0 : t * ((posWeight - 1) * softplusNeg + logOneMinusExcess(q, softplusNeg));
  const negative = t1 === 0 ? 0 : t1 * logOneMinusExcess(p, softplusPos);
  const d = positive + negative;
  const both = alphaT + polyEpsilon;
  out.loss = uPow * (alphaT * d + both * u);
  const pqOverU = u > 0 ? (p * q) / u : 0;
  const b = p * p * t1 - q * t * (posWeight - 1 + q);
  const sign = 1 - 2 * t;
  out.grad = uPow * (alphaT * gamma * pqOverU * sign * d + alphaT * b + (gamma + 1) * both * p * q * sign);
}

/**
 * The limits at an infinite logit (contract 1.1), where the finite formula would compute
 * 0 * Infinity. At x = +Infinity, p = 1, q = 0 and u = 1 - t:
 *   t = 1: loss 0 and gradient 0 (ce = softplus(-x) -> 0, p - t = -q -> 0);
 *   t < 1: ce -> +Infinity, so the loss is +Infinity unless alpha_t (1 - t)^gamma = 0 (then 0), and
 *          the gradient tends to alpha_t (1 - t)^gamma (1 - t): the gamma term q ce -> 0.
 * x = -Infinity mirrors it with u = t and p - t = -t.
 * The Poly-1 term tends to eps u^(gamma+1) with u = 1 - t (or t), its gradient to 0 (p q -> 0).
 * With posWeight w+, at -Infinity the positive term w+ t softplus(-x) grows (unless w+ t = 0, then the
 * loss tends to 0) and the gradient tends to -alpha_t t^gamma w+ t.
 */
export function sigmoidFocalAtInfinity(
  x: number,
  t: number,
  gamma: number,
  alphaPos: number,
  alphaNeg: number,
  out: ElementResult,
  polyEpsilon = 0,
  posWeight = 1,
): void {
  const t1 = 1 - t;
  const u = x > 0 ? t1 : t; // 1 - p_t at the limit
  if (u === 0) {
    out.loss = 0;
    out.grad = 0;
    return;
  }
  const uPow = powGamma(u, gamma);
  const focal = (alphaPos * t + alphaNeg * t1) * uPow;
  // the term that grows like |x|: (1 - t) softplus(x) at +Infinity, w+ t softplus(-x) at -Infinity
  const growing = x > 0 ? t1 : posWeight * t;
  out.loss = focal === 0 || growing === 0 ? 0 : Infinity;
  out.grad = x > 0 ? focal * t1 : -focal * growing;
  if (polyEpsilon !== 0) out.loss += polyEpsilon * u * uPow; // Infinity stays Infinity
}

/**
 * Sigmoid focal loss of one probability `pIn` (clipped to [eps, 1 - eps]) against target `t`, and
 * its derivative with respect to `pIn`, which is 0 where the clip is active. With Poly-1,
 * d/dp [polyEpsilon u^(gamma+1)] = polyEpsilon (gamma + 1) u^gamma (1 - 2t).
 */
export function sigmoidFocalFromProbability(
  pIn: number,
  t: number,
  gamma: number,
  alphaPos: number,
  alphaNeg: number,
  eps: number,
  out: ElementResult,
  polyEpsilon = 0,
  posWeight = 1,
): void {
  const hi = 1 - eps;
  const clipped = pIn < eps || pIn > hi;
  const p = pIn < eps ? eps : pIn > hi ? hi : pIn; // NaN passes through unchanged
  const q = 1 - p;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  const t1 = 1 - t;
  const tPos = posWeight * t;
  const ce = -(tPos * logP + t1 * logQ);
  const u = p * t1 + q * t; // >= eps > 0 after the clip
  const alphaT = alphaPos * t + alphaNeg * t1;
  const uPow = powGamma(u, gamma);
  const focal = alphaT * uPow;
  out.loss = focal * ce;
  out.grad = clipped ? 0 : focal * ((gamma * (1 - 2 * t) * ce) / u + (t1 / q - tPos / p));
  if (polyEpsilon !== 0) {
    out.loss += polyEpsilon * u * uPow;
    if (!clipped) out.grad += polyEpsilon * (gamma + 1) * uPow * (1 - 2 * t);
  }
}

/** (alphaPos, alphaNeg) for a scalar alpha or null. */
export function binaryAlphaPair(alpha: number | null): readonly [number, number] {
  return alpha === null ? [1, 1] : [alpha, 1 - alpha];
}
