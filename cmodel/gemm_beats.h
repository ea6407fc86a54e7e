/* gemm_beats.h — the dot unit's accumulator run beat by beat (docs/architecture.md §7) for
 * VL dot products at once (one row of A against a tile of VL rows of B, one int64 lane
 * each), compiled by gemm_avx2.c and gemm_avx512.c with their own flags; used when
 * mpb_gemm_exact() cannot rule out overflow. Lane l runs exactly mpb_dot_step on the beat
 * sums of its dot product: the products are exact (vpmuldq of int8 values), the
 * accumulator is wrapped or saturated to A bits each beat, events counted per lane, and
 * promotion (the same beat for every lane) moves acc into wide. Private to libmpb. */
#ifndef MPB_GEMM_BEATS_H
#define MPB_GEMM_BEATS_H

#include <stdlib.h>
#include <string.h>

#include "simd_vec.h"

/* bt[t*VL + l] = B[(k0 + l) * ldb + t] (0 for l >= nk) */
static void beats_pack(const mpb_gemm_io *g, size_t k0, size_t nk, int8_t *bt) {
  memset(bt, 0, VL * g->K);
  for (size_t l = 0; l < nk; l++) {
    const int8_t *b = g->B + (k0 + l) * g->ldb;
    for (size_t t = 0; t < g->K; t++) bt[t * VL + l] = b[t];
  }
}

ALWAYS_INLINE void beats_row(const mpb_config *cfg, const mpb_gemm_io *g, const int8_t *a,
                             const int8_t *bt, bool sat_mode, int64_t *sum, int64_t *events) {
  const size_t L = (size_t)cfg->mac_lanes, K = g->K;
  const int A = cfg->acc_bits;
  const uint32_t P = (uint32_t)cfg->promote_interval;
  const vec zero = splat(0), one = splat(1);
  vec acc = zero, wide = zero, ev = zero;
  uint32_t cnt = 0;
  size_t i = 0;
  do {
    size_t e = K - i < L ? K : i + L;
    vec s = zero;
    for (size_t t = i; t < e; t++) s = add(s, mul_s32(splat(a[t]), load_s8(bt + t * VL)));
    i += L;
    vec v = add(acc, s), r = sat_mode ? sat(v, A) : wrap(v, A);
    ev = add(ev, sel(eq0(sub(r, v)), zero, one));
    acc = r;
    cnt += (uint32_t)L;
    if (P > 0 && cnt == P) {
      wide = add(wide, acc);
      acc = zero;
      cnt = 0;
    }
  } while (i < K);
  store_64(sum, add(wide, acc));
  store_64(events, ev);
}

/* The whole GEMM beat by beat; false if the scratch tile cannot be allocated. */
static bool gemm_beats(const mpb_config *cfg, const mpb_gemm_io *g) {
  int8_t *bt = malloc(VL * (g->K ? g->K : 1));
  if (!bt) return false;
  const bool sat_mode = cfg->acc_overflow == MPB_OVF_SAT;
  for (size_t k0 = 0; k0 < g->N; k0 += VL) {
    size_t nk = g->N - k0 < VL ? g->N - k0 : VL;
    beats_pack(g, k0, nk, bt);
    for (size_t i = 0; i < g->M; i++) {
      int64_t sum[VL], ev[VL];
      if (sat_mode)
        beats_row(cfg, g, g->A + i * g->lda, bt, true, sum, ev);
      else
        beats_row(cfg, g, g->A + i * g->lda, bt, false, sum, ev);
      for (size_t l = 0; l < nk; l++) {
        g->C[i * g->ldc + k0 + l] = sum[l];
        if (g->events) g->events[i * g->ldc + k0 + l] = (uint32_t)ev[l];
      }
    }
  }
  free(bt);
  return true;
}

#endif
