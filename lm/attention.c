/* attention.c — causal grouped-query attention with an optional sliding window over a KV
 * cache (attention.h). Per head: one qk matmul of the batch against the keys it can see,
 * the softmax of each row over its visible keys, one pv matmul. Without a window every
 * row's visible keys are a prefix of the span (one softmax call for the batch); with a
 * window a row's leading keys outside it are skipped and set to 0 before pv. */
#include <math.h>
#include <string.h>

#include "attention.h"
#include "errbuf.h"

size_t lm_attention_span(const lm_attn_shape *a, int n_past, size_t rows, int *lo) {
  int l = a->window > 0 && n_past + 1 > a->window ? n_past + 1 - a->window : 0;
  if (lo) *lo = l;
  return (size_t)n_past + rows - (size_t)l;
}

int lm_attention(lm_numerics *nm, const lm_attn_shape *a, const float *kc, const float *vc,
                 int n_past, size_t rows, const float *q, size_t ldq, float *out, size_t ldo,
                 float *att, int32_t *len, lm_attn_scores_fn hook, void *user, char *err,
                 size_t errlen) {
  if (a->n_head < 1 || a->n_head_kv < 1 || a->n_head % a->n_head_kv || a->head_dim < 1 ||
      a->window < 0 || n_past < 0)
    return fail(err, errlen, "attention: %d heads, %d KV heads, head_dim %d, window %d, "
                "n_past %d", a->n_head, a->n_head_kv, a->head_dim, a->window, n_past);
  size_t hd = (size_t)a->head_dim, kvd = (size_t)a->n_head_kv * hd;
  int lo, group = a->n_head / a->n_head_kv;
  size_t T = lm_attention_span(a, n_past, rows, &lo);
  const float *K = kc + (size_t)lo * kvd, *V = vc + (size_t)lo * kvd;
  float scale = (float)(1.0 / sqrt((double)hd));
  int windowed = 0;
  for (size_t r = 0; r < rows; r++) {
    len[r] = n_past + (int32_t)r + 1 - lo; /* visible keys end here (prefix of the span) */
    windowed |= a->window > 0 && len[r] > a->window;
  }
  for (int h = 0; h < a->n_head; h++) {
    size_t kvh = (size_t)(h / group); /* GQA: heads [kvh*group, (kvh+1)*group) share kvh */
    if (lm_matmul(nm, LM_LIN_QK, 1, rows, T, hd, scale, q + h * hd, ldq, K + kvh * hd, kvd,
                  att, T, err, errlen))
      return -1;
    if (!windowed) {
      if (hook)
        for (size_t r = 0; r < rows; r++) hook(user, h, r, att + r * T, len[r]);
      if (lm_softmax(nm, LM_EXP_SOFTMAX, rows, T, len, att, T, err, errlen)) return -1;
    } else {
      for (size_t r = 0; r < rows; r++) {
        int n = len[r] < a->window ? len[r] : a->window, k0 = len[r] - n;
        float *row = att + r * T;
        if (hook) hook(user, h, r, row + k0, n);
        if (lm_softmax(nm, LM_EXP_SOFTMAX, 1, (size_t)n, NULL, row + k0, (size_t)n, err, errlen))
          return -1;
        memset(row, 0, (size_t)k0 * sizeof(float));
        memset(row + len[r], 0, (T - (size_t)len[r]) * sizeof(float));
      }
    }
    if (lm_matmul(nm, LM_LIN_PV, 0, rows, hd, T, 1.0f, att, T, V + kvh * hd, kvd,
                  out + h * hd, ldo, err, errlen))
      return -1;
  }
  return 0;
}
