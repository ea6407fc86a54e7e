/* llama.c — the forward pass of a Llama-style decoder over a batch of tokens (a matrix
 * of rows) with a KV cache: x += Wo attn(rope(Wq n1), rope(Wk n1), Wv n1);
 * x += Wdown (silu(Wgate n2) * Wup n2); logits = Wout rmsnorm(x). n1, n2 are RMSNorms of
 * x (sums of squares in double). Gemma 3 runs the same pass with its extensions switched
 * on by the config: x starts as embed * sqrt(n_embd); Q and K heads are RMSNormed before
 * RoPE; the attention output and the FFN output are RMSNormed before their residual adds;
 * the gate uses GELU (tanh form); sliding-window layers see only the last swa_window keys
 * and rotate with rope_base_local. Every RoPE, exp(), matrix product, activation rounding
 * and KV store goes through the state's numerics (numerics.h, kv.h). */
#include "llama.h"
#include "attention.h"
#include "errbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int llama_config_check(const llama_config *c, char *err, size_t errlen) {
#define RANGE(f, lo, hi)                                                                    \
  if (c->f < (lo) || c->f > (hi))                                                          \
    return fail(err, errlen, "model geometry: %s = %lld is not in [%lld, %lld]", #f,        \
                (long long)c->f, (long long)(lo), (long long)(hi));
  RANGE(n_vocab, 1, 1 << 20)
  RANGE(n_embd, 2, 1 << 16)
  RANGE(n_layer, 1, 1024)
  RANGE(n_head, 1, 1024)
  RANGE(n_head_kv, 1, 1024)
  RANGE(head_dim, 2, 1024)
  RANGE(n_ff, 1, 1 << 18)
  RANGE(n_ctx, 1, 1 << 24)
#undef RANGE
  if (c->head_dim % 2)
    return fail(err, errlen, "model geometry: head_dim = %d must be even", c->head_dim);
  if (c->n_head % c->n_head_kv)
    return fail(err, errlen, "model geometry: head_count = %d is not a multiple of "
                "head_count_kv = %d", c->n_head, c->n_head_kv);
  if (!(c->rope_base > 1.0 && c->rope_base <= 1e9))
    return fail(err, errlen, "model geometry: rope freq_base = %g is not in (1, 1e9]",
                c->rope_base);
  if (!(c->rms_eps > 0.0 && c->rms_eps <= 1e-2))
    return fail(err, errlen, "model geometry: rms epsilon = %g is not in (0, 0.01]",
                c->rms_eps);
  if (c->pairing != LLAMA_ROPE_ADJACENT && c->pairing != LLAMA_ROPE_HALF)
    return fail(err, errlen, "model geometry: rope pairing %d is not 0 or 1", c->pairing);
  if (c->swa_window < 0 || c->swa_window > (1 << 24) || c->swa_pattern < 0 ||
      c->swa_pattern > 1024)
    return fail(err, errlen, "model geometry: sliding window %d / pattern %d is not in "
                "[0, 2^24] / [0, 1024]", c->swa_window, c->swa_pattern);
  if (c->swa_window && !(c->rope_base_local > 1.0 && c->rope_base_local <= 1e9))
    return fail(err, errlen, "model geometry: local rope freq_base = %g is not in (1, 1e9]",
                c->rope_base_local);
  return 0;
}

int llama_layer_is_local(const llama_config *c, int l) {
  return c->swa_window > 0 && (c->swa_pattern == 0 || l % c->swa_pattern < c->swa_pattern - 1);
}

int llama_layer_window(const llama_config *c, int l) {
  return llama_layer_is_local(c, l) ? c->swa_window : 0;
}

double llama_layer_rope_base(const llama_config *c, int l) {
  return llama_layer_is_local(c, l) ? c->rope_base_local : c->rope_base;
}

