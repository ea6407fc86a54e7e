/* gemm_avx512.c — the int8 GEMM on AVX-512 VNNI (compiled with the flags of
 * cmodel/module.mk, called only on CPUs that have them).
 *
 * Exact GEMMs (mpb_gemm_exact: no partial sum can overflow, so C is the integer sum):
 * vpdpbusd multiplies unsigned bytes by signed bytes, so B is packed biased, B + 128 as
 * u8, and the product is corrected by 128 * (row sum of A):
 *   sum_t a_t b_t = sum_t a_t (b_t + 128) - 128 sum_t a_t.
 * Blocking: K in equal chunks of at most KCMAX (int32 lanes stay exact: KCMAX * 128 *
 * 255 < 2^31), A in blocks of MC rows, B in tiles of NR = 48 rows packed as
 * [K/4][48 rows][4 bytes] and reused by every MR = 8 rows of the A block (MC = 512,
 * KCMAX = 8192 measured best on Zen 5, make bench-batch: the B tile stays in L2, the
 * broadcasts of A stream well from L3, and larger K chunks save C's read-modify-write); the micro-kernel keeps 8 x 3 zmm accumulators (8 rows x 48
 * columns) and broadcasts 4 bytes of A per row from A itself (no packing of A). Each zmm
 * holds 16 consecutive columns of one C row, stored as int64.
 * Other GEMMs: the beat-by-beat accumulator of gemm_beats.h. */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_beats.h"

#define MR 8
#define NR 48
#define NV (NR / 16)
#define KCMAX 8192
#define MC 512

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* bp[g][r][0..3] = B[k0 + r][t0 + 4g ..] + 128 (u8), 0 beyond nk rows or kc columns */
static void pack_b(const mpb_gemm_io *g, size_t k0, size_t nk, size_t t0, size_t kc,
                   uint8_t *bp) {
  size_t kg = (kc + 3) / 4;
  memset(bp, 0, kg * NR * 4);
  for (size_t r = 0; r < nk; r++) {
    const int8_t *b = g->B + (k0 + r) * g->ldb + t0;
    size_t t = 0;
    for (; t + 4 <= kc; t += 4) {
      uint32_t w;
      memcpy(&w, b + t, 4);
      w ^= 0x80808080u;
      memcpy(bp + (t / 4) * NR * 4 + r * 4, &w, 4);
    }
    for (; t < kc; t++) bp[(t / 4) * NR * 4 + r * 4 + t % 4] = (uint8_t)(b[t] ^ 0x80);
  }
}

/* One group of 4 K values: acc[m][v] += B'(4 bytes x 16 columns) . A(row m, 4 bytes) */
#define GROUP(bptr, AWORD)                                                      \
  do {                                                                          \
    __m512i b_[NV];                                                             \
    _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++)                        \
      b_[v] = _mm512_loadu_si512((bptr) + 64 * v);                              \
    _Pragma("GCC unroll 16") for (int m = 0; m < mr; m++) {                     \
      __m512i aa_ = _mm512_set1_epi32(AWORD);                                   \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++)                      \
        acc[m][v] = _mm512_dpbusd_epi32(acc[m][v], b_[v], aa_);                 \
    }                                                                           \
  } while (0)

static inline int32_t load4(const int8_t *p) {
  int32_t w;
  memcpy(&w, p, 4);
  return w;
}

