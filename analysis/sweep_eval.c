/* sweep_eval.c — evaluate one sweep point: build the model for each workload, run the
 * rope unit at every sampled position and pair, measure the cos/sin error against the
 * FP64 reference (cached per workload), price the action counts with the energy model
 * and record the area proxy, latency and analytic bound. Also the exhaustive check of a
 * single configuration (sweep_verify). With rtl_check, the point's configuration is then
 * co-simulated against the RTL (sweep_rtl.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "energy.h"
#include "replay.h"
#include "sweep.h"
#include "sweep_lm.h"
#include "sweep_ssm.h"

struct sweep_evaluator {
  const sweep_spec *s;
  double *ref[SWEEP_MAX_WORKLOADS]; /* cos, sin per (position, pair) */
  mpb_energy_table *energy;
  sweep_pk_eval *pk;                /* task = "passkey" */
  sweep_lm_ctx *lm; /* model_eval: model, tokens, reference logits */
};

void sweep_evaluator_set_dir(sweep_evaluator *e, const char *dir) {
  if (e->pk) sweep_pk_eval_set_dir(e->pk, dir);
}

void sweep_evaluator_free(sweep_evaluator *e) {
  if (!e) return;
  sweep_pk_eval_free(e->pk);
  for (int k = 0; k < SWEEP_MAX_WORKLOADS; k++) free(e->ref[k]);
  mpb_energy_free(e->energy);
  sweep_lm_close(e->lm);
  free(e);
}

sweep_evaluator *sweep_evaluator_new(const sweep_spec *s, char *err, size_t errlen) {
  sweep_evaluator *e = calloc(1, sizeof *e);
  if (!e) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  e->s = s;
  if (s->task == SWEEP_TASK_PASSKEY) {
    if (!(e->pk = sweep_pk_eval_new(s, err, errlen))) {
      sweep_evaluator_free(e);
      return NULL;
    }
    return e;
  }
  e->energy = mpb_energy_load(s->energy_table[0] ? s->energy_table : NULL, err, errlen);
  if (!e->energy) {
    sweep_evaluator_free(e);
    return NULL;
  }
  if (s->lm.on && !(e->lm = sweep_lm_open(s, err, errlen))) {
    sweep_evaluator_free(e);
    return NULL;
  }
  for (int k = 0; k < s->nworkloads; k++) {
    const sweep_workload *w = &s->wl[k];
    int np = w->geo.head_dim / 2;
    e->ref[k] = malloc(w->npositions * (size_t)np * 2 * sizeof(double));
    if (!e->ref[k]) {
      snprintf(err, errlen, "out of memory");
      sweep_evaluator_free(e);
      return NULL;
    }
    for (size_t i = 0; i < w->npositions; i++)
      for (int j = 0; j < np; j++) {
        double *r = &e->ref[k][(i * (size_t)np + (size_t)j) * 2];
        mpb_baseline_cossin(MPB_BASE_FP64, &w->geo, w->positions[i], j, &r[0], &r[1]);
      }
  }
  return e;
}

/* Rotate-input stimulus of request (m, j): fixed hash, so every run sees the same data. */
static int32_t stim(uint32_t m, uint32_t j, int which, int bits) {
  uint64_t z = ((uint64_t)m << 32 | j) * 0x9e3779b97f4a7c15ULL + (uint64_t)which;
  z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ULL;
  z ^= z >> 29;
  int64_t span = (int64_t)1 << bits;
  return (int32_t)((int64_t)(z % (uint64_t)span) - span / 2);
}

