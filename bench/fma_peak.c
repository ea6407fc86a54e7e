/* fma_peak.c — FP32 FMA peak micro-benchmark (see fma_peak.h): 16 (zmm) or 12 (ymm)
 * independent FMA chains, enough to cover the FMA latency on every pipe, fully unrolled
 * so that the chains stay in registers, in rounds of about 2 ms of the thread's CPU time;
 * the best round counts. */
#include "fma_peak.h"

#include <immintrin.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: not the time the thread waits */
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static volatile float sink;

/* Returns the FLOP count of 'iters' iterations. */
__attribute__((target("avx512f"))) static double run_avx512(long iters) {
  __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  __m512 c[16];
  for (int k = 0; k < 16; k++) c[k] = _mm512_set1_ps((float)k);
  for (long i = 0; i < iters; i++)
    _Pragma("GCC unroll 16") for (int k = 0; k < 16; k++) c[k] = _mm512_fmadd_ps(c[k], a, b);
  __m512 s = c[0];
  for (int k = 1; k < 16; k++) s = _mm512_add_ps(s, c[k]);
  sink = _mm512_reduce_add_ps(s);
  return (double)iters * 16 * 16 * 2;
}

__attribute__((target("avx2,fma"))) static double run_avx2(long iters) {
  __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  __m256 c[12];
  for (int k = 0; k < 12; k++) c[k] = _mm256_set1_ps((float)k);
  for (long i = 0; i < iters; i++)
    _Pragma("GCC unroll 16") for (int k = 0; k < 12; k++) c[k] = _mm256_fmadd_ps(c[k], a, b);
  __m256 s = c[0];
  for (int k = 1; k < 12; k++) s = _mm256_add_ps(s, c[k]);
  float v[8];
  _mm256_storeu_ps(v, s);
  sink = v[0] + v[7];
  return (double)iters * 12 * 8 * 2;
}

static double run_scalar(long iters) {
  float c[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  for (long i = 0; i < iters; i++)
    _Pragma("GCC unroll 16") for (int k = 0; k < 8; k++) c[k] = c[k] * 0.999999f + 1e-7f;
  sink = c[0] + c[7];
  return (double)iters * 8 * 2;
}

double fma_peak_gflops(double seconds, const char **isa) {
  double (*run)(long) = run_scalar;
  const char *name = "scalar";
  if (__builtin_cpu_supports("avx512f")) {
    run = run_avx512;
    name = "avx512";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    run = run_avx2;
    name = "avx2+fma";
  }
  if (isa) *isa = name;
  /* many short rounds, the best one: on a shared machine it is the one run undisturbed */
  long iters = 1 << 12;
  double t0 = now();
  run(iters); /* warm up and calibrate to rounds of about 2 ms */
  double dt = now() - t0;
  if (dt > 0) iters = (long)((double)iters * 0.002 / dt) + 1;
  int rounds = (int)(seconds / 0.002) + 1;
  double best = 0;
  for (int r = 0; r < rounds; r++) {
    t0 = now();
    double flop = run(iters);
    double g = flop / (now() - t0) * 1e-9;
    if (g > best) best = g;
  }
  return best;
}
