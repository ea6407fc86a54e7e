/* batch_kernels.h — libmpb's private interface between the batched calls (batch.c,
 * gemm.c: argument handling, ISA dispatch, the scalar paths) and the SIMD kernels
 * (batch_avx2.c, batch_avx512.c, gemm_avx2.c, gemm_avx512.c), each compiled with its own
 * instruction-set flags and called only when mpb_isa_supported() says the CPU has them. */
#ifndef MPB_BATCH_KERNELS_H
#define MPB_BATCH_KERNELS_H

#include "internal.h"

/* The widest supported ISA at or below isa. */
mpb_isa mpb_isa_clamp(mpb_isa isa);

/* Operands of a rope batch (x, y and any output may be NULL). */
typedef struct mpb_rope_io {
  const uint32_t *m, *j;
  const int32_t *x, *y;
  int32_t *cos, *sin, *xr, *yr;
} mpb_rope_io;

/* Operands of a GEMM (mpb_gemm_i8). */
typedef struct mpb_gemm_io {
  size_t M, N, K;
  const int8_t *A, *B;
  size_t lda, ldb, ldc;
  int64_t *C;
  uint32_t *events;
} mpb_gemm_io;

/* Rope and exp kernels: process a prefix of the n elements and return its length (a
 * multiple of the vector width; 0 when the configuration has no SIMD kernel); the scalar
 * path does the rest. */
size_t mpb_rope_batch_avx2(const mpb_model *mdl, size_t n, const mpb_rope_io *io);
size_t mpb_rope_batch_avx512(const mpb_model *mdl, size_t n, const mpb_rope_io *io);
size_t mpb_exp_batch_avx2(const mpb_model *mdl, size_t n, const int32_t *u, int32_t *e,
                          uint32_t *mant);
size_t mpb_exp_batch_avx512(const mpb_model *mdl, size_t n, const int32_t *u, int32_t *e,
                            uint32_t *mant);

/* True when no partial sum of the accumulator can leave the A-bit range for dot
 * products of length K (then every sum is the exact integer sum and events are 0). */
bool mpb_gemm_exact(const mpb_config *cfg, size_t K);
/* GEMM kernels: the whole product; false if they could not allocate their buffers. */
bool mpb_gemm_i8_avx2(const mpb_model *mdl, const mpb_gemm_io *g);
bool mpb_gemm_i8_avx512(const mpb_model *mdl, const mpb_gemm_io *g);

#endif
