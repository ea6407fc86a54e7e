/* hybrid_eval.h — the hybrid model in closed loop (docs/workloads.md §Bit-Axon closed
 * loop): the Bit-Axon sandwich (lm/hybrid.h) with seeded synthetic weights reads a seeded
 * stream of uniformly drawn token ids, once on the reference numerics (every site on
 * ref: FP64 exp() and scan, FP64 SSM projections, FP32 attention/MoE GEMMs with double
 * softmax sums) and once per variant; at each checkpoint N the next-token distributions
 * of the HYBRID_KLD_POSITIONS positions before N are compared with the reference's
 * (lm/kld.h, llama.cpp's definitions): KLD(ref || variant) mean with its standard error,
 * maximum, the KLD of the last position (the "final distribution" after N tokens), same
 * top-1 %.
 * Attribution: hybrid_eval_add_attribution() adds, for a backend B, the variants "ref
 * with only these sites on B": SSM exps (ssm_da, softplus), attention exps (softmax),
 * router softmax, SiLU/sigmoid exps, GEMMs (every matrix product), and all (every site:
 * also RoPE, the KV cache and the SSM state format).
 * Library rules: errors returned in err, nothing printed. */
#ifndef MPB_HYBRID_EVAL_H
#define MPB_HYBRID_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hybrid.h"
#include "numerics.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HYBRID_EVAL_SCHEMA "mpbsim-hybrid-eval-1"
#define HYBRID_MAX_TOKENS (1u << 20)
#define HYBRID_MAX_CHECKPOINTS 8
#define HYBRID_MAX_VARIANTS 24
#define HYBRID_KLD_POSITIONS 64 /* distributions compared before each checkpoint */

typedef struct hybrid_eval_opts {
  char model[32];
  hybrid_config c;
  double dt_min, dt_max;       /* 0: the preset's                                      */
  uint64_t seed;               /* weights (seed) and token ids (seed + 1)              */
  uint32_t tokens;             /* 1..HYBRID_MAX_TOKENS                                 */
  int chunk;                   /* tokens per batch                                     */
  int ncheck;
  uint32_t check[HYBRID_MAX_CHECKPOINTS]; /* increasing, <= tokens                     */
  int nvar;
  lm_numerics_spec spec[HYBRID_MAX_VARIANTS];
  char label[HYBRID_MAX_VARIANTS][64];
  char group[HYBRID_MAX_VARIANTS][16]; /* attribution group, or "" for a given spec      */
} hybrid_eval_opts;

/* bitaxon, 8192 tokens, checkpoints 1024 and 8192, no variants. */
void hybrid_eval_opts_default(hybrid_eval_opts *o);
/* Select a hybrid preset by name (the error lists them). */
int hybrid_eval_set_model(hybrid_eval_opts *o, const char *name, char *err, size_t errlen);
/* Add a variant: spec text parsed on top of ref (with base's bridge configuration when
 * base is non-NULL), labelled with the text. */
int hybrid_eval_add_spec(hybrid_eval_opts *o, const char *text, const lm_numerics_spec *base,
                         char *err, size_t errlen);
/* Add the attribution variants of backend b (see above). */
int hybrid_eval_add_attribution(hybrid_eval_opts *o, lm_backend b,
                                const lm_numerics_spec *base, char *err, size_t errlen);

typedef struct hybrid_eval_point {
  uint32_t tokens;             /* checkpoint N                                          */
  int npos;                    /* distributions compared                               */
  double kld_mean, kld_se, kld_max, kld_final;
  double same_top1;            /* fraction                                             */
} hybrid_eval_point;

typedef struct hybrid_eval_variant {
  char label[64], spec[256], group[16];
  hybrid_eval_point at[HYBRID_MAX_CHECKPOINTS];
  double seconds;
  uint64_t exp_clamped, gemm_events;
} hybrid_eval_variant;

typedef struct hybrid_eval_result {
  hybrid_eval_opts opts;
  double ref_seconds;
  double ref_entropy[HYBRID_MAX_CHECKPOINTS]; /* mean entropy of the reference (nats)  */
  hybrid_eval_variant var[HYBRID_MAX_VARIANTS];
} hybrid_eval_result;

int hybrid_eval_run(const hybrid_eval_opts *o, hybrid_eval_result *r,
                    void (*progress)(void *user, uint64_t done, uint64_t total), void *user,
                    char *err, size_t errlen);

int hybrid_eval_write_json(const hybrid_eval_result *r, FILE *f);
int hybrid_eval_read_json(const char *path, hybrid_eval_result *r, char *err, size_t errlen);
int hybrid_eval_write_csv(const hybrid_eval_result *r, FILE *f);
void hybrid_eval_write_table(const hybrid_eval_result *r, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
