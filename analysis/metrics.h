/* metrics.h — streaming error metrics of the datapath against a reference (docs/metrics.md).
 *
 * An accumulator takes (value, reference) pairs keyed by op kind, layer, head and
 * position, and keeps bounded-memory statistics per key group: count, max |error|, RMS,
 * mean (bias), max relative error, SQNR, and a histogram of |error| in ulps of the
 * output format (GSL). Positions are bucketed in octaves (0, [1,2), [2,4), ...), and
 * error versus position is fitted with a power law err ~ a * m^b (least squares on
 * log2-log2, GSL), reporting a, b and R^2.
 *
 * Model-level effects (attention scores and softmax KL, SSM scan output) and KV-cache
 * quantization are in metrics_model.h. Library rules: no printing, errors returned.
 */
#ifndef MPB_METRICS_H
#define MPB_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Op kinds: what the value is. One table (metrics.c) gives names and the ulp. */
typedef enum {
  MPB_OP_COS = 0, /* rope cos output                        */
  MPB_OP_SIN,     /* rope sin output                        */
  MPB_OP_ROT,     /* rotated pair element (xr, yr)          */
  MPB_OP_EXP,     /* exp unit output (relative)             */
  MPB_OP_DOT,     /* dot-product sum                        */
  MPB_OP_SCORE,   /* attention score q.k/sqrt(d)            */
  MPB_OP_SSM,     /* SSM scan output y_t                    */
  MPB_NOP
} mpb_op_kind;
const char *mpb_op_name(mpb_op_kind op);

#define MPB_OCTAVES 26     /* octave 0: m = 0; octave k >= 1: m in [2^(k-1), 2^k) */
#define MPB_ULP_BINS 32    /* histogram of |err|/ulp over [0, MPB_ULP_MAX)          */
#define MPB_ULP_MAX 8.0
#define MPB_ANY (-1)       /* layer/head wildcard in keys                            */

int mpb_octave(uint32_t m);
/* Representative position of octave k (geometric middle; 0 for k = 0). */
double mpb_octave_mid(int k);

/* Statistics of one group. */
typedef struct mpb_err_stats {
  uint64_t n;
  double sum_err, sum_err2, sum_ref2; /* for bias, RMS, SQNR                     */
  double max_abs, max_rel;            /* max |err|, max |err|/|ref| (ref != 0)   */
  uint32_t worst_pos;                 /* position of max_abs                     */
  uint64_t ulp_over;                  /* |err| >= MPB_ULP_MAX ulps               */
} mpb_err_stats;

double mpb_stats_rms(const mpb_err_stats *s);
double mpb_stats_mean(const mpb_err_stats *s);
/* SQNR in dB: 10 log10(sum ref^2 / sum err^2); +inf if error-free. */
double mpb_stats_sqnr_db(const mpb_err_stats *s);

typedef struct mpb_metrics mpb_metrics;

/* max_groups bounds memory: (op, layer, head, octave) groups beyond it are merged into
 * per-(op, octave) totals only (mpb_metrics_dropped counts them). ulp[op] is the ulp of
 * each op's output format (NULL = table defaults: 2^-15 for cos/sin, ...). */
mpb_metrics *mpb_metrics_new(size_t max_groups, const double *ulp);
void mpb_metrics_free(mpb_metrics *m);
void mpb_metrics_set_ulp(mpb_metrics *m, mpb_op_kind op, double ulp);
double mpb_metrics_ulp(const mpb_metrics *m, mpb_op_kind op);

/* Add one value against its reference. layer/head may be MPB_ANY (-1). */
void mpb_metrics_add(mpb_metrics *m, mpb_op_kind op, int layer, int head, uint32_t pos,
                     double value, double ref);

/* Totals of an op over everything; per octave; per (layer, head) over all positions. */
const mpb_err_stats *mpb_metrics_total(const mpb_metrics *m, mpb_op_kind op);
const mpb_err_stats *mpb_metrics_octave(const mpb_metrics *m, mpb_op_kind op, int k);
/* Stats of group (op, layer, head, octave k) or NULL if never seen/not kept. */
const mpb_err_stats *mpb_metrics_group(const mpb_metrics *m, mpb_op_kind op, int layer,
                                       int head, int k);
size_t mpb_metrics_dropped(const mpb_metrics *m);
/* Enumerate kept groups: returns false past the end. */
bool mpb_metrics_group_at(const mpb_metrics *m, size_t i, mpb_op_kind *op, int *layer,
                          int *head, int *k, const mpb_err_stats **st);

/* ulp histogram of an op (all groups): counts of bins [i, i+1) * MPB_ULP_MAX/BINS. */
void mpb_metrics_ulp_hist(const mpb_metrics *m, mpb_op_kind op, double out[MPB_ULP_BINS]);

/* Fit of error versus position over octaves >= 1 with data and error > 0:
 * log2(err) = log2(a) + b log2(m). which: 0 = max |err|, 1 = RMS. */
typedef struct mpb_growth_fit {
  double a, b, r2;
  int npoints; /* octaves used; fit valid when >= 2 */
} mpb_growth_fit;
mpb_growth_fit mpb_metrics_fit_growth(const mpb_metrics *m, mpb_op_kind op, int which);
/* The same fit on explicit points (x = position, y = error), for the cos/sin sweep. */
mpb_growth_fit mpb_fit_power_law(const double *x, const double *y, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* MPB_METRICS_H */
