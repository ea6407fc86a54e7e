/* numerics.c — the lm_numerics runtime: RoPE, exp(), softmax and activation rounding on
 * the backend each site names (numerics.h; what each rounds where: docs/model-eval.md).
 * GEMMs are in linear.c, the bridge's libmpb calls in numerics_bridge.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "numerics_internal.h"

/* ---- rounding helpers --------------------------------------------------------------- */

float lm_round_bf16(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return x; /* NaN */
  u += 0x7fffu + ((u >> 16) & 1u);               /* nearest, ties to even; may carry to inf */
  u &= 0xffff0000u;
  memcpy(&x, &u, sizeof u);
  return x;
}

/* Nearest even on the bit pattern where the result is a normal half (no library call);
 * the compiler's conversion (a libgcc call without F16C) for subnormals, overflow, NaN. */
float lm_round_fp16(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  int e = (int)((u >> 23) & 0xff) - 127;
  if (e >= -14 && e < 15) {
    u += 0xfffu + ((u >> 13) & 1u);
    u &= ~0x1fffu;
    memcpy(&x, &u, sizeof u);
    return x;
  }
  return (float)(_Float16)x;
}

void lm_round_dtype(lm_backend b, size_t n, float *x) {
  if (b == LM_BK_BF16)
    for (size_t i = 0; i < n; i++) x[i] = lm_round_bf16(x[i]);
  else if (b == LM_BK_FP16)
    for (size_t i = 0; i < n; i++) x[i] = lm_round_fp16(x[i]);
}

static inline int32_t quantize_one(float x, float s, float lim) {
  float v = x / s;
  v = v == v ? v : 0.0f;
  v = v > lim ? lim : v < -lim ? -lim : v;
  int32_t t = (int32_t)v;
  float f = v - (float)t;
  return t + (f >= 0.5f) - (f <= -0.5f);
}

void lm_quantize_row(const float *x, size_t n, int bits, int32_t *q, float *scale) {
  float lim = (float)((1 << (bits - 1)) - 1);
  float m = 0.0f;
  for (size_t i = 0; i < n; i++) {
    float a = fabsf(x[i]);
    m = a > m ? a : m; /* NaN ignored */
  }
  float s = m > 0.0f && isfinite(m) ? m / lim : 1.0f;
  /* clamp to +-lim (NaN -> 0), then roundf (half away from zero): v - trunc(v) is exact;
   * branch-free, in blocks of 8 so that the compiler vectorizes it */
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t j = i; j < i + 8; j++) q[j] = quantize_one(x[j], s, lim);
  for (; i < n; i++) q[i] = quantize_one(x[i], s, lim);
  *scale = s;
}

/* ---- recurrent-state formats -------------------------------------------------------- */

/* Round a double to p significand bits, nearest even, for a format with normal exponents
 * [emin, emax]: a carry-propagating add on the bit pattern where the result is a normal
 * number of the format, a multiple of the subnormal quantum q = 2^(emin - p + 1) below
 * (x / q and the product are exact: powers of two), mpb_round_float for 0, inf, NaN and
 * the top binade (overflow). */
static double round_bits(double x, int p, int emin, int emax, double q, double inv_q) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  int e = (int)((u >> 52) & 0x7ff) - 1023;
  if (e < emin && e > -1023) return nearbyint(x * inv_q) * q;
  if (e < emin || e >= emax) return mpb_round_float(x, p, emin, emax);
  int drop = 52 - (p - 1);
  u += (((uint64_t)1 << (drop - 1)) - 1) + ((u >> drop) & 1);
  u &= ~(((uint64_t)1 << drop) - 1);
  memcpy(&x, &u, sizeof u);
  return x; /* a carry into exponent emax stays finite: 2^emax is in range */
}

void lm_state_round(lm_state_format f, size_t n, size_t group, double *h) {
  switch (f) {
  case LM_STATE_FP32: /* the hardware conversion: nearest even, subnormals, overflow */
    for (size_t i = 0; i < n; i++) h[i] = (double)(float)h[i];
    return;
  case LM_STATE_BF16:
    for (size_t i = 0; i < n; i++) h[i] = round_bits(h[i], 8, -126, 127, 0x1p-133, 0x1p133);
    return;
  case LM_STATE_FP16:
    for (size_t i = 0; i < n; i++) h[i] = round_bits(h[i], 11, -14, 15, 0x1p-24, 0x1p24);
    return;
  case LM_STATE_INT16:
    if (group == 0) group = n;
    for (size_t g0 = 0; g0 < n; g0 += group) {
      size_t g1 = g0 + group < n ? g0 + group : n;
      double m = 0;
      for (size_t i = g0; i < g1; i++) m = fmax(m, fabs(h[i]));
      float sc = m > 0 && isfinite(m) ? (float)(m / 32767.0) : 1.0f;
      for (size_t i = g0; i < g1; i++) {
        double q = nearbyint(h[i] / sc);
        h[i] = (q > 32767 ? 32767 : q < -32767 ? -32767 : q) * (double)sc;
      }
    }
    return;
  default: /* fp64 */
    return;
  }
}

