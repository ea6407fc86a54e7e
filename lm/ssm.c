/* ssm.c — the Mamba block on an lm_numerics (ssm_block.h), processed in chunks:
 * pre (in_proj, causal depthwise conv, SiLU, x_proj, dt_proj, softplus) for the chunk's
 * tokens as matrices, the scan token by token (ssm_scan.c), post (gate by SiLU(z),
 * out_proj) as a matrix. Sites on the ref backend run in FP64 here; the others go
 * through lm_exp / lm_linear on FP32 copies. Per-token quantities (an exp() call per
 * token row, a GEMM row's quantization) never depend on the chunk boundaries. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "ssm_block.h"

enum { P_IN = 0, P_X, P_DT, P_OUT, NPROJ };
static const lm_lin_site kSite[NPROJ] = {LM_LIN_SSM_IN, LM_LIN_SSM_X, LM_LIN_SSM_DT,
                                         LM_LIN_SSM_OUT};

struct ssm_block {
  const ssm_weights *w;
  lm_numerics *nm;
  int cap;                 /* chunk capacity                                    */
  int nout[NPROJ], nin[NPROJ];
  lm_linear *lin[NPROJ];   /* non-ref sites                                     */
  double *wd[NPROJ];       /* ref sites: the FP32 weights as doubles            */
  double *A, *D, *conv_w, *conv_b, *dt_bias;
  ssm_scan *scan;
  double *hist;            /* [d_conv-1][E] x-branch inputs before this chunk   */
  size_t T;                /* tokens in the current chunk                       */
  double *xz, *u, *dbc, *dt, *y, *e;
  float *fx, *fy;          /* FP32 staging of non-ref sites                     */
};

void ssm_block_free(ssm_block *b) {
  if (!b) return;
  for (int p = 0; p < NPROJ; p++) lm_linear_free(b->lin[p]), free(b->wd[p]);
  free(b->A), free(b->D), free(b->conv_w), free(b->conv_b), free(b->dt_bias);
  ssm_scan_free(b->scan);
  free(b->hist), free(b->xz), free(b->u), free(b->dbc), free(b->dt), free(b->y), free(b->e);
  free(b->fx), free(b->fy);
  free(b);
}

static double *to_double(const float *x, size_t n) {
  double *d = malloc(n * sizeof *d);
  for (size_t i = 0; d && i < n; i++) d[i] = x[i];
  return d;
}

int ssm_block_new(ssm_block **out, const ssm_weights *w, lm_numerics *nm, int chunk,
                  char *err, size_t errlen) {
  *out = NULL;
  if (chunk < 1 || chunk > 4096)
    return fail(err, errlen, "SSM block: chunk = %d tokens is not in [1, 4096]", chunk);
  const ssm_config *c = &w->c;
  if (ssm_config_check(c, err, errlen)) return -1;
  size_t Dm = c->d_model, E = c->d_inner, N = c->d_state, K = c->d_conv, R = c->dt_rank;
  ssm_block *b = calloc(1, sizeof *b);
  if (!b) return fail(err, errlen, "out of memory");
  b->w = w, b->nm = nm, b->cap = chunk;
  const float *W[NPROJ] = {w->w_in, w->w_x, w->w_dt, w->w_out};
  int no[NPROJ] = {(int)(2 * E), (int)(R + 2 * N), (int)E, (int)Dm};
  int ni[NPROJ] = {(int)Dm, (int)E, (int)R, (int)E};
  const lm_numerics_spec *sp = lm_numerics_get_spec(nm);
  size_t maxk = 0, maxn = 0;
  for (int p = 0; p < NPROJ; p++) {
    b->nout[p] = no[p], b->nin[p] = ni[p];
    maxk = (size_t)ni[p] > maxk ? (size_t)ni[p] : maxk;
    maxn = (size_t)no[p] > maxn ? (size_t)no[p] : maxn;
    if (sp->lin[kSite[p]] == LM_BK_REF) {
      if (!(b->wd[p] = to_double(W[p], (size_t)no[p] * ni[p]))) goto oom;
    } else if (lm_linear_new(&b->lin[p], nm, kSite[p], W[p], no[p], ni[p], err, errlen)) {
      ssm_block_free(b);
      return -1;
    }
  }
  size_t C = (size_t)chunk;
  if (!(b->A = malloc(E * N * sizeof(double))) || !(b->D = to_double(w->D, E)) ||
      !(b->conv_w = to_double(w->conv_w, E * K)) || !(b->conv_b = to_double(w->conv_b, E)) ||
      !(b->dt_bias = to_double(w->dt_bias, E)) ||
      !(b->hist = calloc((K - 1) * E + 1, sizeof(double))) ||
      !(b->xz = malloc(C * 2 * E * sizeof(double))) || !(b->u = malloc(C * E * sizeof(double))) ||
      !(b->dbc = malloc(C * (R + 2 * N) * sizeof(double))) ||
      !(b->dt = malloc(C * E * sizeof(double))) || !(b->y = malloc(C * E * sizeof(double))) ||
      !(b->e = malloc(2 * E * sizeof(double))) ||
      !(b->fx = malloc(C * (maxk > 2 * E ? maxk : 2 * E) * sizeof(float))) ||
      !(b->fy = malloc(C * maxn * sizeof(float))))
    goto oom;
  memcpy(b->A, w->A, E * N * sizeof(double));
  if (ssm_scan_new(&b->scan, nm, (int)E, (int)N, b->A, b->D, sp->state, err, errlen)) {
    ssm_block_free(b);
    return -1;
  }
  *out = b;
  return 0;
oom:
  ssm_block_free(b);
  return fail(err, errlen, "out of memory for an SSM block (d_inner %zu, chunk %d)", E, chunk);
}

