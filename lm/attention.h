/* attention.h — causal grouped-query attention of a batch of query rows over a KV cache
 * on an lm_numerics: scores q.k / sqrt(head_dim) (qk site), softmax (softmax exp site),
 * p.v (pv site), optionally restricted to a sliding window. The one attention of the
 * runtimes: the Llama/Gemma 3 forward pass (llama.c: no window, or Gemma's
 * sliding-window layers) and the hybrid's attention layers (hybrid.c, window 4096).
 * Functions that can fail return 0, or -1 with a message in err[errlen]. */
#ifndef MPB_LM_ATTENTION_H
#define MPB_LM_ATTENTION_H

#include <stddef.h>
#include <stdint.h>

#include "numerics.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lm_attn_shape {
  int n_head, n_head_kv, head_dim; /* query heads [g*G, (g+1)*G) share KV head g        */
  int window;                      /* keys per query including itself; 0 = all of them  */
} lm_attn_shape;

/* The scaled scores of query row `row`, head `head`, before the softmax: the n keys it
 * sees, oldest first. */
typedef void (*lm_attn_scores_fn)(void *user, int head, size_t row, const float *s, int n);

/* Keys read by a batch: cache slots [lo, n_past + rows), lo = max(0, n_past + 1 - window)
 * (0 without a window); the scratch att must hold rows x (n_past + rows - lo) floats. */
size_t lm_attention_span(const lm_attn_shape *a, int n_past, size_t rows, int *lo);

/* Row r (cache slot and position n_past + r) attends to slots [max(0, n_past + r + 1 -
 * window), n_past + r] of kc/vc ([slots][n_head_kv * head_dim], K and V). q: rows x
 * (n_head * head_dim), row stride ldq; out: the same shape, row stride ldo. att, len:
 * scratch: att (lm_attention_span) and len (2 x rows). hook may be NULL. */
int lm_attention(lm_numerics *nm, const lm_attn_shape *a, const float *kc, const float *vc,
                 int n_past, size_t rows, const float *q, size_t ldq, float *out, size_t ldo,
                 float *att, int32_t *len, lm_attn_scores_fn hook, void *user, char *err,
                 size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
