/* llama_trace.c — turn the Llama forward pass into trace records through the hooks of
 * llama.h, and the three `mpbsim gen` presets built on it (llama3-8b, smollm2-135m,
 * smollm2-real). Each position window starts from an empty KV cache; Q/K inputs of RoPE
 * and the sampled projection inputs are buffered over the window and written at its end,
 * softmax rows are written as they are produced. */
#include "llama_trace.h"
#include "errbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llama_presets.h"

/* Projections in hook order; the index is also the slot in the capture buffers. */
static const struct { const char *name; uint32_t op; } kProj[] = {
    {"attn_q", TRACE_GEMM_Q},          {"attn_k", TRACE_GEMM_K},
    {"attn_v", TRACE_GEMM_V},          {"attn_output", TRACE_GEMM_O},
    {"ffn_gate", TRACE_GEMM_FFN_GATE}, {"ffn_up", TRACE_GEMM_FFN_UP},
    {"ffn_down", TRACE_GEMM_FFN_DOWN}};
#define NPROJ (sizeof kProj / sizeof kProj[0])

typedef struct gemm_slot {
  const float *w; /* weight rows [n][k] of the model */
  int k, n;
  float *x;       /* [rows][k] captured inputs */
} gemm_slot;

typedef struct cap {
  const llama_model *m;
  const trace_gen_opts *o;
  trace_writer *w;
  uint32_t T, t, tok_base, rows, cols;
  uint32_t *pos;
  float *rope;      /* [layer][n_head + n_kv][T][head_dim] */
  gemm_slot *gemm;  /* [layer][NPROJ] */
  float *fscratch;  /* max(T, max K) floats */
  int8_t *qscratch; /* max(T * head_dim, cols * max K, rows * max K) */
  float *sscratch;  /* max(T, cols) scales */
  int failed;
  char *err;
  size_t errlen;
} cap;

static void hook_rope(void *u, int layer, int head, int kind, int64_t pos, const float *in,
                      const float *out, int hd) {
  cap *c = u;
  (void)pos, (void)out;
  const llama_config *g = &c->m->c;
  size_t slot = (size_t)layer * (g->n_head + g->n_head_kv) + (kind ? g->n_head : 0) + head;
  memcpy(c->rope + (slot * c->T + c->t) * hd, in, hd * sizeof(float));
}

static void hook_scores(void *u, int layer, int head, int64_t pos, const float *s, int n) {
  cap *c = u;
  if (c->failed) return;
  float mx = s[0];
  for (int i = 1; i < n; i++) mx = s[i] > mx ? s[i] : mx;
  for (int i = 0; i < n; i++) c->fscratch[i] = s[i] - mx;
  uint32_t p = (uint32_t)pos;
  trace_record r = {.kind = TRACE_EXP, .op = TRACE_EXP_SOFTMAX, .flags = TRACE_F_POS,
                    .layer = (uint32_t)layer, .head = (uint32_t)head,
                    .tok0 = c->tok_base + c->t, .ntok = 1, .width = (uint32_t)n,
                    .pos = &p, .f32 = c->fscratch};
  if (trace_write(c->w, &r, c->err, c->errlen)) c->failed = 1;
}

static void hook_gemm(void *u, int layer, const char *name, const float *x, const float *w,
                      int k, int n) {
  cap *c = u;
  if (layer >= c->m->c.n_layer || c->t + c->rows < c->T) return; /* lm head; early rows */
  for (size_t i = 0; i < NPROJ; i++)
    if (!strcmp(name, kProj[i].name)) {
      gemm_slot *g = &c->gemm[(size_t)layer * NPROJ + i];
      g->w = w, g->k = k, g->n = n;
      memcpy(g->x + (size_t)(c->t + c->rows - c->T) * k, x, k * sizeof(float));
    }
}

