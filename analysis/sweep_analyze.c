/* sweep_analyze.c — merge the stored points of a sweep into one table (in plan order, so
 * the result never depends on -j, shards or interruptions) and analyse it: Pareto fronts,
 * per-parameter sensitivity (range of means and a GSL least-squares slope), and the
 * choice of the lowest-energy point meeting the precision goal, re-checked exhaustively
 * (points whose RTL co-simulation failed are never chosen). */
#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

mpb_status sweep_table_load(const char *dir, const sweep_spec *s, const sweep_plan *p,
                            sweep_table *t, char *err, size_t errlen) {
  memset(t, 0, sizeof *t);
  t->r = calloc(p->n ? p->n : 1, sizeof *t->r);
  if (!t->r) {
    snprintf(err, errlen, "out of memory");
    return MPB_ENOMEM;
  }
  t->n = p->n;
  for (size_t i = 0; i < p->n; i++) {
    int g = sweep_store_get(dir, s, p->index[i], &t->r[i], err, errlen);
    if (g < 0) {
      sweep_table_free(t);
      return MPB_EINVAL;
    }
    if (g == 0) {
      if (t->missing++ == 0) t->first_missing = p->index[i];
      t->r[i].index = p->index[i];
      for (int k = 0; k < SWEEP_NVALUES; k++) t->r[i].v[k] = NAN;
    }
  }
  return MPB_OK;
}

void sweep_table_free(sweep_table *t) {
  free(t->r);
  t->r = NULL;
  t->n = 0;
}

static const sweep_table *sort_t;
static int sort_mx, sort_my;
static int cmp_xy(const void *a, const void *b) {
  const sweep_result *p = &sort_t->r[*(const size_t *)a], *q = &sort_t->r[*(const size_t *)b];
  double px = p->v[sort_mx], qx = q->v[sort_mx], py = p->v[sort_my], qy = q->v[sort_my];
  if (px != qx) return px < qx ? -1 : 1;
  if (py != qy) return py < qy ? -1 : 1;
  return p->index < q->index ? -1 : (p->index > q->index);
}

size_t sweep_pareto(const sweep_table *t, int mx, int my, size_t *front) {
  size_t n = 0;
  for (size_t i = 0; i < t->n; i++)
    if (!isnan(t->r[i].v[mx]) && !isnan(t->r[i].v[my])) front[n++] = i;
  sort_t = t;
  sort_mx = mx;
  sort_my = my;
  qsort(front, n, sizeof *front, cmp_xy);
  /* Sorted by x then y: a point is on the front iff its y is below every earlier y. */
  size_t k = 0;
  double best_y = INFINITY;
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    double y = t->r[front[i]].v[my];
    if (!any || y < best_y) {
      front[k++] = front[i];
      best_y = y;
      any = true;
    }
  }
  return k;
}

/* Position of point index on axis a. */
static int axis_digit(const sweep_spec *s, uint64_t index, int a) {
  for (int b = s->naxes - 1; b > a; b--) index /= (uint64_t)s->axis[b].nvalues;
  return (int)(index % (uint64_t)s->axis[a].nvalues);
}

