/*
 * Sigmoid and softmax focal loss (loss and fused gradient) on float32, 4 lanes at a time
 * (WebAssembly SIMD128). Built by wasm/build.mjs with Debian's clang/lld:
 *   clang --target=wasm32 -O3 -msimd128 -nostdlib ...
 *
 * The formulas and their order are those of @focal-loss/core's fused loops (fused-sigmoid.ts,
 * fused-softmax.ts; docs/math.md), in float32 with the vector kernels of simd-math.h. The caller
 * (src/simd/) copies one block of at most a few thousand elements into this module's memory, calls
 * one of the exported functions, and copies the results back; it then recomputes in float64, with
 * the core's scalar code, the "special" elements listed here: non-finite or huge logits (the
 * contract's limits; float32 would overflow), NaN probabilities. Their losses are left out of the
 * returned sum so that the caller can add the exact ones.
 *
 * Reductions: the block's losses are summed in float64 (Kahan, with the plain sum kept for
 * non-finite totals) in a fixed lane order, so a block's sum does not depend on who computes it.
 */
#include <stdint.h>
#include "simd-math.h"

#define EXPORT(name) __attribute__((export_name(#name)))

/* Shared with src/simd/layout.ts (field order and offsets must match). */
struct params {
  int32_t n;          /* sigmoid: elements; softmax: positions */
  int32_t has_weight;
  int32_t want_loss;  /* write each element's (position's) weighted loss */
  int32_t want_grad;
  int32_t gamma_kind;
  int32_t from_logits;
  int32_t special_count; /* out */
  int32_t classes;    /* softmax */
  int32_t inner;      /* softmax: positions are (outer, inner), classes between */
  int32_t index_targets; /* softmax: int32 class indices (else probabilities like the input) */
  int32_t ignore_index;
  int32_t has_ignore;
  float scale;
  float gamma;
  float alpha_pos, alpha_neg; /* sigmoid */
  float one_minus_s;  /* 1 - smoothing */
  float s_share;      /* smoothing / 2 (sigmoid), smoothing / C (softmax) */
  float lo_cmp;       /* x < lo_cmp  <=>  x < eps (fromLogits false) */
  float hi_cmp;       /* x > hi_cmp  <=>  x > 1 - eps */
  float p_lo;         /* eps */
  float p_hi;         /* 1 - eps */
  float q_hi;         /* 1 - (1 - eps), i.e. eps as float64 rounds it */
  float log_p_lo;     /* log(eps) */
  float log_q_lo;     /* log1p(-eps) = log(1 - eps) */
  float log_p_hi;     /* log(1 - eps) */
  float log_q_hi;     /* log(1 - (1 - eps)) */
  int32_t smoothing_on;
};

/*
 * The block's sum: each vector's 4 float32 lanes become 2 float64 pair sums (exact: float32 +
 * float32 is exact in float64 but for extreme exponents, where it rounds once), added by Kahan's
 * compensated summation in two float64 lanes; the plain sum is kept for non-finite totals. One
 * dependency chain of 4 float64 operations per vector.
 */
typedef struct {
  v128_t sum, c, plain;
} block_sum;

ALWAYS_INLINE void sum_init(block_sum* s) { s->sum = s->c = s->plain = wasm_f64x2_splat(0.0); }

ALWAYS_INLINE void sum_add(block_sum* s, f32x4 v) {
  v128_t pair = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(v),
                               wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
  v128_t y = wasm_f64x2_sub(pair, s->c);
  v128_t t = wasm_f64x2_add(s->sum, y);
  s->c = wasm_f64x2_sub(wasm_f64x2_sub(t, s->sum), y);
  s->sum = t;
  s->plain = wasm_f64x2_add(s->plain, pair);
}

static double sum_value(const block_sum* s) {
  double plain = wasm_f64x2_extract_lane(s->plain, 0) + wasm_f64x2_extract_lane(s->plain, 1);
  /* an infinite or NaN term makes the compensations NaN: the plain sum is then the IEEE answer */
  if (!(plain - plain == 0.0)) return plain;
  return (wasm_f64x2_extract_lane(s->sum, 0) - wasm_f64x2_extract_lane(s->c, 0)) +
         (wasm_f64x2_extract_lane(s->sum, 1) - wasm_f64x2_extract_lane(s->c, 1));
}

/* Lanes [0, count) set. */
ALWAYS_INLINE v128_t lanes_below(int count) {
  return wasm_i32x4_lt(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(count));
}

ALWAYS_INLINE void store_lanes(float* at, f32x4 v, int count) {
  if (count == 4) {
    wasm_v128_store(at, v);
    return;
  }
  float lanes[4];
  wasm_v128_store(lanes, v);
  for (int k = 0; k < count; k++) at[k] = lanes[k];
}

ALWAYS_INLINE void record_specials(struct params* P, int32_t* specials, v128_t bad, int base, int count) {
  int mask = wasm_i32x4_bitmask(bad) & ((1 << count) - 1);
  for (int k = 0; k < 4; k++) {
    if (mask & (1 << k)) specials[P->special_count++] = base + k;
  }
}

/* ---------------------------------------------------------------- sigmoid */

/* Smoothed targets t and 1 - t, each from its own formula (1 - t would lose t1's precision). */
ALWAYS_INLINE void smoothed_binary(const struct params* P, f32x4 y, f32x4* t, f32x4* t1) {
  f32x4 y1 = wasm_f32x4_sub(splat(1.0f), y);
  if (P->smoothing_on) {
    f32x4 keep = splat(P->one_minus_s), share = splat(P->s_share);
    *t = wasm_f32x4_add(wasm_f32x4_mul(y, keep), share);
    *t1 = wasm_f32x4_add(wasm_f32x4_mul(y1, keep), share);
  } else {
    *t = y;
    *t1 = y1;
  }
}

