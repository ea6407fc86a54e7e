/* gen_common.c — FP32 building blocks of the workload generators and the capture of
 * their work into trace records (see gen_common.h). */
#include "gen_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers ------------------------------------------------------------------ */
uint64_t gen_rand(gen_rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
double gen_uniform(gen_rng *r) { return (double)(gen_rand(r) >> 11) * 0x1p-53; }
double gen_normal(gen_rng *r) {
  double u1 = gen_uniform(r), u2 = gen_uniform(r);
  return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

/* ---- dense layers -------------------------------------------------------------------- */
int gen_lin_init(gen_lin *l, uint32_t in, uint32_t out, bool bias, float std, gen_rng *r) {
  memset(l, 0, sizeof *l);
  l->in = in;
  l->out = out;
  l->w = malloc((size_t)in * out * sizeof(float));
  l->bias = bias ? calloc(out, sizeof(float)) : NULL;
  if (!l->w || (bias && !l->bias)) return -1;
  for (size_t i = 0; i < (size_t)in * out; i++) l->w[i] = (float)(gen_normal(r) * std);
  return 0;
}

void gen_lin_free(gen_lin *l) {
  free(l->w);
  free(l->bias);
  memset(l, 0, sizeof *l);
}

void gen_lin_apply(const gen_lin *l, const float *x, uint32_t T, float *y) {
  for (uint32_t t = 0; t < T; t++) {
    const float *xt = x + (size_t)t * l->in;
    for (uint32_t o = 0; o < l->out; o++) {
      const float *wo = l->w + (size_t)o * l->in;
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      uint32_t i = 0;
      for (; i + 4 <= l->in; i += 4) {
        s0 += xt[i] * wo[i];
        s1 += xt[i + 1] * wo[i + 1];
        s2 += xt[i + 2] * wo[i + 2];
        s3 += xt[i + 3] * wo[i + 3];
      }
      for (; i < l->in; i++) s0 += xt[i] * wo[i];
      y[(size_t)t * l->out + o] = (s0 + s1) + (s2 + s3) + (l->bias ? l->bias[o] : 0.0f);
    }
  }
}

void gen_rmsnorm(const float *x, uint32_t T, uint32_t d, float *y) {
  for (uint32_t t = 0; t < T; t++) {
    double ss = 0;
    for (uint32_t i = 0; i < d; i++) ss += (double)x[(size_t)t * d + i] * x[(size_t)t * d + i];
    float inv = (float)(1.0 / sqrt(ss / d + 1e-5));
    for (uint32_t i = 0; i < d; i++) y[(size_t)t * d + i] = x[(size_t)t * d + i] * inv;
  }
}

float gen_silu(float v) { return v / (1.0f + expf(-v)); }
float gen_softplus(float v) { return v > 20.0f ? v : log1pf(expf(v)); }

int gen_inputs(float **x, uint32_t T, uint32_t d, gen_rng *r) {
  *x = malloc((size_t)T * d * sizeof(float));
  if (!*x) return -1;
  for (size_t i = 0; i < (size_t)T * d; i++) (*x)[i] = (float)gen_normal(r);
  return 0;
}

/* ---- capture ------------------------------------------------------------------------- */
static int oom(const gen_ctx *c) {
  snprintf(c->err, c->errlen, "generator: out of memory (layer %u)", c->layer);
  return -1;
}

int gen_capture_gemm(const gen_ctx *c, uint32_t op, uint32_t head, const float *a,
                     uint32_t rows, size_t lda, uint32_t a_tok0, const float *b, uint32_t n,
                     size_t ldb, uint32_t k) {
  uint32_t mr = c->o->gemm_rows ? c->o->gemm_rows : 4;
  uint32_t mc = c->o->gemm_cols ? c->o->gemm_cols : 64;
  uint32_t nr = rows < mr ? rows : mr, nc = n < mc ? n : mc;
  /* one record must fit in a chunk */
  while ((uint64_t)(nr + nc) * k + 64 * (nr + nc) > TRACE_CHUNK_MAX / 2 && nc > 1) nc /= 2;
  uint32_t r0 = rows - nr;
  int8_t *qa = malloc((size_t)nr * k), *qb = malloc((size_t)nc * k);
  float *sa = malloc(nr * sizeof(float)), *sb = malloc(nc * sizeof(float));
  uint32_t *pos = malloc(nr * sizeof(uint32_t));
  int rc = -1;
  if (!qa || !qb || !sa || !sb || !pos) {
    oom(c);
    goto done;
  }
  for (uint32_t i = 0; i < nr; i++) {
    trace_quantize_row(a + (size_t)(r0 + i) * lda, k, qa + (size_t)i * k, &sa[i]);
    uint32_t t = a_tok0 + r0 + i - c->tok0;
    pos[i] = t < c->T ? c->pos[t] : c->pos[c->T - 1];
  }
  for (uint32_t j = 0; j < nc; j++) {
    uint32_t src = (uint32_t)((uint64_t)j * n / nc);
    trace_quantize_row(b + (size_t)src * ldb, k, qb + (size_t)j * k, &sb[j]);
  }
  trace_record rec = {.kind = TRACE_GEMM, .op = op, .flags = TRACE_F_POS, .layer = c->layer,
                      .head = head, .tok0 = a_tok0 + r0, .ntok = nr, .width = k, .cols = nc,
                      .pos = pos, .x = qa, .scale = sa, .b = qb, .b_scale = sb};
  rc = trace_write(c->w, &rec, c->err, c->errlen);
done:
  free(qa), free(qb), free(sa), free(sb), free(pos);
  return rc;
}

int gen_capture_exp(const gen_ctx *c, uint32_t op, uint32_t head, uint32_t tok0,
                    uint32_t ntok, const float *v, uint32_t width, const uint32_t *pos) {
  /* split so that one record stays well inside a chunk */
  uint32_t per = (uint32_t)((TRACE_CHUNK_MAX / 2) / ((uint64_t)width * 4 + 8));
  if (per == 0) per = 1;
  for (uint32_t t = 0; t < ntok; t += per) {
    uint32_t n = ntok - t < per ? ntok - t : per;
    trace_record rec = {.kind = TRACE_EXP, .op = op, .flags = pos ? TRACE_F_POS : 0,
                        .layer = c->layer, .head = head, .tok0 = tok0 + t, .ntok = n,
                        .width = width, .f32 = v + (size_t)t * width,
                        .pos = pos ? pos + t : NULL};
    if (trace_write(c->w, &rec, c->err, c->errlen)) return -1;
  }
  return 0;
}

/* ---- Mamba --------------------------------------------------------------------------- */
int gen_mamba_init(gen_mamba *m, uint32_t d_model, uint32_t expand, uint32_t d_state,
                   uint32_t d_conv, uint32_t dt_rank, gen_rng *r) {
  memset(m, 0, sizeof *m);
  m->d_model = d_model;
  m->d_inner = expand * d_model;
  m->d_state = d_state;
  m->d_conv = d_conv;
  m->dt_rank = dt_rank;
  uint32_t E = m->d_inner;
  if (gen_lin_init(&m->in_proj, d_model, 2 * E, false, 1.0f / sqrtf((float)d_model), r) ||
      gen_lin_init(&m->x_proj, E, dt_rank + 2 * d_state, false, 1.0f / sqrtf((float)E), r) ||
      gen_lin_init(&m->dt_proj, dt_rank, E, true, 0, r) ||
      gen_lin_init(&m->out_proj, E, d_model, false, 1.0f / sqrtf((float)E), r))
    return -1;
  /* dt_proj: weights uniform in +-dt_rank^-0.5; bias = softplus^-1(dt) with dt
   * log-uniform in [0.001, 0.1] (the Mamba initialization) */
  float wmax = 1.0f / sqrtf((float)dt_rank);
  for (size_t i = 0; i < (size_t)dt_rank * E; i++)
    m->dt_proj.w[i] = (float)((2.0 * gen_uniform(r) - 1.0) * wmax);
  for (uint32_t i = 0; i < E; i++) {
    double dt = exp(log(0.001) + gen_uniform(r) * (log(0.1) - log(0.001)));
    m->dt_proj.bias[i] = (float)(dt + log(-expm1(-dt)));
  }
  m->conv_w = malloc((size_t)E * d_conv * sizeof(float));
  m->conv_b = malloc(E * sizeof(float));
  m->A_log = malloc((size_t)E * d_state * sizeof(float));
  m->D = malloc(E * sizeof(float));
  if (!m->conv_w || !m->conv_b || !m->A_log || !m->D) return -1;
  float cb = 1.0f / sqrtf((float)d_conv);
  for (size_t i = 0; i < (size_t)E * d_conv; i++)
    m->conv_w[i] = (float)((2.0 * gen_uniform(r) - 1.0) * cb);
  for (uint32_t i = 0; i < E; i++) {
    m->conv_b[i] = (float)((2.0 * gen_uniform(r) - 1.0) * cb);
    m->D[i] = 1.0f;
    for (uint32_t n = 0; n < d_state; n++) m->A_log[(size_t)i * d_state + n] = logf((float)(n + 1));
  }
  return 0;
}

void gen_mamba_free(gen_mamba *m) {
  gen_lin_free(&m->in_proj);
  gen_lin_free(&m->x_proj);
  gen_lin_free(&m->dt_proj);
  gen_lin_free(&m->out_proj);
  free(m->conv_w), free(m->conv_b), free(m->A_log), free(m->D);
  memset(m, 0, sizeof *m);
}

int gen_mamba_forward(const gen_mamba *m, const gen_ctx *c, const float *x, float *out) {
  uint32_t T = c->T, E = m->d_inner, N = m->d_state, R = m->dt_rank, K = m->d_conv;
  uint32_t XP = R + 2 * N;
  float *xz = malloc((size_t)T * 2 * E * sizeof(float));
  float *u = malloc((size_t)T * E * sizeof(float));
  float *dbc = malloc((size_t)T * XP * sizeof(float));
  float *dtl = malloc((size_t)T * R * sizeof(float));
  float *dt = malloc((size_t)T * E * sizeof(float));
  float *h = calloc((size_t)E * N, sizeof(float));
  float *y = malloc((size_t)T * E * sizeof(float));
  float *dta = malloc((size_t)T * E * N * sizeof(float));
  int rc = -1;
  if (!xz || !u || !dbc || !dtl || !dt || !h || !y || !dta) {
    oom(c);
    goto done;
  }
  gen_lin_apply(&m->in_proj, x, T, xz);
  if (gen_capture_gemm(c, TRACE_GEMM_SSM_IN, 0, x, T, m->d_model, c->tok0, m->in_proj.w,
                       2 * E, m->d_model, m->d_model))
    goto done;
  /* causal depthwise conv over the x half, then SiLU */
  for (uint32_t t = 0; t < T; t++)
    for (uint32_t ch = 0; ch < E; ch++) {
      float s = m->conv_b[ch];
      for (uint32_t k = 0; k < K; k++) {
        int64_t ts = (int64_t)t - (int64_t)(K - 1) + k;
        if (ts >= 0) s += m->conv_w[(size_t)ch * K + k] * xz[(size_t)ts * 2 * E + ch];
      }
      u[(size_t)t * E + ch] = gen_silu(s);
    }
  gen_lin_apply(&m->x_proj, u, T, dbc);
  if (gen_capture_gemm(c, TRACE_GEMM_SSM_X, 0, u, T, E, c->tok0, m->x_proj.w, XP, E, E))
    goto done;
  for (uint32_t t = 0; t < T; t++) memcpy(dtl + (size_t)t * R, dbc + (size_t)t * XP, R * sizeof(float));
  gen_lin_apply(&m->dt_proj, dtl, T, dt);
  if (gen_capture_gemm(c, TRACE_GEMM_SSM_DT, 0, dtl, T, R, c->tok0, m->dt_proj.w, E, R, R))
    goto done;
  for (size_t i = 0; i < (size_t)T * E; i++) dt[i] = gen_softplus(dt[i]);
  /* selective scan: h = exp(dt*A) h + dt*B*u; y = C.h + D*u; A = -exp(A_log) */
  for (uint32_t t = 0; t < T; t++) {
    const float *B = dbc + (size_t)t * XP + R, *C = B + N;
    for (uint32_t ch = 0; ch < E; ch++) {
      float d = dt[(size_t)t * E + ch], uu = u[(size_t)t * E + ch], acc = 0;
      float *hc = h + (size_t)ch * N;
      float *da = dta + ((size_t)t * E + ch) * N;
      for (uint32_t n = 0; n < N; n++) {
        float A = -expf(m->A_log[(size_t)ch * N + n]);
        da[n] = d * A;
        hc[n] = expf(da[n]) * hc[n] + d * B[n] * uu;
        acc += C[n] * hc[n];
      }
      y[(size_t)t * E + ch] = acc + m->D[ch] * uu;
    }
    /* the scan's output dot products C.h of the last token, as a GEMM of K = d_state */
    if (t == T - 1 &&
        gen_capture_gemm(c, TRACE_GEMM_SSM_SCAN, 0, C, 1, N, c->tok0 + t, h, E, N, N))
      goto done;
  }
  if (gen_capture_exp(c, TRACE_EXP_SSM_DTA, 0, c->tok0, T, dta, E * N, c->pos)) goto done;
  for (uint32_t t = 0; t < T; t++)
    for (uint32_t ch = 0; ch < E; ch++)
      y[(size_t)t * E + ch] *= gen_silu(xz[(size_t)t * 2 * E + E + ch]);
  gen_lin_apply(&m->out_proj, y, T, out);
  rc = gen_capture_gemm(c, TRACE_GEMM_SSM_OUT, 0, y, T, E, c->tok0, m->out_proj.w,
                        m->d_model, E, E);
done:
  free(xz), free(u), free(dbc), free(dtl), free(dt), free(h), free(y), free(dta);
  return rc;
}

/* ---- attention ----------------------------------------------------------------------- */
int gen_attn_init(gen_attn *a, uint32_t d_model, uint32_t n_heads, uint32_t n_kv,
                  uint32_t head_dim, double base, uint32_t window, uint32_t pairing,
                  gen_rng *r) {
  memset(a, 0, sizeof *a);
  a->d_model = d_model, a->n_heads = n_heads, a->n_kv = n_kv, a->head_dim = head_dim;
  a->base = base, a->window = window, a->pairing = pairing;
  float s = 1.0f / sqrtf((float)d_model);
  if (gen_lin_init(&a->q, d_model, n_heads * head_dim, false, s, r) ||
      gen_lin_init(&a->k, d_model, n_kv * head_dim, false, s, r) ||
      gen_lin_init(&a->v, d_model, n_kv * head_dim, false, s, r) ||
      gen_lin_init(&a->o, n_heads * head_dim, d_model, false,
                   1.0f / sqrtf((float)(n_heads * head_dim)), r))
    return -1;
  return 0;
}

void gen_attn_free(gen_attn *a) {
  gen_lin_free(&a->q), gen_lin_free(&a->k), gen_lin_free(&a->v), gen_lin_free(&a->o);
}

void gen_rope_apply(float *t, uint32_t T, uint32_t n_heads, uint32_t head_dim, double base,
                    uint32_t pairing, const uint32_t *pos) {
  uint32_t half = head_dim / 2;
  for (uint32_t i = 0; i < T; i++)
    for (uint32_t h = 0; h < n_heads; h++) {
      float *v = t + ((size_t)i * n_heads + h) * head_dim;
      for (uint32_t j = 0; j < half; j++) {
        uint32_t ix = pairing ? j : 2 * j, iy = pairing ? j + half : 2 * j + 1;
        double phi = (double)pos[i] * pow(base, -2.0 * j / head_dim);
        double cs = cos(phi), sn = sin(phi), x = v[ix], y = v[iy];
        v[ix] = (float)(x * cs - y * sn);
        v[iy] = (float)(x * sn + y * cs);
      }
    }
}

/* ROPE records of one projected tensor (T x nh*D), per head, before rotation. */
static int capture_rope(const gen_ctx *c, uint32_t op, const float *t, uint32_t nh,
                        uint32_t D) {
  int8_t *q = malloc((size_t)c->T * D);
  float *s = malloc(c->T * sizeof(float)), *f = malloc((size_t)c->T * D * sizeof(float));
  int rc = -1;
  if (!q || !s || !f) {
    oom(c);
    goto done;
  }
  for (uint32_t h = 0; h < nh; h++) {
    for (uint32_t i = 0; i < c->T; i++) {
      const float *row = t + ((size_t)i * nh + h) * D;
      memcpy(f + (size_t)i * D, row, D * sizeof(float));
      trace_quantize_row(row, D, q + (size_t)i * D, &s[i]);
    }
    trace_record rec = {.kind = TRACE_ROPE, .op = op, .flags = c->o->f32 ? TRACE_F_F32 : 0,
                        .layer = c->layer, .head = h, .tok0 = c->tok0, .ntok = c->T,
                        .width = D, .pos = c->pos, .x = q, .scale = s,
                        .f32 = c->o->f32 ? f : NULL};
    if (trace_write(c->w, &rec, c->err, c->errlen)) goto done;
  }
  rc = 0;
done:
  free(q), free(s), free(f);
  return rc;
}

int gen_attn_forward(const gen_attn *a, const gen_ctx *c, const float *x, float *out) {
  uint32_t T = c->T, H = a->n_heads, KV = a->n_kv, D = a->head_dim;
  float *q = malloc((size_t)T * H * D * sizeof(float));
  float *k = malloc((size_t)T * KV * D * sizeof(float));
  float *v = malloc((size_t)T * KV * D * sizeof(float));
  float *ctx = calloc((size_t)T * H * D, sizeof(float));
  float *p = malloc(T * sizeof(float));
  int rc = -1;
  if (!q || !k || !v || !ctx || !p) {
    oom(c);
    goto done;
  }
  gen_lin_apply(&a->q, x, T, q);
  gen_lin_apply(&a->k, x, T, k);
  gen_lin_apply(&a->v, x, T, v);
  if (gen_capture_gemm(c, TRACE_GEMM_Q, 0, x, T, a->d_model, c->tok0, a->q.w, H * D,
                       a->d_model, a->d_model) ||
      gen_capture_gemm(c, TRACE_GEMM_K, 0, x, T, a->d_model, c->tok0, a->k.w, KV * D,
                       a->d_model, a->d_model) ||
      gen_capture_gemm(c, TRACE_GEMM_V, 0, x, T, a->d_model, c->tok0, a->v.w, KV * D,
                       a->d_model, a->d_model))
    goto done;
  if (capture_rope(c, TRACE_ROPE_Q, q, H, D) || capture_rope(c, TRACE_ROPE_K, k, KV, D))
    goto done;
  gen_rope_apply(q, T, H, D, a->base, a->pairing, c->pos);
  gen_rope_apply(k, T, KV, D, a->base, a->pairing, c->pos);
  /* QK^T of head 0 for the last query rows against the keys */
  if (gen_capture_gemm(c, TRACE_GEMM_ATTN_SCORE, 0, q, T, (size_t)H * D, c->tok0, k, T,
                       (size_t)KV * D, D))
    goto done;
  float scale = 1.0f / sqrtf((float)D);
  for (uint32_t h = 0; h < H; h++) {
    uint32_t g = h / (H / KV);
    for (uint32_t i = 0; i < T; i++) {
      uint32_t j0 = a->window && i + 1 > a->window ? i + 1 - a->window : 0, n = i + 1 - j0;
      const float *qi = q + ((size_t)i * H + h) * D;
      float mx = -INFINITY;
      for (uint32_t j = 0; j < n; j++) {
        const float *kj = k + ((size_t)(j0 + j) * KV + g) * D;
        float s = 0;
        for (uint32_t d = 0; d < D; d++) s += qi[d] * kj[d];
        p[j] = s * scale;
        mx = fmaxf(mx, p[j]);
      }
      for (uint32_t j = 0; j < n; j++) p[j] -= mx;
      if (gen_capture_exp(c, TRACE_EXP_SOFTMAX, h, c->tok0 + i, 1, p, n, c->pos + i))
        goto done;
      float sum = 0;
      for (uint32_t j = 0; j < n; j++) sum += (p[j] = expf(p[j]));
      float *ci = ctx + ((size_t)i * H + h) * D;
      for (uint32_t j = 0; j < n; j++) {
        const float *vj = v + ((size_t)(j0 + j) * KV + g) * D;
        for (uint32_t d = 0; d < D; d++) ci[d] += p[j] / sum * vj[d];
      }
    }
  }
  gen_lin_apply(&a->o, ctx, T, out);
  rc = gen_capture_gemm(c, TRACE_GEMM_O, 0, ctx, T, (size_t)H * D, c->tok0, a->o.w,
                        a->d_model, (size_t)H * D, H * D);
done:
  free(q), free(k), free(v), free(ctx), free(p);
  return rc;
}

/* ---- mixture of experts -------------------------------------------------------------- */
int gen_moe_init(gen_moe *m, uint32_t d_model, uint32_t d_ff, uint32_t n_exp,
                 uint32_t top_k, gen_rng *r) {
  memset(m, 0, sizeof *m);
  m->d_model = d_model, m->d_ff = d_ff, m->n_exp = n_exp, m->top_k = top_k;
  m->gate = calloc(n_exp + 1, sizeof(gen_lin));
  m->up = calloc(n_exp + 1, sizeof(gen_lin));
  m->down = calloc(n_exp + 1, sizeof(gen_lin));
  if (!m->gate || !m->up || !m->down) return -1;
  float s = 1.0f / sqrtf((float)d_model), sd = 1.0f / sqrtf((float)d_ff);
  if (gen_lin_init(&m->router, d_model, n_exp, false, s, r)) return -1;
  for (uint32_t e = 0; e <= n_exp; e++)
    if (gen_lin_init(&m->gate[e], d_model, d_ff, false, s, r) ||
        gen_lin_init(&m->up[e], d_model, d_ff, false, s, r) ||
        gen_lin_init(&m->down[e], d_ff, d_model, false, sd, r))
      return -1;
  return 0;
}

void gen_moe_free(gen_moe *m) {
  gen_lin_free(&m->router);
  for (uint32_t e = 0; m->gate && e <= m->n_exp; e++) {
    gen_lin_free(&m->gate[e]), gen_lin_free(&m->up[e]), gen_lin_free(&m->down[e]);
  }
  free(m->gate), free(m->up), free(m->down);
  memset(m, 0, sizeof *m);
}

/* One SwiGLU expert on one token row: out += wgt * down(silu(gate x) * up x). */
static void expert_row(const gen_moe *m, uint32_t e, const float *x, float wgt, float *g,
                       float *u, float *o, float *out) {
  gen_lin_apply(&m->gate[e], x, 1, g);
  gen_lin_apply(&m->up[e], x, 1, u);
  for (uint32_t i = 0; i < m->d_ff; i++) g[i] = gen_silu(g[i]) * u[i];
  gen_lin_apply(&m->down[e], g, 1, o);
  for (uint32_t i = 0; i < m->d_model; i++) out[i] += wgt * o[i];
}

int gen_moe_forward(const gen_moe *m, const gen_ctx *c, const float *x, float *out) {
  uint32_t T = c->T, E = m->n_exp, F = m->d_ff, Dm = m->d_model;
  float *logit = malloc((size_t)T * E * sizeof(float));
  float *g = malloc((size_t)T * F * sizeof(float)), *u = malloc(F * sizeof(float));
  float *o = malloc(Dm * sizeof(float)), *gr = malloc(F * sizeof(float));
  int rc = -1;
  if (!logit || !g || !u || !o || !gr) {
    oom(c);
    goto done;
  }
  memset(out, 0, (size_t)T * Dm * sizeof(float));
  gen_lin_apply(&m->router, x, T, logit);
  if (gen_capture_gemm(c, TRACE_GEMM_MOE_ROUTER, 0, x, T, Dm, c->tok0, m->router.w, E, Dm,
                       Dm))
    goto done;
  for (uint32_t t = 0; t < T; t++) {
    float *l = logit + (size_t)t * E, mx = -INFINITY;
    for (uint32_t e = 0; e < E; e++) mx = fmaxf(mx, l[e]);
    for (uint32_t e = 0; e < E; e++) l[e] -= mx;
  }
  if (gen_capture_exp(c, TRACE_EXP_ROUTER, 0, c->tok0, T, logit, E, c->pos)) goto done;
  for (uint32_t t = 0; t < T; t++) {
    const float *l = logit + (size_t)t * E;
    uint32_t sel[64];
    float wsum = 0, w[64];
    for (uint32_t k = 0; k < m->top_k; k++) {
      uint32_t best = 0;
      float bv = -INFINITY;
      for (uint32_t e = 0; e < E; e++) {
        bool used = false;
        for (uint32_t q = 0; q < k; q++) used |= sel[q] == e;
        if (!used && l[e] > bv) bv = l[e], best = e;
      }
      sel[k] = best;
      wsum += (w[k] = expf(bv));
    }
    const float *xt = x + (size_t)t * Dm;
    float *ot = out + (size_t)t * Dm;
    for (uint32_t k = 0; k < m->top_k; k++) expert_row(m, sel[k], xt, w[k] / wsum, gr, u, o, ot);
    expert_row(m, E, xt, 1.0f, g + (size_t)t * F, u, o, ot); /* shared; keeps its hidden */
  }
  /* the shared expert's three products (head = expert index E marks it) */
  float *hs = malloc((size_t)T * F * sizeof(float));
  if (!hs) {
    oom(c);
    goto done;
  }
  memcpy(hs, g, (size_t)T * F * sizeof(float));
  rc = gen_capture_gemm(c, TRACE_GEMM_FFN_GATE, E, x, T, Dm, c->tok0, m->gate[E].w, F, Dm, Dm);
  if (!rc)
    rc = gen_capture_gemm(c, TRACE_GEMM_FFN_UP, E, x, T, Dm, c->tok0, m->up[E].w, F, Dm, Dm);
  if (!rc)
    rc = gen_capture_gemm(c, TRACE_GEMM_FFN_DOWN, E, hs, T, F, c->tok0, m->down[E].w, Dm, F, F);
  free(hs);
done:
  free(logit), free(g), free(u), free(o), free(gr);
  return rc;
}
