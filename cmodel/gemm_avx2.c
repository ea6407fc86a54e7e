/* gemm_avx2.c — the int8 GEMM on AVX2 (compiled with the flags of cmodel/module.mk,
 * called only on CPUs that have them).
 *
 * Exact GEMMs (mpb_gemm_exact: no partial sum can overflow, so C is the integer sum):
 * operands widened to int16 and multiplied pairwise by vpmaddwd (a_t b_t + a_t+1 b_t+1,
 * exact in int32). Blocking: K in chunks of KC (int32 lanes stay exact: KC * 2^14 < 2^31),
 * A in blocks of MC rows converted to int16 once per chunk, B in tiles of NR = 16 rows
 * packed as int16 pairs [K/2][16 rows][2] and reused by every MR = 4 rows of the A block;
 * the micro-kernel keeps 4 x 2 ymm accumulators (4 rows x 16 columns), broadcasting one
 * pair of A per row. Each ymm holds 8 consecutive columns of one C row, stored as int64.
 * Other GEMMs: the beat-by-beat accumulator of gemm_beats.h. */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_beats.h"

#define MR 4
#define NR 16
#define KC 8192
#define MC 512

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* bp[q][r][0..1] = B[k0 + r][t0 + 2q ..] as int16, 0 beyond nk rows or kc columns */
static void pack_b(const mpb_gemm_io *g, size_t k0, size_t nk, size_t t0, size_t kc,
                   int16_t *bp) {
  size_t kq = (kc + 1) / 2;
  memset(bp, 0, kq * NR * 2 * sizeof *bp);
  for (size_t r = 0; r < nk; r++) {
    const int8_t *b = g->B + (k0 + r) * g->ldb + t0;
    for (size_t t = 0; t < kc; t++) bp[(t / 2) * NR * 2 + r * 2 + t % 2] = b[t];
  }
}

/* a16[m][t] = A[i1 + m][t0 + t] as int16, padded to an even length with 0 */
static void widen_a(const mpb_gemm_io *g, size_t i1, size_t mc, size_t t0, size_t kc,
                    size_t lda16, int16_t *a16) {
  for (size_t m = 0; m < mc; m++) {
    const int8_t *a = g->A + (i1 + m) * g->lda + t0;
    int16_t *d = a16 + m * lda16;
    for (size_t t = 0; t < kc; t++) d[t] = a[t];
    if (kc % 2) d[kc] = 0;
  }
}

ALWAYS_INLINE void micro(const mpb_gemm_io *g, size_t i0, int mr, size_t k0, size_t nk,
                         size_t kc, const int16_t *bp, const int16_t *a16, size_t lda16,
                         bool add_to_c) {
  __m256i acc[MR][2];
  _Pragma("GCC unroll 16")
  for (int m = 0; m < mr; m++) acc[m][0] = acc[m][1] = _mm256_setzero_si256();
  size_t kq = (kc + 1) / 2;
  for (size_t q = 0; q < kq; q++) {
    __m256i b0 = _mm256_loadu_si256((const __m256i *)(bp + q * NR * 2));
    __m256i b1 = _mm256_loadu_si256((const __m256i *)(bp + q * NR * 2 + 16));
    _Pragma("GCC unroll 16")
    for (int m = 0; m < mr; m++) {
      int32_t w;
      memcpy(&w, a16 + (size_t)m * lda16 + 2 * q, 4);
      __m256i aa = _mm256_set1_epi32(w);
      acc[m][0] = _mm256_add_epi32(acc[m][0], _mm256_madd_epi16(b0, aa));
      acc[m][1] = _mm256_add_epi32(acc[m][1], _mm256_madd_epi16(b1, aa));
    }
  }
  __m256i km[4];
  _Pragma("GCC unroll 4")
  for (int h = 0; h < 4; h++) {
    size_t lo = (size_t)h * 4;
    int64_t cnt = nk > lo ? (int64_t)(nk - lo > 4 ? 4 : nk - lo) : 0;
    km[h] = _mm256_cmpgt_epi64(_mm256_set1_epi64x(cnt), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  _Pragma("GCC unroll 16")
  for (int m = 0; m < mr; m++) {
    long long *c = (long long *)(g->C + (i0 + (size_t)m) * g->ldc + k0);
    _Pragma("GCC unroll 4")
    for (int h = 0; h < 2; h++) {
      __m256i v0 = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(acc[m][h]));
      __m256i v1 = _mm256_cvtepi32_epi64(_mm256_extracti128_si256(acc[m][h], 1));
      long long *c0 = c + 8 * h, *c1 = c + 8 * h + 4;
      if (add_to_c) {
        v0 = _mm256_add_epi64(v0, _mm256_maskload_epi64(c0, km[2 * h]));
        v1 = _mm256_add_epi64(v1, _mm256_maskload_epi64(c1, km[2 * h + 1]));
      }
      _mm256_maskstore_epi64(c0, km[2 * h], v0);
      _mm256_maskstore_epi64(c1, km[2 * h + 1], v1);
    }
  }
}

static void micro_any(const mpb_gemm_io *g, size_t i0, int mr, size_t k0, size_t nk,
                      size_t kc, const int16_t *bp, const int16_t *a16, size_t lda16,
                      bool add_to_c) {
  switch (mr) {
#define CASE(n) \
  case n: micro(g, i0, n, k0, nk, kc, bp, a16, lda16, add_to_c); break;
    CASE(1) CASE(2) CASE(3)
#undef CASE
  default: micro(g, i0, MR, k0, nk, kc, bp, a16, lda16, add_to_c); break;
  }
}

static bool gemm_exact(const mpb_gemm_io *g) {
  size_t kcmax = g->K < KC ? g->K : KC, lda16 = kcmax + 2;
  int16_t *bp = aligned_alloc(64, ((kcmax + 1) / 2 + 1) * NR * 2 * sizeof *bp) /* NR*4 = 64 bytes a pair */;
  int16_t *a16 = malloc(MC * lda16 * sizeof *a16);
  if (!bp || !a16) {
    free(bp);
    free(a16);
    return false;
  }
  if (g->K == 0) /* one empty beat: sum 0 */
    for (size_t i = 0; i < g->M; i++)
      for (size_t k = 0; k < g->N; k++) g->C[i * g->ldc + k] = 0;
  for (size_t i1 = 0; i1 < g->M; i1 += MC) {
    size_t mc = g->M - i1 < MC ? g->M - i1 : MC;
    for (size_t t0 = 0; t0 < g->K; t0 += KC) {
      size_t kc = g->K - t0 < KC ? g->K - t0 : KC;
      widen_a(g, i1, mc, t0, kc, lda16, a16);
      for (size_t k0 = 0; k0 < g->N; k0 += NR) {
        size_t nk = g->N - k0 < NR ? g->N - k0 : NR;
        pack_b(g, k0, nk, t0, kc, bp);
        for (size_t i0 = 0; i0 < mc; i0 += MR) {
          int mr = mc - i0 < MR ? (int)(mc - i0) : MR;
          micro_any(g, i1 + i0, mr, k0, nk, kc, bp, a16 + i0 * lda16, lda16, t0 > 0);
        }
      }
    }
  }
  if (g->events)
    for (size_t i = 0; i < g->M; i++) memset(g->events + i * g->ldc, 0, g->N * sizeof *g->events);
  free(bp);
  free(a16);
  return true;
}

bool mpb_gemm_i8_avx2(const mpb_model *mdl, const mpb_gemm_io *g) {
  if (mpb_gemm_exact(&mdl->cfg, g->K)) return gemm_exact(g);
  return gemm_beats(&mdl->cfg, g);
}
