/*
 * Vectorised float32 exp / log / log1p / pow on 4 lanes (WebAssembly SIMD128), hand-written since
 * the module links no libc (-nostdlib). Accuracy is measured against mpmath in
 * src/simd/simd-math.test.ts; each function says its domain. No FMA (not in SIMD128), so each
 * polynomial is ordered so that its last step adds a small correction to a large exact term.
 */
#ifndef FOCAL_SIMD_MATH_H
#define FOCAL_SIMD_MATH_H

#include <wasm_simd128.h>

typedef v128_t f32x4;

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE f32x4 splat(float v) { return wasm_f32x4_splat(v); }
ALWAYS_INLINE f32x4 vsel(f32x4 mask, f32x4 yes, f32x4 no) { return wasm_v128_bitselect(yes, no, mask); }

/*
 * exp(-a) for a >= 0 (+Infinity gives 0; NaN gives NaN or 0, callers treat NaN lanes apart).
 * exp(-a) = 2^-k exp(-r), k = round(a / ln 2), r = a - k ln2 in [-ln2/2, ln2/2] (Cody-Waite:
 * ln2_hi has 15 significant bits, so k ln2_hi is exact for k < 2^9), exp(-r) - 1 by Taylor to r^7
 * (next term below 2^-29). 2^-k is applied as two normal powers of two, so results down in the
 * subnormals round once, and a >= 110 (clamped) gives exactly 0.
 */
ALWAYS_INLINE f32x4 v_exp_neg(f32x4 a) {
  /* pmin (one minps) rather than min: NaN lanes are the caller's to keep apart anyway */
  a = wasm_f32x4_pmin(splat(110.0f), a);
  /* k = round(a / ln2) by the 1.5 * 2^23 shifter: the sum's low mantissa bits are k, and the
     float k comes back by subtraction (cheaper than nearest + an int conversion) */
  f32x4 shifted = wasm_f32x4_add(wasm_f32x4_mul(a, splat(1.44269504088896341f)), splat(12582912.0f));
  f32x4 kf = wasm_f32x4_sub(shifted, splat(12582912.0f));
  f32x4 r = wasm_f32x4_sub(wasm_f32x4_sub(a, wasm_f32x4_mul(kf, splat(0.693145751953125f))),
                           wasm_f32x4_mul(kf, splat(1.428606765330187045e-06f)));
  /* exp(-r) - 1 = -r + r^2/2 - r^3/6 + ... - r^7/5040 */
  f32x4 poly = splat(-1.0f / 5040.0f);
  poly = wasm_f32x4_add(splat(1.0f / 720.0f), wasm_f32x4_mul(r, poly));
  poly = wasm_f32x4_add(splat(-1.0f / 120.0f), wasm_f32x4_mul(r, poly));
  poly = wasm_f32x4_add(splat(1.0f / 24.0f), wasm_f32x4_mul(r, poly));
  poly = wasm_f32x4_add(splat(-1.0f / 6.0f), wasm_f32x4_mul(r, poly));
  poly = wasm_f32x4_add(splat(0.5f), wasm_f32x4_mul(r, poly));
  poly = wasm_f32x4_add(splat(-1.0f), wasm_f32x4_mul(r, poly));
  f32x4 em = wasm_f32x4_add(splat(1.0f), wasm_f32x4_mul(r, poly));
  v128_t k = wasm_i32x4_sub(shifted, wasm_i32x4_splat(0x4b400000)); /* 0 <= k <= 159 */
  v128_t k1 = wasm_i32x4_shr(k, 1);
  v128_t k2 = wasm_i32x4_sub(k, k1);
  f32x4 s1 = wasm_i32x4_shl(wasm_i32x4_sub(wasm_i32x4_splat(127), k1), 23);
  f32x4 s2 = wasm_i32x4_shl(wasm_i32x4_sub(wasm_i32x4_splat(127), k2), 23);
  return wasm_f32x4_mul(wasm_f32x4_mul(em, s1), s2);
}

/*
 * log(u) for u > 0 normal or subnormal, plus `extra` / u added before the final rounding (the
 * log1p correction below; 0 for a plain log). u = 2^k m with m in [sqrt(1/2), sqrt(2)), f = m - 1
 * exact, s = f / (2 + f), log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))) as in fdlibm, with R by
 * Taylor (2/3 z + 2/5 z^2 + ... + 2/11 z^5, z = s^2 <= 0.0295: next term below 2^-30 of f).
 * u = 0 gives a large negative finite number, +Infinity and NaN give garbage: callers keep those
 * lanes apart.
 */