void llama_free(llama_model *m) {
  if (!m) return;
  if (m->layers)
    for (int l = 0; l < m->c.n_layer; l++) {
      llama_layer *L = &m->layers[l];
      free(L->attn_norm), free(L->wq), free(L->wk), free(L->wv), free(L->wo);
      free(L->ffn_norm), free(L->w_gate), free(L->w_up), free(L->w_down);
      free(L->q_norm), free(L->k_norm), free(L->post_attn_norm), free(L->post_ffn_norm);
    }
  free(m->layers);
  if (m->output != m->tok_embd) free(m->output);
  free(m->tok_embd);
  free(m->out_norm);
  tok_free(m->vocab);
  gguf_close(m->gguf);
  free(m);
}

static const lm_lin_site kProjSite[LLAMA_NPROJ] = {LM_LIN_Q,    LM_LIN_K,  LM_LIN_V,   LM_LIN_O,
                                                   LM_LIN_GATE, LM_LIN_UP, LM_LIN_DOWN};
static const char *const kProjName[LLAMA_NPROJ] = {"attn_q",   "attn_k", "attn_v",  "attn_output",
                                                   "ffn_gate", "ffn_up", "ffn_down"};

void llama_state_free(llama_state *s) {
  if (!s) return;
  if (s->lin)
    for (int i = 0; i <= s->m->c.n_layer * LLAMA_NPROJ; i++) lm_linear_free(s->lin[i]);
  free(s->lin);
  lm_kv_free(s->kv);
  if (s->own_nm) lm_numerics_free(s->nm);
  free(s->x), free(s->xn), free(s->q), free(s->k), free(s->v), free(s->xb), free(s->x2);
  free(s->hb), free(s->hb2), free(s->att), free(s->rope_in), free(s->tmp), free(s->pos), free(s->len);
  free(s->logits);
  free(s);
}

void llama_state_reset(llama_state *s) { s->n_past = 0; }

/* The weight matrix, its shape and the numerics site of projection p of layer l (p ==
 * LLAMA_NPROJ: the head). */
static const float *proj_weight(const llama_model *m, int l, int p, int *n_out, int *k) {
  const llama_config *c = &m->c;
  int e = c->n_embd, qd = c->n_head * c->head_dim, kvd = c->n_head_kv * c->head_dim;
  if (p == LLAMA_NPROJ) return *n_out = c->n_vocab, *k = e, m->output;
  const llama_layer *L = &m->layers[l];
  switch (p) {
  case 0: return *n_out = qd, *k = e, L->wq;
  case 1: return *n_out = kvd, *k = e, L->wk;
  case 2: return *n_out = kvd, *k = e, L->wv;
  case 3: return *n_out = e, *k = qd, L->wo;
  case 4: return *n_out = c->n_ff, *k = e, L->w_gate;
  case 5: return *n_out = c->n_ff, *k = e, L->w_up;
  default: return *n_out = e, *k = c->n_ff, L->w_down;
  }
}

