/* numerics_internal.h — the lm_numerics runtime's fields and helpers shared by
 * numerics.c (RoPE, exp, softmax, rounding), linear.c (GEMMs) and numerics_bridge.c
 * (the libmpb calls). Not part of the public API. */
#ifndef MPB_LM_NUMERICS_INTERNAL_H
#define MPB_LM_NUMERICS_INTERNAL_H

#include "numerics.h"

#define LM_MAX_GEOMETRIES 8
/* Scratch slots: 0-3 for numerics.c and linear.c, 4-7 for numerics_bridge.c. */
#define LM_NSCRATCH 8

struct lm_numerics {
  lm_numerics_spec spec;
  lm_numerics_stats stats;
  mpb_model *unit;                        /* bridge exp/dot model (any geometry)    */
  mpb_geometry geo[LM_MAX_GEOMETRIES];    /* bridge RoPE models, built on first use */
  mpb_model *rope_mdl[LM_MAX_GEOMETRIES];
  int n_geo;
  void *scratch[LM_NSCRATCH];             /* grown on demand, see lm_scratch()      */
  size_t scratch_len[LM_NSCRATCH];
};

/* Scratch buffer `slot` (0..LM_NSCRATCH-1) of at least `bytes`, or NULL (message in err). */
void *lm_scratch(lm_numerics *nm, int slot, size_t bytes, char *err, size_t errlen);

/* Bridge pieces (numerics_bridge.c). */
int lm_bridge_rope(lm_numerics *nm, const mpb_geometry *g, size_t n_rows, int n_heads,
                   const int64_t *pos, float *x, size_t ld, char *err, size_t errlen);
/* 2^(u / 2^16) for n Q8.16 inputs, as floats. */
int lm_bridge_exp2(lm_numerics *nm, size_t n, const int32_t *u, float *y, char *err,
                   size_t errlen);
/* Q8.16 u of x * log2(e), rounded to nearest and saturated to 24 bits; returns the
 * number of saturated inputs. */
uint64_t lm_bridge_u(size_t n, const double *x, int32_t *u);
/* Y[rows][n] = sum over groups of (dot-unit sum of the int8 codes) * sx * sw: xq [rows][k]
 * and wq [n][k] int8 codes, sx [rows][k/group], sw [n][k/group] scales. */
int lm_bridge_gemm(lm_numerics *nm, lm_lin_site site, size_t rows, size_t n, size_t k,
                   size_t group, const int8_t *xq, const float *sx, const int8_t *wq,
                   const float *sw, float *y, size_t ldy, char *err, size_t errlen);

#endif
