/**
 * The kernel's parameter block (`struct params` in wasm/focal-simd.c): field order and offsets
 * must match the C declaration. Integers and floats are all 4 bytes.
 */
export const PARAM_INT = {
  n: 0,
  hasWeight: 1,
  wantLoss: 2,
  wantGrad: 3,
  gammaKind: 4,
  fromLogits: 5,
  specialCount: 6,
  classes: 7,
  inner: 8,
  indexTargets: 9,
  ignoreIndex: 10,
  hasIgnore: 11,
} as const;

export const PARAM_FLOAT = {
  scale: 12,
  gamma: 13,
  alphaPos: 14,
  alphaNeg: 15,
  oneMinusS: 16,
  sShare: 17,
  loCmp: 18,
  hiCmp: 19,
  pLo: 20,
  pHi: 21,
  qHi: 22,
  logPLo: 23,
  logQLo: 24,
  logPHi: 25,
  logQHi: 26,
} as const;

export const PARAM_SMOOTHING_ON = 27;
export const PARAM_BYTES = 128;

/** `enum gamma_kind` of wasm/simd-math.h: how u^gamma is computed. */
export function gammaKind(gamma: number): number {
  if (gamma === 0) return 0;
  if (gamma === 1) return 1;
  if (gamma === 2) return 2;
  if (gamma === 3) return 3;
  if (gamma === 4) return 4;
  if (gamma === 0.5) return 5;
  return 6;
}
