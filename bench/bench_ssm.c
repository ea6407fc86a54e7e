/* bench_ssm.c — `make bench-ssm`: speed of the SSM closed loop, from one run, on the same
 * mamba130m weights and inputs (d_inner 1536 x d_state 16 = 24 576 states):
 *  (a) the selective scan alone: the bridge scan (exp(dt A) through the exp unit in one
 *      batched call per step, the C.h read-out through the dot unit, fp32 state) against
 *      the FP32 scan (expf, sgemm read-out, fp32 state), steps/s of each and the ratio
 *      (target: bridge <= 2x the FP32 time per step);
 *  (b) the whole block (projections, conv, gates, scan): all=bridge against all=fp32.
 * dt, B, C, u of every step come from one pre() pass of the FP32 block, so both scans see
 * identical inputs. Each figure is the best of 5 interleaved rounds; OpenBLAS runs on one
 * thread. Prints numbers and ratios; asserts nothing. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"
#include "ssm_block.h"

#define STEPS 512

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static lm_numerics *numerics(const char *text) {
  lm_numerics_spec s;
  lm_numerics *nm;
  char err[256];
  lm_numerics_spec_init(&s, LM_BK_REF);
  if (lm_numerics_spec_parse(&s, text, err, sizeof err) || lm_numerics_new(&nm, &s, err, sizeof err)) {
    fprintf(stderr, "bench-ssm: %s: %s\n", text, err);
    exit(3);
  }
  return nm;
}

static void die(const char *what, const char *err) {
  fprintf(stderr, "bench-ssm: %s: %s\n", what, err);
  exit(3);
}

int main(void) {
  char err[512];
  openblas_set_num_threads(1);
  ssm_config c = ssm_preset_find("mamba130m")->c;
  ssm_weights *w;
  if (ssm_weights_synth(&w, &c, 1, err, sizeof err)) die("weights", err);
  size_t E = (size_t)c.d_inner, N = (size_t)c.d_state, Dm = (size_t)c.d_model;
  double *x = malloc(STEPS * Dm * sizeof *x), *out = malloc(STEPS * Dm * sizeof *out);
  double *dt = malloc(STEPS * E * sizeof *dt), *u = malloc(STEPS * E * sizeof *u);
  double *B = malloc(STEPS * N * sizeof *B), *C = malloc(STEPS * N * sizeof *C);
  double *y = malloc(E * sizeof *y);
  if (!x || !out || !dt || !u || !B || !C || !y) die("inputs", "out of memory");
  lm_rng r = {2};
  for (size_t i = 0; i < STEPS * Dm; i++) x[i] = lm_rng_normal(&r);
  /* the scan's inputs: dt from one pre() pass of the fp32 block; B, C, u seeded */
  lm_numerics *nf = numerics("fp32"), *nb = numerics("bridge");
  ssm_block *bf, *bb;
  if (ssm_block_new(&bf, w, nf, STEPS, err, sizeof err) ||
      ssm_block_new(&bb, w, nb, STEPS, err, sizeof err))
    die("block", err);
  if (ssm_block_pre(bf, STEPS, x, err, sizeof err)) die("pre", err);
  for (size_t t = 0; t < STEPS; t++) {
    memcpy(dt + t * E, ssm_block_dt(bf, t), E * sizeof *dt);
    for (size_t i = 0; i < E; i++) u[t * E + i] = lm_rng_normal(&r) * 0.3;
    for (size_t n = 0; n < N; n++) B[t * N + n] = lm_rng_normal(&r), C[t * N + n] = lm_rng_normal(&r);
  }
  ssm_scan *sf, *sb;
  if (ssm_scan_new(&sf, nf, (int)E, (int)N, w->A, NULL, LM_STATE_FP32, err, sizeof err) ||
      ssm_scan_new(&sb, nb, (int)E, (int)N, w->A, NULL, LM_STATE_FP32, err, sizeof err))
    die("scan", err);
  double best_scan[2] = {1e30, 1e30}, best_block[2] = {1e30, 1e30};
  for (int round = 0; round < 5; round++) {
    ssm_scan *sc[2] = {sf, sb};
    for (int k = 0; k < 2; k++) {
      ssm_scan_reset(sc[k]);
      double t0 = now();
      for (size_t t = 0; t < STEPS; t++)
        if (ssm_scan_step(sc[k], dt + t * E, B + t * N, C + t * N, u + t * E, y, err, sizeof err))
          die("scan step", err);
      double s = now() - t0;
      if (s < best_scan[k]) best_scan[k] = s;
    }
    ssm_block *bl[2] = {bf, bb};
    for (int k = 0; k < 2; k++) {
      ssm_block_reset(bl[k]);
      double t0 = now();
      if (ssm_block_forward(bl[k], STEPS, x, out, err, sizeof err)) die("block", err);
      double s = now() - t0;
      if (s < best_block[k]) best_block[k] = s;
    }
  }
  printf("bench-ssm: mamba130m block, %zu x %zu states, %d steps, best of 5, one thread\n", E, N,
         STEPS);
  printf("  scan  fp32 %8.0f steps/s   bridge %8.0f steps/s   bridge time / fp32 time %.2fx "
         "(target <= 2x)\n", STEPS / best_scan[0], STEPS / best_scan[1], best_scan[1] / best_scan[0]);
  printf("  block fp32 %8.0f steps/s   bridge %8.0f steps/s   bridge time / fp32 time %.2fx\n",
         STEPS / best_block[0], STEPS / best_block[1], best_block[1] / best_block[0]);
  ssm_scan_free(sf), ssm_scan_free(sb);
  ssm_block_free(bf), ssm_block_free(bb);
  lm_numerics_free(nf), lm_numerics_free(nb);
  ssm_weights_free(w);
  free(x), free(out), free(dt), free(u), free(B), free(C), free(y);
  return 0;
}