int sweep_sensitivity(const sweep_spec *s, const sweep_table *t, int a, int m,
                      sweep_sens *out) {
  memset(out, 0, sizeof *out);
  bool lg = m < SWEEP_NMETRIC && sweep_metric_get(m)->log_scale;
  if (m >= SWEEP_NMETRIC) lg = true; /* per-workload errors */
  double *xs = malloc((t->n + 1) * sizeof *xs), *ys = malloc((t->n + 1) * sizeof *ys);
  size_t n = 0;
  for (size_t i = 0; i < t->n; i++) {
    double v = t->r[i].v[m];
    if (lg) v = v > 0 ? log2(v) : NAN;
    if (!isfinite(v)) continue;
    int d = axis_digit(s, t->r[i].index, a);
    out->mean[d] += v;
    out->count[d]++;
    if (xs && ys) {
      xs[n] = d;
      ys[n++] = v;
    }
  }
  int used = 0;
  double lo = INFINITY, hi = -INFINITY;
  for (int d = 0; d < s->axis[a].nvalues; d++) {
    if (!out->count[d]) continue;
    out->mean[d] /= out->count[d];
    used++;
    if (out->mean[d] < lo) lo = out->mean[d];
    if (out->mean[d] > hi) hi = out->mean[d];
  }
  out->effect = used ? hi - lo : 0;
  if (used >= 2 && n >= 2) {
    double c0, c1, cov00, cov01, cov11, sumsq;
    gsl_fit_linear(xs, 1, ys, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    out->slope = c1;
  }
  free(xs);
  free(ys);
  return used;
}

mpb_status sweep_verdict_make(const sweep_spec *s, const sweep_table *t, int max_tries,
                              bool all, sweep_verdict *v, char *err, size_t errlen) {
  memset(v, 0, sizeof *v);
  v->best = -1;
  if (s->task == SWEEP_TASK_PASSKEY) return MPB_OK; /* no goal: the grid is the result */
  bool any_verify = false;
  for (int k = 0; k < s->nworkloads; k++) any_verify |= s->wl[k].verify_max > 0;
  /* Candidates meeting the goal on the samples, by energy; the first that also passes
   * the exhaustive check wins. With all, every candidate is checked and counted. */
  bool *out = calloc(t->n + 1, 1);
  if (!out) {
    snprintf(err, errlen, "out of memory");
    return MPB_ENOMEM;
  }
  mpb_status rc = MPB_OK;
  int rtl_col = sweep_rtl_col(s);
  for (int tries = 0; all || tries < max_tries; tries++) {
    long b = -1;
    for (size_t i = 0; i < t->n; i++) {
      if (out[i]) continue;
      const double *x = t->r[i].v;
      if (s->goal <= 0 || !(x[SWEEP_M_MAX_ERR] <= s->goal)) continue;
      if (rtl_col >= 0 && x[rtl_col] == SWEEP_RTL_FAIL) continue; /* RTL disagrees */
      if (b < 0 || x[SWEEP_M_ENERGY] < t->r[b].v[SWEEP_M_ENERGY] ||
          (x[SWEEP_M_ENERGY] == t->r[b].v[SWEEP_M_ENERGY] &&
           x[SWEEP_M_AREA] < t->r[b].v[SWEEP_M_AREA]))
        b = (long)i;
    }
    if (b < 0) break;
    out[b] = true;
    if (!any_verify) {
      v->best = b;
      break;
    }
    mpb_config cfg;
    if ((rc = sweep_point_config(s, t->r[b].index, &cfg, err, errlen))) break;
    bool pass = true;
    double e[SWEEP_MAX_WORKLOADS] = {0};
    uint32_t wm[SWEEP_MAX_WORKLOADS] = {0};
    for (int k = 0; k < s->nworkloads && !rc; k++) {
      if (!s->wl[k].verify_max) continue;
      rc = sweep_verify(s, &cfg, k, &e[k], &wm[k], err, errlen);
      if (!(e[k] <= s->goal)) pass = false;
    }
    if (rc) break;
    v->checked++;
    if (!pass) {
      v->failed++;
      if (v->best < 0) v->rejected++;
      continue;
    }
    if (v->best < 0) {
      v->best = b;
      v->verified = true;
      memcpy(v->verify_err, e, sizeof e);
      memcpy(v->verify_worst_m, wm, sizeof wm);
    }
    if (!all) break;
  }
  v->all = all && any_verify && rc == MPB_OK;
  free(out);
  /* model-level constraint: the cheapest point meeting it (no exhaustive re-check: the
   * closed loop measures the model itself) */
  v->best_lm = -1;
  int lc = sweep_lm_col(s);
  for (size_t i = 0; lc >= 0 && s->lm.max > 0 && i < t->n; i++) {
    const double *x = t->r[i].v;
    if (!(x[lc + s->lm.metric] <= s->lm.max)) continue;
    if (rtl_col >= 0 && x[rtl_col] == SWEEP_RTL_FAIL) continue;
    long b = v->best_lm;
    if (b < 0 || x[SWEEP_M_ENERGY] < t->r[b].v[SWEEP_M_ENERGY] ||
        (x[SWEEP_M_ENERGY] == t->r[b].v[SWEEP_M_ENERGY] &&
         x[SWEEP_M_AREA] < t->r[b].v[SWEEP_M_AREA]))
      v->best_lm = (long)i;
  }
  /* SSM constraint: the same rule */
  v->best_ssm = -1;
  int sc = sweep_ssm_col(s);
  for (size_t i = 0; sc >= 0 && s->ssm.max > 0 && i < t->n; i++) {
    const double *x = t->r[i].v;
    if (!(x[sc + s->ssm.metric] <= s->ssm.max)) continue;
    if (rtl_col >= 0 && x[rtl_col] == SWEEP_RTL_FAIL) continue;
    long b = v->best_ssm;
    if (b < 0 || x[SWEEP_M_ENERGY] < t->r[b].v[SWEEP_M_ENERGY] ||
        (x[SWEEP_M_ENERGY] == t->r[b].v[SWEEP_M_ENERGY] &&
         x[SWEEP_M_AREA] < t->r[b].v[SWEEP_M_AREA]))
      v->best_ssm = (long)i;
  }
  return rc;
}