int llama_state_new_numerics(llama_state **out, const llama_model *m, int cap, int max_batch,
                             lm_numerics *nm, char *err, size_t errlen) {
  const llama_config *c = &m->c;
  *out = NULL;
  if (cap < 1 || cap > (1 << 20))
    return fail(err, errlen, "KV cache capacity %d is not in [1, 2^20]", cap);
  if (max_batch < 1 || max_batch > 4096)
    return fail(err, errlen, "batch size %d is not in [1, 4096]", max_batch);
  if (max_batch > cap) max_batch = cap;
  size_t kvd = (size_t)c->n_head_kv * c->head_dim, qd = (size_t)c->n_head * c->head_dim;
  size_t B = (size_t)max_batch, e = (size_t)c->n_embd, ff = (size_t)c->n_ff;
  llama_state *s = calloc(1, sizeof *s);
  if (!s) return fail(err, errlen, "out of memory");
  s->m = m, s->cap = cap, s->max_batch = max_batch, s->nm = nm;
  const lm_numerics_spec *sp = lm_numerics_get_spec(nm);
  if (lm_kv_new(&s->kv, sp->kv, sp->kv_group, c->n_layer, cap, (int)kvd, err, errlen)) {
    llama_state_free(s);
    return -1;
  }
  s->x = malloc(B * e * sizeof(float));
  s->xn = malloc(B * e * sizeof(float));
  s->x2 = malloc(B * e * sizeof(float));
  s->q = malloc(B * qd * sizeof(float));
  s->k = malloc(B * kvd * sizeof(float));
  s->v = malloc(B * kvd * sizeof(float));
  s->xb = malloc(B * qd * sizeof(float));
  s->hb = malloc(B * ff * sizeof(float));
  s->hb2 = malloc(B * ff * sizeof(float));
  s->att = malloc(B * (size_t)cap * sizeof(float));
  s->rope_in = malloc(qd * sizeof(float));
  s->tmp = malloc(ff * sizeof(float));
  s->pos = malloc(B * sizeof *s->pos);
  s->len = malloc(2 * B * sizeof *s->len); /* lm_attention's scratch: 2 x rows */
  s->logits = malloc((size_t)c->n_vocab * sizeof(float));
  s->lin = calloc((size_t)c->n_layer * LLAMA_NPROJ + 1, sizeof *s->lin);
  if (!s->x || !s->xn || !s->x2 || !s->q || !s->k || !s->v || !s->xb || !s->hb || !s->hb2 ||
      !s->att || !s->rope_in || !s->tmp || !s->pos || !s->len || !s->logits ||
      !s->lin) {
    llama_state_free(s);
    return fail(err, errlen, "out of memory for a state of %d tokens (batch %d)", cap, max_batch);
  }
  for (int l = 0; l <= c->n_layer; l++)
    for (int p = 0; p < (l < c->n_layer ? LLAMA_NPROJ : 1); p++) {
      int n_out, k, pp = l < c->n_layer ? p : LLAMA_NPROJ;
      const float *w = proj_weight(m, l, pp, &n_out, &k);
      lm_lin_site site = pp == LLAMA_NPROJ ? LM_LIN_HEAD : kProjSite[pp];
      if (lm_linear_new(&s->lin[(size_t)l * LLAMA_NPROJ + p], nm, site, w, n_out, k, err, errlen)) {
        llama_state_free(s);
        return -1;
      }
    }
  *out = s;
  return 0;
}

int llama_state_new(llama_state **out, const llama_model *m, int cap, char *err,
                    size_t errlen) {
  lm_numerics_spec sp;
  lm_numerics *nm;
  lm_numerics_spec_init(&sp, LM_BK_REF);
  if (lm_numerics_new(&nm, &sp, err, errlen)) return -1;
  if (llama_state_new_numerics(out, m, cap, cap < 512 ? cap : 512, nm, err, errlen)) {
    lm_numerics_free(nm);
    return -1;
  }
  (*out)->own_nm = 1;
  return 0;
}

/* rows x n RMSNorm: o = x / rms(x) * w (sum of squares in double); o == x allowed. */
static void rmsnorm(float *o, const float *x, const float *w, size_t rows, int n, double eps) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * n;
    float *orow = o + r * n;
    double ss = 0;
    for (int i = 0; i < n; i++) ss += (double)xr[i] * xr[i];
    float rs = (float)(1.0 / sqrt(ss / n + eps));
    for (int i = 0; i < n; i++) orow[i] = xr[i] * rs * w[i];
  }
}

static int proj(llama_state *s, int l, int p, size_t rows, const float *x, float *y,
                char *err, size_t errlen) {
  lm_linear *lin = s->lin[(size_t)l * LLAMA_NPROJ + p];
  int n_out, k;
  const float *w = proj_weight(s->m, l, l < s->m->c.n_layer ? p : LLAMA_NPROJ, &n_out, &k);
  if (s->hooks && s->hooks->gemm)
    for (size_t r = 0; r < rows; r++)
      s->hooks->gemm(s->hooks->user, l, l < s->m->c.n_layer ? kProjName[p] : "output",
                     x + r * k, w, k, n_out);
  return lm_linear_apply(lin, rows, x, (size_t)k, y, (size_t)n_out, err, errlen);
}

