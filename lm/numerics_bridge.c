/* numerics_bridge.c — the bridge backend: RoPE, exp() and int8 GEMMs computed bit-exactly
 * by libmpb's batched API (mpb_rope_batch, mpb_exp_batch, mpb_gemm_i8), with the
 * conversions between the model's floats and the units' integer formats:
 *   RoPE  each head vector quantized to x_bits with its own absmax scale; the rotated
 *         outputs (rot_frac_bits fraction bits, input units) scaled back;
 *   exp   u = x log2(e) rounded to nearest Q8.16, saturated to the 24-bit input; the
 *         result mant * 2^(e-15) as a float;
 *   GEMM  int8 codes (prepared by linear.c) through the dot unit, int64 sums scaled by
 *         both operands' scales, groups accumulated in FP32. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "numerics_internal.h"

uint64_t lm_bridge_u(size_t n, const double *x, int32_t *u) {
  const double lim = 8388607.0, scale = 65536.0 * 1.4426950408889634074; /* 2^16 log2(e) */
  uint64_t sat = 0;
  for (size_t i = 0; i < n; i++) {
    /* nearbyint (nearest even) by the 1.5 * 2^52 addition, exact below 2^51 in magnitude;
     * anything larger saturates anyway */
    double v = x[i] * scale;
    if (fabs(v) < 0x1p51) v = (v + 0x1.8p52) - 0x1.8p52;
    if (!(v <= lim)) v = lim, sat++; /* also NaN */
    else if (v < -lim - 1) v = -lim - 1, sat++;
    u[i] = (int32_t)v;
  }
  return sat;
}

int lm_bridge_exp2(lm_numerics *nm, size_t n, const int32_t *u, float *y, char *err,
                   size_t errlen) {
  int32_t *e = lm_scratch(nm, 4, n * sizeof(int32_t), err, errlen);
  uint32_t *mant = lm_scratch(nm, 5, n * sizeof(uint32_t), err, errlen);
  if (!e || !mant) return -1;
  mpb_exp_batch(nm->unit, n, u, e, mant);
  for (size_t i = 0; i < n; i++) {
    /* mant * 2^(e-15), mant in [2^15, 2^16): a normal float's bits directly, ldexpf for
     * subnormal or overflowing results */
    int ex = e[i] + 127;
    if (ex >= 1 && ex <= 254 && mant[i] >= 32768u && mant[i] < 65536u) {
      uint32_t b = (uint32_t)ex << 23 | (mant[i] - 32768u) << 8;
      memcpy(&y[i], &b, sizeof b);
    } else {
      y[i] = ldexpf((float)mant[i], e[i] - MPB_EXP_MANT_FRAC);
    }
  }
  return 0;
}

/* The rope model of geometry g, built on first use. */
static const mpb_model *rope_model(lm_numerics *nm, const mpb_geometry *g, char *err,
                                   size_t errlen) {
  for (int i = 0; i < nm->n_geo; i++)
    if (nm->geo[i].head_dim == g->head_dim && nm->geo[i].base == g->base &&
        nm->geo[i].pairing == g->pairing)
      return nm->rope_mdl[i];
  if (nm->n_geo == LM_MAX_GEOMETRIES) {
    set_err(err, errlen, "rope: more than %d RoPE geometries in one model", LM_MAX_GEOMETRIES);
    return NULL;
  }
  char e2[400];
  mpb_model *m = mpb_model_new(&nm->spec.bridge, g, e2, sizeof e2);
  if (!m) {
    set_err(err, errlen, "bridge RoPE geometry (head_dim %d, base %g): %s", g->head_dim,
            g->base, e2);
    return NULL;
  }
  nm->geo[nm->n_geo] = *g;
  nm->rope_mdl[nm->n_geo++] = m;
  return m;
}