/*
 * One vector of sigmoid focal loss from logits (fused-sigmoid.ts, from logits): writes the
 * unweighted loss and gradient to *loss, *grad; returns the lanes the caller must recompute.
 */
ALWAYS_INLINE v128_t sigmoid_logits_vec(f32x4 x, f32x4 t, f32x4 t1, const struct params* P,
                                         enum gamma_kind kind, int want_grad, f32x4* loss, f32x4* grad) {
  f32x4 a = wasm_f32x4_abs(x);
  v128_t bad = wasm_v128_not(wasm_f32x4_le(a, splat(0x1p100f)));
  f32x4 e = v_exp_neg(a);
  /* log1p(e) as v_log1p, with its division by 1 + e shared with 1 / (1 + e) */
  f32x4 onePlusE = wasm_f32x4_add(splat(1.0f), e);
  f32x4 inv = wasm_f32x4_div(splat(1.0f), onePlusE);
  f32x4 rounding = wasm_f32x4_mul(wasm_f32x4_sub(e, wasm_f32x4_sub(onePlusE, splat(1.0f))), inv);
  f32x4 log1pE = v_log_plus(onePlusE, rounding, 0);
  f32x4 eInv = wasm_f32x4_mul(e, inv);
  v128_t pos = wasm_f32x4_ge(x, splat(0.0f));
  f32x4 p = vsel(pos, inv, eInv);
  f32x4 q = vsel(pos, eInv, inv);
  f32x4 softplusPos = vsel(pos, wasm_f32x4_add(x, log1pE), log1pE); /* -log(1 - p) */
  f32x4 softplusNeg = vsel(pos, log1pE, wasm_f32x4_sub(log1pE, x)); /* -log(p) */
  f32x4 ce = wasm_f32x4_add(wasm_f32x4_mul(t, softplusNeg), wasm_f32x4_mul(t1, softplusPos));
  f32x4 u = wasm_f32x4_add(wasm_f32x4_mul(p, t1), wasm_f32x4_mul(q, t));
  f32x4 alphaT = wasm_f32x4_add(wasm_f32x4_mul(splat(P->alpha_pos), t), wasm_f32x4_mul(splat(P->alpha_neg), t1));
  f32x4 gamma = splat(P->gamma);
  f32x4 focal = wasm_f32x4_mul(alphaT, v_pow_gamma(u, kind, gamma));
  *loss = wasm_f32x4_mul(focal, ce);
  if (want_grad) {
    f32x4 pqOverU = vsel(wasm_f32x4_gt(u, splat(0.0f)), wasm_f32x4_div(wasm_f32x4_mul(p, q), u), splat(0.0f));
    f32x4 focusTerm = kind == GAMMA_0
                          ? splat(0.0f)
                          : wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(gamma, pqOverU), wasm_f32x4_sub(t1, t)), ce);
    f32x4 ceTerm = wasm_f32x4_sub(wasm_f32x4_mul(p, t1), wasm_f32x4_mul(q, t));
    *grad = wasm_f32x4_mul(focal, wasm_f32x4_add(focusTerm, ceTerm));
  }
  return bad;
}

/*
 * Gamma 2 from logits (RetinaNet's case, the one to be fast): the element's loss and, when
 * want_grad, its gradient, unweighted. Written in terms of a = |x|, using the symmetry
 * loss(x, y) = loss(-x, 1 - y) with alpha_t unchanged: for x < 0 the target is mirrored (yy =
 * 1 - y) and the gradient's sign flipped, so p = P = 1 / (1 + e), q = Q = e P with e = exp(-a), and
 * no per-lane selection of p, q or the softplus terms is needed. With tt = smoothed yy, tt1 = its
 * complement (each from its own formula):
 *   ce = -t log p - t1 log q = L + tt1 a,  L = log1p(e)
 *   u = 1 - p_t = P tt1 + Q tt,  v = P tt1 - Q tt  (= +-(p - t), p t1 - q t written without cancellation)
 *   loss = alpha_t u^2 ce,  d loss / dx = sign(x) alpha_t u (2 P Q (tt1 - tt) ce + u v)
 * (the core's focal (gamma pq/u (t1 - t) ce + p t1 - q t) with gamma = 2, the 1/u cancelled: no
 * division there). Two divisions fewer than the general loop, no exp/log1p lane selections.
 * Returns the lanes to recompute (|x| > 2^100, infinite or NaN), garbage in their results.
 */
