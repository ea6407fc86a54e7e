/* ssm_eval.c — the SSM closed-loop error study (ssm_eval.h): the FP64 reference block
 * and the variants' blocks in lockstep over a seeded input stream, per-octave relative
 * errors of h and y, per-channel errors, growth-law fits. */
#include "ssm_eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errbuf.h"
#include "rng.h"
#include "ssm_block.h"

void ssm_eval_opts_default(ssm_eval_opts *o) {
  memset(o, 0, sizeof *o);
  snprintf(o->model, sizeof o->model, "mamba130m");
  o->c = ssm_preset_find("mamba130m")->c;
  o->seed = 1;
  o->steps = 8192;
  o->chunk = 64;
}

double ssm_eval_oct_rms_h(const ssm_eval_oct *o) { return o->n ? sqrt(o->h_sum2 / o->n) : 0; }
double ssm_eval_oct_rms_y(const ssm_eval_oct *o) { return o->n ? sqrt(o->y_sum2 / o->n) : 0; }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Everything one run holds: the weights, a block per variant (index 0 = reference),
 * per-channel octave maxima of every variant. */
typedef struct run {
  ssm_weights *w;
  int nb;
  lm_numerics *nm[SSM_EVAL_MAX_VARIANTS + 1];
  ssm_block *blk[SSM_EVAL_MAX_VARIANTS + 1];
  double *out[SSM_EVAL_MAX_VARIANTS + 1];
  double *x, *dt_sum;
  double *ch_oct; /* [variant][channel][octave] max relative error of the state row */
} run;

static void run_free(run *R) {
  for (int v = 0; v < R->nb; v++) {
    ssm_block_free(R->blk[v]);
    lm_numerics_free(R->nm[v]);
    free(R->out[v]);
  }
  ssm_weights_free(R->w);
  free(R->x), free(R->dt_sum), free(R->ch_oct);
}

static int check_opts(const ssm_eval_opts *o, char *err, size_t errlen) {
  if (ssm_config_check(&o->c, err, errlen)) return -1;
  if (o->steps < 1 || o->steps > SSM_EVAL_MAX_STEPS)
    return fail(err, errlen, "steps = %llu is not in [1, %u]", (unsigned long long)o->steps,
                SSM_EVAL_MAX_STEPS);
  if (o->chunk < 1 || o->chunk > 4096)
    return fail(err, errlen, "chunk = %d is not in [1, 4096]", o->chunk);
  if (o->nvar < 0 || o->nvar > SSM_EVAL_MAX_VARIANTS)
    return fail(err, errlen, "%d variants is not in [0, %d]", o->nvar, SSM_EVAL_MAX_VARIANTS);
  return 0;
}

static void channel_fit(ssm_eval_channel *c, int noct) {
  double x[MPB_OCTAVES], y[MPB_OCTAVES];
  int k = 0;
  for (int i = 1; i < noct; i++) x[k] = mpb_octave_mid(i), y[k++] = c->oct_max[i];
  c->fit = mpb_fit_power_law(x, y, (size_t)k);
}

static void variant_fits(ssm_eval_variant *v, int noct) {
  double x[MPB_OCTAVES], yh[MPB_OCTAVES], yy[MPB_OCTAVES];
  int k = 0;
  for (int i = 1; i < noct; i++) {
    if (!v->oct[i].n) continue;
    x[k] = mpb_octave_mid(i);
    yh[k] = ssm_eval_oct_rms_h(&v->oct[i]);
    yy[k++] = ssm_eval_oct_rms_y(&v->oct[i]);
  }
  v->fit_h = mpb_fit_power_law(x, yh, (size_t)k);
  v->fit_y = mpb_fit_power_law(x, yy, (size_t)k);
}

