/* kld.c — llama.cpp's KL-divergence statistics between a reference and a variant run
 * (definitions in kld.h). */
#include "kld.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"

int lm_kld_init(lm_kld_acc *a, size_t cap, char *err, size_t errlen) {
  memset(a, 0, sizeof *a);
  a->cap = cap;
  if (cap && !(a->kld = malloc(cap * sizeof *a->kld)))
    return fail(err, errlen, "out of memory for %zu KLD values", cap);
  return 0;
}

void lm_kld_free(lm_kld_acc *a) {
  free(a->kld);
  memset(a, 0, sizeof *a);
}

/* log of the softmax normaliser, in double; argmax in *imax; 0 if any logit is not finite. */
static int log_norm(const float *l, int n, double *lz, int *imax) {
  int im = 0;
  for (int i = 0; i < n; i++) {
    if (!isfinite(l[i])) return 0;
    if (l[i] > l[im]) im = i;
  }
  double mx = l[im], s = 0;
  for (int i = 0; i < n; i++) s += exp((double)l[i] - mx);
  *lz = mx + log(s);
  *imax = im;
  return 1;
}

int lm_kld_add(lm_kld_acc *a, const float *ref, const float *var, int n_vocab, int32_t target) {
  if (a->n >= a->cap || target < 0 || target >= n_vocab) return -1;
  double lz_r, lz_v, kld = 0;
  int top_r, top_v;
  log_norm(ref, n_vocab, &lz_r, &top_r);
  int ok = log_norm(var, n_vocab, &lz_v, &top_v);
  double nll_r = lz_r - ref[target], nll_v = ok ? lz_v - var[target] : INFINITY;
  if (ok) {
    for (int i = 0; i < n_vocab; i++) {
      double lr = ref[i] - lz_r, lv = var[i] - lz_v;
      kld += exp(lr) * (lr - lv);
    }
  } else {
    kld = INFINITY;
  }
  double dp = exp(-nll_v) - exp(-nll_r), d = nll_v - nll_r;
  a->sum_nll += nll_v, a->sum_nll_ref += nll_r;
  a->sum_d += d, a->sum_d2 += d * d;
  a->sum_kld += kld, a->sum_kld2 += kld * kld;
  a->sum_dp2 += dp * dp, a->sum_dp4 += dp * dp * dp * dp;
  a->same_top += ok && top_v == top_r;
  a->kld[a->n++] = kld;
  return 0;
}

static void mean_se(double sum, double sum2, size_t n, double *mean, double *se) {
  *mean = n ? sum / n : 0;
  double var = n ? sum2 / n - *mean * *mean : 0;
  *se = var > 0 && n > 10 ? sqrt(var / (n - 1)) : 0;
  if (!isfinite(*mean)) *se = NAN;
}

double lm_percentile(const double *v, size_t n, double f) {
  if (n == 0) return 0;
  if (f <= 0) return v[0];
  if (f >= 1) return v[n - 1];
  double p = f * (n - 1);
  size_t i = (size_t)p;
  p -= i;
  if (p == 0 || i + 1 >= n) return v[i];
  return (1 - p) * v[i] + p * v[i + 1];
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

void lm_kld_finish(const lm_kld_acc *a, lm_kld_result *r) {
  memset(r, 0, sizeof *r);
  size_t n = a->n;
  r->n = n;
  if (!n) return;
  r->ppl = exp(a->sum_nll / n);
  r->ppl_ref = exp(a->sum_nll_ref / n);
  mean_se(a->sum_d, a->sum_d2, n, &r->ln_ratio, &r->ln_ratio_se);
  mean_se(a->sum_kld, a->sum_kld2, n, &r->kld_mean, &r->kld_se);
  r->same_top = (double)a->same_top / n;
  r->same_top_se = n > 1 ? sqrt(r->same_top * (1 - r->same_top) / (n - 1)) : 0;
  double ms = a->sum_dp2 / n, var = a->sum_dp4 / n - ms * ms;
  r->rms_dp = sqrt(ms);
  /* delta method, as llama.cpp: se(rms) = se(mean dp^2) / (2 rms) */
  r->rms_dp_se = r->rms_dp > 0 && var > 0 && n > 10 ? sqrt(var / (n - 1)) / (2 * r->rms_dp) : 0;
  double *s = malloc(n * sizeof *s);
  if (!s) { /* no percentiles without memory: report NaN rather than a wrong value */
    r->kld_median = r->kld_p90 = r->kld_p99 = r->kld_p999 = r->kld_max = NAN;
    return;
  }
  memcpy(s, a->kld, n * sizeof *s);
  qsort(s, n, sizeof *s, cmp_double);
  r->kld_median = lm_percentile(s, n, 0.5);
  r->kld_p90 = lm_percentile(s, n, 0.90);
  r->kld_p99 = lm_percentile(s, n, 0.99);
  r->kld_p999 = lm_percentile(s, n, 0.999);
  r->kld_max = s[n - 1];
  free(s);
}