ALWAYS_INLINE v128_t sigmoid_gamma2_vec(f32x4 x, f32x4 y, const struct params* P, int smoothing, int want_grad,
                                        f32x4* loss, f32x4* grad) {
  f32x4 a = wasm_f32x4_abs(x);
  v128_t bad = wasm_i32x4_gt(a, wasm_i32x4_splat(0x71800000)); /* bits of 2^100; NaN and inf are above */
  f32x4 e = v_exp_neg_flush(a);
  f32x4 Pv = wasm_f32x4_div(splat(1.0f), wasm_f32x4_add(splat(1.0f), e));
  f32x4 Q = wasm_f32x4_mul(e, Pv);
  f32x4 L = v_log1p_unit(e);
  v128_t negative = wasm_i32x4_shr(x, 31);
  f32x4 y1 = wasm_f32x4_sub(splat(1.0f), y);
  /* the swap where x < 0 as xors (V8 expands a bitselect to 3 instructions) */
  v128_t swap = wasm_v128_and(negative, wasm_v128_xor(y, y1));
  f32x4 yy = wasm_v128_xor(y, swap), yy1 = wasm_v128_xor(y1, swap);
  f32x4 t = y, tt = yy, tt1 = yy1;
  if (smoothing) {
    f32x4 keep = splat(P->one_minus_s), share = splat(P->s_share);
    t = wasm_f32x4_add(wasm_f32x4_mul(y, keep), share);
    tt = wasm_f32x4_add(wasm_f32x4_mul(yy, keep), share);
    tt1 = wasm_f32x4_add(wasm_f32x4_mul(yy1, keep), share);
  }
  /* alpha_t = alpha t + (1 - alpha) (1 - t) = alpha_neg + (alpha_pos - alpha_neg) t */
  f32x4 alphaT = wasm_f32x4_add(splat(P->alpha_neg), wasm_f32x4_mul(splat(P->alpha_pos - P->alpha_neg), t));
  f32x4 ce = wasm_f32x4_add(L, wasm_f32x4_mul(tt1, a));
  f32x4 pt1 = wasm_f32x4_mul(Pv, tt1), qt = wasm_f32x4_mul(Q, tt);
  f32x4 u = wasm_f32x4_add(pt1, qt);
  f32x4 au = wasm_f32x4_mul(alphaT, u);
  *loss = wasm_f32x4_mul(wasm_f32x4_mul(au, u), ce);
  if (want_grad) {
    f32x4 v = wasm_f32x4_sub(pt1, qt);
    f32x4 pq2 = wasm_f32x4_mul(wasm_f32x4_add(Pv, Pv), Q);
    f32x4 focus = wasm_f32x4_mul(wasm_f32x4_mul(pq2, wasm_f32x4_sub(tt1, tt)), ce);
    f32x4 g = wasm_f32x4_mul(au, wasm_f32x4_add(focus, wasm_f32x4_mul(u, v)));
    *grad = wasm_v128_xor(g, wasm_v128_and(x, wasm_i32x4_splat((int32_t)0x80000000)));
  }
  return bad;
}

/*
 * The gamma 2 from-logits loop (see sigmoid_gamma2_vec). Special lanes are not tested one vector
 * at a time: their losses are zeroed (a bitwise and-not) and a block-wide flag says whether to
 * scan the block for them afterwards. The block sum is a plain float64 sum in 2 lanes (fixed
 * order: deterministic; 4096 terms per lane: relative error ~2^-41, far below float32's).
 */
/* One vector of the gamma 2 loop at element i; `count` < 4 only for the block's last vector. */
ALWAYS_INLINE void sigmoid_gamma2_step(const struct params* P, const float* x, const float* y, const float* w,
                                       float* lossOut, float* gradOut, int i, int count, f32x4 scale, v128_t* sum0,
                                       v128_t* sum1, v128_t* anyBad, int smoothing, int has_weight, int want_loss,
                                       int want_grad) {
  f32x4 loss, grad;
  v128_t bad = sigmoid_gamma2_vec(wasm_v128_load(x + i), wasm_v128_load(y + i), P, smoothing, want_grad, &loss, &grad);
  if (count < 4) bad = wasm_v128_and(bad, lanes_below(count));
  *anyBad = wasm_v128_or(*anyBad, bad);
  f32x4 wv = has_weight ? wasm_v128_load(w + i) : splat(1.0f);
  if (has_weight) loss = wasm_f32x4_mul(wv, loss);
  loss = wasm_v128_andnot(loss, bad);
  if (want_loss) {
    store_lanes(lossOut + i, loss, count);
  } else {
    if (count < 4) loss = wasm_v128_and(loss, lanes_below(count));
    *sum0 = wasm_f64x2_add(*sum0, wasm_f64x2_promote_low_f32x4(loss));
    *sum1 = wasm_f64x2_add(*sum1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(loss, loss, 2, 3, 0, 1)));
  }
  if (want_grad) {
    f32x4 gs = has_weight ? wasm_f32x4_mul(scale, wv) : scale;
    store_lanes(gradOut + i, wasm_f32x4_mul(gs, grad), count);
  }
}

/*
 * The gamma 2 from-logits loop (see sigmoid_gamma2_vec). Special lanes are not tested one vector
 * at a time: their losses are zeroed (a bitwise and-not) and a block-wide flag says whether to
 * scan the block for them afterwards. The block sum is a plain float64 sum in 2 lanes (fixed
 * order: deterministic; 4096 terms per lane: relative error ~2^-41, far below float32's).
 */