/* Fill a channel's record from the per-channel octave maxima of variant v. */
static void pick_channel(const run *R, const ssm_eval_opts *o, int v, int ch, int noct,
                         ssm_eval_channel *c) {
  size_t E = (size_t)o->c.d_inner;
  c->index = ch;
  c->dt_mean = R->dt_sum[ch] / (double)o->steps;
  c->dta_mean = c->dt_mean * R->w->A[(size_t)ch * o->c.d_state];
  memcpy(c->oct_max, R->ch_oct + ((size_t)v * E + ch) * MPB_OCTAVES, sizeof c->oct_max);
  channel_fit(c, noct);
}

int ssm_eval_run(const ssm_eval_opts *o, ssm_eval_result *r,
                 void (*progress)(void *user, uint64_t done, uint64_t total), void *user,
                 char *err, size_t errlen) {
  if (check_opts(o, err, errlen)) return -1;
  memset(r, 0, sizeof *r);
  r->opts = *o;
  const ssm_config *c = &o->c;
  size_t Dm = c->d_model, E = c->d_inner, N = c->d_state, C = (size_t)o->chunk;
  run R = {0};
  R.nb = o->nvar + 1;
  int rc = -1;
  if (ssm_weights_synth(&R.w, c, o->seed, err, errlen)) return -1;
  for (int v = 0; v < R.nb; v++) {
    lm_numerics_spec ref;
    lm_numerics_spec_init(&ref, LM_BK_REF);
    const lm_numerics_spec *sp = v ? &o->spec[v - 1] : &ref;
    char e2[400];
    if (lm_numerics_new(&R.nm[v], sp, e2, sizeof e2) ||
        ssm_block_new(&R.blk[v], R.w, R.nm[v], o->chunk, e2, sizeof e2)) {
      fail(err, errlen, "%s: %s", v ? o->label[v - 1] : "reference", e2);
      R.nb = v + 1;
      goto done;
    }
    if (!(R.out[v] = malloc(C * Dm * sizeof(double)))) goto oom;
    if (v) {
      ssm_eval_variant *V = &r->var[v - 1];
      snprintf(V->label, sizeof V->label, "%s", o->label[v - 1]);
      lm_numerics_spec_format(sp, V->spec, sizeof V->spec);
      V->state = sp->state;
    }
  }
  if (!(R.x = malloc(C * Dm * sizeof(double))) || !(R.dt_sum = calloc(E, sizeof(double))) ||
      !(R.ch_oct = calloc((size_t)R.nb * E * MPB_OCTAVES, sizeof(double))))
    goto oom;
  lm_rng in = {o->seed + 1};
  r->dt_min_seen = INFINITY, r->dt_max_seen = 0;
  double tv[SSM_EVAL_MAX_VARIANTS + 1] = {0};
  for (uint64_t t0 = 0; t0 < o->steps; t0 += C) {
    size_t T = o->steps - t0 < C ? (size_t)(o->steps - t0) : C;
    for (size_t i = 0; i < T * Dm; i++) R.x[i] = lm_rng_normal(&in);
    for (int v = 0; v < R.nb; v++) {
      double t = now();
      if (ssm_block_pre(R.blk[v], T, R.x, err, errlen)) goto done;
      tv[v] += now() - t;
    }
    for (size_t i = 0; i < T; i++) {
      uint64_t pos = t0 + i;
      int k = mpb_octave((uint32_t)pos);
      for (int v = 0; v < R.nb; v++) {
        double t = now();
        if (ssm_block_step(R.blk[v], i, err, errlen)) goto done;
        tv[v] += now() - t;
      }
      const double *dt = ssm_block_dt(R.blk[0], i);
      for (size_t ch = 0; ch < E; ch++) {
        R.dt_sum[ch] += dt[ch];
        if (dt[ch] < r->dt_min_seen) r->dt_min_seen = dt[ch];
        if (dt[ch] > r->dt_max_seen) r->dt_max_seen = dt[ch];
      }
      const double *h0 = ssm_scan_h(ssm_block_scan(R.blk[0]));
      for (int v = 1; v < R.nb; v++) {
        const double *h = ssm_scan_h(ssm_block_scan(R.blk[v]));
        double *co = R.ch_oct + (size_t)v * E * MPB_OCTAVES;
        double d2 = 0, r2 = 0;
        for (size_t ch = 0; ch < E; ch++) {
          double cd = 0, cr = 0;
          for (size_t n = 0; n < N; n++) {
            double d = h[ch * N + n] - h0[ch * N + n];
            cd += d * d, cr += h0[ch * N + n] * h0[ch * N + n];
          }
          d2 += cd, r2 += cr;
          double rel = cr > 0 ? sqrt(cd / cr) : cd > 0 ? INFINITY : 0;
          double *m = &co[ch * MPB_OCTAVES + k];
          if (rel > *m) *m = rel;
        }
        ssm_eval_oct *oc = &r->var[v - 1].oct[k];
        double rel = r2 > 0 ? sqrt(d2 / r2) : d2 > 0 ? INFINITY : 0;
        oc->n++;
        oc->h_sum2 += rel * rel;
        if (rel > oc->h_max) oc->h_max = rel;
        if (pos + 1 == o->steps) r->var[v - 1].h_final = rel;
      }
    }
    for (int v = 0; v < R.nb; v++) {
      double t = now();
      if (ssm_block_post(R.blk[v], R.out[v], err, errlen)) goto done;
      tv[v] += now() - t;
    }
    for (size_t i = 0; i < T; i++) {
      uint64_t pos = t0 + i;
      int k = mpb_octave((uint32_t)pos);
      const double *y0 = R.out[0] + i * Dm;
      for (int v = 1; v < R.nb; v++) {
        const double *y = R.out[v] + i * Dm;
        double d2 = 0, r2 = 0;
        for (size_t j = 0; j < Dm; j++) d2 += (y[j] - y0[j]) * (y[j] - y0[j]), r2 += y0[j] * y0[j];
        double rel = r2 > 0 ? sqrt(d2 / r2) : d2 > 0 ? INFINITY : 0;
        ssm_eval_oct *oc = &r->var[v - 1].oct[k];
        oc->y_sum2 += rel * rel;
        if (rel > oc->y_max) oc->y_max = rel;
        if (pos + 1 == o->steps) r->var[v - 1].y_final = rel;
      }
    }
    if (progress) progress(user, t0 + T, o->steps);
  }
  r->noct = mpb_octave((uint32_t)(o->steps - 1)) + 1;
  r->ref_seconds = tv[0];
  /* the channel with dt*A nearest 0: smallest mean dt (state 0 has the smallest |A|) */
  size_t nz = 0;
  for (size_t ch = 1; ch < E; ch++)
    if (R.dt_sum[ch] < R.dt_sum[nz]) nz = ch;
  for (int v = 1; v < R.nb; v++) {
    ssm_eval_variant *V = &r->var[v - 1];
    V->seconds = tv[v];
    variant_fits(V, r->noct);
    const double *co = R.ch_oct + (size_t)v * E * MPB_OCTAVES;
    size_t worst = 0;
    for (size_t ch = 1; ch < E; ch++)
      if (co[ch * MPB_OCTAVES + r->noct - 1] > co[worst * MPB_OCTAVES + r->noct - 1]) worst = ch;
    pick_channel(&R, o, v, (int)worst, r->noct, &V->worst);
    pick_channel(&R, o, v, (int)nz, r->noct, &V->near_zero);
    const lm_numerics_stats *st = lm_numerics_get_stats(R.nm[v]);
    for (int s = 0; s < LM_NEXP; s++) V->exp_clamped += st->exp_clamped[s];
  }
  rc = 0;
  goto done;
oom:
  fail(err, errlen, "out of memory for the SSM evaluation (d_inner %zu, chunk %zu)", E, C);
done:
  run_free(&R);
  return rc;
}
