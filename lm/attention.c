/* attention.c — causal grouped-query attention with an optional sliding window over a KV
 * cache (attention.h). Per head: one qk matmul of the batch against the keys it can see,
 * the softmax of each row over its visible keys (one lm_softmax_span call for the batch:
 * with a window a row's leading keys outside it take no part and are set to 0), one pv
 * matmul. llama.cpp's mask: key position p0 is hidden from query position p1 when
 * p1 - p0 >= n_swa, so a query sees `window` keys including itself. */
#include <math.h>

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
  int32_t *first = len + rows; /* visible keys of row r: [first[r], len[r]) of the span */
  int windowed = 0;
  for (size_t r = 0; r < rows; r++) {
    len[r] = n_past + (int32_t)r + 1 - lo;
    first[r] = a->window > 0 && len[r] > a->window ? len[r] - a->window : 0;
    windowed |= first[r] > 0;
  }
  for (int h = 0; h < a->n_head; h++) {
    size_t kvh = (size_t)(h / group); /* GQA: heads [kvh*group, (kvh+1)*group) share kvh */
    if (lm_matmul(nm, LM_LIN_QK, 1, rows, T, hd, scale, q + h * hd, ldq, K + kvh * hd, kvd,
                  att, T, err, errlen))
      return -1;
    if (hook)
      for (size_t r = 0; r < rows; r++) hook(user, h, r, att + r * T + first[r], len[r] - first[r]);
    if (lm_softmax_span(nm, LM_EXP_SOFTMAX, rows, T, windowed ? first : NULL, len, att, T, err,
                        errlen))
      return -1;
    if (lm_matmul(nm, LM_LIN_PV, 0, rows, hd, T, 1.0f, att, T, V + kvh * hd, kvd,
                  out + h * hd, ldo, err, errlen))
      return -1;
  }
  return 0;
}
