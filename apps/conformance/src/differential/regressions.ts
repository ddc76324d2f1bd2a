/**
 * Calls that once made the adapters disagree (found by the differential fuzz test or by the
 * hardening issue's trials), kept so they are checked on every run.
 */
import type { FuzzCall } from './calls.js';

const f = (data: number[], shape = [data.length]) => ({ shape, data });
const i = (data: number[], shape = [data.length]) => ({ shape, data, dtype: 'int32' as const });
const t = (data: number[], shape = [data.length]) => ({ shape, data, dtype: 'float32' as const });

export const REGRESSIONS: readonly { why: string; call: FuzzCall }[] = [
  { why: 'ignoreIndex 4294967297 wrapped to 1', call: { op: 'softmax', options: { ignoreIndex: 4294967297 }, input: f([1, 2, 3, 4], [2, 2]), target: i([1, 0]), weight: null } },
  // eslint-disable-next-line no-sparse-arrays
  { why: 'alpha with a hole gave NaN', call: { op: 'softmax', options: { alpha: [, 0.5, 0.5] }, input: f([1, 2, 3], [1, 3]), target: i([1]), weight: null } },
  { why: 'options 5 were taken as the defaults', call: { op: 'sigmoid', options: 5, input: f([1]), target: t([1]), weight: null } },
  { why: 'a Map as options was taken as the defaults', call: { op: 'sigmoid', options: new Map(), input: f([1]), target: t([1]), weight: null } },
  { why: 'normalizer with sum was silently ignored', call: { op: 'sigmoid', options: { normalizer: 3, reduction: 'sum' }, input: f([1]), target: t([1]), weight: null } },
  { why: 'ignoreIndex with one-hot targets was silently ignored', call: { op: 'softmax', options: { ignoreIndex: 0 }, input: f([1, 2], [1, 2]), target: t([0, 1], [1, 2]), weight: null } },
  { why: 'int32 sigmoid targets: only typed-array took them', call: { op: 'sigmoid', options: {}, input: f([0.5, -1]), target: i([1, 0]), weight: null } },
  { why: '+Infinity logit with target 1 gave NaN (limit 0)', call: { op: 'sigmoid', options: { reduction: 'none' }, input: f([Infinity, -Infinity]), target: t([1, 0]), weight: null } },
  { why: '+Infinity logit with target 0 gave NaN (loss +Infinity, gradient alpha_t)', call: { op: 'sigmoid', options: { reduction: 'none' }, input: f([Infinity, -Infinity]), target: t([0, 1]), weight: null } },
  { why: 'ORT: -Infinity in a non-target class gave NaN', call: { op: 'softmax', options: {}, input: f([2, -Infinity, 0.5, 1, 1, -Infinity], [2, 3]), target: i([0, 1]), weight: null } },
  { why: 'a NaN weight gave gradient 0 in typed-array', call: { op: 'sigmoid', options: { reduction: 'none' }, input: f([1, 2]), target: t([1, 0]), weight: f([Number.NaN, Infinity]) } },
  { why: 'probabilities exactly 0 and 1 (tfjs clipped 1 - eps in float32)', call: { op: 'sigmoid', options: { fromLogits: false }, input: f([0, 1, 0, 1]), target: t([1, 1, 0, 0]), weight: null } },
  { why: 'zero classes', call: { op: 'softmax', options: { reduction: 'none' }, input: f([], [3, 0]), target: t([], [3, 0]), weight: null } },
];
