/* ssm_synth.c — the Mamba block's named geometries, their checks, and seeded synthetic
 * weights with the reference Mamba initialisation (see ssm.h). No pretrained SSM weights
 * are reachable here: what synthetic weights can and cannot show is in
 * docs/workloads.md. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "rng.h"
#include "ssm.h"

static const ssm_preset kPresets[] = {
    /* name, summary, {d_model, d_inner, d_state, d_conv, dt_rank, dt_min, dt_max} */
    {"mamba130m", "mamba-130m block geometry (d_model 768, expand 2, d_state 16, dt_rank 48)",
     {768, 1536, 16, 4, 48, 1e-3, 1e-1}},
    {"bitaxon", "Bit-Axon SSM block, reduced width (d_model 640, expand 2, dt_rank 1)",
     {640, 1280, 16, 4, 1, 1e-3, 1e-1}},
    {"scan", "the scan's numerics at low cost (sweeps): d_model 16, 256 channels, d_state 16",
     {16, 256, 16, 4, 1, 1e-3, 1e-1}},
    {"tiny", "small geometry for tests (d_model 8, d_inner 16, d_state 4)",
     {8, 16, 4, 4, 2, 1e-3, 1e-1}},
};

const ssm_preset *ssm_preset_find(const char *name) {
  for (size_t i = 0; i < ssm_preset_count(); i++)
    if (!strcmp(kPresets[i].name, name)) return &kPresets[i];
  return NULL;
}
size_t ssm_preset_count(void) { return sizeof kPresets / sizeof kPresets[0]; }
const ssm_preset *ssm_preset_at(size_t i) { return i < ssm_preset_count() ? &kPresets[i] : NULL; }

int ssm_config_check(const ssm_config *c, char *err, size_t errlen) {
#define RANGE(f, lo, hi)                                                                   \
  if (c->f < (lo) || c->f > (hi))                                                         \
    return fail(err, errlen, "SSM geometry: %s = %d is not in [%d, %d]", #f, c->f, lo, hi);
  RANGE(d_model, 1, SSM_MAX_WIDTH)
  RANGE(d_inner, 1, SSM_MAX_WIDTH)
  RANGE(d_state, 1, SSM_MAX_STATE)
  RANGE(d_conv, 1, SSM_MAX_CONV)
  RANGE(dt_rank, 1, SSM_MAX_WIDTH)
#undef RANGE
  if (!(c->dt_min >= SSM_DT_LO && c->dt_min <= c->dt_max && c->dt_max <= SSM_DT_HI))
    return fail(err, errlen, "SSM dt range [%g, %g] is not within [%g, %g] with min <= max",
                c->dt_min, c->dt_max, SSM_DT_LO, SSM_DT_HI);
  return 0;
}

int ssm_dt_range_parse(const char *s, double *lo, double *hi, char *err, size_t errlen) {
  char *end;
  errno = 0;
  double a = strtod(s, &end);
  if (errno || end == s || *end != ':')
    return fail(err, errlen, "dt range '%s' is not LO:HI (for example 1e-3:1e-1)", s);
  const char *p = end + 1;
  double b = strtod(p, &end);
  if (errno || end == p || *end != '\0')
    return fail(err, errlen, "dt range '%s' is not LO:HI (for example 1e-3:1e-1)", s);
  if (!(a >= SSM_DT_LO && a <= b && b <= SSM_DT_HI))
    return fail(err, errlen, "dt range %s: expected %g <= LO <= HI <= %g (dt > 0)", s,
                SSM_DT_LO, SSM_DT_HI);
  *lo = a, *hi = b;
  return 0;
}

double ssm_softplus_from_exp(double x, double e) { return (x > 0 ? x : 0.0) + log1p(e); }

void ssm_weights_free(ssm_weights *w) {
  if (!w) return;
  free(w->w_in), free(w->conv_w), free(w->conv_b), free(w->w_x), free(w->w_dt);
  free(w->dt_bias), free(w->A_log), free(w->D), free(w->w_out), free(w->A), free(w->dt0);
  free(w);
}

static float *normal(size_t n, double sd, lm_rng *r) {
  float *w = malloc(n * sizeof *w);
  for (size_t i = 0; w && i < n; i++) w[i] = (float)(lm_rng_normal(r) * sd);
  return w;
}

static float *uniform(size_t n, double bound, lm_rng *r) {
  float *w = malloc(n * sizeof *w);
  for (size_t i = 0; w && i < n; i++) w[i] = (float)((2.0 * lm_rng_uniform(r) - 1.0) * bound);
  return w;
}

int ssm_weights_synth(ssm_weights **out, const ssm_config *c, uint64_t seed, char *err,
                      size_t errlen) {
  *out = NULL;
  if (ssm_config_check(c, err, errlen)) return -1;
  ssm_weights *w = calloc(1, sizeof *w);
  if (!w) return fail(err, errlen, "out of memory");
  w->c = *c;
  size_t Dm = c->d_model, E = c->d_inner, N = c->d_state, K = c->d_conv, R = c->dt_rank;
  lm_rng r = {seed};
  int ok = (w->w_in = normal(2 * E * Dm, 1.0 / sqrt((double)Dm), &r)) &&
           (w->w_x = normal((R + 2 * N) * E, 1.0 / sqrt((double)E), &r)) &&
           (w->w_dt = uniform(E * R, 1.0 / sqrt((double)R), &r)) &&
           (w->w_out = normal(Dm * E, 1.0 / sqrt((double)E), &r)) &&
           (w->conv_w = uniform(E * K, 1.0 / sqrt((double)K), &r)) &&
           (w->conv_b = uniform(E, 1.0 / sqrt((double)K), &r)) &&
           (w->dt_bias = malloc(E * sizeof(float))) && (w->dt0 = malloc(E * sizeof(double))) &&
           (w->A_log = malloc(E * N * sizeof(float))) && (w->A = malloc(E * N * sizeof(double))) &&
           (w->D = malloc(E * sizeof(float)));
  if (!ok) {
    ssm_weights_free(w);
    return fail(err, errlen, "out of memory for SSM weights (d_model %d, d_inner %d)",
                c->d_model, c->d_inner);
  }
  double l0 = log(c->dt_min), l1 = log(c->dt_max);
  for (size_t e = 0; e < E; e++) {
    /* dt0 log-uniform; bias = softplus^-1(dt0) = dt0 + log(1 - exp(-dt0)) */
    double dt = exp(l0 + lm_rng_uniform(&r) * (l1 - l0));
    w->dt0[e] = dt;
    w->dt_bias[e] = (float)(dt + log(-expm1(-dt)));
    w->D[e] = 1.0f;
    for (size_t n = 0; n < N; n++) {
      w->A_log[e * N + n] = logf((float)(n + 1));
      w->A[e * N + n] = -exp((double)w->A_log[e * N + n]);
    }
  }
  *out = w;
  return 0;
}
