/* sweep_ssm.h — a sweep's SSM objective (ssm_eval): the SSM closed-loop study with each
 * point's configuration as the bridge (analysis/sweep_ssm.c, docs/sweeps.md). */
#ifndef MPB_SWEEP_SSM_H
#define MPB_SWEEP_SSM_H

#include "sweep.h"

/* The SWEEP_SSM_VALUES columns of cfg (ssm_h_rel, ssm_y_rel, ssm_near_zero, ssm_h_b). */
mpb_status sweep_ssm_point(const sweep_spec *s, const mpb_config *cfg, double *v, char *err,
                           size_t errlen);

#endif
