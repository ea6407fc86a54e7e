/* batch_avx2.c — the rope (EXACT and LOG-ADD) and exp kernels of batch_simd.h for
 * AVX2 (compiled with the flags of cmodel/module.mk, called only on CPUs that have
 * them). Compiled without those flags (a build that compiles the library's sources itself,
 * e.g. the fuzzing one), it holds no kernels: mpb_isa_supported() then reports the ISA
 * absent and every call runs the scalar path. */
#if defined(__AVX2__)
#define MPB_SIMD_SUFFIX avx2
#include "batch_simd.h"

const bool mpb_isa_built_avx2 = true;
#else
#include "batch_kernels.h"

const bool mpb_isa_built_avx2 = false;

size_t mpb_rope_batch_avx2(const mpb_model *mdl, size_t n, const mpb_rope_io *io) {
  (void)mdl, (void)n, (void)io;
  return 0;
}

size_t mpb_exp_batch_avx2(const mpb_model *mdl, size_t n, const int32_t *u, int32_t *e,
                          uint32_t *mant) {
  (void)mdl, (void)n, (void)u, (void)e, (void)mant;
  return 0;
}
#endif
