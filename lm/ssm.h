/* ssm.h — the Mamba selective state-space block (Gu & Dao 2023) as a runtime with
 * substitutable numerics: in_proj -> causal depthwise conv + SiLU -> x_proj (dt_rank,
 * B, C) -> dt_proj + softplus -> ZOH selective scan h = exp(dt A) h + dt B u,
 * y = C.h + D u -> gate y * SiLU(z) -> out_proj.
 *
 * Three layers of API:
 *   ssm_config / ssm_weights   geometry, named presets, the reference Mamba
 *                              initialisation with seeded synthetic weights (ssm_synth.c);
 *   ssm_scan_ref_step          the FP64 selective scan, one step (ssm_ref.c): the
 *                              reference every backend is measured against;
 *   ssm_block                  the block on an lm_numerics (ssm.c): every exp() site,
 *                              projection and the C.h read-out through the site's backend,
 *                              the state h in a chosen storage format, streaming
 *                              (O(1) memory per token) in chunks of any length with
 *                              identical results.
 * Functions that can fail return 0, or -1 with a message in err[errlen]. */
#ifndef MPB_LM_SSM_H
#define MPB_LM_SSM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- geometry ----------------------------------------------------------------------- */
typedef struct ssm_config {
  int d_model, d_inner, d_state, d_conv, dt_rank;
  double dt_min, dt_max; /* dt initialisation: log-uniform in [dt_min, dt_max]          */
} ssm_config;

/* Limits of a geometry (ssm_config_check). */
#define SSM_MAX_WIDTH 16384 /* d_model, d_inner                                        */
#define SSM_MAX_STATE 256   /* d_state                                                 */
#define SSM_MAX_CONV 16     /* d_conv                                                  */
#define SSM_DT_LO 1e-9      /* dt range bounds: 0 < SSM_DT_LO <= dt_min <= dt_max      */
#define SSM_DT_HI 10.0      /*                  dt_max <= SSM_DT_HI                    */

typedef struct ssm_preset {
  const char *name, *summary;
  ssm_config c;
} ssm_preset;
const ssm_preset *ssm_preset_find(const char *name);
size_t ssm_preset_count(void);
const ssm_preset *ssm_preset_at(size_t i);

/* Each error names the field and its range. */
int ssm_config_check(const ssm_config *c, char *err, size_t errlen);
/* Parse "LO:HI" (e.g. "1e-3:1e-1") into dt_min, dt_max with the checks above. */
int ssm_dt_range_parse(const char *s, double *lo, double *hi, char *err, size_t errlen);

/* ---- weights ------------------------------------------------------------------------ */
/* W[out][in] row-major FP32 (the values a trained checkpoint would store). */
typedef struct ssm_weights {
  ssm_config c;
  float *w_in;    /* [2 d_inner][d_model]: rows 0..d_inner-1 x branch, then z branch */
  float *conv_w;  /* [d_inner][d_conv], tap d_conv-1 multiplies the current token     */
  float *conv_b;  /* [d_inner]                                                        */
  float *w_x;     /* [dt_rank + 2 d_state][d_inner]: dt_low, B, C                      */
  float *w_dt;    /* [d_inner][dt_rank]                                               */
  float *dt_bias; /* [d_inner] = softplus^-1(dt0), dt0 log-uniform in the dt range    */
  float *A_log;   /* [d_inner][d_state] = log(n + 1)                                  */
  float *D;       /* [d_inner] = 1                                                    */
  float *w_out;   /* [d_model][d_inner]                                               */
  double *A;      /* [d_inner][d_state] = -exp(A_log), in FP64                        */
  double *dt0;    /* [d_inner] the initial dt drawn for each channel                  */
} ssm_weights;

/* The reference Mamba initialisation (mamba_simple.py; docs/workloads.md), seeded:
 * in/x/out projections N(0, 1/fan_in), dt_proj weights U(+-dt_rank^-0.5), dt_proj bias
 * softplus^-1(dt0) with dt0 log-uniform in [dt_min, dt_max], conv taps and bias
 * U(+-d_conv^-0.5), A_log = log(1..d_state), D = 1. */
int ssm_weights_synth(ssm_weights **out, const ssm_config *c, uint64_t seed, char *err,
                      size_t errlen);
void ssm_weights_free(ssm_weights *w);

/* ---- the FP64 reference scan -------------------------------------------------------- */
/* One step over E channels x N states, everything in double with libm exp():
 *   h[e][n] = exp(dt[e] A[e][n]) h[e][n] + (dt[e] B[n]) u[e]
 *   y[e]    = sum_n C[n] h[e][n] + D[e] u[e]          (sum in n order)
 * D may be NULL (no skip term). */
void ssm_scan_ref_step(int E, int N, const double *A, const double *D, const double *dt,
                       const double *B, const double *C, const double *u, double *h,
                       double *y);

/* The exp() uses of the block, in the numerically stable forms every backend shares:
 * each takes e = exp(-|x|) (computed by the site's backend) and x. */
static inline double ssm_silu_from_exp(double x, double e) {
  return x >= 0 ? x / (1.0 + e) : x * e / (1.0 + e);
}
double ssm_softplus_from_exp(double x, double e); /* max(x, 0) + log1p(e) */

#ifdef __cplusplus
}
#endif
#endif
