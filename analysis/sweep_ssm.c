/* sweep_ssm.c — the SSM objective of a sweep: one block of the spec's geometry run for
 * the spec's steps beside the FP64 reference (analysis/ssm_eval.h), the point's
 * configuration as the bridge on the sites the spec's `numerics` names; four columns. */
#include "sweep_ssm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ssm_eval.h"

mpb_status sweep_ssm_point(const sweep_spec *s, const mpb_config *cfg, double *v, char *err,
                           size_t errlen) {
  const sweep_ssm *l = &s->ssm;
  ssm_eval_opts *o = calloc(1, sizeof *o);
  ssm_eval_result *r = calloc(1, sizeof *r);
  mpb_status rc = MPB_ENOMEM;
  char e2[400];
  if (!o || !r) {
    snprintf(err, errlen, "out of memory");
    goto done;
  }
  ssm_eval_opts_default(o);
  snprintf(o->model, sizeof o->model, "%s", l->model);
  o->c = ssm_preset_find(l->model)->c;
  o->c.dt_min = l->dt_min, o->c.dt_max = l->dt_max;
  o->steps = l->steps, o->seed = l->seed, o->nvar = 1;
  lm_numerics_spec_init(&o->spec[0], LM_BK_REF);
  o->spec[0].bridge = *cfg;
  snprintf(o->spec[0].bridge_label, sizeof o->spec[0].bridge_label, "sweep point");
  rc = MPB_EINVAL;
  if (lm_numerics_spec_parse(&o->spec[0], l->numerics, e2, sizeof e2) ||
      ssm_eval_run(o, r, NULL, NULL, e2, sizeof e2)) {
    snprintf(err, errlen, "ssm_eval: %s", e2);
    goto done;
  }
  const ssm_eval_variant *V = &r->var[0];
  int last = r->noct - 1;
  v[0] = ssm_eval_oct_rms_h(&V->oct[last]);
  v[1] = ssm_eval_oct_rms_y(&V->oct[last]);
  v[2] = V->near_zero.oct_max[last];
  v[3] = V->fit_h.npoints >= 2 ? V->fit_h.b : NAN;
  rc = MPB_OK;
done:
  free(o), free(r);
  return rc;
}
