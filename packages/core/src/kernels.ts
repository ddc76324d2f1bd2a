/**
 * exp(-a) and log1p(e) on the narrow domains the focal-loss loops need (a >= 0, e in [0, 1]),
 * written in plain JS so that TurboFan inlines them into the loops: Math.exp / Math.log1p are calls
 * into C++ (fdlibm), and in the sigmoid loop they cost more than the rest of an element together.
 * Both are table-driven: a lookup removes most of the argument and a short polynomial covers the
 * rest. The tables are double-double, so the results are nearly always correctly rounded (max
 * error measured against mpmath: 0.51 ulp for expNeg, 1.05 ulp for log1pUnit; fdlibm: 1.0, 0.76).
 * kernels.test.ts checks them against Math.exp / Math.log1p and against correctly rounded values.
 */

// exp(-a) = 2^-m * 2^(-j/128) * exp(-r), with k = m * 128 + j = round(a * 128 / ln 2) and
// r = a - k ln2/128 in [-ln2/256, ln2/256].
const EXP_STEPS = 128;
const EXP_K_PER_UNIT = EXP_STEPS / Math.LN2;
// Cody-Waite split of ln2/128: the high part has 32 significant bits (fdlibm's ln2_hi / 128), so
// k * EXP_LN2_HI is exact for every k we reach (< 2^17), and a - k * EXP_LN2_HI loses nothing.
const EXP_LN2_HI = 6.93147180369123816490e-1 / EXP_STEPS;
const EXP_LN2_LO = 1.90821492927058770002e-10 / EXP_STEPS;
// From here on exp(-a) is subnormal or 0 (exp(-708.4) = 2^-1022): Math.exp handles that rare
// tail (and NaN, Infinity), so the table needs only normal powers of two.
const EXP_SUBNORMAL = 708;
/** 2^(-j/128), j < 128, as the double nearest to it plus the remainder (hi + lo). */
const EXP_FRACTION_HI = new Float64Array(EXP_STEPS);
const EXP_FRACTION_LO = new Float64Array(EXP_STEPS);
/** 2^-m, m <= 1022: exact powers of two. */
const EXP_POWER = new Float64Array(1023);
for (let m = 0, v = 1; m < EXP_POWER.length; m++, v /= 2) EXP_POWER[m] = v;
/** The high half (26 bits) of v, for exact products by Dekker's splitting (Veltkamp). */
function highHalf(v: number): number {
  const c = 134217729 * v; // 2^27 + 1
  return c - (c - v);
}
{
  // Math.pow(2, -j/128) is off by up to an ulp for some j, which the result would inherit. The
  // table is built instead by repeated double-double multiplication by 2^(-1/128) = STEP_HI +
  // STEP_LO (to 2^-106), with exact products: the entries are good to ~2^-97 after 127 steps.
  const STEP_HI = 0.9945994234836332;
  const STEP_LO = 4.1025663191846e-18;
  const stepHi = highHalf(STEP_HI);
  const stepLo = STEP_HI - stepHi;
  let hi = 1;
  let lo = 0;
  for (let j = 0; j < EXP_STEPS; j++) {
    EXP_FRACTION_HI[j] = hi;
    EXP_FRACTION_LO[j] = lo;
    const product = hi * STEP_HI;
    const hiHi = highHalf(hi);
    const hiLo = hi - hiHi;
    const error = hiHi * stepHi - product + hiHi * stepLo + hiLo * stepHi + hiLo * stepLo;
    const tail = error + hi * STEP_LO + lo * STEP_HI;
    hi = product + tail;
    lo = tail - (hi - product);
  }
}

/** exp(-a) for a >= 0, +Infinity or NaN. */
export function expNeg(a: number): number {
  if (!(a < EXP_SUBNORMAL)) return Math.exp(-a);
  // Rounded as a double (a >= 0, so floor after + 0.5 rounds): r then needs no int-to-double
  // conversion, and the int k for the table indices is computed alongside.
  const kd = Math.floor(a * EXP_K_PER_UNIT + 0.5);
  const r = a - kd * EXP_LN2_HI - kd * EXP_LN2_LO;
  const k = kd | 0;
  // exp(-r) - 1 by Taylor to r^5: the next term is below 2^-60 at |r| <= ln2/256. Evaluated in
  // pairs of terms (Estrin) rather than by Horner's rule: a shorter chain of dependent operations,
  // and the loop that calls this is bound by that latency, not by the number of operations.
  const r2 = r * r;
  const poly = r2 * (1 / 2 - r * (1 / 6)) + r2 * r2 * (1 / 24 - r * (1 / 120)) - r;
  const j = k & (EXP_STEPS - 1);
  const t = EXP_FRACTION_HI[j] as number;
  return (t + ((EXP_FRACTION_LO[j] as number) + t * poly)) * (EXP_POWER[k >> 7] as number);
}

// log1p(e) = log(c_j) + log1p(r), c_j = 1 + j/128 nearest to 1 + e and r = (e - j/128) / c_j, so
// |r| <= 1/256; for j = 0, r = e exactly, which keeps tiny e at full relative precision.
const LOG_STEPS = 128;
/** log(1 + j/128), j <= 128, as hi + lo: Math.log1p is off by up to an ulp, which would stay. */
const LOG_CENTRE_HI = new Float64Array(LOG_STEPS + 1);
const LOG_CENTRE_LO = new Float64Array(LOG_STEPS + 1);
/** 1 / (1 + j/128): a multiplication instead of a division in the loop. */
const LOG_INVERSE = new Float64Array(LOG_STEPS + 1);
for (let j = 0; j <= LOG_STEPS; j++) {
  LOG_INVERSE[j] = LOG_STEPS / (LOG_STEPS + j);
  // log(1 + j/128) = 2 atanh(z), z = j / (256 + j) <= 1/3: z + zLo is z to ~2^-106 (the products
  // of d with the halves of z are exact), then the series beyond z only needs double precision.
  const d = 2 * LOG_STEPS + j;
  const z = j / d;
  const zHi = highHalf(z);
  const zLo = (j - zHi * d - (z - zHi) * d) / d;
  const z2 = z * z;
  let series = 0; // 1/3 + z^2/5 + z^4/7 + ...: the terms left out are below 2^-70 of z
  for (let k = 41; k >= 3; k -= 2) series = 1 / k + z2 * series;
  const rest = zLo + z * z2 * series;
  const sum = z + rest;
  LOG_CENTRE_HI[j] = 2 * sum;
  LOG_CENTRE_LO[j] = 2 * (rest - (sum - z));
}

/** log1p(e) for e in [0, 1] (NaN gives NaN); outside [0, 1] the result is not meaningful. */
export function log1pUnit(e: number): number {
  const jd = Math.floor(e * LOG_STEPS + 0.5); // as in expNeg
  const j = jd | 0; // NaN gives j = 0, and the NaN flows through r
  // e - j/128 is exact (Sterbenz: e is within a factor 2 of j/128 when j >= 1).
  const r = (e - jd * (1 / LOG_STEPS)) * (LOG_INVERSE[j] as number);
  // log1p(r) by Taylor to r^7: the next term is below 2^-67 at |r| <= 1/256. Pairs of terms
  // (Estrin), as in expNeg.
  const r2 = r * r;
  const r4 = r2 * r2;
  const tail = r2 * (r * (1 / 3) - 1 / 2) + r4 * (r * (1 / 5) - 1 / 4 + r2 * (r * (1 / 7) - 1 / 6));
  return (LOG_CENTRE_HI[j] as number) + ((LOG_CENTRE_LO[j] as number) + (r + tail));
}
