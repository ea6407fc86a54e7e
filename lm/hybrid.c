/* hybrid.c — the Bit-Axon hybrid's forward pass (hybrid.h): per layer the zone's mixer
 * (SSM block, or q/k/v projections + RoPE + KV cache + windowed attention + output
 * projection) and, in zones 1 and 2, the MoE, each as x += f(rmsnorm(x)); activations
 * rounded to the act backend's storage as in llama.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attention.h"
#include "errbuf.h"
#include "hybrid.h"
#include "kv.h"
#include "ssm_block.h"

enum { A_Q = 0, A_K, A_V, A_O, NA };
static const lm_lin_site kAttnSite[NA] = {LM_LIN_Q, LM_LIN_K, LM_LIN_V, LM_LIN_O};

typedef struct hlayer {
  ssm_block *ssm;
  lm_linear *attn[NA];
  int kv_layer;              /* index into the KV cache (attention layers only) */
  moe_layer *moe;
} hlayer;

struct hybrid_state {
  const hybrid_model *m;
  lm_numerics *nm;
  int cap, max_batch, n_past;
  hlayer *L;
  lm_kv *kv;
  lm_linear *head;
  mpb_geometry rope;
  float *x, *xn, *y, *q, *k, *v, *ctx, *att;
  double *xd, *yd;
  int64_t *pos;
  int32_t *len;
};

void hybrid_state_free(hybrid_state *s) {
  if (!s) return;
  for (int l = 0; s->L && l < s->m->c.n_layer; l++) {
    ssm_block_free(s->L[l].ssm);
    for (int p = 0; p < NA; p++) lm_linear_free(s->L[l].attn[p]);
    moe_layer_free(s->L[l].moe);
  }
  free(s->L);
  lm_kv_free(s->kv);
  lm_linear_free(s->head);
  free(s->x), free(s->xn), free(s->y), free(s->q), free(s->k), free(s->v), free(s->ctx);
  free(s->att), free(s->xd), free(s->yd), free(s->pos), free(s->len);
  free(s);
}

int hybrid_state_tokens(const hybrid_state *s) { return s->n_past; }

int hybrid_state_new(hybrid_state **out, const hybrid_model *m, lm_numerics *nm, int cap,
                     int max_batch, char *err, size_t errlen) {
  *out = NULL;
  const hybrid_config *c = &m->c;
  if (cap < 1 || cap > (1 << 24) || max_batch < 1 || max_batch > 4096)
    return fail(err, errlen, "hybrid state: cap %d (1..2^24), max_batch %d (1..4096)", cap,
                max_batch);
  hybrid_state *s = calloc(1, sizeof *s);
  if (!s) return fail(err, errlen, "out of memory");
  s->m = m, s->nm = nm, s->cap = cap, s->max_batch = max_batch;
  s->rope = (mpb_geometry){c->head_dim, c->rope_base, MPB_PAIR_HALF};
  size_t B = (size_t)max_batch, D = (size_t)c->d_model;
  /* keys visible to one batch: the window plus the batch (or the whole cache) */
  size_t keys = c->window ? (size_t)c->window + B : (size_t)cap;
  if (keys > (size_t)cap) keys = (size_t)cap;
  int n_attn = 0;
  if (!(s->L = calloc((size_t)c->n_layer, sizeof *s->L)) || !(s->x = malloc(B * D * sizeof(float))) ||
      !(s->xn = malloc(B * D * sizeof(float))) || !(s->y = malloc(B * D * sizeof(float))) ||
      !(s->q = malloc(B * D * sizeof(float))) || !(s->k = malloc(B * D * sizeof(float))) ||
      !(s->v = malloc(B * D * sizeof(float))) || !(s->ctx = malloc(B * D * sizeof(float))) ||
      !(s->att = malloc(B * keys * sizeof(float))) || !(s->xd = malloc(B * D * sizeof(double))) ||
      !(s->yd = malloc(B * D * sizeof(double))) || !(s->pos = malloc(B * sizeof(int64_t))) ||
      !(s->len = malloc(2 * B * sizeof(int32_t)))) {
    hybrid_state_free(s);
    return fail(err, errlen, "out of memory for a hybrid state (batch %d)", max_batch);
  }
  for (int l = 0; l < c->n_layer; l++) {
    const hybrid_layer *W = &m->layers[l];
    hlayer *L = &s->L[l];
    if (W->zone != 1 && ssm_block_new(&L->ssm, W->ssm, nm, max_batch, err, errlen)) goto bad;
    if (W->zone == 1) {
      const float *w[NA] = {W->wq, W->wk, W->wv, W->wo};
      for (int p = 0; p < NA; p++)
        if (lm_linear_new(&L->attn[p], nm, kAttnSite[p], w[p], (int)D, (int)D, err, errlen))
          goto bad;
      L->kv_layer = n_attn++;
    }
    if (W->zone != 0 && moe_layer_new(&L->moe, W->moe, nm, max_batch, err, errlen)) goto bad;
  }
  const lm_numerics_spec *sp = lm_numerics_get_spec(nm);
  if ((n_attn && lm_kv_new(&s->kv, sp->kv, sp->kv_group, n_attn, cap, (int)D, err, errlen)) ||
      lm_linear_new(&s->head, nm, LM_LIN_HEAD, m->head, c->n_vocab, (int)D, err, errlen))
    goto bad;
  *out = s;
  return 0;
bad:
  hybrid_state_free(s);
  return -1;
}

