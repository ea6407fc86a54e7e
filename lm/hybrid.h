/* hybrid.h — the Bit-Axon "sandwich" hybrid language model on an lm_numerics: n_layer
 * layers in three zones in order (layer l is in zone l*3/n_layer): zone 0 pure SSM
 * (Mamba block, ssm_block.h), zone 1 sliding-window attention with RoPE (attention.h,
 * the transformer's attention) followed by a mixture of experts (moe.h), zone 2 SSM
 * followed by the MoE. Pre-RMSNorm residual blocks (unit norm weights), token embedding,
 * final RMSNorm and an untied output head. Weights are seeded synthetic weights
 * (hybrid_synth.c; what they can and cannot show: docs/workloads.md).
 * The state streams: SSM layers keep their conv window and state, attention layers a KV
 * cache of cap tokens read through the window. A batch of tokens goes through as a
 * matrix; batching does not change a token's result.
 * Functions that can fail return 0, or -1 with a message in err[errlen]. */
#ifndef MPB_LM_HYBRID_H
#define MPB_LM_HYBRID_H

#include <stddef.h>
#include <stdint.h>

#include "moe.h"
#include "numerics.h"
#include "ssm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hybrid_config {
  int n_vocab, d_model, n_layer, n_head, head_dim, window;
  int n_expert, top_k, d_ff;           /* MoE: experts, routed per token, expert width */
  int d_state, d_conv, expand, dt_rank; /* SSM                                         */
  double dt_min, dt_max;               /* SSM dt initialisation range                   */
  double rope_base, rms_eps;
  double head_std;                     /* output head weights N(0, (head_std/sqrt(d))^2) */
} hybrid_config;

typedef struct hybrid_preset {
  const char *name, *summary;
  hybrid_config c;
} hybrid_preset;
const hybrid_preset *hybrid_preset_find(const char *name);
size_t hybrid_preset_count(void);
const hybrid_preset *hybrid_preset_at(size_t i);
int hybrid_config_check(const hybrid_config *c, char *err, size_t errlen);
/* The SSM block geometry of a hybrid configuration. */
ssm_config hybrid_ssm_config(const hybrid_config *c);
/* Zone of layer l: 0 SSM, 1 attention + MoE, 2 SSM + MoE. */
int hybrid_zone(const hybrid_config *c, int l);

typedef struct hybrid_layer {
  int zone;
  ssm_weights *ssm;            /* zones 0, 2                                 */
  float *wq, *wk, *wv, *wo;    /* zone 1: [d_model][d_model] each            */
  moe_weights *moe;            /* zones 1, 2                                 */
} hybrid_layer;

typedef struct hybrid_model {
  hybrid_config c;
  float *tok_embd;             /* [n_vocab][d_model], N(0, 1)                */
  float *head;                 /* [n_vocab][d_model]                         */
  hybrid_layer *layers;
} hybrid_model;

int hybrid_model_synth(hybrid_model **out, const hybrid_config *c, uint64_t seed, char *err,
                       size_t errlen);
void hybrid_model_free(hybrid_model *m);

typedef struct hybrid_state hybrid_state;
/* A state for up to cap tokens (KV cache of the attention layers), batches of up to
 * max_batch tokens, computing with nm (borrowed; m and nm must outlive the state). */
int hybrid_state_new(hybrid_state **out, const hybrid_model *m, lm_numerics *nm, int cap,
                     int max_batch, char *err, size_t errlen);
void hybrid_state_free(hybrid_state *s);
int hybrid_state_tokens(const hybrid_state *s); /* tokens fed so far */

/* Feed n tokens at positions n_past .. n_past+n-1 (batches larger than max_batch go
 * through in pieces). The head runs for rows logits_from..n-1: row i's n_vocab logits go
 * to logits + (i - logits_from) * n_vocab. Errors: bad token id, cache full. */
int hybrid_forward(hybrid_state *s, const int32_t *tokens, int n, float *logits,
                   int logits_from, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