ALWAYS_INLINE double sigmoid_gamma2_loop(struct params* shared, const float* x, const float* y, const float* w,
                                         float* lossOut, float* gradOut, int32_t* specials, int smoothing,
                                         int has_weight, int want_loss, int want_grad, int unroll) {
  struct params local = *shared;
  const struct params* P = &local;
  const int n = P->n, full = n & ~3, pairs = unroll ? n & ~7 : 0;
  const f32x4 scale = splat(P->scale);
  v128_t sum0 = wasm_f64x2_splat(0.0), sum1 = wasm_f64x2_splat(0.0);
  v128_t anyBad = wasm_i32x4_splat(0);
  /* two vectors per iteration (the common cases): V8 spills and reloads the loop-carried sums
     once per iteration; 5% fewer instructions, measured with callgrind */
  for (int i = 0; i < pairs; i += 8) {
    sigmoid_gamma2_step(P, x, y, w, lossOut, gradOut, i, 4, scale, &sum0, &sum1, &anyBad, smoothing, has_weight,
                        want_loss, want_grad);
    sigmoid_gamma2_step(P, x, y, w, lossOut, gradOut, i + 4, 4, scale, &sum0, &sum1, &anyBad, smoothing, has_weight,
                        want_loss, want_grad);
  }
  for (int i = pairs; i < full; i += 4) {
    sigmoid_gamma2_step(P, x, y, w, lossOut, gradOut, i, 4, scale, &sum0, &sum1, &anyBad, smoothing, has_weight,
                        want_loss, want_grad);
  }
  if (full < n) {
    sigmoid_gamma2_step(P, x, y, w, lossOut, gradOut, full, n - full, scale, &sum0, &sum1, &anyBad, smoothing,
                        has_weight, want_loss, want_grad);
  }
  int32_t count = 0;
  if (wasm_v128_any_true(anyBad)) {
    for (int i = 0; i < n; i += 4) {
      v128_t bad = wasm_i32x4_gt(wasm_f32x4_abs(wasm_v128_load(x + i)), wasm_i32x4_splat(0x71800000));
      int mask = wasm_i32x4_bitmask(bad) & (n - i < 4 ? (1 << (n - i)) - 1 : 15);
      for (int k = 0; k < 4; k++) {
        if (mask & (1 << k)) specials[count++] = i + k;
      }
    }
  }
  shared->special_count = count;
  if (want_loss) return 0.0;
  v128_t sum = wasm_f64x2_add(sum0, sum1);
  return wasm_f64x2_extract_lane(sum, 0) + wasm_f64x2_extract_lane(sum, 1);
}

/* The gamma 2 from-logits cases, each a loop of its own (the flags are compile-time in each). */
static double sigmoid_gamma2(struct params* P, const float* x, const float* y, const float* w, float* lossOut,
                             float* gradOut, int32_t* specials) {
  const int s = P->smoothing_on, hw = P->has_weight, wl = P->want_loss;
#define G2(S, W, L, G) \
  if (s == S && hw == W && wl == L && P->want_grad == G) \
    return sigmoid_gamma2_loop(P, x, y, w, lossOut, gradOut, specials, S, W, L, G, 1)
  /* the common cases with all flags fixed; the rest with smoothing and weight read per vector */
  G2(0, 0, 0, 1);
  G2(0, 0, 0, 0);
#undef G2
  if (P->want_grad) return sigmoid_gamma2_loop(P, x, y, w, lossOut, gradOut, specials, s, hw, wl, 1, 0);
  return sigmoid_gamma2_loop(P, x, y, w, lossOut, gradOut, specials, s, hw, wl, 0, 0);
}

/* The clipped probability p, 1 - p and their logs (sigmoidFocalFromProbability), lane-wise. */
typedef struct {
  f32x4 p, q, logP, logQ;
  v128_t clipped;
} clipped_probability;

ALWAYS_INLINE clipped_probability clip_probability(f32x4 x, const struct params* P) {
  clipped_probability r;
  v128_t low = wasm_f32x4_lt(x, splat(P->lo_cmp));
  v128_t high = wasm_f32x4_gt(x, splat(P->hi_cmp));
  r.clipped = wasm_v128_or(low, high);
  /* unclipped: p = x exactly, log(1 - x) as log1p(-x) (1 - x alone would lose small x) */
  f32x4 safe = vsel(r.clipped, splat(0.5f), x);
  r.p = vsel(low, splat(P->p_lo), vsel(high, splat(P->p_hi), x));
  r.q = vsel(low, splat(1.0f - P->p_lo), vsel(high, splat(P->q_hi), wasm_f32x4_sub(splat(1.0f), x)));
  r.logP = vsel(low, splat(P->log_p_lo), vsel(high, splat(P->log_p_hi), v_log(safe)));
  /* x = 1 is unclipped only when 1 - eps rounds to 1 (eps < 2^-53): log(1 - x) = -Infinity */
  f32x4 logQ = vsel(wasm_f32x4_eq(safe, splat(1.0f)), splat(-__builtin_inff()), v_log1p(wasm_f32x4_neg(safe)));
  r.logQ = vsel(low, splat(P->log_q_lo), vsel(high, splat(P->log_q_hi), logQ));
  return r;
}

ALWAYS_INLINE v128_t sigmoid_probability_vec(f32x4 x, f32x4 t, f32x4 t1, const struct params* P,
                                              enum gamma_kind kind, int want_grad, f32x4* loss, f32x4* grad) {
  v128_t bad = wasm_f32x4_ne(x, x);
  clipped_probability c = clip_probability(x, P);
  f32x4 ce = wasm_f32x4_neg(wasm_f32x4_add(wasm_f32x4_mul(t, c.logP), wasm_f32x4_mul(t1, c.logQ)));
  f32x4 u = wasm_f32x4_add(wasm_f32x4_mul(c.p, t1), wasm_f32x4_mul(c.q, t));
  f32x4 alphaT = wasm_f32x4_add(wasm_f32x4_mul(splat(P->alpha_pos), t), wasm_f32x4_mul(splat(P->alpha_neg), t1));
  f32x4 gamma = splat(P->gamma);
  f32x4 focal = wasm_f32x4_mul(alphaT, v_pow_gamma(u, kind, gamma));
  *loss = wasm_f32x4_mul(focal, ce);
  if (want_grad) {
    f32x4 focusTerm = wasm_f32x4_div(wasm_f32x4_mul(wasm_f32x4_mul(gamma, wasm_f32x4_sub(t1, t)), ce), u);
    f32x4 ceTerm = wasm_f32x4_sub(wasm_f32x4_div(t1, c.q), wasm_f32x4_div(t, c.p));
    f32x4 g = wasm_f32x4_mul(focal, wasm_f32x4_add(focusTerm, ceTerm));
    *grad = vsel(c.clipped, splat(0.0f), g);
  }
  return bad;
}

