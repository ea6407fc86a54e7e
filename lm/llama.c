/* llama.c — the FP32 forward pass of a Llama-style decoder, one token at a time with a KV
 * cache: x += Wo * attn(rope(Wq n1), rope(Wk n1), Wv n1); x += Wdown (silu(Wgate n2) *
 * Wup n2); logits = Wout * rmsnorm(x). n1, n2 are RMSNorms of x. Gemma 3 runs the same
 * pass with its extensions switched on by the config: x starts as embed * sqrt(n_embd);
 * Q and K heads are RMSNormed before RoPE; the attention output and the FFN output are
 * RMSNormed before their residual adds; the gate uses GELU (tanh form); sliding-window
 * layers see only the last swa_window keys and rotate with rope_base_local. */
#include "llama.h"
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

void llama_state_free(llama_state *s) {
  if (!s) return;
  free(s->k_cache), free(s->v_cache), free(s->x), free(s->xb), free(s->xb2), free(s->q);
  free(s->k), free(s->v), free(s->att), free(s->hb), free(s->hb2), free(s->logits);
  free(s->rope_in);
  free(s);
}

void llama_state_reset(llama_state *s) { s->n_past = 0; }

int llama_state_new(llama_state **out, const llama_model *m, int cap, char *err,
                    size_t errlen) {
  const llama_config *c = &m->c;
  *out = NULL;
  if (cap < 1 || cap > (1 << 20))
    return fail(err, errlen, "KV cache capacity %d is not in [1, 2^20]", cap);
  size_t kvd = (size_t)c->n_head_kv * c->head_dim, qd = (size_t)c->n_head * c->head_dim;
  llama_state *s = calloc(1, sizeof *s);
  if (!s) return fail(err, errlen, "out of memory");
  s->m = m;
  s->cap = cap;
  s->k_cache = malloc((size_t)c->n_layer * cap * kvd * sizeof(float));
  s->v_cache = malloc((size_t)c->n_layer * cap * kvd * sizeof(float));
  s->x = malloc(c->n_embd * sizeof(float));
  s->xb = malloc((qd > (size_t)c->n_embd ? qd : (size_t)c->n_embd) * sizeof(float));
  s->xb2 = malloc(c->n_embd * sizeof(float));
  s->q = malloc(qd * sizeof(float));
  s->k = malloc(kvd * sizeof(float));
  s->v = malloc(kvd * sizeof(float));
  s->att = malloc((size_t)cap * sizeof(float));
  s->hb = malloc(c->n_ff * sizeof(float));
  s->hb2 = malloc(c->n_ff * sizeof(float));
  s->logits = malloc(c->n_vocab * sizeof(float));
  s->rope_in = malloc(c->head_dim * sizeof(float));
  if (!s->k_cache || !s->v_cache || !s->x || !s->xb || !s->xb2 || !s->q || !s->k || !s->v ||
      !s->att || !s->hb || !s->hb2 || !s->logits || !s->rope_in) {
    llama_state_free(s);
    return fail(err, errlen, "out of memory for a KV cache of %d tokens", cap);
  }
  *out = s;
  return 0;
}

static void rmsnorm(float *o, const float *x, const float *w, int n, double eps) {
  double ss = 0;
  for (int i = 0; i < n; i++) ss += (double)x[i] * x[i];
  float r = (float)(1.0 / sqrt(ss / n + eps));
  for (int i = 0; i < n; i++) o[i] = x[i] * r * w[i];
}

/* y[n] = W[n][k] x[k]; eight partial sums let the compiler vectorise without -ffast-math. */
static void matvec(float *y, const float *w, const float *x, int k, int n) {
  for (int o = 0; o < n; o++) {
    const float *r = w + (size_t)o * k;
    float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    for (; i + 8 <= k; i += 8)
      for (int j = 0; j < 8; j++) p[j] += r[i + j] * x[i + j];
    float sum = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
    for (; i < k; i++) sum += r[i] * x[i];
    y[o] = sum;
  }
}

static void proj(llama_state *s, int layer, const char *name, float *y, const float *w,
                 const float *x, int k, int n) {
  if (s->hooks && s->hooks->gemm) s->hooks->gemm(s->hooks->user, layer, name, x, w, k, n);
  matvec(y, w, x, k, n);
}