void ssm_block_reset(ssm_block *b) {
  const ssm_config *c = &b->w->c;
  memset(b->hist, 0, (size_t)(c->d_conv - 1) * c->d_inner * sizeof(double));
  ssm_scan_reset(b->scan);
  b->T = 0;
}

const ssm_weights *ssm_block_weights(const ssm_block *b) { return b->w; }
const ssm_scan *ssm_block_scan(const ssm_block *b) { return b->scan; }
const double *ssm_block_dt(const ssm_block *b, size_t i) { return b->dt + i * b->w->c.d_inner; }
int ssm_block_chunk(const ssm_block *b) { return b->cap; }

/* y[t][n] = sum_k x[t][k] W[n][k] in FP64 (OpenBLAS dgemm). */
static void dgemm_rows(size_t T, int n_out, int k, const double *x, size_t ldx,
                       const double *W, double *y, size_t ldy) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)T, n_out, k, 1.0, x, (int)ldx, W,
              k, 0.0, y, (int)ldy);
}

/* Projection p of T rows: x (row stride ldx) -> y (row stride ldy). */
static int project(ssm_block *b, int p, size_t T, const double *x, size_t ldx, double *y,
                   size_t ldy, char *err, size_t errlen) {
  int k = b->nin[p], n = b->nout[p];
  if (b->wd[p]) {
    dgemm_rows(T, n, k, x, ldx, b->wd[p], y, ldy);
    return 0;
  }
  for (size_t t = 0; t < T; t++)
    for (int i = 0; i < k; i++) b->fx[t * k + i] = (float)x[t * ldx + i];
  if (lm_linear_apply(b->lin[p], T, b->fx, (size_t)k, b->fy, (size_t)n, err, errlen)) return -1;
  for (size_t t = 0; t < T; t++)
    for (int i = 0; i < n; i++) y[t * ldy + i] = b->fy[t * n + i];
  return 0;
}

/* e[i] = exp(-|x[i]|) for one token row on the site's backend (one call per row). */
static int exp_neg_abs(ssm_block *b, lm_exp_site site, size_t n, const double *x, double *e,
                       char *err, size_t errlen) {
  if (lm_numerics_get_spec(b->nm)->exp[site] == LM_BK_REF) {
    for (size_t i = 0; i < n; i++) e[i] = exp(-fabs(x[i]));
    return 0;
  }
  for (size_t i = 0; i < n; i++) b->fx[i] = (float)-fabs(x[i]);
  if (lm_exp(b->nm, site, n, b->fx, b->fy, err, errlen)) return -1;
  for (size_t i = 0; i < n; i++) e[i] = b->fy[i];
  return 0;
}