ALWAYS_INLINE double sigmoid_loop(struct params* shared, const float* x, const float* y, const float* w,
                                  float* lossOut, float* gradOut, int32_t* specials, enum gamma_kind kind,
                                  int from_logits, int want_grad) {
  /* a private copy: the output stores could alias the parameter block, which would make the
     compiler reload every parameter in every iteration */
  struct params local = *shared;
  struct params* P = &local;
  block_sum total;
  sum_init(&total);
  const int n = P->n;
  const int want_loss = P->want_loss;
  const int has_weight = P->has_weight;
  const f32x4 scale = splat(P->scale);
  P->special_count = 0;
  for (int i = 0; i < n; i += 4) {
    const int count = n - i < 4 ? n - i : 4;
    /* the caller pads every buffer to a multiple of 4 elements: the loads stay inside */
    f32x4 xv = wasm_v128_load(x + i);
    f32x4 t, t1, loss, grad = splat(0.0f);
    smoothed_binary(P, wasm_v128_load(y + i), &t, &t1);
    v128_t bad = from_logits ? sigmoid_logits_vec(xv, t, t1, P, kind, want_grad, &loss, &grad)
                             : sigmoid_probability_vec(xv, t, t1, P, kind, want_grad, &loss, &grad);
    f32x4 wv = has_weight ? wasm_v128_load(w + i) : splat(1.0f);
    loss = wasm_f32x4_mul(wv, loss);
    if (count < 4) bad = wasm_v128_and(bad, lanes_below(count));
    if (wasm_v128_any_true(bad)) {
      record_specials(P, specials, bad, i, count);
      loss = vsel(bad, splat(0.0f), loss);
    }
    if (want_loss) store_lanes(lossOut + i, loss, count);
    else {
      if (count < 4) loss = vsel(lanes_below(count), loss, splat(0.0f));
      sum_add(&total, loss);
    }
    if (want_grad) store_lanes(gradOut + i, wasm_f32x4_mul(wasm_f32x4_mul(scale, wv), grad), count);
  }
  shared->special_count = P->special_count;
  return want_loss ? 0.0 : sum_value(&total);
}

/*
 * Sigmoid focal loss of P->n elements. Returns the float64 sum of the weighted losses when
 * P->want_loss is 0 (else writes them to lossOut and returns 0); writes scale * w * dL/dx to gradOut
 * when P->want_grad. Special elements' indices go to `specials` (count in P->special_count).
 * Each case below is a loop of its own: gamma 2 (RetinaNet's) from logits, with and without the
 * gradient, is specialised; everything else takes the general u^gamma (a few ulps, and slower).
 */
EXPORT(sigmoid_focal)
double sigmoid_focal(struct params* P, const float* x, const float* y, const float* w, float* lossOut,
                     float* gradOut, int32_t* specials) {
  if (P->from_logits && P->gamma_kind == GAMMA_2) return sigmoid_gamma2(P, x, y, w, lossOut, gradOut, specials);
  if (P->from_logits && P->want_grad) return sigmoid_loop(P, x, y, w, lossOut, gradOut, specials, GAMMA_ANY, 1, 1);
  if (P->from_logits) return sigmoid_loop(P, x, y, w, lossOut, gradOut, specials, GAMMA_ANY, 1, 0);
  return sigmoid_loop(P, x, y, w, lossOut, gradOut, specials, GAMMA_ANY, 0, P->want_grad);
}

/* ---------------------------------------------------------------- softmax */

/*
 * Softmax positions are vectorised 4 at a time: lane k holds position i + k of a block laid out as
 * (outer, classes, inner), and class c of position p sits at offset(p) + c * inner. `scratch` holds
 * 2 C vectors (exp values then probabilities, and the per-class G_c).
 */
ALWAYS_INLINE f32x4 gather(const float* base, v128_t offsets, int c, int stride, int contiguous) {
  if (contiguous) return wasm_v128_load(base + wasm_i32x4_extract_lane(offsets, 0) + c * stride);
  const int cs = c * stride;
  f32x4 v = wasm_f32x4_splat(base[wasm_i32x4_extract_lane(offsets, 0) + cs]);
  v = wasm_f32x4_replace_lane(v, 1, base[wasm_i32x4_extract_lane(offsets, 1) + cs]);
  v = wasm_f32x4_replace_lane(v, 2, base[wasm_i32x4_extract_lane(offsets, 2) + cs]);
  v = wasm_f32x4_replace_lane(v, 3, base[wasm_i32x4_extract_lane(offsets, 3) + cs]);
  return v;
}

ALWAYS_INLINE void scatter(float* base, v128_t offsets, int c, int stride, int contiguous, f32x4 v, int count) {
  if (contiguous && count == 4) {
    wasm_v128_store(base + wasm_i32x4_extract_lane(offsets, 0) + c * stride, v);
    return;
  }
  const int cs = c * stride;
  base[wasm_i32x4_extract_lane(offsets, 0) + cs] = wasm_f32x4_extract_lane(v, 0);
  if (count > 1) base[wasm_i32x4_extract_lane(offsets, 1) + cs] = wasm_f32x4_extract_lane(v, 1);
  if (count > 2) base[wasm_i32x4_extract_lane(offsets, 2) + cs] = wasm_f32x4_extract_lane(v, 2);
  if (count > 3) base[wasm_i32x4_extract_lane(offsets, 3) + cs] = wasm_f32x4_extract_lane(v, 3);
}