double lm_state_bytes_per_elem(lm_state_format f, size_t group) {
  switch (f) {
  case LM_STATE_FP64: return 8;
  case LM_STATE_FP32: return 4;
  case LM_STATE_INT16: return 2.0 + (group ? 4.0 / (double)group : 0.0);
  default: return 2;
  }
}

/* ---- the object --------------------------------------------------------------------- */

void *lm_scratch(lm_numerics *nm, int slot, size_t bytes, char *err, size_t errlen) {
  if (bytes <= nm->scratch_len[slot]) return nm->scratch[slot];
  size_t want = bytes + bytes / 2;
  void *p = realloc(nm->scratch[slot], want);
  if (!p) {
    set_err(err, errlen, "out of memory for %zu bytes of numerics scratch", want);
    return NULL;
  }
  nm->scratch[slot] = p;
  nm->scratch_len[slot] = want;
  return p;
}

static int uses_bridge(const lm_numerics_spec *s) {
  if (s->rope == LM_BK_BRIDGE) return 1;
  for (int i = 0; i < LM_NEXP; i++)
    if (s->exp[i] == LM_BK_BRIDGE) return 1;
  for (int i = 0; i < LM_NLIN; i++)
    if (s->lin[i] == LM_BK_BRIDGE) return 1;
  return 0;
}

int lm_numerics_new(lm_numerics **out, const lm_numerics_spec *spec, char *err,
                    size_t errlen) {
  *out = NULL;
  if (spec->kv_group < 1 || spec->kv_group > 1024)
    return fail(err, errlen, "numerics: kv_group = %d is not in [1, 1024]", spec->kv_group);
  if (spec->gemm_group != 0 && spec->gemm_group != 32 && spec->gemm_group != 64)
    return fail(err, errlen, "numerics: group = %d is not row (0), 32 or 64", spec->gemm_group);
  if ((unsigned)spec->rope >= LM_NBK || (unsigned)spec->act >= LM_NBK ||
      (unsigned)spec->kv >= LM_NKV)
    return fail(err, errlen, "numerics: backend or KV format out of range");
  if (spec->act == LM_BK_BRIDGE || spec->act == LM_BK_INT8 || spec->lin[LM_LIN_QK] == LM_BK_BRIDGE ||
      spec->lin[LM_LIN_QK] == LM_BK_INT8 || spec->lin[LM_LIN_PV] == LM_BK_BRIDGE ||
      spec->lin[LM_LIN_PV] == LM_BK_INT8)
    return fail(err, errlen, "numerics: act, qk and pv are computed only by ref, fp32, bf16 or fp16");
  lm_numerics *nm = calloc(1, sizeof *nm);
  if (!nm) return fail(err, errlen, "out of memory");
  nm->spec = *spec;
  if (uses_bridge(spec)) {
    char e2[400];
    if (mpb_config_validate(&spec->bridge, e2, sizeof e2) != MPB_OK) {
      free(nm);
      return fail(err, errlen, "bridge configuration '%s': %s", spec->bridge_label, e2);
    }
    mpb_geometry g = {2, 10000.0, MPB_PAIR_INTERLEAVED}; /* exp/dot do not use it */
    if (!(nm->unit = mpb_model_new(&spec->bridge, &g, e2, sizeof e2))) {
      free(nm);
      return fail(err, errlen, "bridge configuration '%s': %s", spec->bridge_label, e2);
    }
  }
  *out = nm;
  return 0;
}

void lm_numerics_free(lm_numerics *nm) {
  if (!nm) return;
  mpb_model_free(nm->unit);
  for (int i = 0; i < nm->n_geo; i++) mpb_model_free(nm->rope_mdl[i]);
  for (int i = 0; i < LM_NSCRATCH; i++) free(nm->scratch[i]);
  free(nm);
}

const lm_numerics_spec *lm_numerics_get_spec(const lm_numerics *nm) { return &nm->spec; }
const lm_numerics_stats *lm_numerics_get_stats(const lm_numerics *nm) { return &nm->stats; }
void lm_numerics_clear_stats(lm_numerics *nm) { memset(&nm->stats, 0, sizeof nm->stats); }

/* ---- RoPE --------------------------------------------------------------------------- */

static mpb_baseline cossin_recipe(lm_backend b) {
  switch (b) {
  case LM_BK_FP32: return MPB_BASE_FP32;
  case LM_BK_BF16: return MPB_BASE_BF16;
  case LM_BK_FP16: return MPB_BASE_FP16;
  case LM_BK_INT8: return MPB_BASE_INT8;
  default: return MPB_BASE_FP64;
  }
}

