/* moe.h — a mixture-of-experts feed-forward layer on an lm_numerics: a router (linear
 * site router) whose softmax (exp site router) picks the top-k of n_expert SwiGLU experts
 * per token, their outputs weighted by the renormalised top-k probabilities, plus one
 * always-on shared expert scaled by a sigmoid gate (Qwen2-MoE / DeepSeek style; the
 * sigmoid's exp on the silu site). Expert projections are the gate/up/down linear sites.
 * Functions that can fail return 0, or -1 with a message in err[errlen]. */
#ifndef MPB_LM_MOE_H
#define MPB_LM_MOE_H

#include <stddef.h>
#include <stdint.h>

#include "numerics.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MOE_MAX_EXPERTS 64

typedef struct moe_weights {
  int d_model, d_ff, n_expert, top_k;
  float *router;          /* [n_expert][d_model]                                   */
  float *shared_gate;     /* [1][d_model]: sigmoid gate of the shared expert        */
  float **gate, **up, **down; /* n_expert + 1 experts (the last is the shared one):
                                 gate/up [d_ff][d_model], down [d_model][d_ff]     */
} moe_weights;

/* Seeded synthetic weights: N(0, 1/fan_in) for every matrix. */
int moe_weights_synth(moe_weights **out, int d_model, int d_ff, int n_expert, int top_k,
                      uint64_t seed, char *err, size_t errlen);
void moe_weights_free(moe_weights *w);

/* The layer prepared for a numerics (weights per site backend) with scratch for up to
 * max_rows rows. w and nm must outlive it. */
typedef struct moe_layer moe_layer;
int moe_layer_new(moe_layer **out, const moe_weights *w, lm_numerics *nm, int max_rows,
                  char *err, size_t errlen);
void moe_layer_free(moe_layer *l);
/* out[rows][d_model] = MoE(x[rows][d_model]) (rows <= max_rows). Each row's result does
 * not depend on the other rows. sel (may be NULL) receives each row's top-k experts. */
int moe_layer_forward(moe_layer *l, size_t rows, const float *x, float *out, uint8_t *sel,
                      char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
