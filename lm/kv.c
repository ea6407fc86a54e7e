/* kv.c — KV-cache formats (round trip and bytes, the one definition the report's KV rows
 * also use) and the emulated cache of the forward pass. See kv.h. */
#include "kv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"

struct lm_kv {
  lm_kv_format f;
  int group, n_layer, cap, kv_dim;
  float *k, *v; /* [layer][cap][kv_dim], decoded */
};

double lm_kv_bytes_per_elem(lm_kv_format f, int group) {
  switch (f) {
  case LM_KV_FP32: return 4.0;
  case LM_KV_FP16:
  case LM_KV_BF16: return 2.0;
  default: return 1.0 + (group > 0 ? 2.0 / group : 0.0);
  }
}

static double fp16(double v) { return mpb_round_float(v, 11, -14, 15); }

#define LOG8_FRAC 3 /* fraction bits of the log2 code: step 2^(1/8) */

void lm_kv_roundtrip_d(lm_kv_format f, int group, const double *in, size_t n, double *out) {
  if (group < 1) group = 1;
  for (size_t g0 = 0; g0 < n; g0 += (size_t)group) {
    size_t g1 = g0 + (size_t)group < n ? g0 + (size_t)group : n;
    double mx = 0;
    for (size_t i = g0; i < g1; i++) mx = fmax(mx, fabs(in[i]));
    for (size_t i = g0; i < g1; i++) {
      double v = in[i];
      switch (f) {
      case LM_KV_FP32: out[i] = (float)v; break;
      case LM_KV_FP16: out[i] = fp16(v); break;
      case LM_KV_BF16: out[i] = mpb_round_float(v, 8, -126, 127); break;
      case LM_KV_INT8: {
        double sc = fp16(mx / 127.0);
        double q = sc > 0 ? fmax(-127, fmin(127, nearbyint(v / sc))) : 0;
        out[i] = q * sc;
        break;
      }
      default: { /* LOG8 */
        double sc = fp16(mx); /* code 127 = log2(|v|/sc) = 0 */
        double a = fabs(v);
        if (sc <= 0 || a == 0) {
          out[i] = 0;
          break;
        }
        double c = 127 + nearbyint(log2(a / sc) * (1 << LOG8_FRAC));
        if (c > 127) c = 127;
        if (c < 1) { /* below the code range: zero, or the smallest code if nearer */
          double smallest = sc * exp2((1 - 127) / (double)(1 << LOG8_FRAC));
          out[i] = a > smallest / 2 ? copysign(smallest, v) : 0;
          break;
        }
        out[i] = copysign(sc * exp2((c - 127) / (double)(1 << LOG8_FRAC)), v);
      }
      }
    }
  }
}

void lm_kv_roundtrip(lm_kv_format f, int group, const float *in, size_t n, float *out) {
  if (f == LM_KV_FP32) {
    if (out != in) memmove(out, in, n * sizeof(float));
    return;
  }
  double buf[1024]; /* whole groups at a time (group <= 1024) */
  if (group < 1) group = 1;
  if (group > 1024) group = 1024;
  size_t step = (size_t)group * (1024 / (size_t)group);
  for (size_t g0 = 0; g0 < n; g0 += step) {
    size_t m = n - g0 < step ? n - g0 : step;
    for (size_t i = 0; i < m; i++) buf[i] = in[g0 + i];
    lm_kv_roundtrip_d(f, group, buf, m, buf);
    for (size_t i = 0; i < m; i++) out[g0 + i] = (float)buf[i];
  }
}

int lm_kv_new(lm_kv **out, lm_kv_format f, int group, int n_layer, int cap, int kv_dim,
              char *err, size_t errlen) {
  *out = NULL;
  if ((unsigned)f >= LM_NKV) return fail(err, errlen, "KV format %d out of range", (int)f);
  if (group < 1 || group > 1024) return fail(err, errlen, "KV group %d is not in [1, 1024]", group);
  if (cap < 1 || cap > (1 << 20))
    return fail(err, errlen, "KV cache capacity %d is not in [1, 2^20]", cap);
  lm_kv *kv = calloc(1, sizeof *kv);
  if (!kv) return fail(err, errlen, "out of memory");
  kv->f = f, kv->group = group, kv->n_layer = n_layer, kv->cap = cap, kv->kv_dim = kv_dim;
  size_t n = (size_t)n_layer * cap * kv_dim;
  kv->k = malloc(n * sizeof(float));
  kv->v = malloc(n * sizeof(float));
  if (!kv->k || !kv->v) {
    lm_kv_free(kv);
    return fail(err, errlen, "out of memory for a KV cache of %d tokens", cap);
  }
  *out = kv;
  return 0;
}

void lm_kv_free(lm_kv *kv) {
  if (!kv) return;
  free(kv->k), free(kv->v);
  free(kv);
}

int lm_kv_store(lm_kv *kv, int layer, int slot0, int n, const float *k, size_t ldk,
                const float *v, size_t ldv, char *err, size_t errlen) {
  if (layer < 0 || layer >= kv->n_layer || slot0 < 0 || n < 0 || slot0 + n > kv->cap)
    return fail(err, errlen, "KV cache full: slots %d..%d of layer %d exceed the capacity "
                "of %d tokens", slot0, slot0 + n - 1, layer, kv->cap);
  size_t d = (size_t)kv->kv_dim, base = ((size_t)layer * kv->cap + slot0) * d;
  for (int t = 0; t < n; t++) {
    lm_kv_roundtrip(kv->f, kv->group, k + t * ldk, d, kv->k + base + t * d);
    lm_kv_roundtrip(kv->f, kv->group, v + t * ldv, d, kv->v + base + t * d);
  }
  return 0;
}

const float *lm_kv_keys(const lm_kv *kv, int layer) {
  return kv->k + (size_t)layer * kv->cap * kv->kv_dim;
}
const float *lm_kv_values(const lm_kv *kv, int layer) {
  return kv->v + (size_t)layer * kv->cap * kv->kv_dim;
}
lm_kv_format lm_kv_get_format(const lm_kv *kv) { return kv->f; }

double lm_kv_bytes_per_token(const lm_kv *kv) {
  size_t scales = ((size_t)kv->kv_dim + kv->group - 1) / kv->group;
  double row = kv->f == LM_KV_INT8 || kv->f == LM_KV_LOG8
                   ? (double)kv->kv_dim + 2.0 * (double)scales
                   : lm_kv_bytes_per_elem(kv->f, kv->group) * kv->kv_dim;
  return 2.0 * kv->n_layer * row;
}