/* One head vector: ref rotates in double, fp32 in float, bf16/fp16 round each product
 * and the sum (q*cos + rotate_half(q)*sin in the dtype), int8 on int8 inputs. */
static void rope_head(lm_backend b, const mpb_geometry *g, const double *c, const double *s,
                      float *h, int32_t *qs) {
  int d = g->head_dim;
  float scale = 1.0f;
  if (b == LM_BK_INT8) lm_quantize_row(h, (size_t)d, 8, qs, &scale);
  for (int j = 0; j < d / 2; j++) {
    int a, bb;
    mpb_pair_index(g, j, &a, &bb);
    if (b == LM_BK_REF) {
      double x = h[a], y = h[bb];
      h[a] = (float)(x * c[j] - y * s[j]);
      h[bb] = (float)(x * s[j] + y * c[j]);
    } else if (b == LM_BK_FP32) {
      float x = h[a], y = h[bb], cf = (float)c[j], sf = (float)s[j];
      h[a] = x * cf - y * sf;
      h[bb] = x * sf + y * cf;
    } else if (b == LM_BK_BF16 || b == LM_BK_FP16) {
      float (*r)(float) = b == LM_BK_BF16 ? lm_round_bf16 : lm_round_fp16;
      float x = r(h[a]), y = r(h[bb]), cf = (float)c[j], sf = (float)s[j];
      h[a] = r(r(x * cf) - r(y * sf));
      h[bb] = r(r(x * sf) + r(y * cf));
    } else { /* int8: exact integer rotation by Q1.7 cos/sin, then the scales */
      int32_t c7 = (int32_t)lrint(c[j] * 128), s7 = (int32_t)lrint(s[j] * 128);
      int32_t X = qs[a] * c7 - qs[bb] * s7, Y = qs[a] * s7 + qs[bb] * c7;
      h[a] = (float)((double)X * scale / 128.0);
      h[bb] = (float)((double)Y * scale / 128.0);
    }
  }
}

int lm_rope(lm_numerics *nm, const mpb_geometry *g, size_t n_rows, int n_heads,
            const int64_t *pos, float *x, size_t ld, char *err, size_t errlen) {
  lm_backend b = nm->spec.rope;
  if (g->head_dim < 2 || g->head_dim > 1024 || g->head_dim % 2 || !(g->base > 1.0))
    return fail(err, errlen, "rope: geometry head_dim = %d, base = %g (need even head_dim "
                "in [2, 1024], base > 1)", g->head_dim, g->base);
  for (size_t r = 0; r < n_rows; r++)
    if (pos[r] < 0 || pos[r] > ((int64_t)1 << 31))
      return fail(err, errlen, "rope: position %lld is not in [0, 2^31]", (long long)pos[r]);
  if (b == LM_BK_BRIDGE) return lm_bridge_rope(nm, g, n_rows, n_heads, pos, x, ld, err, errlen);
  int d = g->head_dim;
  double *cs = lm_scratch(nm, 0, (size_t)d * sizeof(double), err, errlen);
  int32_t *qs = lm_scratch(nm, 1, (size_t)d * sizeof(int32_t), err, errlen);
  if (!cs || !qs) return -1;
  mpb_baseline rec = cossin_recipe(b);
  for (size_t r = 0; r < n_rows; r++) {
    for (int j = 0; j < d / 2; j++)
      mpb_baseline_cossin(rec, g, (uint32_t)pos[r], j, &cs[j], &cs[d / 2 + j]);
    for (int h = 0; h < n_heads; h++) rope_head(b, g, cs, cs + d / 2, x + r * ld + (size_t)h * d, qs);
  }
  if (b == LM_BK_INT8) nm->stats.rope_pairs += n_rows * (size_t)n_heads * (size_t)(d / 2);
  return 0;
}

/* ---- exp and softmax ---------------------------------------------------------------- */

static float absmax(size_t n, const float *x) {
  float m = 0.0f;
  for (size_t i = 0; i < n; i++) m = fmaxf(m, fabsf(x[i]));
  return m;
}

/* int8 input quantization with one absmax scale for the n values (value of the code). */
static double int8_scale(size_t n, const float *x) {
  float m = absmax(n, x);
  return m > 0.0f && isfinite(m) ? (double)(m / 127.0f) : 1.0;
}
static double int8_value(float x, double sc) {
  double v = nearbyint(x / sc);
  return (v > 127 ? 127 : v < -127 ? -127 : v) * sc;
}