/* The smoothed target of class c (targetAt in softmax-math.ts). */
ALWAYS_INLINE f32x4 class_target(const struct params* P, const float* y, v128_t index, v128_t offsets, int c,
                                 int stride, int contiguous) {
  f32x4 raw = P->index_targets ? vsel(wasm_i32x4_eq(index, wasm_i32x4_splat(c)), splat(1.0f), splat(0.0f))
                               : gather(y, offsets, c, stride, contiguous);
  if (!P->smoothing_on) return raw;
  return wasm_f32x4_add(wasm_f32x4_mul(raw, splat(P->one_minus_s)), splat(P->s_share));
}

/* One group of 4 positions from logits; returns the unweighted losses, lanes to recompute in *bad. */
static f32x4 softmax_logits_group(const struct params* P, const float* x, const float* y, const float* alpha,
                                  v128_t index, v128_t offsets, int contiguous, f32x4 gradScale, float* gradOut,
                                  int count, f32x4* scratch, v128_t* bad) {
  const int C = P->classes, stride = P->inner;
  /* gamma 2 (a multiplication) or the general u^gamma: the softmax has no other specialisation */
  const int two = P->gamma_kind == GAMMA_2;
  const f32x4 gamma = splat(P->gamma);
  /* largest logit and its first class; non-finite or huge logits make the lane special */
  f32x4 max = gather(x, offsets, 0, stride, contiguous);
  v128_t top = wasm_i32x4_splat(0);
  v128_t badLanes = wasm_v128_not(wasm_f32x4_le(wasm_f32x4_abs(max), splat(0x1p100f)));
  for (int c = 1; c < C; c++) {
    f32x4 v = gather(x, offsets, c, stride, contiguous);
    badLanes = wasm_v128_or(badLanes, wasm_v128_not(wasm_f32x4_le(wasm_f32x4_abs(v), splat(0x1p100f))));
    v128_t greater = wasm_f32x4_gt(v, max);
    max = vsel(greater, v, max);
    top = vsel(greater, wasm_i32x4_splat(c), top);
  }
  *bad = badLanes;
  /* others = sum over c != top of exp(x_c - max), in float64 (C terms) */
  v128_t othersLo = wasm_f64x2_splat(0.0), othersHi = wasm_f64x2_splat(0.0);
  for (int c = 0; c < C; c++) {
    f32x4 v = gather(x, offsets, c, stride, contiguous);
    f32x4 e = v_exp_neg(wasm_f32x4_sub(max, v));
    scratch[c] = e;
    f32x4 counted = vsel(wasm_i32x4_eq(top, wasm_i32x4_splat(c)), splat(0.0f), e);
    othersLo = wasm_f64x2_add(othersLo, wasm_f64x2_promote_low_f32x4(counted));
    othersHi = wasm_f64x2_add(othersHi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(counted, counted, 2, 3, 0, 1)));
  }
  f32x4 othersLow = wasm_f32x4_demote_f64x2_zero(othersLo);
  f32x4 othersHigh = wasm_f32x4_demote_f64x2_zero(othersHi);
  f32x4 others = wasm_i32x4_shuffle(othersLow, othersHigh, 0, 1, 4, 5);
  f32x4 logSum = v_log1p(others);
  f32x4 invSum = wasm_f32x4_div(splat(1.0f), wasm_f32x4_add(splat(1.0f), others));
  f32x4 topQ = wasm_f32x4_mul(others, invSum);
  f32x4 loss = splat(0.0f), gTotal = splat(0.0f);
  f32x4* gs = scratch + C;
  for (int c = 0; c < C; c++) {
    f32x4 t = class_target(P, y, index, offsets, c, stride, contiguous);
    f32x4 p = wasm_f32x4_mul(scratch[c], invSum);
    v128_t isTop = wasm_i32x4_eq(top, wasm_i32x4_splat(c));
    f32x4 q = vsel(isTop, topQ, wasm_f32x4_sub(splat(1.0f), p));
    f32x4 v = gather(x, offsets, c, stride, contiguous);
    f32x4 s = wasm_f32x4_sub(logSum, wasm_f32x4_sub(v, max)); /* -log p_c */
    f32x4 weight = wasm_f32x4_mul(splat(alpha[c]), t);
    v128_t active = wasm_f32x4_ne(weight, splat(0.0f));
    f32x4 qPow = two ? wasm_f32x4_mul(q, q) : v_pow_gamma(q, GAMMA_ANY, gamma);
    f32x4 wq = wasm_f32x4_mul(weight, qPow);
    loss = wasm_f32x4_add(loss, vsel(active, wasm_f32x4_mul(wq, s), splat(0.0f)));
    f32x4 sOverQ = vsel(wasm_f32x4_gt(q, splat(0.0f)), wasm_f32x4_div(s, q), splat(1.0f));
    f32x4 focus = vsel(wasm_f32x4_gt(p, splat(0.0f)),
                       wasm_f32x4_add(splat(1.0f), wasm_f32x4_mul(wasm_f32x4_mul(gamma, p), sOverQ)), splat(1.0f));
    f32x4 gC = vsel(active, wasm_f32x4_mul(wq, focus), splat(0.0f));
    scratch[c] = p;
    gs[c] = gC;
    gTotal = wasm_f32x4_add(gTotal, gC);
  }
  if (gradOut != 0) {
    for (int c = 0; c < C; c++) {
      f32x4 p = scratch[c], gC = gs[c];
      v128_t isTop = wasm_i32x4_eq(top, wasm_i32x4_splat(c));
      f32x4 q = vsel(isTop, topQ, wasm_f32x4_sub(splat(1.0f), p));
      f32x4 g = wasm_f32x4_sub(wasm_f32x4_mul(p, wasm_f32x4_sub(gTotal, gC)), wasm_f32x4_mul(q, gC));
      scatter(gradOut, offsets, c, stride, contiguous, wasm_f32x4_mul(gradScale, g), count);
    }
  }
  return loss;
}