ALWAYS_INLINE f32x4 v_log_plus(f32x4 u, f32x4 extra, int subnormals) {
  /* subnormals (only where the caller's u can be one): scale by 2^24 first */
  v128_t tiny = wasm_i32x4_splat(0);
  if (subnormals) {
    tiny = wasm_f32x4_lt(u, splat(1.17549435e-38f));
    u = vsel(tiny, wasm_f32x4_mul(u, splat(16777216.0f)), u);
  }
  v128_t bits = u;
  v128_t kbits = wasm_i32x4_sub(bits, wasm_i32x4_splat(0x3f3504f3)); /* 0x3f3504f3 = sqrt(1/2) */
  v128_t k = wasm_i32x4_shr(kbits, 23);
  f32x4 m = wasm_i32x4_sub(bits, wasm_i32x4_shl(k, 23));
  if (subnormals) k = wasm_i32x4_sub(k, wasm_v128_and(tiny, wasm_i32x4_splat(24)));
  f32x4 kf = wasm_f32x4_convert_i32x4(k);
  f32x4 f = wasm_f32x4_sub(m, splat(1.0f));
  f32x4 s = wasm_f32x4_div(f, wasm_f32x4_add(splat(2.0f), f));
  f32x4 z = wasm_f32x4_mul(s, s);
  f32x4 R = splat(2.0f / 11.0f);
  R = wasm_f32x4_add(splat(2.0f / 9.0f), wasm_f32x4_mul(z, R));
  R = wasm_f32x4_add(splat(2.0f / 7.0f), wasm_f32x4_mul(z, R));
  R = wasm_f32x4_add(splat(2.0f / 5.0f), wasm_f32x4_mul(z, R));
  R = wasm_f32x4_add(splat(2.0f / 3.0f), wasm_f32x4_mul(z, R));
  R = wasm_f32x4_mul(z, R);
  f32x4 hfsq = wasm_f32x4_mul(splat(0.5f), wasm_f32x4_mul(f, f));
  /* k ln2_hi is exact (|k| < 2^9); the small terms go together first */
  f32x4 low = wasm_f32x4_add(wasm_f32x4_mul(kf, splat(1.428606765330187045e-06f)), extra);
  f32x4 inner = wasm_f32x4_sub(hfsq, wasm_f32x4_add(wasm_f32x4_mul(s, wasm_f32x4_add(hfsq, R)), low));
  return wasm_f32x4_add(wasm_f32x4_mul(kf, splat(0.693145751953125f)), wasm_f32x4_sub(f, inner));
}

ALWAYS_INLINE f32x4 v_log(f32x4 u) { return v_log_plus(u, splat(0.0f), 1); }

/*
 * log1p(y) for y > -1 (finite): log(1 + y) of the rounded sum plus the rounding error of the sum
 * divided by it, (y - ((1 + y) - 1)) / (1 + y), which keeps tiny y at full relative precision.
 */
ALWAYS_INLINE f32x4 v_log1p(f32x4 y) {
  f32x4 u = wasm_f32x4_add(splat(1.0f), y);
  f32x4 corr = wasm_f32x4_div(wasm_f32x4_sub(y, wasm_f32x4_sub(u, splat(1.0f))), u);
  return v_log_plus(u, corr, 0); /* u = 1 + y >= 2^-24 for float32 y > -1 */
}

/*
 * exp(-a) for the sigmoid's a = |x| >= 0, cheaper than v_exp_neg where results below 2^-126 do
 * not matter (they only enter terms that underflow anyway, see sigmoid_gamma2_vec): those flush to
 * 0, so 2^-k is one power of two. exp(-r) = 1 + r P(r), P of degree 5 fitted (weighted least
 * squares iterated to near-minimax) on |r| <= ln2 / 2: within 1 ulp of mpmath's correctly rounded
 * float32 (src/simd/simd-math.test.ts). Infinite, NaN and huge a give garbage: callers treat
 * those lanes apart.
 */
