/* gen_common.h — building blocks of the FP32 workload generators (gen_*.c): a seeded
 * random source, dense layers, RMSNorm, the Mamba block, sliding-window attention with
 * RoPE, the shared-expert MoE, and the capture of their work as trace records.
 * Internal to libtraces (the public entry points are in trace.h). */
#ifndef MPB_GEN_COMMON_H
#define MPB_GEN_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* splitmix64 stream; every weight and input derives from the preset seed. */
typedef struct gen_rng { uint64_t s; } gen_rng;
uint64_t gen_rand(gen_rng *r);
double gen_uniform(gen_rng *r); /* [0, 1) */
double gen_normal(gen_rng *r);  /* N(0, 1) */

/* y = x W^T (+ bias); W is out x in, row-major. */
typedef struct gen_lin {
  uint32_t in, out;
  float *w, *bias;
} gen_lin;
int gen_lin_init(gen_lin *l, uint32_t in, uint32_t out, bool bias, float std, gen_rng *r);
void gen_lin_free(gen_lin *l);
void gen_lin_apply(const gen_lin *l, const float *x, uint32_t T, float *y);

void gen_rmsnorm(const float *x, uint32_t T, uint32_t d, float *y);
float gen_silu(float v);
float gen_softplus(float v);

/* Everything a layer's forward pass needs to capture its work. */
typedef struct gen_ctx {
  trace_writer *w;
  const trace_gen_opts *o;
  uint32_t layer;
  uint32_t tok0, T;      /* token range of this window            */
  const uint32_t *pos;   /* positions of the T tokens             */
  char *err;
  size_t errlen;
} gen_ctx;

/* Capture a matrix product as a GEMM record: the last min(T, gemm_rows) rows of A
 * (T x K, row stride lda) against min(N, gemm_cols) evenly spaced rows of B (N x K,
 * row stride ldb), both quantized per row. a_tok0: token index of A's row 0. */
int gen_capture_gemm(const gen_ctx *c, uint32_t op, uint32_t head, const float *a,
                     uint32_t rows, size_t lda, uint32_t a_tok0, const float *b, uint32_t n,
                     size_t ldb, uint32_t k);
/* Capture exp() inputs v (ntok x width) as an EXP record. */
int gen_capture_exp(const gen_ctx *c, uint32_t op, uint32_t head, uint32_t tok0,
                    uint32_t ntok, const float *v, uint32_t width, const uint32_t *pos);

/* Mamba block (Gu & Dao 2023): in_proj -> causal depthwise conv + SiLU -> x_proj
 * (dt_rank, B, C) -> dt_proj + softplus -> selective scan with ZOH exp(dt*A) ->
 * gate by SiLU(z) -> out_proj. */
typedef struct gen_mamba {
  uint32_t d_model, d_inner, d_state, d_conv, dt_rank;
  gen_lin in_proj, x_proj, dt_proj, out_proj;
  float *conv_w, *conv_b, *A_log, *D;
} gen_mamba;
int gen_mamba_init(gen_mamba *m, uint32_t d_model, uint32_t expand, uint32_t d_state,
                   uint32_t d_conv, uint32_t dt_rank, gen_rng *r);
void gen_mamba_free(gen_mamba *m);
/* out (T x d_model) = block(x); captures ssm_dta EXP records, the scan and the GEMMs. */
int gen_mamba_forward(const gen_mamba *m, const gen_ctx *c, const float *x, float *out);

/* Grouped-query attention with RoPE (double-precision angles, the header's pairing)
 * and a sliding window; captures ROPE (pre-rotation Q and K), softmax EXP rows and
 * the GEMMs. */
typedef struct gen_attn {
  uint32_t d_model, n_heads, n_kv, head_dim, window;
  double base;
  uint32_t pairing;
  gen_lin q, k, v, o;
} gen_attn;
int gen_attn_init(gen_attn *a, uint32_t d_model, uint32_t n_heads, uint32_t n_kv,
                  uint32_t head_dim, double base, uint32_t window, uint32_t pairing,
                  gen_rng *r);
void gen_attn_free(gen_attn *a);
int gen_attn_forward(const gen_attn *a, const gen_ctx *c, const float *x, float *out);

/* Rotate the T x (n_heads*head_dim) tensor in place by RoPE at positions pos. */
void gen_rope_apply(float *t, uint32_t T, uint32_t n_heads, uint32_t head_dim, double base,
                    uint32_t pairing, const uint32_t *pos);

/* Mixture of SwiGLU experts, top-k routing (softmax over the chosen k), plus one
 * always-on shared expert; captures router EXP rows and GEMMs. */
typedef struct gen_moe {
  uint32_t d_model, d_ff, n_exp, top_k;
  gen_lin router;
  gen_lin *gate, *up, *down; /* n_exp + 1 entries; the last is the shared expert */
} gen_moe;
int gen_moe_init(gen_moe *m, uint32_t d_model, uint32_t d_ff, uint32_t n_exp,
                 uint32_t top_k, gen_rng *r);
void gen_moe_free(gen_moe *m);
int gen_moe_forward(const gen_moe *m, const gen_ctx *c, const float *x, float *out);

/* Hidden states of a window: seeded Gaussian rows (a stand-in for embeddings). */
int gen_inputs(float **x, uint32_t T, uint32_t d, gen_rng *r);

#ifdef __cplusplus
}
#endif
#endif