/* Write the buffered ROPE and GEMM records of the window just run. */
static int flush_window(cap *c) {
  const llama_config *g = &c->m->c;
  int hd = g->head_dim;
  for (int l = 0; l < g->n_layer; l++)
    for (int h = 0; h < g->n_head + g->n_head_kv; h++) {
      const float *v = c->rope + ((size_t)l * (g->n_head + g->n_head_kv) + h) * c->T * hd;
      for (uint32_t t = 0; t < c->T; t++)
        trace_quantize_row(v + (size_t)t * hd, hd, c->qscratch + (size_t)t * hd, c->sscratch + t);
      int isk = h >= g->n_head;
      trace_record r = {.kind = TRACE_ROPE, .op = isk ? TRACE_ROPE_K : TRACE_ROPE_Q,
                        .flags = c->o->f32 ? TRACE_F_F32 : 0, .layer = (uint32_t)l,
                        .head = (uint32_t)(isk ? h - g->n_head : h), .tok0 = c->tok_base,
                        .ntok = c->T, .width = (uint32_t)hd, .pos = c->pos, .x = c->qscratch,
                        .scale = c->sscratch, .f32 = c->o->f32 ? v : NULL};
      if (trace_write(c->w, &r, c->err, c->errlen)) return -1;
    }
  for (int l = 0; l < g->n_layer; l++)
    for (size_t i = 0; i < NPROJ; i++) {
      const gemm_slot *s = &c->gemm[(size_t)l * NPROJ + i];
      uint32_t cols = (uint32_t)s->n < c->cols ? (uint32_t)s->n : c->cols;
      int8_t *qa = c->qscratch, *qb = c->qscratch + (size_t)c->rows * s->k;
      float *sa = c->sscratch, *sb = c->sscratch + c->rows;
      for (uint32_t r = 0; r < c->rows; r++)
        trace_quantize_row(s->x + (size_t)r * s->k, s->k, qa + (size_t)r * s->k, sa + r);
      for (uint32_t j = 0; j < cols; j++) /* evenly spaced weight rows */
        trace_quantize_row(s->w + (size_t)((uint64_t)j * s->n / cols) * s->k, s->k,
                           qb + (size_t)j * s->k, sb + j);
      trace_record r = {.kind = TRACE_GEMM, .op = kProj[i].op, .flags = TRACE_F_POS,
                        .layer = (uint32_t)l, .tok0 = c->tok_base + c->T - c->rows,
                        .ntok = c->rows, .width = (uint32_t)s->k, .cols = cols,
                        .pos = c->pos + c->T - c->rows, .x = qa, .scale = sa, .b = qb,
                        .b_scale = sb};
      if (trace_write(c->w, &r, c->err, c->errlen)) return -1;
    }
  return 0;
}

static void cap_free(cap *c) {
  if (c->gemm)
    for (size_t i = 0; i < (size_t)c->m->c.n_layer * NPROJ; i++) free(c->gemm[i].x);
  free(c->gemm), free(c->pos), free(c->rope), free(c->fscratch), free(c->qscratch);
  free(c->sscratch);
}

static int cap_init(cap *c, const llama_model *m, const trace_gen_opts *o, trace_writer *w,
                    char *err, size_t errlen) {
  const llama_config *g = &m->c;
  memset(c, 0, sizeof *c);
  c->m = m, c->o = o, c->w = w, c->err = err, c->errlen = errlen;
  c->T = o->tokens;
  c->rows = o->gemm_rows ? o->gemm_rows : 4;
  if (c->rows > c->T) c->rows = c->T;
  c->cols = o->gemm_cols ? o->gemm_cols : 64;
  size_t maxk = (size_t)(g->n_ff > g->n_embd ? g->n_ff : g->n_embd);
  if ((size_t)g->n_head * g->head_dim > maxk) maxk = (size_t)g->n_head * g->head_dim;
  size_t nq = (size_t)c->T * g->head_dim, nb = (size_t)(c->rows + c->cols) * maxk;
  c->pos = malloc(c->T * sizeof *c->pos);
  c->rope = malloc((size_t)g->n_layer * (g->n_head + g->n_head_kv) * c->T * g->head_dim *
                   sizeof(float));
  c->gemm = calloc((size_t)g->n_layer * NPROJ, sizeof *c->gemm);
  c->fscratch = malloc((c->T > maxk ? c->T : maxk) * sizeof(float));
  c->qscratch = malloc(nq > nb ? nq : nb);
  c->sscratch = malloc((c->T + c->rows + c->cols) * sizeof(float));
  int ok = c->pos && c->rope && c->gemm && c->fscratch && c->qscratch && c->sscratch;
  for (size_t i = 0; ok && i < (size_t)g->n_layer * NPROJ; i++)
    ok = (c->gemm[i].x = calloc((size_t)c->rows * maxk, sizeof(float))) != NULL;
  if (!ok) {
    cap_free(c);
    return fail(err, errlen, "out of memory for the trace capture buffers");
  }
  return 0;
}

