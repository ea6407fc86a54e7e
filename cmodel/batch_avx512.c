/* batch_avx512.c — the rope (EXACT and LOG-ADD) and exp kernels of batch_simd.h for
 * AVX512 (compiled with the flags of cmodel/module.mk, called only on CPUs that have
 * them). */
#define MPB_SIMD_SUFFIX avx512
#include "batch_simd.h"
