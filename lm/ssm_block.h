/* ssm_block.h — the Mamba block and its selective scan on an lm_numerics (numerics.h):
 * exp(dt A) through the ssm_da exp site, softplus and SiLU through their exp sites, the
 * in/x/dt/out projections through the ssm_in/ssm_x/ssm_dt/ssm_out linear sites, the C.h
 * read-out through the ssm_scan site, the state h in the spec's state format. A site on
 * the ref backend is computed in FP64 (the block's activations are doubles), so the block
 * with every site on ref and the fp64 state is the FP64 reference; every other backend
 * takes its FP32 inputs through lm_numerics. Streaming: the block keeps only the conv
 * window and h between calls; any split of a sequence into chunks gives the same results
 * (bit for bit on integer GEMM paths, to rounding where the BLAS blocks a GEMM
 * differently for another row count).
 * Functions that can fail return 0, or -1 with a message in err[errlen]. */
#ifndef MPB_LM_SSM_BLOCK_H
#define MPB_LM_SSM_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "numerics.h"
#include "ssm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the scan alone (ssm_scan.c) ---------------------------------------------------- */
typedef struct ssm_scan ssm_scan;
/* A, D ([E][N], [E]; D may be NULL) must outlive the scan. State starts at 0. */
int ssm_scan_new(ssm_scan **out, lm_numerics *nm, int E, int N, const double *A,
                 const double *D, lm_state_format fmt, char *err, size_t errlen);
void ssm_scan_free(ssm_scan *s);
void ssm_scan_reset(ssm_scan *s);
/* One step (see ssm_scan_ref_step for the arithmetic): dt, u [E]; B, C [N]; y [E]. */
int ssm_scan_step(ssm_scan *s, const double *dt, const double *B, const double *C,
                  const double *u, double *y, char *err, size_t errlen);
/* The state as stored ([E][N], values exactly representable in the format). */
const double *ssm_scan_h(const ssm_scan *s);
/* Writable state, for constructed test cases (the caller keeps it in the format). */
double *ssm_scan_h_mut(ssm_scan *s);
lm_state_format ssm_scan_format(const ssm_scan *s);

/* ---- the block (ssm.c) -------------------------------------------------------------- */
typedef struct ssm_block ssm_block;
/* w must outlive the block; chunk = tokens per internal batch (1..4096; memory grows
 * with it; results change only by BLAS rounding). */
int ssm_block_new(ssm_block **out, const ssm_weights *w, lm_numerics *nm, int chunk,
                  char *err, size_t errlen);
void ssm_block_free(ssm_block *b);
void ssm_block_reset(ssm_block *b);
const ssm_weights *ssm_block_weights(const ssm_block *b);

/* out[T][d_model] = block(x[T][d_model]), continuing from the state (any T >= 0). */
int ssm_block_forward(ssm_block *b, size_t T, const double *x, double *out, char *err,
                      size_t errlen);

/* The same in three phases, for callers that look at the state after every step
 * (ssm_eval.c): pre() runs the projections, conv, SiLU and softplus of T <= chunk tokens;
 * step(i) advances the scan by token i of them; post() gates and projects the T tokens'
 * scan outputs. pre, step 0..T-1, post = forward of T tokens. */
int ssm_block_pre(ssm_block *b, size_t T, const double *x, char *err, size_t errlen);
int ssm_block_step(ssm_block *b, size_t i, char *err, size_t errlen);
int ssm_block_post(ssm_block *b, double *out, char *err, size_t errlen);
const ssm_scan *ssm_block_scan(const ssm_block *b);
/* dt of token i of the current chunk ([d_inner]), after pre(). */
const double *ssm_block_dt(const ssm_block *b, size_t i);
int ssm_block_chunk(const ssm_block *b);

#ifdef __cplusplus
}
#endif
#endif
