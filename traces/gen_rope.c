/* gen_rope.c — RoPE-only synthetic workloads: seeded Gaussian Q/K vectors (per-channel
 * scales drawn once per layer and head, so some channels are outliers as in real
 * models) for the Llama 3 8B and SmolLM2-135M attention geometries. No forward pass:
 * these exercise the rope unit at any position, e.g. windows up to 131071. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"

typedef struct rope_geo {
  const char *model;
  uint32_t n_heads, n_kv, head_dim;
  double base;
} rope_geo;

static int gen_rope_only(const rope_geo *g, const char *preset, const trace_gen_opts *o,
                         trace_writer *w, char *err, size_t errlen) {
  trace_header h;
  trace_header_init(&h);
  snprintf(h.model, sizeof h.model, "%s (synthetic Q/K)", g->model);
  snprintf(h.source, sizeof h.source, "mpbsim gen --preset %s", preset);
  h.arch = TRACE_ARCH_TRANSFORMER;
  h.n_layers = o->layers ? o->layers : 1;
  h.n_heads = g->n_heads, h.n_kv_heads = g->n_kv, h.head_dim = g->head_dim;
  h.rope_base = g->base;
  h.pairing = 1; /* half-split, as in the Hugging Face checkpoints */
  h.n_tokens = o->tokens;
  uint32_t nw = o->windows ? o->windows : 1;
  h.max_pos = trace_window_start(o, nw - 1) + o->tokens - 1;
  h.seed = o->seed;
  if (trace_writer_set_header(w, &h, err, errlen)) return -1;
  uint32_t T = o->tokens, D = g->head_dim;
  float *f = malloc((size_t)T * D * sizeof(float)), *s = malloc(T * sizeof(float));
  float *cs = malloc(D * sizeof(float));
  int8_t *q = malloc((size_t)T * D);
  uint32_t *pos = malloc(T * sizeof(uint32_t));
  int rc = -1;
  if (!f || !s || !cs || !q || !pos) {
    snprintf(err, errlen, "generator %s: out of memory", preset);
    goto done;
  }
  for (uint32_t wi = 0; wi < nw; wi++) {
    uint32_t p0 = trace_window_start(o, wi);
    for (uint32_t t = 0; t < T; t++) pos[t] = p0 + t;
    for (uint32_t l = 0; l < h.n_layers; l++)
      for (uint32_t op = 0; op < 2; op++)
        for (uint32_t hd = 0; hd < (op ? g->n_kv : g->n_heads); hd++) {
          /* channel scales depend on (seed, layer, op, head) only, not on the window */
          gen_rng cr = {o->seed ^ (0x51ull << 56) ^ ((uint64_t)l << 32) ^ ((uint64_t)op << 24) ^ hd};
          for (uint32_t d = 0; d < D; d++) cs[d] = (float)exp(0.6 * gen_normal(&cr));
          gen_rng r = {o->seed * 0x9e3779b97f4a7c15ULL + ((uint64_t)wi << 40) +
                       ((uint64_t)l << 20) + ((uint64_t)op << 16) + hd};
          for (uint32_t t = 0; t < T; t++) {
            for (uint32_t d = 0; d < D; d++)
              f[(size_t)t * D + d] = (float)(gen_normal(&r) * cs[d]);
            trace_quantize_row(f + (size_t)t * D, D, q + (size_t)t * D, &s[t]);
          }
          trace_record rec = {.kind = TRACE_ROPE, .op = op, .flags = o->f32 ? TRACE_F_F32 : 0,
                              .layer = l, .head = hd, .tok0 = wi * T, .ntok = T, .width = D,
                              .pos = pos, .x = q, .scale = s, .f32 = o->f32 ? f : NULL};
          if (trace_write(w, &rec, err, errlen)) goto done;
        }
  }
  rc = 0;
done:
  free(f), free(s), free(cs), free(q), free(pos);
  return rc;
}

int trace_gen_rope_llama3(const trace_gen_opts *o, trace_writer *w, char *err, size_t errlen) {
  static const rope_geo g = {"Llama-3-8B", 32, 8, 128, 500000.0};
  return gen_rope_only(&g, "rope-llama3", o, w, err, errlen);
}

int trace_gen_rope_smollm2(const trace_gen_opts *o, trace_writer *w, char *err, size_t errlen) {
  static const rope_geo g = {"SmolLM2-135M", 9, 3, 64, 100000.0};
  return gen_rope_only(&g, "rope-smollm2", o, w, err, errlen);
}
