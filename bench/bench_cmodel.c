/* bench_cmodel.c — speed of the golden model, measured side by side in one run:
 * rotations/s of the bit-exact functional path and of a plain FP32 C loop doing the same
 * rotations (inv_freq table, cosf/sinf, 2x2 rotate), their ratio, and clock cycles/s of
 * the cycle-accurate pipeline. Prints numbers; asserts nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mpb.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t rng(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

#define NREQ 4096

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 4000000;
  mpb_config cfg;
  mpb_config_default(&cfg);
  mpb_geometry g = {128, 500000.0, MPB_PAIR_HALF};
  char err[256];
  mpb_model *m = mpb_model_new(&cfg, &g, err, sizeof err);
  if (!m) {
    fprintf(stderr, "bench_cmodel: %s\n", err);
    return 1;
  }
  static mpb_rope_req req[NREQ];
  uint64_t seed = 1;
  for (int i = 0; i < NREQ; i++)
    req[i] = (mpb_rope_req){(uint32_t)(rng(&seed) % 131072), (uint32_t)(rng(&seed) % 64),
                            (int32_t)(rng(&seed) % 256) - 128, (int32_t)(rng(&seed) % 256) - 128};
  float inv[64];
  for (int j = 0; j < 64; j++) inv[j] = 1.0f / powf(500000.0f, (float)(2 * j) / 128.0f);

  /* FP32 loop: the same rotations the way a framework kernel does them. */
  double t0 = now(), sink = 0;
  for (long i = 0; i < n; i++) {
    const mpb_rope_req *r = &req[i & (NREQ - 1)];
    float phi = (float)r->m * inv[r->j], c = cosf(phi), s = sinf(phi);
    sink += (float)r->x * c - (float)r->y * s + (float)r->x * s + (float)r->y * c;
  }
  double t_fp32 = now() - t0;

  t0 = now();
  long acc = 0;
  for (long i = 0; i < n; i++) {
    mpb_rope_resp o;
    mpb_rope_eval(m, &req[i & (NREQ - 1)], &o, NULL);
    acc += o.xr + o.yr;
  }
  double t_func = now() - t0;

  mpb_pipe *p = mpb_pipe_new(m, MPB_UNIT_ROPE);
  long cycles = n / 4;
  t0 = now();
  for (long i = 0; i < cycles; i++) {
    mpb_rope_pins_in in = {true, req[i & (NREQ - 1)], (i % 7) != 0};
    mpb_rope_pins_out out;
    mpb_rope_pipe_step(p, &in, &out);
    acc += out.out.xr;
  }
  double t_cyc = now() - t0;

  mpb_pipe_set_mode(p, MPB_PIPE_DELAY);
  t0 = now();
  for (long i = 0; i < n; i++) {
    mpb_rope_pins_in in = {true, req[i & (NREQ - 1)], (i % 7) != 0};
    mpb_rope_pins_out out;
    mpb_rope_pipe_step(p, &in, &out);
    acc += out.out.xr;
  }
  double t_delay = now() - t0;

  double r_fp32 = (double)n / t_fp32, r_func = (double)n / t_func;
  printf("bench cmodel (rope, default configuration, Llama 3 geometry, %ld rotations)\n", n);
  printf("  %-38s %12.3e rotations/s\n", "plain FP32 C loop (cosf/sinf)", r_fp32);
  printf("  %-38s %12.3e rotations/s\n", "bit-exact functional path", r_func);
  printf("  %-38s %12.3f (target >= 0.25)\n", "ratio functional / FP32", r_func / r_fp32);
  printf("  %-38s %12.3e cycles/s\n", "cycle-accurate, STAGES mode (counting)", (double)cycles / t_cyc);
  printf("  %-38s %12.3e cycles/s\n", "cycle-accurate, DELAY mode", (double)n / t_delay);
  printf("  (checksums %g %ld)\n", sink, acc);
  mpb_pipe_free(p);
  mpb_model_free(m);
  return 0;
}