/* Rotate one head in place: pair j (frequency base^(-2j/d)) per the pairing convention. */
static void rope_head(float *h, int d, int64_t pos, double base, llama_rope_pairing pr) {
  for (int j = 0; j < d / 2; j++) {
    double theta = (double)pos * pow(base, -2.0 * j / d);
    double c = cos(theta), sn = sin(theta);
    int a = pr == LLAMA_ROPE_ADJACENT ? 2 * j : j;
    int b = pr == LLAMA_ROPE_ADJACENT ? 2 * j + 1 : j + d / 2;
    double x = h[a], y = h[b];
    h[a] = (float)(x * c - y * sn);
    h[b] = (float)(x * sn + y * c);
  }
}

static void apply_rope(llama_state *s, int layer, int kind, float *v, int nh, int64_t pos) {
  const llama_config *c = &s->m->c;
  double base = llama_layer_rope_base(c, layer);
  for (int h = 0; h < nh; h++) {
    float *hv = v + (size_t)h * c->head_dim;
    if (s->hooks && s->hooks->rope) memcpy(s->rope_in, hv, c->head_dim * sizeof(float));
    rope_head(hv, c->head_dim, pos, base, c->pairing);
    if (s->hooks && s->hooks->rope)
      s->hooks->rope(s->hooks->user, layer, h, kind, pos, s->rope_in, hv, c->head_dim);
  }
}

/* Attention of the new token (cache slot n_past) over slots [t0, n_past]: all earlier
 * slots, or on a sliding-window layer the last swa_window (llama.cpp masks key position
 * p0 for query position p1 when p1 - p0 >= n_swa; positions are consecutive here). */
static void attention(llama_state *s, int l, int64_t pos) {
  const llama_config *c = &s->m->c;
  int hd = c->head_dim, kvd = c->n_head_kv * hd, group = c->n_head / c->n_head_kv;
  int window = llama_layer_window(c, l);
  int t0 = window && s->n_past + 1 > window ? s->n_past + 1 - window : 0;
  int n = s->n_past + 1 - t0;
  const float *kc = s->k_cache + ((size_t)l * s->cap + t0) * kvd;
  const float *vc = s->v_cache + ((size_t)l * s->cap + t0) * kvd;
  float scale = (float)(1.0 / sqrt((double)hd));
  for (int h = 0; h < c->n_head; h++) {
    const float *q = s->q + (size_t)h * hd;
    int kvh = h / group; /* GQA: query heads [kvh*group, (kvh+1)*group) share KV head kvh */
    float mx = -INFINITY;
    for (int t = 0; t < n; t++) {
      const float *k = kc + (size_t)t * kvd + (size_t)kvh * hd;
      float d = 0;
      for (int i = 0; i < hd; i++) d += q[i] * k[i];
      s->att[t] = d * scale;
      if (s->att[t] > mx) mx = s->att[t];
    }
    if (s->hooks && s->hooks->scores) s->hooks->scores(s->hooks->user, l, h, pos, s->att, n);
    double sum = 0;
    for (int t = 0; t < n; t++) sum += s->att[t] = expf(s->att[t] - mx);
    float inv = (float)(1.0 / sum);
    float *o = s->xb + (size_t)h * hd;
    for (int i = 0; i < hd; i++) o[i] = 0;
    for (int t = 0; t < n; t++) {
      const float *v = vc + (size_t)t * kvd + (size_t)kvh * hd;
      float a = s->att[t] * inv;
      for (int i = 0; i < hd; i++) o[i] += a * v[i];
    }
  }
}

/* The FFN gate's activation: SiLU g / (1 + e^-g), or GELU's tanh form
 * 0.5 g (1 + tanh(sqrt(2/pi) (g + 0.044715 g^3))) evaluated in double (HF's
 * gelu_pytorch_tanh; ggml's CPU GELU reads an fp16 table instead, see docs/models.md). */
static float gate_act(llama_act act, float g) {
  if (act == LLAMA_ACT_SILU) return g / (1.0f + expf(-g));
  double x = g;
  return (float)(0.5 * x * (1.0 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))));
}

