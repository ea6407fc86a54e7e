/* gemm_beats.h — the dot unit's accumulator run beat by beat (docs/architecture.md §7) for
 * 16 dot products at once: one row of A against a tile of 16 rows of B. GCC vector
 * extensions, compiled by gemm_avx2.c and gemm_avx512.c with their own flags; used when
 * mpb_gemm_exact() cannot rule out overflow. Lane l runs exactly mpb_dot_step on the beat
 * sums of its dot product (the lane sums are exact int32: L <= 64 products of <= 2^14).
 * Private to libmpb. */
#ifndef MPB_GEMM_BEATS_H
#define MPB_GEMM_BEATS_H

#include <stdlib.h>
#include <string.h>

#include "batch_kernels.h"

typedef int8_t beats_v16b __attribute__((vector_size(16)));
typedef int32_t beats_v16i __attribute__((vector_size(64)));
typedef int64_t beats_v16l __attribute__((vector_size(128)));

/* bt[t*16 + l] = B[(k0 + l) * ldb + t] (0 for l >= nk) */
static void beats_pack(const mpb_gemm_io *g, size_t k0, size_t nk, int8_t *bt) {
  memset(bt, 0, 16 * g->K);
  for (size_t l = 0; l < nk; l++) {
    const int8_t *b = g->B + (k0 + l) * g->ldb;
    for (size_t t = 0; t < g->K; t++) bt[t * 16 + l] = b[t];
  }
}

static void beats_row(const mpb_config *cfg, const mpb_gemm_io *g, const int8_t *a,
                      const int8_t *bt, beats_v16l *sum, beats_v16l *events) {
  const size_t L = (size_t)cfg->mac_lanes, K = g->K;
  const int A = cfg->acc_bits;
  const bool sat = cfg->acc_overflow == MPB_OVF_SAT;
  const uint32_t P = (uint32_t)cfg->promote_interval;
  const int64_t hi = (INT64_C(1) << (A - 1)) - 1, lo = -hi - 1;
  const int64_t half = INT64_C(1) << (A - 1), mask = (int64_t)((UINT64_C(1) << A) - 1);
  beats_v16l acc = {0}, wide = {0}, ev = {0};
  uint32_t cnt = 0;
  size_t i = 0;
  do {
    size_t e = K - i < L ? K : i + L;
    beats_v16i s = {0};
    for (size_t t = i; t < e; t++) {
      beats_v16b b;
      memcpy(&b, bt + t * 16, 16);
      s += (int32_t)a[t] * __builtin_convertvector(b, beats_v16i);
    }
    i += L;
    beats_v16l v = acc + __builtin_convertvector(s, beats_v16l), r;
    if (sat) {
      beats_v16l up = v > hi, dn = v < lo;
      r = (up & hi) | (dn & lo) | (~(up | dn) & v);
    } else {
      r = ((v + half) & mask) - half;
    }
    ev -= (r != v); /* comparisons give -1 per true lane */
    acc = r;
    cnt += (uint32_t)L;
    if (P > 0 && cnt == P) {
      wide += acc;
      acc -= acc;
      cnt = 0;
    }
  } while (i < K);
  *sum = wide + acc;
  *events = ev;
}

/* The whole GEMM beat by beat; false if the scratch tile cannot be allocated. */
static bool gemm_beats(const mpb_config *cfg, const mpb_gemm_io *g) {
  int8_t *bt = malloc(16 * (g->K ? g->K : 1));
  if (!bt) return false;
  for (size_t k0 = 0; k0 < g->N; k0 += 16) {
    size_t nk = g->N - k0 < 16 ? g->N - k0 : 16;
    beats_pack(g, k0, nk, bt);
    for (size_t i = 0; i < g->M; i++) {
      beats_v16l sum, ev;
      beats_row(cfg, g, g->A + i * g->lda, bt, &sum, &ev);
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
