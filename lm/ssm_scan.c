/* ssm_scan.c — the selective scan on an lm_numerics: one step updates all d_inner x
 * d_state states with the decay factors exp(dt A) from one batched exp() call of the
 * ssm_da site, rounds the state to its storage format, and reads y = C.h + D u out
 * through the ssm_scan matrix-product site. On the ref backend (exp and read-out) with
 * the fp64 state it is ssm_scan_ref_step bit for bit; everything between the sites (the
 * products dt*A, dt*B*u, the update dA*h + dB*u, the skip term D*u) is FP64. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "ssm_block.h"

struct ssm_scan {
  lm_numerics *nm;
  int E, N;
  const double *A, *D;
  lm_state_format fmt;
  double *h;            /* E*N: the stored state                              */
  float *xf, *yf;       /* E*N: exp site operands                            */
  float *cf, *hf, *rf;  /* read-out operands: C (N), h (E*N), C.h (E)        */
};

void ssm_scan_free(ssm_scan *s) {
  if (!s) return;
  free(s->h), free(s->xf), free(s->yf), free(s->cf), free(s->hf), free(s->rf);
  free(s);
}

int ssm_scan_new(ssm_scan **out, lm_numerics *nm, int E, int N, const double *A,
                 const double *D, lm_state_format fmt, char *err, size_t errlen) {
  *out = NULL;
  if (E < 1 || N < 1 || E > SSM_MAX_WIDTH || N > SSM_MAX_STATE)
    return fail(err, errlen, "scan: %d channels x %d states is not in [1, %d] x [1, %d]", E,
                N, SSM_MAX_WIDTH, SSM_MAX_STATE);
  if ((unsigned)fmt >= LM_NSTATE) return fail(err, errlen, "scan: state format %d out of range", (int)fmt);
  ssm_scan *s = calloc(1, sizeof *s);
  size_t n = (size_t)E * N;
  if (!s || !(s->h = calloc(n, sizeof *s->h)) ||
      !(s->xf = malloc(n * sizeof *s->xf)) || !(s->yf = malloc(n * sizeof *s->yf)) ||
      !(s->cf = malloc((size_t)N * sizeof *s->cf)) || !(s->hf = malloc(n * sizeof *s->hf)) ||
      !(s->rf = malloc((size_t)E * sizeof *s->rf))) {
    ssm_scan_free(s);
    return fail(err, errlen, "out of memory for a scan of %d x %d states", E, N);
  }
  s->nm = nm, s->E = E, s->N = N, s->A = A, s->D = D, s->fmt = fmt;
  *out = s;
  return 0;
}

void ssm_scan_reset(ssm_scan *s) { memset(s->h, 0, (size_t)s->E * s->N * sizeof *s->h); }
const double *ssm_scan_h(const ssm_scan *s) { return s->h; }
double *ssm_scan_h_mut(ssm_scan *s) { return s->h; }
lm_state_format ssm_scan_format(const ssm_scan *s) { return s->fmt; }

int ssm_scan_step(ssm_scan *s, const double *dt, const double *B, const double *C,
                  const double *u, double *y, char *err, size_t errlen) {
  const lm_numerics_spec *sp = lm_numerics_get_spec(s->nm);
  int E = s->E, N = s->N;
  size_t n = (size_t)E * N;
  /* decay factors: one exp() call for the whole step; the state update in FP64 */
  if (sp->exp[LM_EXP_SSM_DA] == LM_BK_REF) {
    for (int e = 0; e < E; e++) {
      double *he = s->h + (size_t)e * N;
      const double *Ae = s->A + (size_t)e * N;
      for (int k = 0; k < N; k++) he[k] = exp(dt[e] * Ae[k]) * he[k] + (dt[e] * B[k]) * u[e];
    }
  } else {
    for (int e = 0; e < E; e++) {
      float *xe = s->xf + (size_t)e * N;
      const double *Ae = s->A + (size_t)e * N;
      for (int k = 0; k < N; k++) xe[k] = (float)(dt[e] * Ae[k]);
    }
    if (lm_exp(s->nm, LM_EXP_SSM_DA, n, s->xf, s->yf, err, errlen)) return -1;
    for (int e = 0; e < E; e++) {
      double *he = s->h + (size_t)e * N;
      const float *de = s->yf + (size_t)e * N;
      for (int k = 0; k < N; k++) he[k] = (double)de[k] * he[k] + (dt[e] * B[k]) * u[e];
    }
  }
  /* rounded once to the storage format */
  lm_state_round(s->fmt, n, (size_t)N, s->h);
  /* read-out y = C.h (+ D u) */
  if (sp->lin[LM_LIN_SSM_SCAN] == LM_BK_REF) {
    for (int e = 0; e < E; e++) {
      const double *he = s->h + (size_t)e * N;
      double acc = 0;
      for (int k = 0; k < N; k++) acc += C[k] * he[k];
      y[e] = acc + (s->D ? s->D[e] * u[e] : 0.0);
    }
    return 0;
  }
  for (int k = 0; k < N; k++) s->cf[k] = (float)C[k];
  for (size_t i = 0; i < n; i++) s->hf[i] = (float)s->h[i];
  if (lm_matmul(s->nm, LM_LIN_SSM_SCAN, 1, 1, (size_t)E, (size_t)N, 1.0f, s->cf, (size_t)N,
                s->hf, (size_t)N, s->rf, (size_t)E, err, errlen))
    return -1;
  for (int e = 0; e < E; e++) y[e] = (double)s->rf[e] + (s->D ? s->D[e] * u[e] : 0.0);
  return 0;
}
