/* metrics.c — streaming, bounded-memory error accumulators keyed by op, layer, head and
 * position octave; ulp histograms (gsl_histogram) and power-law growth fits
 * (gsl_fit_linear on log2-log2). See metrics.h and docs/metrics.md. */
#include "metrics.h"

#include <gsl/gsl_fit.h>
#include <gsl/gsl_histogram.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One table for the op kinds: name and default ulp of the output format. */
static const struct {
  const char *name;
  double ulp;
} op_info[MPB_NOP] = {
    {"cos", 0x1p-15},   /* Q1.15 cos/sin output                         */
    {"sin", 0x1p-15},
    {"rot", 0x1p-7},    /* rotated pair, rot_frac_bits = 7 (default)    */
    {"exp", 0x1p-15},   /* relative error vs the UQ1.15 mantissa ulp    */
    {"dot", 1.0},       /* integer sums                                 */
    {"score", 0x1p-8},  /* attention score (logit) units                */
    {"ssm", 0x1p-15},   /* SSM output                                   */
};

const char *mpb_op_name(mpb_op_kind op) {
  return (unsigned)op < MPB_NOP ? op_info[op].name : "?";
}

int mpb_octave(uint32_t m) {
  int k = 0;
  while (m) {
    k++;
    m >>= 1;
  }
  return k < MPB_OCTAVES ? k : MPB_OCTAVES - 1;
}

double mpb_octave_mid(int k) {
  if (k <= 0) return 0;
  double lo = ldexp(1.0, k - 1), hi = ldexp(1.0, k) - 1;
  return sqrt(lo * hi);
}

double mpb_stats_rms(const mpb_err_stats *s) {
  return s && s->n ? sqrt(s->sum_err2 / (double)s->n) : 0;
}
double mpb_stats_mean(const mpb_err_stats *s) {
  return s && s->n ? s->sum_err / (double)s->n : 0;
}
double mpb_stats_sqnr_db(const mpb_err_stats *s) {
  if (!s || !s->n) return 0;
  if (s->sum_err2 == 0) return INFINITY;
  return 10 * log10(s->sum_ref2 / s->sum_err2);
}

typedef struct group {
  int op, layer, head, k;
  mpb_err_stats st;
} group;

struct mpb_metrics {
  double ulp[MPB_NOP];
  mpb_err_stats total[MPB_NOP];
  mpb_err_stats oct[MPB_NOP][MPB_OCTAVES];
  gsl_histogram *hist[MPB_NOP];
  group *groups;   /* insertion order               */
  size_t ngroups, max_groups;
  int32_t *slots;  /* open addressing: index+1 or 0 */
  size_t nslots;
  size_t dropped;
};

mpb_metrics *mpb_metrics_new(size_t max_groups, const double *ulp) {
  mpb_metrics *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->max_groups = max_groups;
  m->nslots = 16;
  while (m->nslots < 2 * max_groups + 2) m->nslots *= 2;
  m->groups = calloc(max_groups ? max_groups : 1, sizeof *m->groups);
  m->slots = calloc(m->nslots, sizeof *m->slots);
  int ok = m->groups && m->slots;
  for (int i = 0; i < MPB_NOP && ok; i++) {
    m->ulp[i] = ulp && ulp[i] > 0 ? ulp[i] : op_info[i].ulp;
    m->hist[i] = gsl_histogram_alloc(MPB_ULP_BINS);
    if (!m->hist[i]) ok = 0;
    else gsl_histogram_set_ranges_uniform(m->hist[i], 0, MPB_ULP_MAX);
  }
  if (!ok) {
    mpb_metrics_free(m);
    return NULL;
  }
  return m;
}

void mpb_metrics_free(mpb_metrics *m) {
  if (!m) return;
  for (int i = 0; i < MPB_NOP; i++)
    if (m->hist[i]) gsl_histogram_free(m->hist[i]);
  free(m->groups);
  free(m->slots);
  free(m);
}

void mpb_metrics_set_ulp(mpb_metrics *m, mpb_op_kind op, double ulp) {
  if ((unsigned)op < MPB_NOP && ulp > 0) m->ulp[op] = ulp;
}
double mpb_metrics_ulp(const mpb_metrics *m, mpb_op_kind op) {
  return (unsigned)op < MPB_NOP ? m->ulp[op] : 0;
}

static void stats_add(mpb_err_stats *s, double err, double ref, uint32_t pos) {
  double a = fabs(err);
  s->n++;
  s->sum_err += err;
  s->sum_err2 += err * err;
  s->sum_ref2 += ref * ref;
  if (a > s->max_abs || s->n == 1) {
    s->max_abs = a;
    s->worst_pos = pos;
  }
  if (ref != 0 && a / fabs(ref) > s->max_rel) s->max_rel = a / fabs(ref);
}

static size_t key_hash(int op, int layer, int head, int k) {
  uint64_t h = (uint64_t)(uint32_t)op * 0x9e3779b97f4a7c15ULL;
  h ^= (uint64_t)(uint32_t)layer * 0xc2b2ae3d27d4eb4fULL;
  h ^= (uint64_t)(uint32_t)head * 0x165667b19e3779f9ULL;
  h ^= (uint64_t)(uint32_t)k * 0x27d4eb2f165667c5ULL;
  return (size_t)(h ^ (h >> 29));
}

