/* moe.c — the mixture-of-experts layer (moe.h): router softmax and top-k on the router
 * sites, each expert's rows gathered into one batch, SwiGLU experts on the gate/up/down
 * sites, the shared expert with its sigmoid gate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "moe.h"
#include "rng.h"

void moe_weights_free(moe_weights *w) {
  if (!w) return;
  for (int e = 0; e <= w->n_expert; e++) {
    if (w->gate) free(w->gate[e]);
    if (w->up) free(w->up[e]);
    if (w->down) free(w->down[e]);
  }
  free(w->gate), free(w->up), free(w->down), free(w->router), free(w->shared_gate);
  free(w);
}

static float *normal(size_t n, double sd, lm_rng *r) {
  float *w = malloc(n * sizeof *w);
  for (size_t i = 0; w && i < n; i++) w[i] = (float)(lm_rng_normal(r) * sd);
  return w;
}

int moe_weights_synth(moe_weights **out, int d_model, int d_ff, int n_expert, int top_k,
                      uint64_t seed, char *err, size_t errlen) {
  *out = NULL;
  if (d_model < 1 || d_ff < 1 || n_expert < 1 || n_expert > MOE_MAX_EXPERTS || top_k < 1 ||
      top_k > n_expert)
    return fail(err, errlen, "MoE geometry: d_model %d, d_ff %d, %d experts (1..%d), top_k %d "
                "(1..experts)", d_model, d_ff, n_expert, MOE_MAX_EXPERTS, top_k);
  moe_weights *w = calloc(1, sizeof *w);
  if (!w) return fail(err, errlen, "out of memory");
  w->d_model = d_model, w->d_ff = d_ff, w->n_expert = n_expert, w->top_k = top_k;
  lm_rng r = {seed};
  size_t D = (size_t)d_model, F = (size_t)d_ff;
  double sd = 1.0 / sqrt((double)D), sf = 1.0 / sqrt((double)F);
  int ok = (w->gate = calloc((size_t)n_expert + 1, sizeof *w->gate)) &&
           (w->up = calloc((size_t)n_expert + 1, sizeof *w->up)) &&
           (w->down = calloc((size_t)n_expert + 1, sizeof *w->down)) &&
           (w->router = normal((size_t)n_expert * D, sd, &r)) &&
           (w->shared_gate = normal(D, sd, &r));
  for (int e = 0; ok && e <= n_expert; e++)
    ok = (w->gate[e] = normal(F * D, sd, &r)) && (w->up[e] = normal(F * D, sd, &r)) &&
         (w->down[e] = normal(D * F, sf, &r));
  if (!ok) {
    moe_weights_free(w);
    return fail(err, errlen, "out of memory for MoE weights (%d experts of %d x %d)", n_expert,
                d_ff, d_model);
  }
  *out = w;
  return 0;
}

struct moe_layer {
  const moe_weights *w;
  lm_numerics *nm;
  int max_rows;
  lm_linear *router, *sgate, **gate, **up, **down;
  float *probs, *xs, *g, *u, *o, *sg, *tmp;
  int *rows_of;  /* rows routed to the expert being computed */
  float *wt;     /* their weights                              */
  uint8_t *sel;  /* [max_rows][top_k]                           */
  float *selw;
};

void moe_layer_free(moe_layer *l) {
  if (!l) return;
  lm_linear_free(l->router), lm_linear_free(l->sgate);
  for (int e = 0; e <= l->w->n_expert; e++) {
    if (l->gate) lm_linear_free(l->gate[e]);
    if (l->up) lm_linear_free(l->up[e]);
    if (l->down) lm_linear_free(l->down[e]);
  }
  free(l->gate), free(l->up), free(l->down), free(l->probs), free(l->xs), free(l->g);
  free(l->u), free(l->o), free(l->sg), free(l->tmp), free(l->rows_of), free(l->wt), free(l->sel), free(l->selw);
  free(l);
}

int moe_layer_new(moe_layer **out, const moe_weights *w, lm_numerics *nm, int max_rows,
                  char *err, size_t errlen) {
  *out = NULL;
  if (max_rows < 1) return fail(err, errlen, "MoE: max_rows %d < 1", max_rows);
  moe_layer *l = calloc(1, sizeof *l);
  if (!l) return fail(err, errlen, "out of memory");
  l->w = w, l->nm = nm, l->max_rows = max_rows;
  size_t R = (size_t)max_rows, D = (size_t)w->d_model, F = (size_t)w->d_ff;
  int E = w->n_expert;
  if (!(l->gate = calloc((size_t)E + 1, sizeof *l->gate)) ||
      !(l->up = calloc((size_t)E + 1, sizeof *l->up)) ||
      !(l->down = calloc((size_t)E + 1, sizeof *l->down)) ||
      !(l->probs = malloc(R * (size_t)E * sizeof(float))) ||
      !(l->xs = malloc(R * D * sizeof(float))) || !(l->g = malloc(R * F * sizeof(float))) ||
      !(l->u = malloc(R * F * sizeof(float))) || !(l->o = malloc(R * D * sizeof(float))) ||
      !(l->sg = malloc(R * sizeof(float))) || !(l->tmp = malloc(F * sizeof(float))) || !(l->rows_of = malloc(R * sizeof(int))) ||
      !(l->wt = malloc(R * sizeof(float))) || !(l->sel = malloc(R * (size_t)w->top_k)) ||
      !(l->selw = malloc(R * (size_t)w->top_k * sizeof(float)))) {
    moe_layer_free(l);
    return fail(err, errlen, "out of memory for an MoE layer of %d rows", max_rows);
  }
  if (lm_linear_new(&l->router, nm, LM_LIN_ROUTER, w->router, E, (int)D, err, errlen) ||
      lm_linear_new(&l->sgate, nm, LM_LIN_ROUTER, w->shared_gate, 1, (int)D, err, errlen))
    goto bad;
  for (int e = 0; e <= E; e++)
    if (lm_linear_new(&l->gate[e], nm, LM_LIN_GATE, w->gate[e], (int)F, (int)D, err, errlen) ||
        lm_linear_new(&l->up[e], nm, LM_LIN_UP, w->up[e], (int)F, (int)D, err, errlen) ||
        lm_linear_new(&l->down[e], nm, LM_LIN_DOWN, w->down[e], (int)D, (int)F, err, errlen))
      goto bad;
  *out = l;
  return 0;
bad:
  moe_layer_free(l);
  return -1;
}