int llama_capture(const llama_model *m, const char *model_name, const char *source,
                  const int32_t *ids, size_t n_ids, const trace_gen_opts *o, trace_writer *w,
                  char *err, size_t errlen) {
  const llama_config *g = &m->c;
  if (o->tokens < 1 || o->tokens > 65536 || o->windows < 1 || o->windows > 4096)
    return fail(err, errlen, "tokens = %u must be in [1, 65536] and windows = %u in [1, 4096]",
                o->tokens, o->windows);
  if (o->max_pos >= TRACE_MAX_POS)
    return fail(err, errlen, "max_pos = %u is not below %u", o->max_pos, TRACE_MAX_POS);
  trace_header h;
  trace_header_init(&h);
  snprintf(h.model, sizeof h.model, "%s", model_name);
  snprintf(h.source, sizeof h.source, "%s", source);
  h.arch = TRACE_ARCH_TRANSFORMER;
  h.n_layers = (uint32_t)g->n_layer;
  h.n_heads = (uint32_t)g->n_head;
  h.n_kv_heads = (uint32_t)g->n_head_kv;
  h.head_dim = (uint32_t)g->head_dim;
  h.rope_base = g->rope_base;
  h.pairing = g->pairing == LLAMA_ROPE_ADJACENT ? 0 : 1;
  h.d_model = (uint32_t)g->n_embd;
  h.n_tokens = o->tokens;
  h.max_pos = trace_window_start(o, o->windows - 1) + o->tokens - 1;
  h.seed = o->seed;
  if (trace_writer_set_header(w, &h, err, errlen)) return -1;
  cap c;
  if (cap_init(&c, m, o, w, err, errlen)) return -1;
  llama_hooks hooks = {&c, hook_rope, hook_scores, hook_gemm};
  llama_state *s;
  if (llama_state_new(&s, m, (int)o->tokens, err, errlen)) {
    cap_free(&c);
    return -1;
  }
  s->hooks = &hooks;
  uint64_t rng = o->seed ^ 0x6c6c616d61ULL;
  int rc = 0;
  for (uint32_t win = 0; win < o->windows && !rc; win++) {
    uint32_t p0 = trace_window_start(o, win);
    llama_state_reset(s);
    c.tok_base = win * o->tokens;
    for (uint32_t t = 0; t < o->tokens && !rc; t++) {
      int32_t tok;
      if (ids) {
        tok = ids[(c.tok_base + t) % n_ids];
      } else {
        rng += 0x9e3779b97f4a7c15ULL;
        uint64_t z = (rng ^ (rng >> 31)) * 0xbf58476d1ce4e5b9ULL;
        tok = (int32_t)((z ^ (z >> 29)) % (uint64_t)g->n_vocab);
      }
      c.t = t;
      c.pos[t] = p0 + t;
      rc = llama_forward(s, tok, p0 + t, 0, err, errlen) || c.failed;
    }
    if (!rc) rc = flush_window(&c);
  }
  llama_state_free(s);
  cap_free(&c);
  return rc ? -1 : 0;
}

static int gen_synthetic(const char *preset, const trace_gen_opts *o, trace_writer *w,
                         char *err, size_t errlen) {
  const llama_preset *p = llama_preset_find(preset);
  llama_config cfg = p->c;
  if (o->layers) cfg.n_layer = (int)o->layers;
  llama_model *m;
  if (llama_init_synthetic(&m, &cfg, o->seed, err, errlen)) return -1;
  char name[64], src[64];
  snprintf(name, sizeof name, "%s (synthetic, %d layers)", preset, cfg.n_layer);
  snprintf(src, sizeof src, "gen %s", preset);
  int rc = llama_capture(m, name, src, NULL, 0, o, w, err, errlen);
  llama_free(m);
  return rc;
}

int llama_gen_llama3_8b(const trace_gen_opts *o, trace_writer *w, char *err, size_t errlen) {
  return gen_synthetic("llama3-8b", o, w, err, errlen);
}

int llama_gen_smollm2_135m(const trace_gen_opts *o, trace_writer *w, char *err,
                           size_t errlen) {
  return gen_synthetic("smollm2-135m", o, w, err, errlen);
}

int llama_gen_smollm2_real(const trace_gen_opts *o, trace_writer *w, char *err,
                           size_t errlen) {
  llama_model *m;
  if (llama_load_gguf(&m, LLAMA_REAL_MODEL, err, errlen)) {
    size_t n = strlen(err);
    snprintf(err + n, errlen - n, " (run `make models` to fetch it)");
    return -1;
  }
  int32_t *ids = malloc(65536 * sizeof *ids);
  size_t n = 0;
  int rc = -1;
  if (!ids)
    fail(err, errlen, "out of memory");
  else if (!tok_read_ids(LLAMA_REAL_TOKENS, m->c.n_vocab, ids, 65536, &n, err, errlen)) {
    if (!n)
      fail(err, errlen, "%s: no token ids", LLAMA_REAL_TOKENS);
    else {
      /* Capture only the first o->layers layers when asked (later layers cannot change
       * earlier ones, so the records are the same as from the full model). */
      int full = m->c.n_layer;
      if (o->layers && (int)o->layers < full) m->c.n_layer = (int)o->layers;
      rc = llama_capture(m, "SmolLM2-135M-Instruct Q4_1 (real weights)", "gen smollm2-real",
                         ids, n, o, w, err, errlen);
      m->c.n_layer = full;
    }
  }
  free(ids);
  llama_free(m);
  return rc;
}