static int rope(llama_state *s, int l, int kind, float *v, size_t rows, int nh, char *err,
                size_t errlen) {
  const llama_config *c = &s->m->c;
  mpb_geometry g = {c->head_dim, llama_layer_rope_base(c, l),
                    c->pairing == LLAMA_ROPE_ADJACENT ? MPB_PAIR_INTERLEAVED : MPB_PAIR_HALF};
  size_t ld = (size_t)nh * c->head_dim;
  if (!(s->hooks && s->hooks->rope)) return lm_rope(s->nm, &g, rows, nh, s->pos, v, ld, err, errlen);
  for (size_t r = 0; r < rows; r++) { /* row by row, to show each row before and after */
    float *row = v + r * ld;
    memcpy(s->rope_in, row, ld * sizeof(float));
    if (lm_rope(s->nm, &g, 1, nh, s->pos + r, row, ld, err, errlen)) return -1;
    for (int h = 0; h < nh; h++)
      s->hooks->rope(s->hooks->user, l, h, kind, s->pos[r], s->rope_in + (size_t)h * c->head_dim,
                     row + (size_t)h * c->head_dim, c->head_dim);
  }
  return 0;
}

/* The llama hooks' scores callback for lm_attention (which reports head and row). */
typedef struct scores_ctx {
  llama_state *s;
  int layer;
} scores_ctx;
static void scores_hook(void *user, int head, size_t row, const float *sc, int n) {
  scores_ctx *x = user;
  x->s->hooks->scores(x->s->hooks->user, x->layer, head, x->s->pos[row], sc, n);
}

/* Causal attention of `rows` queries (cache slots n_past..n_past+rows-1) over the cache;
 * on a Gemma 3 sliding-window layer each row sees only the last swa_window keys
 * (attention.h). */
static int attention(llama_state *s, int l, size_t rows, char *err, size_t errlen) {
  const llama_config *c = &s->m->c;
  lm_attn_shape a = {c->n_head, c->n_head_kv, c->head_dim, llama_layer_window(c, l)};
  size_t qd = (size_t)c->n_head * c->head_dim;
  scores_ctx x = {s, l};
  int hooked = s->hooks && s->hooks->scores;
  return lm_attention(s->nm, &a, lm_kv_keys(s->kv, l), lm_kv_values(s->kv, l), s->n_past,
                      rows, s->q, qd, s->xb, qd, s->att, s->len, hooked ? scores_hook : NULL,
                      &x, err, errlen);
}

/* g * sigmoid(a * g'), the FFN gate for one row, with exp through the activation's site:
 * SiLU: g / (1 + exp(-g)); GELU's tanh form: 0.5 g (1 + tanh(z)) = g / (1 + exp(-2z)),
 * z = sqrt(2/pi) (g + 0.044715 g^3) (HF gelu_pytorch_tanh; ggml's CPU GELU reads an fp16
 * table instead, see docs/models.md). ex is scratch of n floats. */
static int gate_row(llama_state *s, float *g, const float *u, size_t n, float *ex, char *err,
                    size_t errlen) {
  int gelu = s->m->c.act == LLAMA_ACT_GELU_TANH;
  for (size_t i = 0; i < n; i++)
    ex[i] = gelu ? -2.0f * 0.7978845608f * (g[i] + 0.044715f * g[i] * g[i] * g[i]) : -g[i];
  if (lm_exp(s->nm, gelu ? LM_EXP_GELU : LM_EXP_SILU, n, ex, ex, err, errlen)) return -1;
  for (size_t i = 0; i < n; i++) g[i] = g[i] / (1.0f + ex[i]) * u[i];
  return 0;
}

