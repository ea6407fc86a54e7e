/* kld.h — closeness of two models' next-token distributions on the same tokens, with the
 * definitions of llama.cpp's `perplexity --kl-divergence`, computed in double from the
 * logits (no 16-bit storage of the reference):
 *   per token t with target y_t:  nll = logsumexp(l) - l[y_t] for each run;
 *   KLD_t = sum_i p_ref(i) (log p_ref(i) - log p(i));  dp_t = p(y_t) - p_ref(y_t);
 *   same top: argmax p == argmax p_ref.
 * Means come with the standard error sqrt((mean(x^2) - mean(x)^2) / (N - 1)) (0 for
 * N <= 10, as llama.cpp); percentiles interpolate linearly at fraction * (N - 1) of the
 * sorted values. A variant row with a non-finite logit has KLD +inf and never the same top. */
#ifndef MPB_LM_KLD_H
#define MPB_LM_KLD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lm_kld_acc {
  size_t n, cap;
  double sum_nll, sum_nll_ref, sum_d, sum_d2; /* d = nll - nll_ref            */
  double sum_kld, sum_kld2, sum_dp2, sum_dp4;
  size_t same_top;
  double *kld; /* per token, for the percentiles */
} lm_kld_acc;

typedef struct lm_kld_result {
  size_t n;                   /* tokens scored                                   */
  double ppl, ppl_ref;        /* exp(mean nll) of the variant and the reference  */
  double ln_ratio, ln_ratio_se; /* ln(PPL / PPL_ref) = mean(nll - nll_ref)       */
  double kld_mean, kld_se;
  double kld_median, kld_p90, kld_p99, kld_p999, kld_max;
  double same_top, same_top_se; /* fraction in [0, 1]                             */
  double rms_dp, rms_dp_se;   /* RMS of dp (probability units)                    */
} lm_kld_result;

/* Room for cap tokens; 0 or -1 (out of memory, message in err). */
int lm_kld_init(lm_kld_acc *a, size_t cap, char *err, size_t errlen);
void lm_kld_free(lm_kld_acc *a);
/* One token: both logit rows of n_vocab and the token that follows. Returns -1 when the
 * accumulator is full or target is out of range. */
int lm_kld_add(lm_kld_acc *a, const float *ref, const float *var, int n_vocab, int32_t target);
void lm_kld_finish(const lm_kld_acc *a, lm_kld_result *r);
/* Value at fraction f of n sorted values (linear interpolation, llama.cpp's rule). */
double lm_percentile(const double *sorted, size_t n, double f);

#ifdef __cplusplus
}
#endif
#endif