int ssm_block_pre(ssm_block *b, size_t T, const double *x, char *err, size_t errlen) {
  const ssm_config *c = &b->w->c;
  size_t E = c->d_inner, N = c->d_state, K = c->d_conv, R = c->dt_rank, XP = R + 2 * N;
  if (T > (size_t)b->cap)
    return fail(err, errlen, "SSM block: %zu tokens exceed the chunk of %d", T, b->cap);
  b->T = T;
  if (T == 0) return 0;
  if (project(b, P_IN, T, x, (size_t)c->d_model, b->xz, 2 * E, err, errlen)) return -1;
  /* causal depthwise conv over the x branch (history, then this chunk), SiLU */
  for (size_t t = 0; t < T; t++) {
    double *ut = b->u + t * E;
    for (size_t ch = 0; ch < E; ch++) {
      double s = b->conv_b[ch];
      for (size_t k = 0; k < K; k++) {
        ptrdiff_t ts = (ptrdiff_t)t - (ptrdiff_t)(K - 1) + (ptrdiff_t)k;
        double v = ts >= 0 ? b->xz[(size_t)ts * 2 * E + ch] : b->hist[(size_t)(ts + (ptrdiff_t)K - 1) * E + ch];
        s += b->conv_w[ch * K + k] * v;
      }
      ut[ch] = s;
    }
    if (exp_neg_abs(b, LM_EXP_SILU, E, ut, b->e, err, errlen)) return -1;
    for (size_t ch = 0; ch < E; ch++) ut[ch] = ssm_silu_from_exp(ut[ch], b->e[ch]);
  }
  /* conv history for the next chunk: the last K-1 x-branch inputs */
  for (size_t j = 0; j + 1 < K; j++) {
    ptrdiff_t ts = (ptrdiff_t)T - (ptrdiff_t)(K - 1) + (ptrdiff_t)j;
    double *dst = b->hist + j * E;
    if (ts >= 0)
      for (size_t ch = 0; ch < E; ch++) dst[ch] = b->xz[(size_t)ts * 2 * E + ch];
    else
      memcpy(dst, b->hist + (size_t)(ts + (ptrdiff_t)K - 1) * E, E * sizeof(double));
  }
  if (project(b, P_X, T, b->u, E, b->dbc, XP, err, errlen) ||
      project(b, P_DT, T, b->dbc, XP, b->dt, E, err, errlen))
    return -1;
  for (size_t t = 0; t < T; t++) {
    double *dt = b->dt + t * E;
    for (size_t ch = 0; ch < E; ch++) dt[ch] += b->dt_bias[ch];
    if (exp_neg_abs(b, LM_EXP_SOFTPLUS, E, dt, b->e, err, errlen)) return -1;
    for (size_t ch = 0; ch < E; ch++) dt[ch] = ssm_softplus_from_exp(dt[ch], b->e[ch]);
  }
  return 0;
}

int ssm_block_step(ssm_block *b, size_t i, char *err, size_t errlen) {
  const ssm_config *c = &b->w->c;
  size_t E = c->d_inner, N = c->d_state, XP = c->dt_rank + 2 * N;
  if (i >= b->T) return fail(err, errlen, "SSM block: step %zu of a chunk of %zu", i, b->T);
  const double *Bt = b->dbc + i * XP + c->dt_rank, *Ct = Bt + N;
  return ssm_scan_step(b->scan, b->dt + i * E, Bt, Ct, b->u + i * E, b->y + i * E, err,
                       errlen);
}

int ssm_block_post(ssm_block *b, double *out, char *err, size_t errlen) {
  const ssm_config *c = &b->w->c;
  size_t E = c->d_inner;
  for (size_t t = 0; t < b->T; t++) {
    const double *z = b->xz + t * 2 * E + E;
    double *yt = b->y + t * E;
    if (exp_neg_abs(b, LM_EXP_SILU, E, z, b->e, err, errlen)) return -1;
    for (size_t ch = 0; ch < E; ch++) yt[ch] *= ssm_silu_from_exp(z[ch], b->e[ch]);
  }
  return b->T ? project(b, P_OUT, b->T, b->y, E, out, (size_t)c->d_model, err, errlen) : 0;
}

int ssm_block_forward(ssm_block *b, size_t T, const double *x, double *out, char *err,
                      size_t errlen) {
  size_t Dm = (size_t)b->w->c.d_model;
  for (size_t t0 = 0; t0 < T; t0 += (size_t)b->cap) {
    size_t n = T - t0 < (size_t)b->cap ? T - t0 : (size_t)b->cap;
    if (ssm_block_pre(b, n, x + t0 * Dm, err, errlen)) return -1;
    for (size_t i = 0; i < n; i++)
      if (ssm_block_step(b, i, err, errlen)) return -1;
    if (ssm_block_post(b, out + t0 * Dm, err, errlen)) return -1;
  }
  return 0;
}