/* C rows [i0, i0 + mr) x columns [k0, k0 + nk) from the packed B tile of this K chunk. */
ALWAYS_INLINE void micro(const mpb_gemm_io *g, size_t i0, int mr, size_t k0, size_t nk,
                         size_t t0, size_t kc, const uint8_t *bp, const int32_t *rowsum,
                         bool add_to_c) {
  const size_t lda = g->lda, kfull = kc / 4, rem = kc % 4;
  const int8_t *a0 = g->A + i0 * lda + t0;
  int32_t tail[MR] = {0}; /* the last, partial group of A, zero-padded (its B' is 0) */
  if (rem)
    for (int m = 0; m < mr; m++) memcpy(&tail[m], a0 + (size_t)m * lda + 4 * kfull, rem);
  __m512i acc[MR][NV];
  _Pragma("GCC unroll 16") for (int m = 0; m < mr; m++)
    _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) acc[m][v] = _mm512_setzero_si512();
  const uint8_t *b = bp;
  for (size_t q = 0; q < kfull; q++, b += NR * 4) GROUP(b, load4(a0 + (size_t)m * lda + 4 * q));
  if (rem) GROUP(b, tail[m]);
  /* columns of this tile that exist, per 8-column int64 store */
  __mmask8 km[2 * NV];
  for (int h = 0; h < 2 * NV; h++) {
    size_t lo = (size_t)h * 8;
    size_t cnt = nk > lo ? (nk - lo > 8 ? 8 : nk - lo) : 0;
    km[h] = (__mmask8)((1u << cnt) - 1);
  }
  _Pragma("GCC unroll 16") for (int m = 0; m < mr; m++) {
    __m512i corr = _mm512_set1_epi32(128 * rowsum[m]);
    int64_t *c = g->C + (i0 + (size_t)m) * g->ldc + k0;
    _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) {
      __m512i x = _mm512_sub_epi32(acc[m][v], corr);
      __m512i x0 = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(x));
      __m512i x1 = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(x, 1));
      int64_t *c0 = c + 16 * v, *c1 = c + 16 * v + 8;
      if (add_to_c) {
        x0 = _mm512_add_epi64(x0, _mm512_maskz_loadu_epi64(km[2 * v], c0));
        x1 = _mm512_add_epi64(x1, _mm512_maskz_loadu_epi64(km[2 * v + 1], c1));
      }
      _mm512_mask_storeu_epi64(c0, km[2 * v], x0);
      _mm512_mask_storeu_epi64(c1, km[2 * v + 1], x1);
    }
  }
}

static void micro_any(const mpb_gemm_io *g, size_t i0, int mr, size_t k0, size_t nk,
                      size_t t0, size_t kc, const uint8_t *bp, const int32_t *rowsum,
                      bool add_to_c) {
  switch (mr) {
#define CASE(n) \
  case n: micro(g, i0, n, k0, nk, t0, kc, bp, rowsum, add_to_c); break;
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7)
#undef CASE
  default: micro(g, i0, MR, k0, nk, t0, kc, bp, rowsum, add_to_c); break;
  }
}

static bool gemm_exact(const mpb_gemm_io *g) {
  /* K in equal chunks of at most KCMAX (a multiple of 4 but the last) */
  size_t nchunk = (g->K + KCMAX - 1) / KCMAX, KC = nchunk ? (g->K + nchunk - 1) / nchunk : 0;
  KC = (KC + 3) & ~(size_t)3;
  size_t kcmax = KC;
  uint8_t *bp = aligned_alloc(64, ((kcmax + 3) / 4 + 1) * NR * 4) /* NR*4: a multiple of 64 */;
  int32_t *rowsum = malloc(MC * sizeof *rowsum);
  if (!bp || !rowsum) {
    free(bp);
    free(rowsum);
    return false;
  }
  if (g->K == 0) { /* one empty beat: sum 0 */
    for (size_t i = 0; i < g->M; i++)
      for (size_t k = 0; k < g->N; k++) g->C[i * g->ldc + k] = 0;
  }
  for (size_t i1 = 0; i1 < g->M; i1 += MC) {
    size_t mc = g->M - i1 < MC ? g->M - i1 : MC;
    for (size_t t0 = 0; t0 < g->K; t0 += KC) {
      size_t kc = g->K - t0 < KC ? g->K - t0 : KC;
      for (size_t m = 0; m < mc; m++) {
        const int8_t *a = g->A + (i1 + m) * g->lda + t0;
        int32_t s = 0;
        for (size_t t = 0; t < kc; t++) s += a[t];
        rowsum[m] = s;
      }
      for (size_t k0 = 0; k0 < g->N; k0 += NR) {
        size_t nk = g->N - k0 < NR ? g->N - k0 : NR;
        pack_b(g, k0, nk, t0, kc, bp);
        for (size_t i0 = 0; i0 < mc; i0 += MR) {
          int mr = mc - i0 < MR ? (int)(mc - i0) : MR;
          micro_any(g, i1 + i0, mr, k0, nk, t0, kc, bp, rowsum + i0, t0 > 0);
        }
      }
    }
  }
  if (g->events)
    for (size_t i = 0; i < g->M; i++) memset(g->events + i * g->ldc, 0, g->N * sizeof *g->events);
  free(bp);
  free(rowsum);
  return true;
}

bool mpb_gemm_i8_avx512(const mpb_model *mdl, const mpb_gemm_io *g) {
  if (mpb_gemm_exact(&mdl->cfg, g->K)) return gemm_exact(g);
  return gemm_beats(&mdl->cfg, g);
}
