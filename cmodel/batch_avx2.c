/* batch_avx2.c — the rope (EXACT and LOG-ADD) and exp kernels of batch_simd.h for
 * AVX2 (compiled with the flags of cmodel/module.mk, called only on CPUs that have
 * them). */
#define MPB_SIMD_SUFFIX avx2
#include "batch_simd.h"
