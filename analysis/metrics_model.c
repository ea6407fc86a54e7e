/* metrics_model.c — attention-score / softmax-KL and SSM-scan error of the datapath
 * against FP64, and KV-cache format round trips. See metrics_model.h. */
#include "metrics_model.h"
#include "kv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const att_names[MPB_NATT] = {"int8+fp64-rope", "int8+bridge", "fp32-recipe",
                                                "bf16-recipe"};
const char *mpb_attn_variant_name(mpb_attn_variant v) {
  return (unsigned)v < MPB_NATT ? att_names[v] : "?";
}

/* Rotate v (d doubles) at position m with the cos/sin of a baseline recipe. */
static void rotate_baseline(const mpb_geometry *g, mpb_baseline b, uint32_t m,
                            const double *v, double *out) {
  for (int j = 0; j < g->head_dim / 2; j++) {
    int ix, iy;
    double c, s;
    mpb_pair_index(g, j, &ix, &iy);
    mpb_baseline_cossin(b, g, m, j, &c, &s);
    out[ix] = v[ix] * c - v[iy] * s;
    out[iy] = v[ix] * s + v[iy] * c;
  }
}

/* Quantize to signed xbits with a per-vector absmax scale; returns the scale. */
static double quantize(const double *v, int d, int xbits, int32_t *qi) {
  double mx = 0, qmax = (double)((1 << (xbits - 1)) - 1);
  for (int i = 0; i < d; i++) mx = fmax(mx, fabs(v[i]));
  double sc = mx > 0 ? mx / qmax : 1.0;
  for (int i = 0; i < d; i++) qi[i] = (int32_t)lrint(v[i] / sc);
  return sc;
}

/* Rotated vector under variant var. */
static void rotate_variant(const mpb_model *mdl, mpb_attn_variant var, uint32_t m,
                           const double *v, double *out, int32_t *qi, int32_t *qo,
                           double *tmp) {
  const mpb_geometry *g = mpb_model_geometry(mdl);
  const mpb_config *cfg = mpb_model_config(mdl);
  int d = g->head_dim;
  if (var == MPB_ATT_FP32 || var == MPB_ATT_BF16) {
    rotate_baseline(g, var == MPB_ATT_FP32 ? MPB_BASE_FP32 : MPB_BASE_BF16, m, v, out);
    return;
  }
  double sc = quantize(v, d, cfg->x_bits, qi);
  if (var == MPB_ATT_INT8_EXACT) {
    for (int i = 0; i < d; i++) tmp[i] = qi[i] * sc;
    rotate_baseline(g, MPB_BASE_FP64, m, tmp, out);
    return;
  }
  mpb_rope_vector(mdl, m & (uint32_t)((1ULL << cfg->pos_bits) - 1), qi, qo, NULL);
  double of = ldexp(1.0, -cfg->rot_frac_bits);
  for (int i = 0; i < d; i++) out[i] = qo[i] * of * sc;
}

static double dotd(const double *a, const double *b, int d) {
  double s = 0;
  for (int i = 0; i < d; i++) s += a[i] * b[i];
  return s;
}

/* softmax in place (max-subtracted). */
static void softmax(double *s, size_t n) {
  double mx = -INFINITY, z = 0;
  for (size_t i = 0; i < n; i++) mx = fmax(mx, s[i]);
  for (size_t i = 0; i < n; i++) z += (s[i] = exp(s[i] - mx));
  for (size_t i = 0; i < n; i++) s[i] /= z;
}