/* One group of 4 positions from probabilities (rowFromProbabilities in softmax-math.ts). */
static f32x4 softmax_probability_group(const struct params* P, const float* x, const float* y, const float* alpha,
                                       v128_t index, v128_t offsets, int contiguous, f32x4 gradScale,
                                       float* gradOut, int count, v128_t* bad) {
  const int C = P->classes, stride = P->inner;
  const int two = P->gamma_kind == GAMMA_2;
  const f32x4 gamma = splat(P->gamma);
  f32x4 loss = splat(0.0f);
  v128_t badLanes = wasm_i32x4_splat(0);
  for (int c = 0; c < C; c++) {
    f32x4 v = gather(x, offsets, c, stride, contiguous);
    badLanes = wasm_v128_or(badLanes, wasm_f32x4_ne(v, v));
    clipped_probability cp = clip_probability(v, P);
    f32x4 s = wasm_f32x4_neg(cp.logP);
    f32x4 weight = wasm_f32x4_mul(splat(alpha[c]), class_target(P, y, index, offsets, c, stride, contiguous));
    v128_t active = wasm_f32x4_ne(weight, splat(0.0f));
    f32x4 wq = wasm_f32x4_mul(weight, two ? wasm_f32x4_mul(cp.q, cp.q) : v_pow_gamma(cp.q, GAMMA_ANY, gamma));
    loss = wasm_f32x4_add(loss, vsel(active, wasm_f32x4_mul(wq, s), splat(0.0f)));
    if (gradOut != 0) {
      /* -gradScale weight q^g (g s / q + 1 / p); 0 where clipped or weight 0 */
      f32x4 inner = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_mul(gamma, s), cp.q), wasm_f32x4_div(splat(1.0f), cp.p));
      f32x4 g = wasm_f32x4_neg(wasm_f32x4_mul(wasm_f32x4_mul(gradScale, wq), inner));
      g = vsel(wasm_v128_or(cp.clipped, wasm_v128_not(active)), splat(0.0f), g);
      scatter(gradOut, offsets, c, stride, contiguous, g, count);
    }
  }
  *bad = badLanes;
  return loss;
}

/* The positions of a block laid out (outer, classes, inner), 4 at a time (see softmax_focal). */
static double softmax_positions(struct params* P, const float* x, const void* y, const float* w, const float* alpha,
                                float* lossOut, float* gradOut, int32_t* specials, f32x4* scratch) {
  block_sum total;
  sum_init(&total);
  const int n = P->n, C = P->classes, inner = P->inner;
  const int32_t* indices = (const int32_t*)y;
  const f32x4 scale = splat(P->scale);
  float* grad = P->want_grad ? gradOut : 0;
  P->special_count = 0;
  for (int i = 0; i < n; i += 4) {
    const int count = n - i < 4 ? n - i : 4;
    /* offsets of the 4 positions (a missing lane repeats the last one: read, never written) */
    int off[4];
    for (int k = 0; k < 4; k++) {
      int pos = i + (k < count ? k : count - 1);
      int o = pos / inner;
      off[k] = o * C * inner + (pos - o * inner);
    }
    v128_t offsets = wasm_i32x4_make(off[0], off[1], off[2], off[3]);
    const int contiguous = count == 4 && off[3] - off[0] == 3;
    v128_t valid = lanes_below(count);
    v128_t index = wasm_i32x4_splat(-1);
    v128_t ignored = wasm_i32x4_splat(0);
    if (P->index_targets) {
      index = wasm_i32x4_make(indices[i + (0 < count ? 0 : count - 1)], indices[i + (1 < count ? 1 : count - 1)],
                              indices[i + (2 < count ? 2 : count - 1)], indices[i + (3 < count ? 3 : count - 1)]);
      if (P->has_ignore) ignored = wasm_i32x4_eq(index, wasm_i32x4_splat(P->ignore_index));
    }
    f32x4 wv = splat(1.0f);
    if (P->has_weight) {
      wv = wasm_f32x4_make(w[i], w[i + (1 < count ? 1 : count - 1)], w[i + (2 < count ? 2 : count - 1)],
                           w[i + (3 < count ? 3 : count - 1)]);
      wv = vsel(ignored, splat(1.0f), wv); /* an ignored position's weight is not read */
    }
    f32x4 gradScale = vsel(ignored, splat(0.0f), wasm_f32x4_mul(scale, wv));
    v128_t bad;
    f32x4 loss = C == 0 ? splat(0.0f)
                 : P->from_logits
                     ? softmax_logits_group(P, x, y, alpha, index, offsets, contiguous, gradScale, grad, count, scratch, &bad)
                     : softmax_probability_group(P, x, y, alpha, index, offsets, contiguous, gradScale, grad, count, &bad);
    if (C == 0) bad = wasm_i32x4_splat(0);
    /* ignored positions: gradient 0 (gradScale 0 gives NaN for non-finite terms), loss 0 */
    if (grad != 0 && wasm_v128_any_true(wasm_v128_and(ignored, valid))) {
      int mask = wasm_i32x4_bitmask(ignored);
      for (int k = 0; k < count; k++) {
        if (mask & (1 << k)) for (int c = 0; c < C; c++) grad[off[k] + c * inner] = 0.0f;
      }
    }
    bad = wasm_v128_andnot(wasm_v128_and(bad, valid), ignored);
    loss = vsel(ignored, splat(0.0f), wasm_f32x4_mul(wv, loss));
    if (wasm_v128_any_true(bad)) {
      record_specials(P, specials, bad, i, count);
      loss = vsel(bad, splat(0.0f), loss);
    }
    if (P->want_loss) store_lanes(lossOut + i, loss, count);
    else sum_add(&total, vsel(valid, loss, splat(0.0f)));
  }
  return P->want_loss ? 0.0 : sum_value(&total);
}

