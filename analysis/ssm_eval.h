/* ssm_eval.h — the SSM closed-loop error study (docs/workloads.md §SSM closed loop): one
 * Mamba block with seeded synthetic weights runs a stream of seeded Gaussian inputs for
 * up to millions of steps, the FP64 reference block (every site on ref, fp64 state) and
 * one block per numerics variant in lockstep, streaming (O(1) memory per step: no trace,
 * no stored sequence). Per position octave (analysis/metrics.h octaves, position = step
 * index from 0) and variant it keeps the relative error of the state h (L2 over all
 * channels and states) and of the block output y (L2 over d_model), per channel the
 * relative error of its state row, and fits err ~ a t^b (mpb_fit_power_law).
 * Reported channels: the worst channel of each variant (largest error in the last
 * octave) and the channel with dt*A nearest 0 (smallest mean dt, state n = 0, A = -1):
 * the decay factor closest to 1, where a relative error of exp(dt*A) compounds longest.
 * Library rules: errors returned in err, nothing printed. */
#ifndef MPB_SSM_EVAL_H
#define MPB_SSM_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics.h"
#include "numerics.h"
#include "ssm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SSM_EVAL_SCHEMA "mpbsim-ssm-eval-1"
#define SSM_EVAL_MAX_VARIANTS 16
#define SSM_EVAL_MAX_STEPS (1u << 22) /* 4,194,304: 64 x the 65,536-token context */

typedef struct ssm_eval_opts {
  char model[32];                /* geometry preset name (for the output)            */
  ssm_config c;                  /* geometry and dt range                            */
  uint64_t seed;                 /* weights (seed) and inputs (seed + 1)             */
  uint64_t steps;                /* 1..SSM_EVAL_MAX_STEPS                            */
  int chunk;                     /* tokens per batch (changes only BLAS rounding)    */
  int nvar;
  lm_numerics_spec spec[SSM_EVAL_MAX_VARIANTS];
  char label[SSM_EVAL_MAX_VARIANTS][64];
} ssm_eval_opts;

void ssm_eval_opts_default(ssm_eval_opts *o); /* mamba130m, 8192 steps, no variants */

/* Relative errors in one octave. */
typedef struct ssm_eval_oct {
  uint64_t n;                     /* steps in the octave (0 = beyond the run)         */
  double h_max, h_sum2;           /* state: max and sum of squares over the steps      */
  double y_max, y_sum2;           /* block output                                      */
} ssm_eval_oct;

/* One channel followed through the run. */
typedef struct ssm_eval_channel {
  int index;                      /* -1: none                                          */
  double dt_mean;                 /* mean dt of the reference over the run             */
  double dta_mean;                /* mean dt*A of its state n = 0 (A = -1: = -dt_mean) */
  double oct_max[MPB_OCTAVES];    /* max relative error of its state row per octave    */
  mpb_growth_fit fit;             /* of oct_max                                        */
} ssm_eval_channel;

typedef struct ssm_eval_variant {
  char label[64], spec[256];
  lm_state_format state;
  ssm_eval_oct oct[MPB_OCTAVES];
  mpb_growth_fit fit_h, fit_y;    /* of the per-octave RMS                              */
  double h_final, y_final;        /* relative errors at the last step                  */
  ssm_eval_channel worst, near_zero;
  uint64_t exp_clamped;           /* bridge: exp inputs saturated to Q8.16 (all sites) */
  double seconds;                 /* wall time of this variant's block                 */
} ssm_eval_variant;

typedef struct ssm_eval_result {
  ssm_eval_opts opts;
  int noct;                       /* octaves holding steps                             */
  double ref_seconds;
  double dt_min_seen, dt_max_seen; /* range of dt over the run (reference)              */
  ssm_eval_variant var[SSM_EVAL_MAX_VARIANTS];
} ssm_eval_result;

/* Run the study. progress (may be NULL) is called after every chunk with the steps
 * done. Returns 0, or -1 with a message (bad options: the field and its range). */
int ssm_eval_run(const ssm_eval_opts *o, ssm_eval_result *r,
                 void (*progress)(void *user, uint64_t done, uint64_t total), void *user,
                 char *err, size_t errlen);

/* RMS of an octave's relative errors (0 if empty). */
double ssm_eval_oct_rms_h(const ssm_eval_oct *o);
double ssm_eval_oct_rms_y(const ssm_eval_oct *o);

/* Outputs: JSON (schema SSM_EVAL_SCHEMA, docs/report-schema.md), CSV (one row per
 * variant and octave), and the text table printed by `mpbsim ssm eval`. */
int ssm_eval_write_json(const ssm_eval_result *r, FILE *f);
/* Read a JSON file written by ssm_eval_write_json (the report's SSM section); errors name
 * the file and the field. */
int ssm_eval_read_json(const char *path, ssm_eval_result *r, char *err, size_t errlen);
int ssm_eval_write_csv(const ssm_eval_result *r, FILE *f);
void ssm_eval_write_table(const ssm_eval_result *r, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
