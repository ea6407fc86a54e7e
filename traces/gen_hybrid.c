/* gen_hybrid.c — the `bitaxon` workload: the Bit-Axon 3.2B "sandwich" (zone 1: SSM
 * blocks; zone 2: sliding-window attention + MoE; zone 3: SSM + MoE), FP32 forward pass
 * with seeded synthetic weights. Real: head_dim 80, window 4096, d_state 16, d_conv 4,
 * 8 experts top-2 + one shared expert, the Axon-SSM's scalar dt (dt_rank 1).
 * Reduced by default (docs/workloads.md): d_model 640 (8 heads) instead of 2560 (32),
 * expert width 512, one layer per zone (--layers L splits L layers into three zones).
 * Assumed (not published): RoPE base 10000, no grouped KV heads, SSM expand 2,
 * half-split pairing (MLX nn.RoPE default). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"

#define BA_HEAD_DIM 80
#define BA_WINDOW 4096
#define BA_D_STATE 16
#define BA_D_CONV 4
#define BA_EXPERTS 8
#define BA_TOP_K 2
#define BA_BASE 10000.0
#define BA_LAYERS_REAL 24

typedef struct ba_layer {
  int zone; /* 0 ssm, 1 swa+moe, 2 ssm+moe */
  gen_mamba ssm;
  gen_attn attn;
  gen_moe moe;
} ba_layer;

int trace_gen_bitaxon(const trace_gen_opts *o, trace_writer *w, char *err, size_t errlen) {
  uint32_t L = o->layers ? o->layers : 3, T = o->tokens, nw = o->windows ? o->windows : 1;
  uint32_t H = o->full ? 32 : 8, Dm = H * BA_HEAD_DIM, F = o->full ? 1024 : 512;
  if (L > BA_LAYERS_REAL) {
    snprintf(err, errlen, "bitaxon: --layers %u, expected [1, %d]", L, BA_LAYERS_REAL);
    return -1;
  }
  if (T > BA_WINDOW) {
    snprintf(err, errlen, "bitaxon: --tokens %u, expected [1, %d]", T, BA_WINDOW);
    return -1;
  }
  trace_header h;
  trace_header_init(&h);
  snprintf(h.model, sizeof h.model, "Bit-Axon 3.2B sandwich (%s, synthetic)",
           o->full ? "full width" : "reduced");
  snprintf(h.source, sizeof h.source, "mpbsim gen --preset bitaxon");
  h.arch = TRACE_ARCH_HYBRID;
  h.n_layers = L, h.n_heads = H, h.n_kv_heads = H, h.head_dim = BA_HEAD_DIM;
  h.rope_base = BA_BASE, h.pairing = 1, h.d_model = Dm;
  h.d_state = BA_D_STATE, h.d_conv = BA_D_CONV, h.window = BA_WINDOW;
  h.n_experts = BA_EXPERTS, h.top_k = BA_TOP_K, h.n_tokens = T;
  h.max_pos = trace_window_start(o, nw - 1) + T - 1;
  h.seed = o->seed;
  if (trace_writer_set_header(w, &h, err, errlen)) return -1;
  gen_rng r = {o->seed};
  ba_layer *ly = calloc(L, sizeof *ly);
  float *x = NULL, *xn = malloc((size_t)T * Dm * sizeof(float));
  float *y = malloc((size_t)T * Dm * sizeof(float));
  uint32_t *pos = malloc(T * sizeof(uint32_t));
  int rc = -1;
  if (!ly || !xn || !y || !pos) goto oom;
  for (uint32_t l = 0; l < L; l++) {
    ly[l].zone = (int)((uint64_t)l * 3 / L);
    if (ly[l].zone != 1 && gen_mamba_init(&ly[l].ssm, Dm, 2, BA_D_STATE, BA_D_CONV, 1, &r))
      goto oom;
    if (ly[l].zone == 1 &&
        gen_attn_init(&ly[l].attn, Dm, H, H, BA_HEAD_DIM, BA_BASE, BA_WINDOW, 1, &r))
      goto oom;
    if (ly[l].zone != 0 && gen_moe_init(&ly[l].moe, Dm, F, BA_EXPERTS, BA_TOP_K, &r))
      goto oom;
  }
  for (uint32_t wi = 0; wi < nw; wi++) {
    uint32_t p0 = trace_window_start(o, wi);
    for (uint32_t t = 0; t < T; t++) pos[t] = p0 + t;
    free(x);
    if (gen_inputs(&x, T, Dm, &r)) goto oom;
    for (uint32_t l = 0; l < L; l++) {
      gen_ctx c = {w, o, l, wi * T, T, pos, err, errlen};
      gen_rmsnorm(x, T, Dm, xn);
      int e = ly[l].zone == 1 ? gen_attn_forward(&ly[l].attn, &c, xn, y)
                              : gen_mamba_forward(&ly[l].ssm, &c, xn, y);
      if (e) goto done;
      for (size_t i = 0; i < (size_t)T * Dm; i++) x[i] += y[i];
      if (ly[l].zone == 0) continue;
      gen_rmsnorm(x, T, Dm, xn);
      if (gen_moe_forward(&ly[l].moe, &c, xn, y)) goto done;
      for (size_t i = 0; i < (size_t)T * Dm; i++) x[i] += y[i];
    }
  }
  rc = 0;
  goto done;
oom:
  snprintf(err, errlen, "bitaxon: out of memory");
done:
  for (uint32_t l = 0; ly && l < L; l++) {
    if (ly[l].zone != 1) gen_mamba_free(&ly[l].ssm);
    if (ly[l].zone == 1) gen_attn_free(&ly[l].attn);
    if (ly[l].zone != 0) gen_moe_free(&ly[l].moe);
  }
  free(ly), free(x), free(xn), free(y), free(pos);
  return rc;
}
