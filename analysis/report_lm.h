/* report_lm.h — the report's closed-loop section: the JSON written by `mpbsim lm eval
 * --json` (schema mpbsim-lm-eval-1, docs/model-eval.md) loaded back, its table and its
 * plot of KLD against the window's position (log scales, one line per backend), and the
 * two claims it judges at model level (128k context without drift, KV memory -50%).
 * Library rules: errors returned, nothing printed. */
#ifndef MPB_REPORT_LM_H
#define MPB_REPORT_LM_H

#include <stdio.h>

#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPB_LM_EVAL_SCHEMA "mpbsim-lm-eval-1"

typedef struct mpb_lm_point {
  char backend[16], attr[16], spec[256];
  long long offset;
  int skipped;
  double n, kld_mean, kld_se, kld_p99, kld_p999, kld_max, same_top, delta_ppl, ln_ratio,
      rms_dp, kv_bytes, seconds;
} mpb_lm_point;

typedef struct mpb_lm_eval {
  char model[256], tokens[256], bridge_label[64];
  int n_ctx;
  double scored;
  mpb_lm_point *p;
  size_t np;
} mpb_lm_eval;

/* Load the file; errors name the file and the field. */
int mpb_lm_eval_load(const char *path, mpb_lm_eval **out, char *err, size_t n);
void mpb_lm_eval_free(mpb_lm_eval *e);
/* The point of (backend, attr) at offset, or NULL. */
const mpb_lm_point *mpb_lm_eval_find(const mpb_lm_eval *e, const char *backend,
                                     const char *attr, long long offset);

/* Fill the two model-level claims (report.c calls it; without a file they say so). */
void mpb_report_lm_claims(const mpb_report *r, mpb_claim *drift, mpb_claim *kv);
void mpb_report_lm_html(const mpb_report *r, FILE *f);
void mpb_report_lm_csv(const mpb_report *r, FILE *f);
/* The "lm_eval" member of the report JSON (null without a file). */
void *mpb_report_lm_json(const mpb_report *r); /* json_t * */

#ifdef __cplusplus
}
#endif
#endif