int mpb_attn_compare(const mpb_model *mdl, const double *q, uint32_t qpos, const double *k,
                     const uint32_t *kpos, size_t nk, mpb_attn_result out[MPB_NATT],
                     mpb_metrics *acc, int layer, int head) {
  if (!mdl || !q || !k || !kpos || !nk || !out) return -1;
  int d = mpb_model_geometry(mdl)->head_dim;
  double *buf = malloc(sizeof(double) * ((size_t)4 * d + 3 * nk));
  int32_t *ibuf = malloc(sizeof(int32_t) * 2 * (size_t)d);
  if (!buf || !ibuf) {
    free(buf);
    free(ibuf);
    return -1;
  }
  double *qr = buf, *kr = qr + d, *q0 = kr + d, *tmp = q0 + d;
  double *sref = tmp + d, *svar = sref + nk, *pvar = svar + nk;
  double isd = 1.0 / sqrt((double)d);
  rotate_baseline(mpb_model_geometry(mdl), MPB_BASE_FP64, qpos, q, q0);
  for (size_t i = 0; i < nk; i++) {
    rotate_baseline(mpb_model_geometry(mdl), MPB_BASE_FP64, kpos[i], k + i * d, kr);
    sref[i] = dotd(q0, kr, d) * isd;
  }
  double *pref = malloc(sizeof(double) * nk);
  if (!pref) {
    free(buf);
    free(ibuf);
    return -1;
  }
  memcpy(pref, sref, sizeof(double) * nk);
  softmax(pref, nk);
  for (int v = 0; v < MPB_NATT; v++) {
    rotate_variant(mdl, (mpb_attn_variant)v, qpos, q, qr, ibuf, ibuf + d, tmp);
    double mx = 0, s2 = 0;
    for (size_t i = 0; i < nk; i++) {
      rotate_variant(mdl, (mpb_attn_variant)v, kpos[i], k + i * d, kr, ibuf, ibuf + d, tmp);
      svar[i] = dotd(qr, kr, d) * isd;
      double e = svar[i] - sref[i];
      mx = fmax(mx, fabs(e));
      s2 += e * e;
      if (acc && v == MPB_ATT_BRIDGE)
        mpb_metrics_add(acc, MPB_OP_SCORE, layer, head, qpos >= kpos[i] ? qpos - kpos[i] : 0,
                        svar[i], sref[i]);
    }
    memcpy(pvar, svar, sizeof(double) * nk);
    softmax(pvar, nk);
    double kl = 0;
    for (size_t i = 0; i < nk; i++)
      if (pref[i] > 0) kl += pref[i] * log(pref[i] / fmax(pvar[i], 1e-300));
    out[v].score_max_err = mx;
    out[v].score_rms_err = sqrt(s2 / (double)nk);
    out[v].kl = fmax(kl, 0);
  }
  free(pref);
  free(buf);
  free(ibuf);
  return 0;
}

/* exp(t) through the exp unit: u = t log2(e) in Q8.16, clamped to its range. */
static double unit_exp(const mpb_model *mdl, double t) {
  double u = t * M_LOG2E * 65536.0;
  if (u < -8388608.0) u = -8388608.0;
  if (u > 8388607.0) u = 8388607.0;
  mpb_exp_req rq = {(int32_t)lrint(u)};
  mpb_exp_resp rs;
  mpb_exp_eval(mdl, &rq, &rs, NULL);
  return mpb_exp_value(&rs);
}

int mpb_ssm_compare(const mpb_model *mdl, size_t T, int d_state, const double *dt,
                    const double *x, const double *A, const double *B, const double *C,
                    mpb_ssm_result *out, mpb_metrics *acc) {
  if (!mdl || !T || d_state <= 0 || !dt || !x || !A || !B || !C || !out) return -1;
  double *h = calloc((size_t)2 * d_state, sizeof *h), *h0 = h + d_state;
  if (!h) return -1;
  memset(out, 0, sizeof *out);
  double s2 = 0;
  for (size_t t = 0; t < T; t++) {
    double y = 0, y0 = 0;
    for (int n = 0; n < d_state; n++) {
      double a = dt[t] * A[n];
      h[n] = unit_exp(mdl, a) * h[n] + dt[t] * B[n] * x[t];
      h0[n] = exp(a) * h0[n] + dt[t] * B[n] * x[t];
      y += C[n] * h[n];
      y0 += C[n] * h0[n];
    }
    double e = fabs(y - y0);
    out->max_err = fmax(out->max_err, e);
    out->max_ref = fmax(out->max_ref, fabs(y0));
    s2 += e * e;
    if (t == T - 1) out->final_err = e;
    if (acc) mpb_metrics_add(acc, MPB_OP_SSM, MPB_ANY, MPB_ANY, (uint32_t)t, y, y0);
  }
  out->rms_err = sqrt(s2 / (double)T);
  free(h);
  return 0;
}

/* ---- KV-cache formats -------------------------------------------------------------- */

static const char *const kv_names[MPB_NKV] = {"fp16", "int8", "log8"};
const char *mpb_kv_format_name(mpb_kv_format f) {
  return (unsigned)f < MPB_NKV ? kv_names[f] : "?";
}

/* The formats are defined once, in lm/kv.c (the forward pass's KV cache uses them too). */
static lm_kv_format lm_format(mpb_kv_format f) {
  return f == MPB_KV_FP16 ? LM_KV_FP16 : f == MPB_KV_INT8 ? LM_KV_INT8 : LM_KV_LOG8;
}

double mpb_kv_bytes_per_elem(mpb_kv_format f, int group) {
  return lm_kv_bytes_per_elem(lm_format(f), group);
}

int mpb_kv_roundtrip(mpb_kv_format f, const double *v, size_t n, int group, double *out) {
  if (!v || !out || (unsigned)f >= MPB_NKV || group <= 0) return -1;
  lm_kv_roundtrip_d(lm_format(f), group, v, n, out);
  return 0;
}