static void rmsnorm(float *o, const float *x, size_t rows, size_t n, double eps) {
  for (size_t r = 0; r < rows; r++) {
    double ss = 0;
    for (size_t i = 0; i < n; i++) ss += (double)x[r * n + i] * x[r * n + i];
    float inv = (float)(1.0 / sqrt(ss / (double)n + eps));
    for (size_t i = 0; i < n; i++) o[r * n + i] = x[r * n + i] * inv;
  }
}

static int ssm_mixer(hybrid_state *s, hlayer *L, size_t rows, char *err, size_t errlen) {
  size_t n = rows * (size_t)s->m->c.d_model;
  for (size_t i = 0; i < n; i++) s->xd[i] = s->xn[i];
  if (ssm_block_forward(L->ssm, rows, s->xd, s->yd, err, errlen)) return -1;
  for (size_t i = 0; i < n; i++) s->y[i] = (float)s->yd[i];
  return 0;
}

static int attn_mixer(hybrid_state *s, hlayer *L, size_t rows, char *err, size_t errlen) {
  const hybrid_config *c = &s->m->c;
  size_t D = (size_t)c->d_model;
  lm_attn_shape sh = {c->n_head, c->n_head, c->head_dim, c->window};
  if (lm_linear_apply(L->attn[A_Q], rows, s->xn, D, s->q, D, err, errlen) ||
      lm_linear_apply(L->attn[A_K], rows, s->xn, D, s->k, D, err, errlen) ||
      lm_linear_apply(L->attn[A_V], rows, s->xn, D, s->v, D, err, errlen) ||
      lm_rope(s->nm, &s->rope, rows, c->n_head, s->pos, s->q, D, err, errlen) ||
      lm_rope(s->nm, &s->rope, rows, c->n_head, s->pos, s->k, D, err, errlen) ||
      lm_kv_store(s->kv, L->kv_layer, s->n_past, (int)rows, s->k, D, s->v, D, err, errlen) ||
      lm_attention(s->nm, &sh, lm_kv_keys(s->kv, L->kv_layer), lm_kv_values(s->kv, L->kv_layer),
                   s->n_past, rows, s->q, D, s->ctx, D, s->att, s->len, NULL, NULL, err, errlen))
    return -1;
  lm_act_round(s->nm, rows * D, s->ctx);
  return lm_linear_apply(L->attn[A_O], rows, s->ctx, D, s->y, D, err, errlen);
}

static void residual(hybrid_state *s, size_t rows) {
  size_t n = rows * (size_t)s->m->c.d_model;
  for (size_t i = 0; i < n; i++) s->x[i] += s->y[i];
  lm_act_round(s->nm, n, s->x);
}

static int forward_rows(hybrid_state *s, const int32_t *tok, size_t rows, float *logits,
                        size_t logits_from, char *err, size_t errlen) {
  const hybrid_model *m = s->m;
  const hybrid_config *c = &m->c;
  size_t D = (size_t)c->d_model;
  for (size_t r = 0; r < rows; r++) {
    memcpy(s->x + r * D, m->tok_embd + (size_t)tok[r] * D, D * sizeof(float));
    s->pos[r] = s->n_past + (int64_t)r;
  }
  lm_act_round(s->nm, rows * D, s->x);
  for (int l = 0; l < c->n_layer; l++) {
    hlayer *L = &s->L[l];
    rmsnorm(s->xn, s->x, rows, D, c->rms_eps);
    lm_act_round(s->nm, rows * D, s->xn);
    if (L->ssm ? ssm_mixer(s, L, rows, err, errlen) : attn_mixer(s, L, rows, err, errlen))
      return -1;
    residual(s, rows);
    if (!L->moe) continue;
    rmsnorm(s->xn, s->x, rows, D, c->rms_eps);
    lm_act_round(s->nm, rows * D, s->xn);
    if (moe_layer_forward(L->moe, rows, s->xn, s->y, NULL, err, errlen)) return -1;
    residual(s, rows);
  }
  s->n_past += (int)rows;
  if (logits_from >= rows) return 0;
  size_t nr = rows - logits_from;
  rmsnorm(s->xn, s->x + logits_from * D, nr, D, c->rms_eps);
  lm_act_round(s->nm, nr * D, s->xn);
  return lm_linear_apply(s->head, nr, s->xn, D, logits, (size_t)c->n_vocab, err, errlen);
}

int hybrid_forward(hybrid_state *s, const int32_t *tokens, int n, float *logits,
                   int logits_from, char *err, size_t errlen) {
  const hybrid_config *c = &s->m->c;
  if (n < 0 || s->n_past + n > s->cap)
    return fail(err, errlen, "hybrid: %d tokens after %d exceed the capacity of %d", n,
                s->n_past, s->cap);
  for (int i = 0; i < n; i++)
    if (tokens[i] < 0 || tokens[i] >= c->n_vocab)
      return fail(err, errlen, "hybrid: token id %d is not in [0, %d]", tokens[i], c->n_vocab - 1);
  for (int r0 = 0; r0 < n; r0 += s->max_batch) {
    int rows = n - r0 < s->max_batch ? n - r0 : s->max_batch;
    int from = logits_from - r0;
    float *lg = NULL;
    if (from < rows) {
      if (from < 0) from = 0;
      lg = logits + (size_t)(r0 + from - logits_from) * c->n_vocab;
    } else {
      from = rows;
    }
    if (forward_rows(s, tokens + r0, (size_t)rows, lg, (size_t)from, err, errlen)) return -1;
  }
  return 0;
}
