/* batch_avx2.c — placeholder: no SIMD kernel yet, the scalar path does every element. */
#include "batch_kernels.h"

size_t mpb_rope_batch_avx2(const mpb_model *mdl, size_t n, const mpb_rope_io *io) {
  (void)mdl, (void)n, (void)io;
  return 0;
}

size_t mpb_exp_batch_avx2(const mpb_model *mdl, size_t n, const int32_t *u, int32_t *e,
                          uint32_t *mant) {
  (void)mdl, (void)n, (void)u, (void)e, (void)mant;
  return 0;
}