/* Find (or, if room, create) a group; NULL when full. */
static group *find_group(mpb_metrics *m, int op, int layer, int head, int k, bool create) {
  size_t mask = m->nslots - 1, i = key_hash(op, layer, head, k) & mask;
  for (;; i = (i + 1) & mask) {
    int32_t s = m->slots[i];
    if (!s) break;
    group *g = &m->groups[s - 1];
    if (g->op == op && g->layer == layer && g->head == head && g->k == k) return g;
  }
  if (!create || m->ngroups >= m->max_groups) return NULL;
  group *g = &m->groups[m->ngroups++];
  g->op = op, g->layer = layer, g->head = head, g->k = k;
  memset(&g->st, 0, sizeof g->st);
  m->slots[i] = (int32_t)m->ngroups;
  return g;
}

void mpb_metrics_add(mpb_metrics *m, mpb_op_kind op, int layer, int head, uint32_t pos,
                     double value, double ref) {
  if ((unsigned)op >= MPB_NOP) return;
  double err = value - ref;
  int k = mpb_octave(pos);
  stats_add(&m->total[op], err, ref, pos);
  stats_add(&m->oct[op][k], err, ref, pos);
  double u = fabs(err) / m->ulp[op];
  if (u >= MPB_ULP_MAX || isnan(u)) m->total[op].ulp_over++;
  else gsl_histogram_increment(m->hist[op], u);
  group *g = find_group(m, op, layer, head, k, true);
  if (g) stats_add(&g->st, err, ref, pos);
  else m->dropped++;
}

const mpb_err_stats *mpb_metrics_total(const mpb_metrics *m, mpb_op_kind op) {
  return (unsigned)op < MPB_NOP ? &m->total[op] : NULL;
}
const mpb_err_stats *mpb_metrics_octave(const mpb_metrics *m, mpb_op_kind op, int k) {
  return (unsigned)op < MPB_NOP && k >= 0 && k < MPB_OCTAVES ? &m->oct[op][k] : NULL;
}
const mpb_err_stats *mpb_metrics_group(const mpb_metrics *m, mpb_op_kind op, int layer,
                                       int head, int k) {
  group *g = find_group((mpb_metrics *)m, op, layer, head, k, false);
  return g ? &g->st : NULL;
}
size_t mpb_metrics_dropped(const mpb_metrics *m) { return m->dropped; }

bool mpb_metrics_group_at(const mpb_metrics *m, size_t i, mpb_op_kind *op, int *layer,
                          int *head, int *k, const mpb_err_stats **st) {
  if (i >= m->ngroups) return false;
  const group *g = &m->groups[i];
  *op = (mpb_op_kind)g->op, *layer = g->layer, *head = g->head, *k = g->k, *st = &g->st;
  return true;
}

void mpb_metrics_ulp_hist(const mpb_metrics *m, mpb_op_kind op, double out[MPB_ULP_BINS]) {
  for (int i = 0; i < MPB_ULP_BINS; i++)
    out[i] = (unsigned)op < MPB_NOP ? gsl_histogram_get(m->hist[op], (size_t)i) : 0;
}

mpb_growth_fit mpb_fit_power_law(const double *x, const double *y, size_t n) {
  mpb_growth_fit f = {0, 0, 0, 0};
  double *lx = malloc((n ? n : 1) * sizeof *lx), *ly = malloc((n ? n : 1) * sizeof *ly);
  if (!lx || !ly) {
    free(lx);
    free(ly);
    return f;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (x[i] > 0 && y[i] > 0 && isfinite(y[i])) {
      lx[k] = log2(x[i]);
      ly[k] = log2(y[i]);
      k++;
    }
  f.npoints = (int)k;
  if (k >= 2) {
    double c0, c1, cov00, cov01, cov11, sumsq;
    gsl_fit_linear(lx, 1, ly, 1, k, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    double mean = 0, sst = 0;
    for (size_t i = 0; i < k; i++) mean += ly[i];
    mean /= (double)k;
    for (size_t i = 0; i < k; i++) sst += (ly[i] - mean) * (ly[i] - mean);
    f.a = exp2(c0);
    f.b = c1;
    f.r2 = sst > 0 ? 1 - sumsq / sst : 1.0; /* flat data: the fit is exact */
  }
  free(lx);
  free(ly);
  return f;
}

mpb_growth_fit mpb_metrics_fit_growth(const mpb_metrics *m, mpb_op_kind op, int which) {
  double x[MPB_OCTAVES], y[MPB_OCTAVES];
  size_t n = 0;
  for (int k = 1; k < MPB_OCTAVES && (unsigned)op < MPB_NOP; k++) {
    const mpb_err_stats *s = &m->oct[op][k];
    if (!s->n) continue;
    x[n] = mpb_octave_mid(k);
    y[n] = which ? mpb_stats_rms(s) : s->max_abs;
    n++;
  }
  return mpb_fit_power_law(x, y, n);
}
