/* numerics_bridge.c — the bridge backend's calls into libmpb (batched rope, exp and int8
 * GEMM). Placeholder until libmpb's batched API (branch batch) is merged: every entry
 * point reports that the backend is not available yet. */
#include <math.h>

#include "errbuf.h"
#include "numerics_internal.h"

#define NOT_YET "the bridge backend needs libmpb's batched API (mpb_rope_batch, mpb_exp_batch, mpb_gemm_i8), not merged yet"

uint64_t lm_bridge_u(size_t n, const double *x, int32_t *u) {
  const double lim = 8388607.0, scale = 65536.0 * 1.4426950408889634074;
  uint64_t sat = 0;
  for (size_t i = 0; i < n; i++) {
    double v = nearbyint(x[i] * scale);
    if (!(v <= lim)) v = lim, sat++;       /* also NaN */
    else if (v < -lim - 1) v = -lim - 1, sat++;
    u[i] = (int32_t)v;
  }
  return sat;
}

int lm_bridge_rope(lm_numerics *nm, const mpb_geometry *g, size_t n_rows, int n_heads,
                   const int64_t *pos, float *x, size_t ld, char *err, size_t errlen) {
  (void)nm, (void)g, (void)n_rows, (void)n_heads, (void)pos, (void)x, (void)ld;
  return fail(err, errlen, NOT_YET);
}

int lm_bridge_exp2(lm_numerics *nm, size_t n, const int32_t *u, float *y, char *err,
                   size_t errlen) {
  (void)nm, (void)n, (void)u, (void)y;
  return fail(err, errlen, NOT_YET);
}

int lm_bridge_gemm(lm_numerics *nm, lm_lin_site site, size_t rows, size_t n, size_t k,
                   size_t group, const int8_t *xq, const float *sx, const int8_t *wq,
                   const float *sw, float *y, size_t ldy, char *err, size_t errlen) {
  (void)nm, (void)site, (void)rows, (void)n, (void)k, (void)group, (void)xq, (void)sx;
  (void)wq, (void)sw, (void)y, (void)ldy;
  return fail(err, errlen, NOT_YET);
}
