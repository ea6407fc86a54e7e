/* sweep_lm.h — a sweep's model-level objective (model_eval): the closed-loop evaluation
 * of each point's configuration as the bridge (analysis/sweep_lm.c, docs/sweeps.md). */
#ifndef MPB_SWEEP_LM_H
#define MPB_SWEEP_LM_H

#include "sweep.h"

typedef struct sweep_lm_ctx sweep_lm_ctx;
/* Load the model and tokens and compute the reference logits (offset 0), once per sweep
 * run (before the workers fork). */
sweep_lm_ctx *sweep_lm_open(const sweep_spec *s, char *err, size_t errlen);
void sweep_lm_close(sweep_lm_ctx *c);
/* The SWEEP_LM_VALUES columns of cfg. A configuration whose positions cannot reach the
 * window (pos_bits) gets +inf KLDs and same_top 0: it never meets the constraint. */
mpb_status sweep_lm_point(sweep_lm_ctx *c, const mpb_config *cfg, double *v, char *err,
                          size_t errlen);

#endif
