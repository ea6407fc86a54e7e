/* gemm_avx512.c — placeholder: no SIMD kernel yet, the scalar path does the GEMM. */
#include "batch_kernels.h"

bool mpb_gemm_i8_avx512(const mpb_model *mdl, const mpb_gemm_io *g) {
  (void)mdl, (void)g;
  return false;
}
