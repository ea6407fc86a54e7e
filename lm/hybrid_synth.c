/* hybrid_synth.c — the Bit-Axon hybrid's named geometries, their checks, and seeded
 * synthetic weights (hybrid.h). Real (public description): 24 layers in three zones,
 * head_dim 80, sliding window 4096, 8 experts top-2 plus a shared expert, d_state 16,
 * d_conv 4, dt_rank 1 (the Axon-SSM's scalar dt), vocabulary 32000, d_model 2560.
 * Reduced here (docs/workloads.md): d_model 640 (8 heads), one layer per zone, expert
 * width 512. Assumed (not published): RoPE base 10000, no grouped KV heads, SSM expand 2,
 * half-split RoPE pairing, the output head's scale. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "hybrid.h"
#include "rng.h"

static const hybrid_preset kPresets[] = {
    /* vocab, d_model, layers, heads, head_dim, window, experts, top_k, d_ff,
       d_state, d_conv, expand, dt_rank, dt_min, dt_max, base, eps, head_std */
    {"bitaxon", "Bit-Axon sandwich, reduced: d_model 640 (8 x 80), 3 layers (one per zone), "
                "window 4096, 8 experts top-2 + shared (width 512), vocab 32000",
     {32000, 640, 3, 8, 80, 4096, 8, 2, 512, 16, 4, 2, 1, 1e-3, 1e-1, 10000.0, 1e-5, 3.0}},
    {"bitaxon-full", "Bit-Axon sandwich at full width: d_model 2560 (32 x 80), 24 layers, "
                     "expert width 1024 (about 2.6 GB of FP32 weights)",
     {32000, 2560, 24, 32, 80, 4096, 8, 2, 1024, 16, 4, 2, 1, 1e-3, 1e-1, 10000.0, 1e-5, 3.0}},
    {"bitaxon-tiny", "small sandwich for tests: d_model 160 (2 x 80), 3 layers, window 64, "
                     "8 experts top-2 (width 64), vocab 256",
     {256, 160, 3, 2, 80, 64, 8, 2, 64, 16, 4, 2, 1, 1e-3, 1e-1, 10000.0, 1e-5, 3.0}},
};

const hybrid_preset *hybrid_preset_find(const char *name) {
  for (size_t i = 0; i < hybrid_preset_count(); i++)
    if (!strcmp(kPresets[i].name, name)) return &kPresets[i];
  return NULL;
}
size_t hybrid_preset_count(void) { return sizeof kPresets / sizeof kPresets[0]; }
const hybrid_preset *hybrid_preset_at(size_t i) {
  return i < hybrid_preset_count() ? &kPresets[i] : NULL;
}

ssm_config hybrid_ssm_config(const hybrid_config *c) {
  ssm_config s = {c->d_model, c->expand * c->d_model, c->d_state, c->d_conv, c->dt_rank,
                  c->dt_min, c->dt_max};
  return s;
}

int hybrid_zone(const hybrid_config *c, int l) { return (int)((int64_t)l * 3 / c->n_layer); }

int hybrid_config_check(const hybrid_config *c, char *err, size_t errlen) {
#define RANGE(f, lo, hi)                                                                   \
  if (c->f < (lo) || c->f > (hi))                                                         \
    return fail(err, errlen, "hybrid geometry: %s = %d is not in [%d, %d]", #f, c->f, lo, hi);
  RANGE(n_vocab, 2, 1 << 20)
  RANGE(n_layer, 1, 256)
  RANGE(n_head, 1, 256)
  RANGE(head_dim, 2, 1024)
  RANGE(window, 0, 1 << 24)
  RANGE(n_expert, 1, MOE_MAX_EXPERTS)
  RANGE(top_k, 1, c->n_expert)
  RANGE(d_ff, 1, 1 << 18)
  RANGE(expand, 1, 8)
#undef RANGE
  if (c->head_dim % 2)
    return fail(err, errlen, "hybrid geometry: head_dim = %d must be even", c->head_dim);
  if (c->d_model != c->n_head * c->head_dim)
    return fail(err, errlen, "hybrid geometry: d_model = %d is not n_head x head_dim = %d",
                c->d_model, c->n_head * c->head_dim);
  if (!(c->rope_base > 1.0 && c->rope_base <= 1e9) || !(c->rms_eps > 0 && c->rms_eps <= 1e-2) ||
      !(c->head_std > 0 && c->head_std <= 100))
    return fail(err, errlen, "hybrid geometry: rope_base %g (1, 1e9], rms_eps %g (0, 0.01], "
                "head_std %g (0, 100]", c->rope_base, c->rms_eps, c->head_std);
  ssm_config s = hybrid_ssm_config(c);
  return ssm_config_check(&s, err, errlen);
}

void hybrid_model_free(hybrid_model *m) {
  if (!m) return;
  for (int l = 0; m->layers && l < m->c.n_layer; l++) {
    hybrid_layer *L = &m->layers[l];
    ssm_weights_free(L->ssm);
    moe_weights_free(L->moe);
    free(L->wq), free(L->wk), free(L->wv), free(L->wo);
  }
  free(m->layers), free(m->tok_embd), free(m->head);
  free(m);
}

static float *normal(size_t n, double sd, lm_rng *r) {
  float *w = malloc(n * sizeof *w);
  for (size_t i = 0; w && i < n; i++) w[i] = (float)(lm_rng_normal(r) * sd);
  return w;
}

int hybrid_model_synth(hybrid_model **out, const hybrid_config *c, uint64_t seed, char *err,
                       size_t errlen) {
  *out = NULL;
  if (hybrid_config_check(c, err, errlen)) return -1;
  hybrid_model *m = calloc(1, sizeof *m);
  if (!m) return fail(err, errlen, "out of memory");
  m->c = *c;
  size_t D = (size_t)c->d_model, V = (size_t)c->n_vocab;
  lm_rng r = {seed};
  ssm_config sc = hybrid_ssm_config(c);
  int ok = (m->layers = calloc((size_t)c->n_layer, sizeof *m->layers)) &&
           (m->tok_embd = normal(V * D, 1.0, &r)) &&
           (m->head = normal(V * D, c->head_std / sqrt((double)D), &r));
  for (int l = 0; ok && l < c->n_layer; l++) {
    hybrid_layer *L = &m->layers[l];
    L->zone = hybrid_zone(c, l);
    if (L->zone != 1 && ssm_weights_synth(&L->ssm, &sc, lm_rng_u64(&r), err, errlen)) goto bad;
    if (L->zone == 1) {
      double s = 1.0 / sqrt((double)D);
      ok = (L->wq = normal(D * D, s, &r)) && (L->wk = normal(D * D, s, &r)) &&
           (L->wv = normal(D * D, s, &r)) && (L->wo = normal(D * D, s, &r));
    }
    if (ok && L->zone != 0 &&
        moe_weights_synth(&L->moe, c->d_model, c->d_ff, c->n_expert, c->top_k, lm_rng_u64(&r),
                          err, errlen))
      goto bad;
  }
  if (!ok) {
    hybrid_model_free(m);
    return fail(err, errlen, "out of memory for hybrid weights (%d layers, d_model %d)",
                c->n_layer, c->d_model);
  }
  *out = m;
  return 0;
bad:
  hybrid_model_free(m);
  return -1;
}