ALWAYS_INLINE f32x4 v_exp_neg_flush(f32x4 a) {
  f32x4 shifted = wasm_f32x4_add(wasm_f32x4_mul(a, splat(1.44269504088896341f)), splat(12582912.0f));
  f32x4 kf = wasm_f32x4_sub(shifted, splat(12582912.0f));
  f32x4 r = wasm_f32x4_sub(wasm_f32x4_sub(a, wasm_f32x4_mul(kf, splat(0.693145751953125f))),
                           wasm_f32x4_mul(kf, splat(1.428606765330187045e-06f)));
  /* P by Estrin's scheme (pairs, then r^2): the loop is bound by this dependency chain's latency */
  f32x4 r2 = wasm_f32x4_mul(r, r);
  f32x4 p01 = wasm_f32x4_add(splat(-1.0f), wasm_f32x4_mul(r, splat(0.4999999403953552f)));
  f32x4 p23 = wasm_f32x4_add(splat(-0.16666431725025177f), wasm_f32x4_mul(r, splat(0.04166800156235695f)));
  f32x4 p45 = wasm_f32x4_add(splat(-0.00837415549904108f), wasm_f32x4_mul(r, splat(0.0013843653723597527f)));
  /* 1 + (r p01 + r^3 (p23 + r^2 p45)): one rounding near 1, at the end */
  f32x4 high = wasm_f32x4_mul(wasm_f32x4_mul(r, r2), wasm_f32x4_add(p23, wasm_f32x4_mul(r2, p45)));
  f32x4 em = wasm_f32x4_add(splat(1.0f), wasm_f32x4_add(wasm_f32x4_mul(r, p01), high));
  /* 2^-k as the bits (127 - k) << 23, k the low bits of `shifted` (0x4b400000 + k): one subtraction */
  f32x4 scale = wasm_i32x4_shl(wasm_i32x4_sub(wasm_i32x4_splat(0x4b400000 + 127), shifted), 23);
  /* a > 87 (k could exceed 126): exp(-a) < 2^-125.5, flushed */
  return wasm_v128_andnot(wasm_f32x4_mul(em, scale), wasm_f32x4_gt(a, splat(87.0f)));
}

/*
 * log1p(e) for e in [0, 1] (the sigmoid's e = exp(-|x|)), without a division: e + e^2 H(e), H of
 * degree 8 fitted to (log1p(e) - e) / e^2 like v_exp_neg_flush's P: within 1 ulp of mpmath, full
 * relative precision as e -> 0 (tiny e gives e exactly).
 */
ALWAYS_INLINE f32x4 v_log1p_unit(f32x4 e) {
  /* H by Estrin's scheme (pairs, then e^2, e^4, e^8): shorter dependency chains than Horner's */
  f32x4 e2 = wasm_f32x4_mul(e, e);
  f32x4 e4 = wasm_f32x4_mul(e2, e2);
  f32x4 h01 = wasm_f32x4_add(splat(-0.49999940395355225f), wasm_f32x4_mul(e, splat(0.3333077132701874f)));
  f32x4 h23 = wasm_f32x4_add(splat(-0.24961474537849426f), wasm_f32x4_mul(e, splat(0.19710858166217804f)));
  f32x4 h45 = wasm_f32x4_add(splat(-0.15401174128055573f), wasm_f32x4_mul(e, splat(0.10759567469358444f)));
  f32x4 h67 = wasm_f32x4_add(splat(-0.05845555290579796f), wasm_f32x4_mul(e, splat(0.02063046209514141f)));
  f32x4 h47 = wasm_f32x4_add(h45, wasm_f32x4_mul(e2, wasm_f32x4_add(h67, wasm_f32x4_mul(e2, splat(-0.0034138059709221125f)))));
  f32x4 h = wasm_f32x4_add(wasm_f32x4_add(h01, wasm_f32x4_mul(e2, h23)), wasm_f32x4_mul(e4, h47));
  return wasm_f32x4_add(e, wasm_f32x4_mul(e2, h));
}

/* How u^gamma is computed, chosen once per call outside the loops. */
enum gamma_kind { GAMMA_0, GAMMA_1, GAMMA_2, GAMMA_3, GAMMA_4, GAMMA_HALF, GAMMA_ANY };

/* u^gamma for u in [0, 1]; 0^0 = 1, 0^gamma = 0 for gamma > 0. GAMMA_ANY serves any gamma. */
ALWAYS_INLINE f32x4 v_pow_gamma(f32x4 u, enum gamma_kind kind, f32x4 gamma) {
  switch (kind) {
    case GAMMA_0: return splat(1.0f);
    case GAMMA_1: return u;
    case GAMMA_2: return wasm_f32x4_mul(u, u);
    case GAMMA_3: return wasm_f32x4_mul(wasm_f32x4_mul(u, u), u);
    case GAMMA_4: { f32x4 u2 = wasm_f32x4_mul(u, u); return wasm_f32x4_mul(u2, u2); }
    case GAMMA_HALF: return wasm_f32x4_sqrt(u);
    default: {
      /* exp(-gamma (-log u)); u = 0 gives 0, or 1 when gamma = 0 (0^0 = 1) */
      f32x4 a = wasm_f32x4_mul(gamma, wasm_f32x4_neg(v_log(u)));
      f32x4 v = v_exp_neg(wasm_f32x4_pmax(splat(0.0f), a));
      v128_t defined = wasm_v128_or(wasm_f32x4_gt(u, splat(0.0f)), wasm_f32x4_eq(gamma, splat(0.0f)));
      return vsel(defined, vsel(wasm_f32x4_eq(gamma, splat(0.0f)), splat(1.0f), v), splat(0.0f));
    }
  }
}

#endif
