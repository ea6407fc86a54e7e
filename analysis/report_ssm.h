/* report_ssm.h — the report's SSM sections: the SSM closed-loop study loaded from
 * `mpbsim ssm eval --json` (analysis/ssm_eval.h: error of the state against the step on
 * log scales, one line per variant, and the growth-law table) and the hybrid closed loop
 * from `mpbsim ssm hybrid --json` (analysis/hybrid_eval.h: the KLD table at each
 * checkpoint with its attribution). Library rules: errors returned, nothing printed. */
#ifndef MPB_REPORT_SSM_H
#define MPB_REPORT_SSM_H

#include <stdio.h>

#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Load the files named in the options (either may be NULL); errors name the file. */
int mpb_report_add_ssm(mpb_report *r, const char *ssm_eval_path, const char *hybrid_eval_path,
                       char *err, size_t n);
void mpb_report_ssm_free(mpb_report *r);
void mpb_report_ssm_html(const mpb_report *r, FILE *f);
void mpb_report_ssm_csv(const mpb_report *r, FILE *f);
/* The "ssm_eval" and "hybrid_eval" members of the report JSON (json_t *, null without a
 * file): the loaded files' contents as written by the commands. */
void *mpb_report_ssm_json(const mpb_report *r);
void *mpb_report_hybrid_json(const mpb_report *r);

#ifdef __cplusplus
}
#endif
#endif