mpb_status sweep_eval_point(sweep_evaluator *e, uint64_t index, sweep_result *r, char *err,
                            size_t errlen) {
  const sweep_spec *s = e->s;
  memset(r, 0, sizeof *r);
  r->index = index;
  if (e->pk) return sweep_pk_eval_point(e->pk, index, r, err, errlen);
  mpb_config cfg;
  mpb_status rc = sweep_point_config(s, index, &cfg, err, errlen);
  if (rc) return rc;
  double max_all = 0, sumsq = 0;
  uint64_t nerr = 0;
  uint32_t mmax = 0;
  mpb_counts cnt;
  mpb_counts_clear(&cnt);
  double scale = ldexp(1.0, -(cfg.cs_bits - 1));
  int latency = 0;
  for (int k = 0; k < s->nworkloads; k++) {
    const sweep_workload *w = &s->wl[k];
    mpb_model *mdl = mpb_model_new(&cfg, &w->geo, err, errlen);
    if (!mdl) return MPB_EINVAL;
    if (k == 0) {
      mpb_pipe *pp = mpb_pipe_new(mdl, MPB_UNIT_ROPE);
      latency = pp ? mpb_pipe_latency(pp) : 0;
      mpb_pipe_free(pp);
    }
    int np = w->geo.head_dim / 2;
    double wmax = 0;
    for (size_t i = 0; i < w->npositions; i++) {
      uint32_t m = w->positions[i];
      for (int j = 0; j < np; j++) {
        mpb_rope_req q = {m, (uint32_t)j, stim(m, (uint32_t)j, 0, cfg.x_bits),
                          stim(m, (uint32_t)j, 1, cfg.x_bits)};
        mpb_rope_resp o;
        mpb_rope_eval(mdl, &q, &o, &cnt);
        const double *ref = &e->ref[k][(i * (size_t)np + (size_t)j) * 2];
        double ec = fabs(o.cos * scale - ref[0]), es = fabs(o.sin * scale - ref[1]);
        double em = ec > es ? ec : es;
        if (!(em <= wmax)) wmax = em; /* NaN-propagating max */
        sumsq += ec * ec + es * es;
        nerr += 2;
      }
    }
    if (w->pos_max > mmax) mmax = w->pos_max;
    mpb_model_free(mdl);
    r->v[SWEEP_NMETRIC + k] = wmax;
    if (!(wmax <= max_all)) max_all = wmax;
  }
  r->v[SWEEP_M_MAX_ERR] = max_all;
  r->v[SWEEP_M_RMS_ERR] = nerr ? sqrt(sumsq / (double)nerr) : 0;
  r->v[SWEEP_M_ERR_BITS] = max_all > 0 ? -log2(max_all) : 64.0;
  r->v[SWEEP_M_BOUND] = mpb_rope_error_bound(&cfg, mmax);
  mpb_energy_breakdown eb;
  if (mpb_energy_price(e->energy, &cfg, &cnt, &eb) != 0) {
    snprintf(err, errlen, "point %llu: the energy model rejected the counts",
             (unsigned long long)index);
    return MPB_EINVAL;
  }
  /* the per-rotation figure of the report: plus the rope unit's clock and leakage at one
   * rotation per cycle */
  mpb_geometry hg = {128, 500000, MPB_PAIR_HALF}; /* the hardware does not depend on it */
  if (s->nworkloads > 0) hg = s->wl[0].geo;
  mpb_model *hm = mpb_model_new(&cfg, &hg, err, errlen);
  if (!hm) return MPB_EINVAL;
  mpb_energy_unit_hw hw;
  mpb_energy_unit_hw_of(hm, MPB_UNIT_ROPE, &hw);
  mpb_model_free(hm);
  mpb_energy_add_static(e->energy, &cfg, &hw, mpb_energy_unit_cycles(&cfg, MPB_UNIT_ROPE, &cnt),
                        &eb);
  r->v[SWEEP_M_ENERGY] = eb.per_op_pj;
  double area = 0;
  for (int k = 0; k < s->nworkloads; k++) {
    double a = mpb_area_proxy(&cfg, &s->wl[k].geo);
    if (a > area) area = a;
  }
  r->v[SWEEP_M_AREA] = area;
  r->v[SWEEP_M_LATENCY] = latency;
  r->v[SWEEP_M_MEETS_GOAL] = s->goal > 0 && max_all <= s->goal ? 1 : 0;
  for (int k = 0; k < s->ntraces; k++) {
    replay_opts o;
    replay_opts_init(&o);
    o.no_counts = true;
    replay_result rr;
    char msg[400];
    if (replay_run(s->tr[k].path, &cfg, &o, &rr, msg, sizeof msg) != 0) {
      snprintf(err, errlen, "trace %s: %s", s->tr[k].name, msg);
      return MPB_EINVAL;
    }
    double *v = &r->v[sweep_trace_col(s, k)];
    v[0] = rr.kind[TRACE_ROPE].max_abs;
    v[1] = rr.kind[TRACE_EXP].max_abs;
    v[2] = rr.kind[TRACE_GEMM].max_abs;
    v[3] = (double)(rr.dot_wrap_events + rr.dot_sat_events);
    replay_result_free(&rr);
  }
  if (s->lm.on) {
    mpb_status st = sweep_lm_point(e->lm, &cfg, &r->v[sweep_lm_col(s)], err, errlen);
    if (st) return st;
  }
  if (s->ssm.on) {
    mpb_status st = sweep_ssm_point(s, &cfg, &r->v[sweep_ssm_col(s)], err, errlen);
    if (st) return st;
  }
  return sweep_rtl_check(s, &cfg, r, err, errlen);
}

mpb_status sweep_verify(const sweep_spec *s, const mpb_config *cfg, int k, double *max_err,
                        uint32_t *worst_m, char *err, size_t errlen) {
  const sweep_workload *w = &s->wl[k];
  mpb_model *mdl = mpb_model_new(cfg, &w->geo, err, errlen);
  if (!mdl) return MPB_EINVAL;
  int np = w->geo.head_dim / 2;
  double wmax = 0;
  uint32_t wm = 0;
  for (uint32_t m = 0; m < w->verify_max; m++)
    for (int j = 0; j < np; j++) {
      double c, sn, rc, rs;
      mpb_rope_cossin(mdl, m, (uint32_t)j, &c, &sn);
      mpb_baseline_cossin(MPB_BASE_FP64, &w->geo, m, j, &rc, &rs);
      double em = fmax(fabs(c - rc), fabs(sn - rs));
      if (!(em <= wmax)) {
        wmax = em;
        wm = m;
      }
    }
  mpb_model_free(mdl);
  *max_err = wmax;
  *worst_m = wm;
  return MPB_OK;
}
