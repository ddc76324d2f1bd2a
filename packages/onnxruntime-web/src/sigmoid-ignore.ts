/**
 * Sigmoid `ignoreIndex` (issue 14) in the graphs: elements whose target equals the `ignoreIndex`
 * attribute (or run-time input) give loss 0 and gradient 0 whatever their logits and weight, and a
 * "mean" divides by the number of the others (the accurate blocked count). The runner expands
 * class-index targets to dense ones first, their ignored positions marked with core's EXPANDED_IGNORED.
 */
import type { BodyEmitter } from './body-emitter.js';
import { accurateSum, reductionScale, sizeAsFloat, type BodyIO, type CommonVariant } from './body-common.js';
import { DataType } from './protos.js';

/** The variant fields these helpers read. */
export interface IgnoringVariant extends CommonVariant {
  readonly hasIgnoreIndex?: boolean;
}

/**
 * The ignored elements (a bool tensor), or null, and the reduction's scale counting only the others.
 * Shared by the focal and the Poly-1 bodies.
 */
export function sigmoidIgnoring(b: BodyEmitter, v: IgnoringVariant, io: BodyIO): { ignored: string | null; scale: string | null } {
  if (v.hasIgnoreIndex !== true) return { ignored: null, scale: reductionScale(b, v, () => sizeAsFloat(b, io.input)) };
  const ignored = b.op('Equal', [io.target, b.cast(b.param('ignoreIndex', 'int'), DataType.FLOAT)]);
  const scale = reductionScale(b, v, () => accurateSum(b, b.op('Where', [ignored, b.float(0), b.float(1)])));
  return { ignored, scale };
}

/** 0 at ignored elements, whatever the value (a Where, never 0 * NaN). */
export function maskIgnored(b: BodyEmitter, ignored: string | null, value: string): string {
  return ignored === null ? value : b.op('Where', [ignored, b.float(0), value]);
}
