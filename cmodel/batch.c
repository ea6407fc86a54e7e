/* batch.c — the batched rope and exp calls: ISA dispatch and the scalar path, which runs
 * the per-element code of the fast paths (internal.h: mpb_fast_rope, mpb_fast_exp) with
 * the rounding mode made a constant per loop. SIMD kernels do a prefix of the batch and
 * this scalar path the rest (docs/architecture.md §9). */
#include "batch_kernels.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE void rope_loop(const mpb_model *mdl, size_t i, size_t n, const mpb_rope_io *io,
                             mpb_rounding md) {
  for (; i < n; i++) {
    mpb_rope_resp r;
    mpb_fast_rope(mdl, io->m[i], io->j[i], io->x ? io->x[i] : 0, io->y ? io->y[i] : 0, md,
                  &r);
    if (io->cos) io->cos[i] = r.cos;
    if (io->sin) io->sin[i] = r.sin;
    if (io->xr) io->xr[i] = r.xr;
    if (io->yr) io->yr[i] = r.yr;
  }
}

static void rope_scalar(const mpb_model *mdl, size_t i, size_t n, const mpb_rope_io *io) {
  switch (mdl->cfg.rounding) {
  case MPB_ROUND_TRUNC: rope_loop(mdl, i, n, io, MPB_ROUND_TRUNC); break;
  case MPB_ROUND_NEAREST: rope_loop(mdl, i, n, io, MPB_ROUND_NEAREST); break;
  default: rope_loop(mdl, i, n, io, MPB_ROUND_EVEN); break;
  }
}

void mpb_rope_batch_isa(mpb_isa isa, const mpb_model *mdl, size_t n, const uint32_t *m,
                        const uint32_t *j, const int32_t *x, const int32_t *y, int32_t *cos,
                        int32_t *sin, int32_t *xr, int32_t *yr) {
  mpb_rope_io io = {m, j, x, y, cos, sin, xr, yr};
  size_t done = 0;
  switch (mpb_isa_clamp(isa)) {
  case MPB_ISA_AVX512: done = mpb_rope_batch_avx512(mdl, n, &io); break;
  case MPB_ISA_AVX2: done = mpb_rope_batch_avx2(mdl, n, &io); break;
  default: break;
  }
  rope_scalar(mdl, done, n, &io);
}

void mpb_rope_batch(const mpb_model *mdl, size_t n, const uint32_t *m, const uint32_t *j,
                    const int32_t *x, const int32_t *y, int32_t *cos, int32_t *sin,
                    int32_t *xr, int32_t *yr) {
  mpb_rope_batch_isa(mpb_isa_default(), mdl, n, m, j, x, y, cos, sin, xr, yr);
}

ALWAYS_INLINE void exp_loop(const mpb_model *mdl, size_t i, size_t n, const int32_t *u,
                            int32_t *e, uint32_t *mant, mpb_rounding md) {
  for (; i < n; i++) {
    mpb_exp_resp r;
    mpb_fast_exp(mdl, u[i], md, &r);
    if (e) e[i] = r.e;
    if (mant) mant[i] = r.mant;
  }
}

static void exp_scalar(const mpb_model *mdl, size_t i, size_t n, const int32_t *u, int32_t *e,
                       uint32_t *mant) {
  switch (mdl->cfg.rounding) {
  case MPB_ROUND_TRUNC: exp_loop(mdl, i, n, u, e, mant, MPB_ROUND_TRUNC); break;
  case MPB_ROUND_NEAREST: exp_loop(mdl, i, n, u, e, mant, MPB_ROUND_NEAREST); break;
  default: exp_loop(mdl, i, n, u, e, mant, MPB_ROUND_EVEN); break;
  }
}

void mpb_exp_batch_isa(mpb_isa isa, const mpb_model *mdl, size_t n, const int32_t *u,
                       int32_t *e, uint32_t *mant) {
  size_t done = 0;
  switch (mpb_isa_clamp(isa)) {
  case MPB_ISA_AVX512: done = mpb_exp_batch_avx512(mdl, n, u, e, mant); break;
  case MPB_ISA_AVX2: done = mpb_exp_batch_avx2(mdl, n, u, e, mant); break;
  default: break;
  }
  exp_scalar(mdl, done, n, u, e, mant);
}

void mpb_exp_batch(const mpb_model *mdl, size_t n, const int32_t *u, int32_t *e,
                   uint32_t *mant) {
  mpb_exp_batch_isa(mpb_isa_default(), mdl, n, u, e, mant);
}
