/* llama.h — a Llama-style decoder: RMSNorm, grouped-query attention with RoPE, SwiGLU
 * MLP, tied or untied output head; and the extensions Gemma 3 adds to the same pass
 * (scaled embedding, per-head Q/K RMSNorm, post-attention and post-FFN norms, GeGLU with
 * tanh GELU, sliding-window layers with their own RoPE base). Weights come from a GGUF
 * file (llama_gguf.c reads general.architecture and dispatches: llama.* metadata there,
 * gemma3.* in gemma3_gguf.c) or are seeded synthetic weights for a named geometry
 * (llama_synth.c). A window of tokens goes through as a matrix (batched prefill); one
 * token is the n = 1 case. The arithmetic of every RoPE, exp(), projection, attention
 * matmul and the KV-cache storage is the state's numerics (numerics.h; the default is the
 * FP32 reference). Optional hooks see every RoPE input/output, every softmax input row
 * and every projection's operands; trace capture (llama_trace.c) is built on them.
 * Functions return 0 on success, -1 with a message in err[errlen]. */
#ifndef MPB_LLAMA_H
#define MPB_LLAMA_H

#include <stddef.h>
#include <stdint.h>

#include "eval.h"
#include "kv.h"
#include "numerics.h"
#include "tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which elements of a head RoPE rotates together as the pair for frequency j. */
typedef enum {
  LLAMA_ROPE_ADJACENT = 0, /* (2j, 2j+1): llama.cpp "NORM" rope; right for GGUF files */
  LLAMA_ROPE_HALF = 1      /* (j, j + d/2): HF "rotate_half" convention */
} llama_rope_pairing;

typedef enum { LLAMA_ARCH_LLAMA = 0, LLAMA_ARCH_GEMMA3 = 1 } llama_arch;
/* The FFN's gate activation: SwiGLU (Llama) or GeGLU with GELU's tanh form (Gemma). */
typedef enum { LLAMA_ACT_SILU = 0, LLAMA_ACT_GELU_TANH = 1 } llama_act;

typedef struct llama_config {
  int n_vocab, n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_ctx;
  double rope_base, rms_eps; /* rope_base: of the global (full-attention) layers */
  llama_rope_pairing pairing;
  /* Gemma 3 extensions; all zero means a plain Llama. */
  llama_arch arch;
  llama_act act;
  int embed_scaled;       /* x = tok_embd[token] * sqrt(n_embd) (float multiply)         */
  int qk_norm;            /* RMSNorm of every Q and K head (weights q_norm, k_norm)       */
  int post_norms;         /* RMSNorm of the attention and FFN outputs before each add     */
  int swa_window;         /* keys a sliding-window layer sees (self included); 0: none    */
  int swa_pattern;        /* layer l is global iff l % swa_pattern == swa_pattern - 1     */
  double rope_base_local; /* RoPE base of the sliding-window layers                     */
} llama_config;

/* Whether layer l uses the sliding window, its window (0 = full causal attention), and
 * the RoPE base it uses. */
int llama_layer_is_local(const llama_config *c, int l);
int llama_layer_window(const llama_config *c, int l);
double llama_layer_rope_base(const llama_config *c, int l);

typedef struct llama_layer {
  float *attn_norm, *wq, *wk, *wv, *wo; /* W[out][in] row-major */
  float *ffn_norm, *w_gate, *w_up, *w_down;
  float *q_norm, *k_norm;               /* [head_dim], qk_norm only */
  float *post_attn_norm, *post_ffn_norm; /* [n_embd], post_norms only */
} llama_layer;

typedef struct llama_model {
  llama_config c;
  float *tok_embd;  /* [n_vocab][n_embd] */
  float *out_norm;
  float *output;    /* [n_vocab][n_embd]; == tok_embd when tied */
  llama_layer *layers;
  gguf_file *gguf;  /* owned, NULL for synthetic models */
  tok_vocab *vocab; /* NULL for synthetic models */
} llama_model;

/* Observation hooks, all optional. Pointers are valid only during the call. In a batch
 * they fire layer by layer, row by row (one token at a time gives token order). */
typedef struct llama_hooks {
  void *user;
  /* One head's vector before and after RoPE at position pos (kind 0 = Q, 1 = K). */
  void (*rope)(void *user, int layer, int head, int kind, int64_t pos, const float *in,
               const float *out, int head_dim);
  /* Scaled attention scores of one query head (softmax input), n = keys visible. */
  void (*scores)(void *user, int layer, int head, int64_t pos, const float *s, int n);
  /* y = W x for one projection: x has k entries, W is [n][k] row-major. */
  void (*gemm)(void *user, int layer, const char *name, const float *x, const float *w,
               int k, int n);
} llama_hooks;

#define LLAMA_NPROJ 7 /* q, k, v, o, gate, up, down */

/* Running state: numerics, prepared weights, KV cache for up to cap tokens, scratch
 * matrices for up to max_batch rows, the last row's logits. */