/* One batch of rows <= max_batch: positions in s->pos, cache slots from n_past. */
static int forward_rows(llama_state *s, const int32_t *tokens, size_t rows, float *logits,
                        size_t logits_from, char *err, size_t errlen) {
  const llama_model *m = s->m;
  const llama_config *c = &m->c;
  size_t e = (size_t)c->n_embd, hd = (size_t)c->head_dim, ff = (size_t)c->n_ff;
  size_t qd = (size_t)c->n_head * hd, kvd = (size_t)c->n_head_kv * hd;
  for (size_t r = 0; r < rows; r++) memcpy(s->x + r * e, m->tok_embd + (size_t)tokens[r] * e, e * sizeof(float));
  if (c->embed_scaled) {
    float sc = sqrtf((float)e); /* llama.cpp: ggml_scale(inpL, sqrtf(n_embd)) */
    for (size_t i = 0; i < rows * e; i++) s->x[i] *= sc;
  }
  lm_act_round(s->nm, rows * e, s->x);
  for (int l = 0; l < c->n_layer; l++) {
    const llama_layer *L = &m->layers[l];
    rmsnorm(s->xn, s->x, L->attn_norm, rows, (int)e, c->rms_eps);
    lm_act_round(s->nm, rows * e, s->xn);
    if (proj(s, l, 0, rows, s->xn, s->q, err, errlen) ||
        proj(s, l, 1, rows, s->xn, s->k, err, errlen) ||
        proj(s, l, 2, rows, s->xn, s->v, err, errlen))
      return -1;
    if (c->qk_norm) { /* every head vector RMSNormed with the layer's shared weights */
      rmsnorm(s->q, s->q, L->q_norm, rows * (size_t)c->n_head, (int)hd, c->rms_eps);
      rmsnorm(s->k, s->k, L->k_norm, rows * (size_t)c->n_head_kv, (int)hd, c->rms_eps);
      lm_act_round(s->nm, rows * qd, s->q);
      lm_act_round(s->nm, rows * kvd, s->k);
    }
    if (rope(s, l, 0, s->q, rows, c->n_head, err, errlen) ||
        rope(s, l, 1, s->k, rows, c->n_head_kv, err, errlen) ||
        lm_kv_store(s->kv, l, s->n_past, (int)rows, s->k, kvd, s->v, kvd, err, errlen) ||
        attention(s, l, rows, err, errlen))
      return -1;
    lm_act_round(s->nm, rows * qd, s->xb);
    if (proj(s, l, 3, rows, s->xb, s->x2, err, errlen)) return -1;
    if (c->post_norms) {
      rmsnorm(s->x2, s->x2, L->post_attn_norm, rows, (int)e, c->rms_eps);
      lm_act_round(s->nm, rows * e, s->x2);
    }
    for (size_t i = 0; i < rows * e; i++) s->x[i] += s->x2[i];
    lm_act_round(s->nm, rows * e, s->x);
    rmsnorm(s->xn, s->x, L->ffn_norm, rows, (int)e, c->rms_eps);
    lm_act_round(s->nm, rows * e, s->xn);
    if (proj(s, l, 4, rows, s->xn, s->hb, err, errlen) ||
        proj(s, l, 5, rows, s->xn, s->hb2, err, errlen))
      return -1;
    /* act(gate) * up, the exp through the activation's site (tmp: one row's exps) */
    for (size_t r = 0; r < rows; r++)
      if (gate_row(s, s->hb + r * ff, s->hb2 + r * ff, ff, s->tmp, err, errlen)) return -1;
    lm_act_round(s->nm, rows * ff, s->hb);
    if (proj(s, l, 6, rows, s->hb, s->x2, err, errlen)) return -1;
    if (c->post_norms) {
      rmsnorm(s->x2, s->x2, L->post_ffn_norm, rows, (int)e, c->rms_eps);
      lm_act_round(s->nm, rows * e, s->x2);
    }
    for (size_t i = 0; i < rows * e; i++) s->x[i] += s->x2[i];
    lm_act_round(s->nm, rows * e, s->x);
  }
  s->n_past += (int)rows;
  if (logits_from >= rows) return 0;
  size_t nr = rows - logits_from, V = (size_t)c->n_vocab;
  rmsnorm(s->xn, s->x + logits_from * e, m->out_norm, nr, (int)e, c->rms_eps);
  lm_act_round(s->nm, nr * e, s->xn);
  float *dst = logits ? logits : s->logits;
  if (!logits && nr > 1) { /* only the last row is wanted */
    memmove(s->xn, s->xn + (nr - 1) * e, e * sizeof(float));
    nr = 1;
  }
  if (proj(s, c->n_layer, 0, nr, s->xn, dst, err, errlen)) return -1;
  if (logits) memcpy(s->logits, dst + (nr - 1) * V, V * sizeof(float));
  return 0;
}

