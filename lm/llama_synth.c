/* llama_synth.c — seeded synthetic weights for the Llama forward pass, and the named
 * geometries (presets). Weights are N(0, 0.02^2) (the initializer_range of the Llama 3 and
 * SmolLM2 configs), norms are 1 (also the Q/K and post norms of a config that has them);
 * the vocabulary is shrunk (LLAMA_SYNTH_VOCAB) because the output head does not shape
 * RoPE, softmax or projection traces. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llama.h"
#include "errbuf.h"
#include "llama_presets.h"

static const llama_preset kPresets[] = {
    /* name, vocab, embd, layers, heads, kv, head_dim, ff, ctx, base, eps */
    {"llama3-8b", "Llama 3 8B geometry (32 layers in the real model)",
     {LLAMA_SYNTH_VOCAB, 4096, 2, 32, 8, 128, 14336, 131072, 500000.0, 1e-5,
      LLAMA_ROPE_ADJACENT, .arch = LLAMA_ARCH_LLAMA}},
    {"smollm2-135m", "SmolLM2-135M geometry (30 layers in the real model)",
     {LLAMA_SYNTH_VOCAB, 576, 2, 9, 3, 64, 1536, 8192, 100000.0, 1e-5, LLAMA_ROPE_ADJACENT, .arch = LLAMA_ARCH_LLAMA}},
    {"tiny", "small geometry for tests",
     {64, 32, 2, 4, 2, 8, 48, 256, 10000.0, 1e-5, LLAMA_ROPE_ADJACENT, .arch = LLAMA_ARCH_LLAMA}},
};

const llama_preset *llama_preset_find(const char *name) {
  for (size_t i = 0; i < sizeof kPresets / sizeof kPresets[0]; i++)
    if (!strcmp(kPresets[i].name, name)) return &kPresets[i];
  return NULL;
}

size_t llama_preset_count(void) { return sizeof kPresets / sizeof kPresets[0]; }
const llama_preset *llama_preset_at(size_t i) {
  return i < llama_preset_count() ? &kPresets[i] : NULL;
}

static uint64_t next_u64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Box-Muller normal deviates with standard deviation sd. */
static float *randn(size_t n, float sd, uint64_t *s) {
  float *w = malloc(n * sizeof(float));
  if (!w) return NULL;
  for (size_t i = 0; i < n; i += 2) {
    double u1 = ((next_u64(s) >> 11) + 1.0) / 9007199254740993.0;
    double u2 = (next_u64(s) >> 11) / 9007199254740992.0;
    double r = sqrt(-2.0 * log(u1)) * sd;
    w[i] = (float)(r * cos(6.283185307179586 * u2));
    if (i + 1 < n) w[i + 1] = (float)(r * sin(6.283185307179586 * u2));
  }
  return w;
}

static float *ones(size_t n) {
  float *w = malloc(n * sizeof(float));
  if (w)
    for (size_t i = 0; i < n; i++) w[i] = 1.0f;
  return w;
}

int llama_init_synthetic(llama_model **out, const llama_config *c, uint64_t seed, char *err,
                         size_t errlen) {
  *out = NULL;
  if (llama_config_check(c, err, errlen)) return -1;
  llama_model *m = calloc(1, sizeof *m);
  if (!m) return fail(err, errlen, "out of memory");
  m->c = *c;
  size_t e = c->n_embd, qd = (size_t)c->n_head * c->head_dim,
         kvd = (size_t)c->n_head_kv * c->head_dim, ff = c->n_ff;
  const float sd = 0.02f;
  uint64_t s = seed;
  int ok = (m->layers = calloc(c->n_layer, sizeof *m->layers)) != NULL;
  ok = ok && (m->tok_embd = randn((size_t)c->n_vocab * e, sd, &s)) != NULL;
  ok = ok && (m->out_norm = ones(e)) != NULL;
  m->output = m->tok_embd;
  for (int l = 0; ok && l < c->n_layer; l++) {
    llama_layer *L = &m->layers[l];
    ok = (L->attn_norm = ones(e)) && (L->ffn_norm = ones(e)) &&
         (L->wq = randn(qd * e, sd, &s)) && (L->wk = randn(kvd * e, sd, &s)) &&
         (L->wv = randn(kvd * e, sd, &s)) && (L->wo = randn(e * qd, sd, &s)) &&
         (L->w_gate = randn(ff * e, sd, &s)) && (L->w_up = randn(ff * e, sd, &s)) &&
         (L->w_down = randn(e * ff, sd, &s));
    if (ok && c->qk_norm)
      ok = (L->q_norm = ones(c->head_dim)) && (L->k_norm = ones(c->head_dim));
    if (ok && c->post_norms) ok = (L->post_attn_norm = ones(e)) && (L->post_ffn_norm = ones(e));
  }
  if (!ok) {
    llama_free(m);
    return fail(err, errlen, "out of memory for synthetic weights (%d layers of %zu x %zu)",
                c->n_layer, e, ff);
  }
  *out = m;
  return 0;
}
