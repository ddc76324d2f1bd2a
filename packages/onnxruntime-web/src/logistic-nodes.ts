/**
 * The pieces of sigmoid(x) the family bodies need, as ONNX nodes from one e = exp(-|x|), as
 * @focal-loss/core's family/logistic.ts computes them: p and q = 1 - p each with its relative
 * precision (never q by subtraction: at x = 40, q = 4.2e-18 where 1 - p is 0), softplus(x) =
 * -log q and softplus(-x) = -log p. ORT's Sigmoid is only absolutely accurate (0 below about -18)
 * and its Softplus has no WebGPU kernel (body-common.ts), so neither is used.
 *
 * At x = +-Infinity, e = 0: p, q are exactly 1 and 0 (or 0 and 1), one softplus is +Infinity and
 * the other 0. The bodies read the zero-times-infinity products that then appear as absent terms.
 */
import type { BodyEmitter } from './body-emitter.js';
import { log1p, mulAbsentIfZero } from './body-common.js';

export interface LogisticNodes {
  readonly p: string;
  readonly q: string;
  /** softplus(x) = -log(1 - p) = max(x, 0) + log1p(e) */
  readonly softplusPos: string;
  /** softplus(-x) = -log p = max(-x, 0) + log1p(e) */
  readonly softplusNeg: string;
}

export function logisticNodes(b: BodyEmitter, x: string): LogisticNodes {
  const negative = b.op('Less', [x, b.float(0)]);
  const e = b.op('Exp', [b.op('Neg', [b.op('Abs', [x])])]);
  const logTerm = log1p(b, e);
  const inv = b.op('Reciprocal', [b.op('Add', [b.float(1), e])]);
  const small = b.op('Mul', [e, inv]);
  return {
    p: b.op('Where', [negative, small, inv]),
    q: b.op('Where', [negative, inv, small]),
    // max(x, 0) by Where, so that a NaN logit stays NaN (NaN is not negative)
    softplusPos: b.op('Add', [b.op('Where', [negative, b.float(0), x]), logTerm]),
    softplusNeg: b.op('Add', [b.op('Where', [negative, b.op('Neg', [x]), b.float(0)]), logTerm]),
  };
}

/**
 * ce(x, t) = t softplus(-x) + (1 - t) softplus(x), the binary cross-entropy against a soft target,
 * with a term whose target weight is 0 absent (its softplus is +Infinity at an infinite logit).
 */
export function crossEntropyNodes(b: BodyEmitter, l: LogisticNodes, t: string, t1: string): string {
  return b.op('Add', [mulAbsentIfZero(b, t, l.softplusNeg), mulAbsentIfZero(b, t1, l.softplusPos)]);
}