int llama_forward_batch(llama_state *s, const int32_t *tokens, const int64_t *pos, int n,
                        float *logits, int logits_from, char *err, size_t errlen) {
  const llama_config *c = &s->m->c;
  if (n < 0) return fail(err, errlen, "batch of %d tokens", n);
  for (int i = 0; i < n; i++) {
    if (tokens[i] < 0 || tokens[i] >= c->n_vocab)
      return fail(err, errlen, "token id %d is not in [0, %d]", tokens[i], c->n_vocab - 1);
    if (pos[i] < 0 || pos[i] > ((int64_t)1 << 31))
      return fail(err, errlen, "position %lld is not in [0, 2^31]", (long long)pos[i]);
  }
  if (s->n_past + n > s->cap)
    return fail(err, errlen, "KV cache full: %d cached + %d new tokens exceed the capacity of "
                "%d", s->n_past, n, s->cap);
  if (logits_from < 0) logits_from = 0;
  for (int i0 = 0; i0 < n; i0 += s->max_batch) {
    int rows = n - i0 < s->max_batch ? n - i0 : s->max_batch;
    memcpy(s->pos, pos + i0, (size_t)rows * sizeof *pos);
    int from = logits_from > i0 ? logits_from - i0 : 0; /* first row of this piece with logits */
    float *dst = logits && from < rows ? logits + (size_t)(i0 + from - logits_from) * c->n_vocab : NULL;
    if (forward_rows(s, tokens + i0, (size_t)rows, dst, (size_t)from, err, errlen)) return -1;
  }
  return 0;
}

int llama_forward(llama_state *s, int32_t token, int64_t pos, int want_logits, char *err,
                  size_t errlen) {
  return llama_forward_batch(s, &token, &pos, 1, NULL, want_logits ? 0 : 1, err, errlen);
}

int32_t llama_argmax(const float *logits, int n) {
  int32_t best = 0;
  for (int i = 1; i < n; i++)
    if (logits[i] > logits[best]) best = i;
  return best;
}

int llama_nll(const llama_model *m, const int32_t *ids, int n, double *nll, char *err,
              size_t errlen) {
  if (n < 2) return fail(err, errlen, "perplexity needs at least 2 tokens, got %d", n);
  for (int t = 1; t < n; t++)
    if (ids[t] < 0 || ids[t] >= m->c.n_vocab)
      return fail(err, errlen, "token id %d is not in [0, %d]", ids[t], m->c.n_vocab - 1);
  llama_state *s;
  if (llama_state_new(&s, m, n, err, errlen)) return -1;
  const int chunk = 64;
  size_t V = (size_t)m->c.n_vocab;
  float *lg = malloc((size_t)chunk * V * sizeof(float));
  int64_t pos[64];
  double total = 0;
  int rc = lg ? 0 : fail(err, errlen, "out of memory for %d rows of logits", chunk);
  for (int t0 = 0; !rc && t0 + 1 < n; t0 += chunk) {
    int rows = n - 1 - t0 < chunk ? n - 1 - t0 : chunk;
    for (int i = 0; i < rows; i++) pos[i] = t0 + i;
    rc = llama_forward_batch(s, ids + t0, pos, rows, lg, 0, err, errlen);
    for (int i = 0; !rc && i < rows; i++) {
      const float *row = lg + (size_t)i * V;
      float mx = row[llama_argmax(row, (int)V)];
      double z = 0;
      for (size_t j = 0; j < V; j++) z += exp((double)row[j] - mx);
      total += log(z) + mx - row[ids[t0 + i + 1]];
    }
  }
  free(lg);
  llama_state_free(s);
  if (rc) return -1;
  *nll = total / (n - 1);
  return 0;
}