int llama_forward(llama_state *s, int32_t token, int64_t pos, int want_logits, char *err,
                  size_t errlen) {
  const llama_model *m = s->m;
  const llama_config *c = &m->c;
  if (token < 0 || token >= c->n_vocab)
    return fail(err, errlen, "token id %d is not in [0, %d]", token, c->n_vocab - 1);
  if (pos < 0 || pos > ((int64_t)1 << 31))
    return fail(err, errlen, "position %lld is not in [0, 2^31]", (long long)pos);
  if (s->n_past >= s->cap)
    return fail(err, errlen, "KV cache full (%d tokens)", s->cap);
  int e = c->n_embd, hd = c->head_dim, qd = c->n_head * hd, kvd = c->n_head_kv * hd;
  memcpy(s->x, m->tok_embd + (size_t)token * e, e * sizeof(float));
  if (c->embed_scaled) {
    float sc = sqrtf((float)e); /* llama.cpp: ggml_scale(inpL, sqrtf(n_embd)) */
    for (int i = 0; i < e; i++) s->x[i] *= sc;
  }
  for (int l = 0; l < c->n_layer; l++) {
    const llama_layer *L = &m->layers[l];
    rmsnorm(s->xb2, s->x, L->attn_norm, e, c->rms_eps);
    proj(s, l, "attn_q", s->q, L->wq, s->xb2, e, qd);
    proj(s, l, "attn_k", s->k, L->wk, s->xb2, e, kvd);
    proj(s, l, "attn_v", s->v, L->wv, s->xb2, e, kvd);
    if (c->qk_norm) {
      for (int h = 0; h < c->n_head; h++)
        rmsnorm(s->q + (size_t)h * hd, s->q + (size_t)h * hd, L->q_norm, hd, c->rms_eps);
      for (int h = 0; h < c->n_head_kv; h++)
        rmsnorm(s->k + (size_t)h * hd, s->k + (size_t)h * hd, L->k_norm, hd, c->rms_eps);
    }
    apply_rope(s, l, 0, s->q, c->n_head, pos);
    apply_rope(s, l, 1, s->k, c->n_head_kv, pos);
    size_t slot = ((size_t)l * s->cap + s->n_past) * kvd;
    memcpy(s->k_cache + slot, s->k, kvd * sizeof(float));
    memcpy(s->v_cache + slot, s->v, kvd * sizeof(float));
    attention(s, l, pos);
    proj(s, l, "attn_output", s->xb2, L->wo, s->xb, qd, e);
    if (c->post_norms) rmsnorm(s->xb2, s->xb2, L->post_attn_norm, e, c->rms_eps);
    for (int i = 0; i < e; i++) s->x[i] += s->xb2[i];
    rmsnorm(s->xb2, s->x, L->ffn_norm, e, c->rms_eps);
    proj(s, l, "ffn_gate", s->hb, L->w_gate, s->xb2, e, c->n_ff);
    proj(s, l, "ffn_up", s->hb2, L->w_up, s->xb2, e, c->n_ff);
    for (int i = 0; i < c->n_ff; i++) s->hb[i] = gate_act(c->act, s->hb[i]) * s->hb2[i];
    proj(s, l, "ffn_down", s->xb2, L->w_down, s->hb, c->n_ff, e);
    if (c->post_norms) rmsnorm(s->xb2, s->xb2, L->post_ffn_norm, e, c->rms_eps);
    for (int i = 0; i < e; i++) s->x[i] += s->xb2[i];
  }
  s->n_past++;
  if (want_logits) {
    rmsnorm(s->xb2, s->x, m->out_norm, e, c->rms_eps);
    proj(s, c->n_layer, "output", s->logits, m->output, s->xb2, e, c->n_vocab);
  }
  return 0;
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
  llama_state *s;
  if (llama_state_new(&s, m, n, err, errlen)) return -1;
  double total = 0;
  for (int t = 0; t + 1 < n; t++) {
    if (llama_forward(s, ids[t], t, 1, err, errlen)) {
      llama_state_free(s);
      return -1;
    }
    const float *lg = s->logits;
    float mx = lg[llama_argmax(lg, m->c.n_vocab)];
    double z = 0;
    for (int i = 0; i < m->c.n_vocab; i++) z += exp((double)lg[i] - mx);
    if (ids[t + 1] < 0 || ids[t + 1] >= m->c.n_vocab) {
      llama_state_free(s);
      return fail(err, errlen, "token id %d is not in [0, %d]", ids[t + 1], m->c.n_vocab - 1);
    }
    total += log(z) + mx - lg[ids[t + 1]];
  }
  llama_state_free(s);
  *nll = total / (n - 1);
  return 0;
}
