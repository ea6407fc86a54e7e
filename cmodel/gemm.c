/* gemm.c — the int8 GEMM through the dot unit (mpb_gemm_i8): ISA dispatch, the proof that
 * lets a GEMM skip the accumulator (mpb_gemm_exact), and the scalar path, one dot product
 * at a time with the unit's beat-by-beat accumulator (internal.h: mpb_dot_step).
 * docs/architecture.md §7 and §9. */
#include "batch_kernels.h"

/* Within one accumulation chunk (the products between promotions, or all K when P = 0)
 * every partial sum is a sum of at most n products of two int8, each of magnitude
 * <= 128*128 = 2^14. If n * 2^14 <= 2^(A-1) - 1 no partial sum leaves the A-bit range:
 * no beat wraps or saturates, promotion moves exact values, and the result is the exact
 * integer sum. */
bool mpb_gemm_exact(const mpb_config *cfg, size_t K) {
  uint64_t n = K;
  if (cfg->promote_interval > 0 && (uint64_t)cfg->promote_interval < n)
    n = (uint64_t)cfg->promote_interval;
  return n <= (((UINT64_C(1) << (cfg->acc_bits - 1)) - 1) >> 14);
}

/* One dot product beat by beat, exactly as mpb_dot_eval (K = 0 is one empty beat). */
static int64_t dot_beats(const mpb_config *cfg, const int8_t *a, const int8_t *b, size_t K,
                         uint32_t *events) {
  size_t L = (size_t)cfg->mac_lanes, i = 0;
  mpb_dot_state st = {0, 0, 0, 0, 0};
  do {
    size_t e = K - i < L ? K : i + L;
    int64_t s = 0;
    for (size_t t = i; t < e; t++) s += a[t] * b[t];
    i += L;
    mpb_dot_step(cfg, &st, s);
  } while (i < K);
  *events = st.sat + st.wrap;
  return st.wide + st.acc;
}

static int64_t dot_exact(const int8_t *a, const int8_t *b, size_t K) {
  int64_t s = 0;
  for (size_t t = 0; t < K; t++) s += a[t] * b[t];
  return s;
}

static void gemm_scalar(const mpb_config *cfg, const mpb_gemm_io *g) {
  bool exact = mpb_gemm_exact(cfg, g->K);
  for (size_t i = 0; i < g->M; i++)
    for (size_t k = 0; k < g->N; k++) {
      const int8_t *a = g->A + i * g->lda, *b = g->B + k * g->ldb;
      uint32_t ev = 0;
      int64_t s = exact ? dot_exact(a, b, g->K) : dot_beats(cfg, a, b, g->K, &ev);
      g->C[i * g->ldc + k] = s;
      if (g->events) g->events[i * g->ldc + k] = ev;
    }
}

void mpb_gemm_i8_isa(mpb_isa isa, const mpb_model *mdl, size_t M, size_t N, size_t K,
                     const int8_t *A, size_t lda, const int8_t *B, size_t ldb, int64_t *C,
                     size_t ldc, uint32_t *events) {
  if (M == 0 || N == 0) return;
  mpb_gemm_io g = {M, N, K, A, B, lda, ldb, ldc, C, events};
  bool done = false;
  switch (mpb_isa_clamp(isa)) {
  case MPB_ISA_AVX512: done = mpb_gemm_i8_avx512(mdl, &g); break;
  case MPB_ISA_AVX2: done = mpb_gemm_i8_avx2(mdl, &g); break;
  default: break;
  }
  if (!done) gemm_scalar(&mdl->cfg, &g);
}

void mpb_gemm_i8(const mpb_model *mdl, size_t M, size_t N, size_t K, const int8_t *A,
                 size_t lda, const int8_t *B, size_t ldb, int64_t *C, size_t ldc,
                 uint32_t *events) {
  mpb_gemm_i8_isa(mpb_isa_default(), mdl, M, N, K, A, lda, B, ldb, C, ldc, events);
}