int lm_bridge_rope(lm_numerics *nm, const mpb_geometry *g, size_t n_rows, int n_heads,
                   const int64_t *pos, float *x, size_t ld, char *err, size_t errlen) {
  const mpb_config *cfg = &nm->spec.bridge;
  int64_t lim = (int64_t)1 << cfg->pos_bits;
  for (size_t r = 0; r < n_rows; r++)
    if (pos[r] >= lim)
      return fail(err, errlen, "rope: position %lld is beyond the bridge's pos_bits = %d "
                  "(positions 0 .. %lld)", (long long)pos[r], cfg->pos_bits, (long long)lim - 1);
  const mpb_model *mdl = rope_model(nm, g, err, errlen);
  if (!mdl) return -1;
  size_t d = (size_t)g->head_dim, hp = d / 2, nv = n_rows * (size_t)n_heads, np = nv * hp;
  /* m, j, x, y, xr, yr in one int32 buffer; a scale per head vector; a row's codes */
  int32_t *buf = lm_scratch(nm, 4, 6 * np * sizeof(int32_t), err, errlen);
  float *sc = lm_scratch(nm, 5, nv * sizeof(float), err, errlen);
  int32_t *q = lm_scratch(nm, 6, d * sizeof(int32_t), err, errlen);
  if (!buf || !sc || !q) return -1;
  uint32_t *m = (uint32_t *)buf, *j = (uint32_t *)buf + np;
  int32_t *xs = buf + 2 * np, *ys = buf + 3 * np, *xr = buf + 4 * np, *yr = buf + 5 * np;
  int ia[512], ib[512]; /* pair indices, d/2 <= 512 */
  for (size_t p = 0; p < hp; p++) mpb_pair_index(g, (int)p, &ia[p], &ib[p]);
  for (size_t r = 0, k = 0; r < n_rows; r++)
    for (int h = 0; h < n_heads; h++) {
      const float *v = x + r * ld + (size_t)h * d;
      lm_quantize_row(v, d, cfg->x_bits, q, &sc[r * n_heads + h]);
      for (size_t p = 0; p < hp; p++, k++) {
        m[k] = (uint32_t)pos[r], j[k] = (uint32_t)p;
        xs[k] = q[ia[p]], ys[k] = q[ib[p]];
      }
    }
  mpb_rope_batch(mdl, np, m, j, xs, ys, NULL, NULL, xr, yr);
  double unit = ldexp(1.0, -cfg->rot_frac_bits);
  for (size_t r = 0, k = 0; r < n_rows; r++)
    for (int h = 0; h < n_heads; h++) {
      float *v = x + r * ld + (size_t)h * d;
      double s = sc[r * n_heads + h] * unit;
      for (size_t p = 0; p < hp; p++, k++) {
        v[ia[p]] = (float)(xr[k] * s);
        v[ib[p]] = (float)(yr[k] * s);
      }
    }
  nm->stats.rope_pairs += np;
  return 0;
}

int lm_bridge_gemm(lm_numerics *nm, lm_lin_site site, size_t rows, size_t n, size_t k,
                   size_t group, const int8_t *xq, const float *sx, const int8_t *wq,
                   const float *sw, float *y, size_t ldy, char *err, size_t errlen) {
  size_t ng = k / group;
  size_t rb = ((size_t)1 << 22) / n; /* row block: C and events hold rb x n entries */
  if (rb < 1) rb = 1;
  if (rb > rows) rb = rows;
  int64_t *C = lm_scratch(nm, 4, rb * n * sizeof(int64_t), err, errlen);
  uint32_t *ev = lm_scratch(nm, 5, rb * n * sizeof(uint32_t), err, errlen);
  if (!C || !ev) return -1;
  uint64_t events = 0;
  for (size_t r0 = 0; r0 < rows; r0 += rb) {
    size_t nr = rows - r0 < rb ? rows - r0 : rb;
    for (size_t g = 0; g < ng; g++) {
      mpb_gemm_i8(nm->unit, nr, n, group, xq + r0 * k + g * group, k, wq + g * group, k, C, n,
                  ev);
      for (size_t r = 0; r < nr; r++) {
        float *yr = y + (r0 + r) * ldy;
        double sxr = sx[(r0 + r) * ng + g];
        for (size_t c = 0; c < n; c++) {
          float v = (float)((double)C[r * n + c] * sxr * sw[c * ng + g]);
          yr[c] = g ? yr[c] + v : v;
          events += ev[r * n + c];
        }
      }
    }
  }
  nm->stats.gemm_events[site] += events;
  return 0;
}
