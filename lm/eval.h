/* eval.h — the closed-loop evaluation: the same windows of tokens through a model twice,
 * the reference numerics at position offset 0 and a variant numerics at offset p0, and the
 * llama.cpp KL-divergence statistics between the two (kld.h).
 *
 * Windows (llama.cpp's chunks): the token list is cut into n_chunks windows of n_ctx
 * tokens; each runs from an empty KV cache at positions p0 .. p0 + n_ctx - 1. As in
 * llama.cpp, only the second half of each window is scored: the logits of rows
 * first = n_ctx/2 .. n_ctx-2 predict tokens first+1 .. n_ctx-1, so n_ctx - 1 - first
 * tokens per window. The reference logits of every window are computed once (offset 0)
 * and kept in memory (FP32; all statistics are formed in double).
 *
 * The model is reached through lm_model_ops, so any forward pass (Llama, Gemma 3, SSMs)
 * plugs in: a runner prepares weights once for one numerics and runs windows. */
#ifndef MPB_LM_EVAL_H
#define MPB_LM_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "kld.h"
#include "numerics.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lm_model_ops {
  void *model;
  int n_vocab;
  int n_ctx_max;  /* KV capacity a window may use (e.g. the trained context length) */
  /* A runner computing with nm (borrowed; weights prepared here) for windows of up to
   * n_ctx tokens. */
  int (*open)(void *model, lm_numerics *nm, int n_ctx, void **runner, char *err,
              size_t errlen);
  /* One window from an empty cache: n tokens at positions pos[0..n); logits of rows
   * from..n-1 to logits (row-major, n_vocab each). */
  int (*window)(void *runner, const int32_t *tokens, const int64_t *pos, int n,
                float *logits, int from, char *err, size_t errlen);
  double (*kv_bytes_per_token)(void *runner);
  void (*close)(void *runner);
} lm_model_ops;

typedef struct lm_eval lm_eval;

/* Cut ids into n_chunks windows of n_ctx tokens (needs n_chunks * n_ctx <= n_ids,
 * 4 <= n_ctx <= ops->n_ctx_max) and run the reference (lm_numerics_spec_init(ref)) at
 * offset 0, keeping its logits. */
int lm_eval_new(lm_eval **out, const lm_model_ops *ops, const int32_t *ids, size_t n_ids,
                int n_ctx, int n_chunks, char *err, size_t errlen);
void lm_eval_free(lm_eval *ev);
int lm_eval_n_ctx(const lm_eval *ev);
/* Tokens scored per run: n_chunks * (n_ctx - 1 - n_ctx/2). */
size_t lm_eval_n_scored(const lm_eval *ev);
/* Seconds of wall time the reference run took (offset 0, all windows, weights included). */
double lm_eval_ref_seconds(const lm_eval *ev);

typedef struct lm_eval_point {
  lm_kld_result r;
  double kv_bytes_per_token; /* of the variant's cache                    */
  double seconds;            /* wall time of the variant's windows         */
  double prepare_seconds;    /* wall time preparing the numerics and weights
                                (0 when the previous run's are reused)     */
  lm_numerics_stats stats;   /* events counted by the variant's numerics   */
} lm_eval_point;

/* Run spec at offset p0 and compare with the reference at offset 0. Consecutive runs
 * with the same spec reuse its prepared weights (any offset). Fails (message
 * naming the limit) when a position p0 + n_ctx - 1 is beyond 2^31, or beyond the bridge's
 * 2^pos_bits when the spec uses the bridge for RoPE. */
int lm_eval_run(lm_eval *ev, const lm_numerics_spec *spec, int64_t p0, lm_eval_point *out,
                char *err, size_t errlen);
/* Largest offset p0 the spec allows for this window length (see lm_eval_run). */
int64_t lm_eval_max_offset(const lm_eval *ev, const lm_numerics_spec *spec);

#ifdef __cplusplus
}
#endif
#endif