int lm_exp(lm_numerics *nm, lm_exp_site site, size_t n, const float *x, float *y, char *err,
           size_t errlen) {
  lm_backend b = nm->spec.exp[site];
  nm->stats.exp_calls[site] += n;
  switch (b) {
  case LM_BK_REF:
    for (size_t i = 0; i < n; i++) y[i] = (float)exp((double)x[i]);
    return 0;
  case LM_BK_FP32:
    for (size_t i = 0; i < n; i++) y[i] = expf(x[i]);
    return 0;
  case LM_BK_BF16:
    for (size_t i = 0; i < n; i++) y[i] = lm_round_bf16(expf(lm_round_bf16(x[i])));
    return 0;
  case LM_BK_FP16:
    for (size_t i = 0; i < n; i++) y[i] = lm_round_fp16(expf(lm_round_fp16(x[i])));
    return 0;
  case LM_BK_INT8: {
    double sc = int8_scale(n, x);
    for (size_t i = 0; i < n; i++) y[i] = (float)exp(int8_value(x[i], sc));
    return 0;
  }
  case LM_BK_BRIDGE: {
    double *xd = lm_scratch(nm, 0, n * sizeof(double), err, errlen);
    int32_t *u = lm_scratch(nm, 1, n * sizeof(int32_t), err, errlen);
    if (!xd || !u) return -1;
    for (size_t i = 0; i < n; i++) xd[i] = x[i];
    nm->stats.exp_clamped[site] += lm_bridge_u(n, xd, u);
    return lm_bridge_exp2(nm, n, u, y, err, errlen);
  }
  default:
    return fail(err, errlen, "exp: backend %d out of range", (int)b);
  }
}

/* One softmax row of n entries in place. */
static int softmax_row(lm_numerics *nm, lm_exp_site site, size_t n, float *s, char *err,
                       size_t errlen) {
  lm_backend b = nm->spec.exp[site];
  nm->stats.exp_calls[site] += n;
  if (n == 0) return 0;
  if (b == LM_BK_BF16 || b == LM_BK_FP16) lm_round_dtype(b, n, s);
  float mx = s[0];
  for (size_t i = 1; i < n; i++) mx = s[i] > mx ? s[i] : mx;
  if (b == LM_BK_FP32 || b == LM_BK_BF16 || b == LM_BK_FP16) {
    float sum = 0.0f;
    for (size_t i = 0; i < n; i++) sum += s[i] = expf(s[i] - mx);
    float inv = 1.0f / sum;
    for (size_t i = 0; i < n; i++) s[i] *= inv;
    lm_round_dtype(b, n, s);
    return 0;
  }
  double *e = lm_scratch(nm, 2, n * sizeof(double), err, errlen);
  if (!e) return -1;
  double sum = 0.0;
  if (b == LM_BK_BRIDGE) {
    int32_t *u = lm_scratch(nm, 1, n * sizeof(int32_t), err, errlen);
    if (!u) return -1;
    for (size_t i = 0; i < n; i++) e[i] = (double)s[i] - mx;
    nm->stats.exp_clamped[site] += lm_bridge_u(n, e, u);
    if (lm_bridge_exp2(nm, n, u, s, err, errlen)) return -1;
    for (size_t i = 0; i < n; i++) sum += e[i] = s[i];
  } else if (b == LM_BK_INT8) {
    for (size_t i = 0; i < n; i++) s[i] -= mx; /* exact: both are floats of one row */
    double sc = int8_scale(n, s);
    for (size_t i = 0; i < n; i++) sum += e[i] = exp(int8_value(s[i], sc));
  } else { /* ref */
    for (size_t i = 0; i < n; i++) sum += e[i] = exp((double)s[i] - mx);
  }
  for (size_t i = 0; i < n; i++) s[i] = (float)(e[i] / sum);
  return 0;
}

int lm_softmax_span(lm_numerics *nm, lm_exp_site site, size_t n_rows, size_t n_cols,
                    const int32_t *first, const int32_t *len, float *s, size_t ld, char *err,
                    size_t errlen) {
  for (size_t r = 0; r < n_rows; r++) {
    size_t n = len ? (size_t)len[r] : n_cols, f = first ? (size_t)first[r] : 0;
    if (n > n_cols || f > n)
      return fail(err, errlen, "softmax: row span [%zu, %zu) is not within %zu columns", f, n,
                  n_cols);
    float *row = s + r * ld;
    if (softmax_row(nm, site, n - f, row + f, err, errlen)) return -1;
    for (size_t i = 0; i < f; i++) row[i] = 0.0f;
    for (size_t i = n; i < n_cols; i++) row[i] = 0.0f;
  }
  return 0;
}

int lm_softmax(lm_numerics *nm, lm_exp_site site, size_t n_rows, size_t n_cols,
               const int32_t *len, float *s, size_t ld, char *err, size_t errlen) {
  return lm_softmax_span(nm, site, n_rows, n_cols, NULL, len, s, ld, err, errlen);
}

void lm_act_round(const lm_numerics *nm, size_t n, float *x) { lm_round_dtype(nm->spec.act, n, x); }