/* SiLU(g) * u in place over n values, the exp of -|g| on the silu site. */
static int swiglu(lm_numerics *nm, size_t rows, size_t F, float *g, const float *u, float *tmp,
                  char *err, size_t errlen) {
  for (size_t r = 0; r < rows; r++) {
    float *gr = g + r * F;
    const float *ur = u + r * F;
    for (size_t i = 0; i < F; i++) tmp[i] = -fabsf(gr[i]);
    if (lm_exp(nm, LM_EXP_SILU, F, tmp, tmp, err, errlen)) return -1;
    for (size_t i = 0; i < F; i++) {
      float s = gr[i] >= 0 ? 1.0f / (1.0f + tmp[i]) : tmp[i] / (1.0f + tmp[i]);
      gr[i] = gr[i] * s * ur[i];
    }
  }
  return 0;
}

/* rows of xs through expert e: o = down(SiLU(gate xs) * up xs). */
static int expert(moe_layer *l, int e, size_t n, char *err, size_t errlen) {
  size_t D = (size_t)l->w->d_model, F = (size_t)l->w->d_ff;
  if (lm_linear_apply(l->gate[e], n, l->xs, D, l->g, F, err, errlen) ||
      lm_linear_apply(l->up[e], n, l->xs, D, l->u, F, err, errlen) ||
      swiglu(l->nm, n, F, l->g, l->u, l->tmp, err, errlen))
    return -1;
  return lm_linear_apply(l->down[e], n, l->g, F, l->o, D, err, errlen);
}

int moe_layer_forward(moe_layer *l, size_t rows, const float *x, float *out, uint8_t *sel,
                      char *err, size_t errlen) {
  const moe_weights *w = l->w;
  size_t D = (size_t)w->d_model;
  int E = w->n_expert, K = w->top_k;
  if (rows > (size_t)l->max_rows)
    return fail(err, errlen, "MoE: %zu rows exceed the layer's %d", rows, l->max_rows);
  memset(out, 0, rows * D * sizeof(float));
  if (!rows) return 0;
  /* router: softmax over all experts, top-k, renormalised */
  if (lm_linear_apply(l->router, rows, x, D, l->probs, (size_t)E, err, errlen)) return -1;
  if (lm_softmax(l->nm, LM_EXP_ROUTER, rows, (size_t)E, NULL, l->probs, (size_t)E, err, errlen))
    return -1;
  for (size_t r = 0; r < rows; r++) {
    const float *p = l->probs + r * E;
    float sum = 0;
    for (int k = 0; k < K; k++) {
      int best = -1;
      for (int e = 0; e < E; e++) {
        int used = 0;
        for (int q = 0; q < k; q++) used |= l->sel[r * K + q] == e;
        if (!used && (best < 0 || p[e] > p[best])) best = e;
      }
      l->sel[r * K + k] = (uint8_t)best;
      sum += l->selw[r * K + k] = p[best];
    }
    for (int k = 0; k < K; k++) l->selw[r * K + k] = sum > 0 ? l->selw[r * K + k] / sum : 1.0f / K;
  }
  if (sel) memcpy(sel, l->sel, rows * (size_t)K);
  /* routed experts: gather each expert's rows into one batch */
  for (int e = 0; e < E; e++) {
    size_t n = 0;
    for (size_t r = 0; r < rows; r++)
      for (int k = 0; k < K; k++)
        if (l->sel[r * K + k] == e) {
          l->rows_of[n] = (int)r, l->wt[n] = l->selw[r * K + k];
          memcpy(l->xs + n * D, x + r * D, D * sizeof(float));
          n++;
        }
    if (!n) continue;
    if (expert(l, e, n, err, errlen)) return -1;
    for (size_t i = 0; i < n; i++) {
      float *dst = out + (size_t)l->rows_of[i] * D;
      for (size_t j = 0; j < D; j++) dst[j] += l->wt[i] * l->o[i * D + j];
    }
  }
  /* shared expert, scaled by sigmoid(shared_gate . x) */
  memcpy(l->xs, x, rows * D * sizeof(float));
  if (expert(l, E, rows, err, errlen)) return -1;
  if (lm_linear_apply(l->sgate, rows, x, D, l->sg, 1, err, errlen)) return -1;
  for (size_t r = 0; r < rows; r++) {
    float *ex = &l->tmp[0]; /* exp(-|v|), one call per row */
    ex[0] = -fabsf(l->sg[r]);
    if (lm_exp(l->nm, LM_EXP_SILU, 1, ex, ex, err, errlen)) return -1;
    float s = l->sg[r] >= 0 ? 1.0f / (1.0f + ex[0]) : ex[0] / (1.0f + ex[0]);
    for (size_t j = 0; j < D; j++) out[r * D + j] += s * l->o[r * D + j];
  }
  return 0;
}
