import type { Reduction } from './options.js';

/**
 * The factor that turns a sum of per-position losses into the returned loss, which is also the
 * factor on every per-position gradient: 1 for "sum" and "none", 1 / normalizer or 1 / counted
 * for "mean". A mean over zero counted positions is 0 with gradient 0, so the factor is 0 there.
 */
export function reductionScale(reduction: Reduction, normalizer: number | null, counted: number): number {
  if (reduction !== 'mean') return 1;
  if (normalizer !== null) return 1 / normalizer;
  return counted === 0 ? 0 : 1 / counted;
}