/* to[c * rows + r] = from[r * cols + c] */
static void transpose(const float* from, float* to, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    for (int c = 0; c < cols; c++) to[c * rows + r] = from[r * cols + c];
  }
}

/*
 * Softmax focal loss of P->n positions of a block laid out (outer, classes, inner), n = outer *
 * inner. `y`: P->n int32 indices or a float32 block like x. `alpha`: C class weights. Returns the
 * float64 sum of the weighted losses (when P->want_loss is 0). Ignored positions get loss 0 and
 * gradient 0 without reading their weight. Special positions (a non-finite or huge logit, a NaN
 * probability) go to `specials`, their loss left out; their gradient entries are garbage the caller
 * overwrites. With the class axis last (inner = 1) the 4 positions of a vector would be C apart
 * (4 scalar loads per class); the block is transposed to (classes, n) first, into `xt` (and the
 * probability targets into `yt`), the gradient written transposed into x's region (x is no longer
 * read) and transposed back into gradOut.
 */
EXPORT(softmax_focal)
double softmax_focal(struct params* P, float* x, const void* y, const float* w, const float* alpha, float* lossOut,
                     float* gradOut, int32_t* specials, f32x4* scratch, float* xt, float* yt) {
  const int n = P->n, C = P->classes;
  if (P->inner != 1 || C < 2 || n < 8) return softmax_positions(P, x, y, w, alpha, lossOut, gradOut, specials, scratch);
  transpose(x, xt, n, C);
  if (!P->index_targets) transpose((const float*)y, yt, n, C);
  P->inner = n;
  double sum = softmax_positions(P, xt, P->index_targets ? y : yt, w, alpha, lossOut, x, specials, scratch);
  P->inner = 1;
  if (P->want_grad) transpose(x, gradOut, C, n);
  return sum;
}

/* ---------------------------------------------------------------- target check */

/*
 * The index of the first t[i] outside [0, 1] (NaN included; -0 is inside) among n floats, or -1:
 * the sigmoid's INVALID_TARGET pass over float32 targets, 4 lanes at a time (the caller then asks
 * the core's check for the exact error). The caller pads t to a multiple of 4 with zeros.
 */
EXPORT(first_outside_unit)
int32_t first_outside_unit(const float* t, int32_t n) {
  v128_t ok = wasm_i32x4_splat(-1);
  for (int i = 0; i < n; i += 4) {
    f32x4 v = wasm_v128_load(t + i);
    ok = wasm_v128_and(ok, wasm_v128_and(wasm_f32x4_ge(v, splat(0.0f)), wasm_f32x4_le(v, splat(1.0f))));
  }
  if (wasm_i32x4_all_true(ok)) return -1;
  for (int i = 0; i < n; i++) {
    if (!(t[i] >= 0.0f && t[i] <= 1.0f)) return i;
  }
  return -1;
}

/* ---------------------------------------------------------------- kernels alone, for the tests */

/* out[i] = exp(-a[i]) for n (a multiple of 4) values. */
EXPORT(exp_neg_f32)
void exp_neg_f32(const float* a, float* out, int n) {
  for (int i = 0; i < n; i += 4) wasm_v128_store(out + i, v_exp_neg(wasm_v128_load(a + i)));
}

/* out[i] = log1p(y[i]) for n (a multiple of 4) values. */
EXPORT(log1p_f32)
void log1p_f32(const float* y, float* out, int n) {
  for (int i = 0; i < n; i += 4) wasm_v128_store(out + i, v_log1p(wasm_v128_load(y + i)));
}

/* out[i] = log(u[i]) for n (a multiple of 4) values. */
EXPORT(log_f32)
void log_f32(const float* u, float* out, int n) {
  for (int i = 0; i < n; i += 4) wasm_v128_store(out + i, v_log(wasm_v128_load(u + i)));
}

/* out[i] = exp(-a[i]) flushed below 2^-126 (the gamma 2 sigmoid's), n a multiple of 4. */
EXPORT(exp_neg_flush_f32)
void exp_neg_flush_f32(const float* a, float* out, int n) {
  for (int i = 0; i < n; i += 4) wasm_v128_store(out + i, v_exp_neg_flush(wasm_v128_load(a + i)));
}

/* out[i] = log1p(e[i]) for e in [0, 1] (the gamma 2 sigmoid's), n a multiple of 4. */
EXPORT(log1p_unit_f32)
void log1p_unit_f32(const float* e, float* out, int n) {
  for (int i = 0; i < n; i += 4) wasm_v128_store(out + i, v_log1p_unit(wasm_v128_load(e + i)));
}