typedef struct llama_state {
  const llama_model *m;
  int cap, n_past, max_batch;
  lm_numerics *nm;            /* the arithmetic (owned when own_nm)                  */
  int own_nm;
  lm_linear **lin;            /* [n_layer * LLAMA_NPROJ + 1]: projections, then the head */
  lm_kv *kv;
  float *x, *xn, *q, *k, *v, *xb, *x2, *hb, *hb2, *att; /* [max_batch][...] scratch      */
  float *rope_in;             /* hooks: one row of heads before RoPE                  */
  float *tmp;                 /* [n_ff] exp(-gate) of one row                         */
  int64_t *pos;               /* [max_batch] positions of the rows                   */
  int32_t *len;               /* [2 x max_batch] lm_attention scratch (keys per row)   */
  float *logits;              /* [n_vocab] logits of the last row fed                */
  const llama_hooks *hooks;
} llama_state;

/* Load a GGUF file: architecture from general.architecture ('llama' or 'gemma3'),
 * geometry from its metadata, weights dequantized to FP32. */
int llama_load_gguf(llama_model **out, const char *path, char *err, size_t errlen);
/* The 'gemma3' part of llama_load_gguf (gemma3_gguf.c): m->gguf is open; fills m->c from
 * the gemma3.* metadata, then the weights with llama_load_weights. */
int gemma3_load(llama_model *m, char *err, size_t errlen);
/* The keys every architecture shares, read as ARCH.<key> (llama_gguf.c): embedding_length,
 * block_count, attention.head_count, feed_forward_length, context_length,
 * attention.head_count_kv (default: head_count), rope.freq_base (default 10000),
 * attention.layer_norm_rms_epsilon; n_vocab from token_embd.weight. Zeroes c first. */
int llama_gguf_read_common(const gguf_file *g, const char *arch, llama_config *c, char *err,
                           size_t errlen);
/* Weights and vocabulary of m->gguf for the geometry in m->c (llama_gguf.c): every tensor
 * the config calls for, shapes checked, dequantized to FP32; output tied to the embedding
 * when the file has no output.weight. */
int llama_load_weights(llama_model *m, char *err, size_t errlen);
/* One tensor of shape [n0] (n1 = 0) or [n0, n1] dequantized into a new buffer, or NULL
 * with a message. */
float *llama_load_tensor(const gguf_file *g, const char *name, uint64_t n0, uint64_t n1,
                         char *err, size_t errlen);
/* Synthetic weights (normal, std 0.02 like the HF initializer_range) for config c. */
int llama_init_synthetic(llama_model **out, const llama_config *c, uint64_t seed, char *err,
                         size_t errlen);
void llama_free(llama_model *m);
/* Check a configuration's fields and relations (each error names the field and range). */
int llama_config_check(const llama_config *c, char *err, size_t errlen);

/* A state with the reference numerics (FP32, FP32 KV cache), max_batch = min(cap, 512). */
int llama_state_new(llama_state **out, const llama_model *m, int cap, char *err, size_t errlen);
/* A state computing with nm (borrowed: it must outlive the state; its spec's KV format
 * and group make the cache); weights are prepared for each site's backend here. */
int llama_state_new_numerics(llama_state **out, const llama_model *m, int cap, int max_batch,
                             lm_numerics *nm, char *err, size_t errlen);
void llama_state_free(llama_state *s);
void llama_state_reset(llama_state *s);

/* Feed one token at RoPE position pos (cache slot n_past); fills s->logits unless
 * want_logits is 0. The n = 1 case of llama_forward_batch. */
int llama_forward(llama_state *s, int32_t token, int64_t pos, int want_logits, char *err,
                  size_t errlen);
/* Feed n tokens at RoPE positions pos[0..n) (independent of the cache slots n_past ..
 * n_past+n-1; each token attends to every cached slot up to its own). Batches larger
 * than max_batch go through in pieces. The head runs for rows logits_from..n-1 (none when
 * logits_from >= n): row i's n_vocab logits go to logits + (i - logits_from) * n_vocab
 * when logits is non-NULL, and the last row's to s->logits. Errors: bad token id, position outside [0, 2^31] (or the
 * bridge's 2^pos_bits), KV cache full. */
int llama_forward_batch(llama_state *s, const int32_t *tokens, const int64_t *pos, int n,
                        float *logits, int logits_from, char *err, size_t errlen);

/* Mean negative log-likelihood (nats) of ids[1..n) given the prefix, positions 0..n-1;
 * perplexity = exp(nll). */
int llama_nll(const llama_model *m, const int32_t *ids, int n, double *nll, char *err,
              size_t errlen);

/* The model behind the closed-loop evaluation (eval.h; llama_runner.c): windows run
 * from an empty cache through llama_forward_batch; n_ctx_max is the trained context. */
lm_model_ops llama_model_ops(const llama_model *m);

/* Argmax of the logits. */
int32_t llama_argmax(const float *logits, int n);

#ifdef __cplusplus
}
#endif
#endif
