/* bench_batch.c — `make bench-batch`: speed of libmpb's batched calls, measured side by
 * side in one run, single-threaded:
 *  - rope and exp: operations/s of mpb_rope_batch / mpb_exp_batch on every ISA the CPU
 *    has, against the per-operation fast path (mpb_rope_eval / mpb_exp_eval without
 *    counts) on the same inputs (target >= 4x);
 *  - int8 GEMM (mpb_gemm_i8, default configuration: the exact path) in GOP/s against
 *    OpenBLAS cblas_sgemm GFLOP/s on the same shapes (C = A B^T, A M x K, B N x K);
 *  - the machine's FP32 FMA peak (bench/fma_peak.c) and sgemm's fraction of it.
 * Times are the thread's CPU time (the machine is shared: time spent waiting for a core
 * is not counted), each figure the best of many short rounds (see time_pair). Prints numbers and ratios;
 * asserts nothing. Usage: bench_batch [quick]  (quick: shorter rounds, two GEMM shapes) */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fma_peak.h"
#include "mpb.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: not the time the thread waits */
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t rng(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "bench_batch: out of memory (%zu bytes)\n", n);
    exit(4);
  }
  return p;
}

/* Each figure is the best of many short timed rounds (a round: calls for about 2 ms, at
 * least one), run for min_time and at least 5 rounds: on a shared machine the best round
 * is the one least disturbed by other processes. Compared calls alternate rounds. */
static double min_time = 1.0;

/* Seconds per call of fa(a) and fb(b), timed in alternating rounds so that both see the
 * same disturbance: the fastest round of each. */
static void time_pair(void (*fa)(void *), void *a, double *ta, void (*fb)(void *), void *b,
                      double *tb) {
  void (*fn[2])(void *) = {fa, fb};
  void *arg[2] = {a, b};
  long per_round[2];
  double best[2] = {1e300, 1e300};
  for (int k = 0; k < 2; k++) {
    double t0 = now();
    fn[k](arg[k]); /* warm up, and calibrate the round */
    double one = now() - t0;
    per_round[k] = one > 0.002 ? 1 : (long)(0.002 / (one > 1e-7 ? one : 1e-7)) + 1;
  }
  double start = now();
  for (int r = 0; r < 10 || now() - start < 2 * min_time; r++) {
    int k = r % 2;
    double t0 = now();
    for (long c = 0; c < per_round[k]; c++) fn[k](arg[k]);
    double dt = (now() - t0) / (double)per_round[k];
    if (dt < best[k]) best[k] = dt;
  }
  *ta = best[0];
  if (tb) *tb = best[1];
}

static void nothing(void *p) { (void)p; }

/* Seconds per call of fn(arg): the fastest round. */
static double time_best(void (*fn)(void *), void *arg) {
  double t;
  time_pair(fn, arg, &t, nothing, NULL, NULL);
  return t;
}

#define NOPS 65536

typedef struct {
  const mpb_model *mdl;
  uint32_t *m, *j;
  int32_t *x, *y, *c, *s, *xr, *yr, *u, *e;
  uint32_t *mant;
} ops_data;

typedef struct {
  void (*fn)(ops_data *, int);
  ops_data *d;
  int arg;
} ops_call;
static void call_ops(void *p) {
  ops_call *c = p;
  c->fn(c->d, c->arg);
}
/* Operations per second of fn (NOPS per call). */
static double rate(void (*fn)(ops_data *, int), ops_data *d, int arg) {
  ops_call c = {fn, d, arg};
  return NOPS / time_best(call_ops, &c);
}

static void rope_perop(ops_data *d, int unused) {
  (void)unused;
  for (size_t i = 0; i < NOPS; i++) {
    mpb_rope_req q = {d->m[i], d->j[i], d->x[i], d->y[i]};
    mpb_rope_resp r;
    mpb_rope_eval(d->mdl, &q, &r, NULL);
    d->c[i] = r.cos;
    d->s[i] = r.sin;
    d->xr[i] = r.xr;
    d->yr[i] = r.yr;
  }
}
static void rope_batch(ops_data *d, int isa) {
  mpb_rope_batch_isa((mpb_isa)isa, d->mdl, NOPS, d->m, d->j, d->x, d->y, d->c, d->s, d->xr,
                     d->yr);
}
static void exp_perop(ops_data *d, int unused) {
  (void)unused;
  for (size_t i = 0; i < NOPS; i++) {
    mpb_exp_req q = {d->u[i]};
    mpb_exp_resp r;
    mpb_exp_eval(d->mdl, &q, &r, NULL);
    d->e[i] = r.e;
    d->mant[i] = r.mant;
  }
}
static void exp_batch(ops_data *d, int isa) {
  mpb_exp_batch_isa((mpb_isa)isa, d->mdl, NOPS, d->u, d->e, d->mant);
}

static mpb_model *make_model(const mpb_config *cfg) {
  mpb_geometry g = {128, 500000.0, MPB_PAIR_HALF};
  char err[256];
  mpb_model *m = mpb_model_new(cfg, &g, err, sizeof err);
  if (!m) {
    fprintf(stderr, "bench_batch: %s\n", err);
    exit(3);
  }
  return m;
}

static void bench_units(const char *label, const mpb_config *cfg, ops_data *d) {
  mpb_model *mdl = make_model(cfg);
  d->mdl = mdl;
  double r0 = rate(rope_perop, d, 0), e0 = rate(exp_perop, d, 0);
  printf("  %s configuration\n", label);
  printf("    %-34s %10.1f M rotations/s   %10.1f M exps/s\n", "per-op fast path (mpb_*_eval)",
         r0 * 1e-6, e0 * 1e-6);
  for (int isa = 0; isa < MPB_NISA; isa++) {
    if (!mpb_isa_supported((mpb_isa)isa)) {
      printf("    batch, %-27s skipped: this CPU does not support it\n", mpb_isa_name((mpb_isa)isa));
      continue;
    }
    double r = rate(rope_batch, d, isa), e = rate(exp_batch, d, isa);
    char name[64];
    snprintf(name, sizeof name, "batch, %s", mpb_isa_name((mpb_isa)isa));
    printf("    %-34s %10.1f M rotations/s   %10.1f M exps/s    ratio to per-op: rope %5.2fx"
           "  exp %5.2fx (target >= 4)\n",
           name, r * 1e-6, e * 1e-6, r / r0, e / e0);
  }
  mpb_model_free(mdl);
}

typedef struct {
  size_t M, N, K;
  const char *what;
} shape;

typedef struct {
  const mpb_model *mdl;
  mpb_isa isa;
  size_t M, N, K;
  int8_t *A, *B;
  int64_t *C;
  float *Af, *Bf, *Cf;
} gemm_args;

static void run_gemm_i8(void *p) {
  gemm_args *g = p;
  mpb_gemm_i8_isa(g->isa, g->mdl, g->M, g->N, g->K, g->A, g->K, g->B, g->K, g->C, g->N, NULL);
}
static void run_sgemm(void *p) {
  gemm_args *g = p;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)g->M, (int)g->N, (int)g->K, 1.0f,
              g->Af, (int)g->K, g->Bf, (int)g->K, 0.0f, g->Cf, (int)g->N);
}

int main(int argc, char **argv) {
  bool quick = argc > 1 && strcmp(argv[1], "quick") == 0;
  if (quick) min_time = 0.2;
  openblas_set_num_threads(1);
  double load[1] = {0};
  if (getloadavg(load, 1) < 1) load[0] = -1;
  printf("bench batch (single thread; best ISA on this CPU: %s; OpenBLAS core: %s; "
         "load average %.2f)\n",
         mpb_isa_name(mpb_isa_best()), openblas_get_corename(), load[0]);

  /* ---- rope and exp ---- */
  ops_data d;
  uint64_t seed = 1;
  d.m = xmalloc(NOPS * 4), d.j = xmalloc(NOPS * 4), d.x = xmalloc(NOPS * 4);
  d.y = xmalloc(NOPS * 4), d.c = xmalloc(NOPS * 4), d.s = xmalloc(NOPS * 4);
  d.xr = xmalloc(NOPS * 4), d.yr = xmalloc(NOPS * 4), d.u = xmalloc(NOPS * 4);
  d.e = xmalloc(NOPS * 4), d.mant = xmalloc(NOPS * 4);
  for (size_t i = 0; i < NOPS; i++) {
    d.m[i] = (uint32_t)(rng(&seed) % 131072);
    d.j[i] = (uint32_t)(rng(&seed) % 64);
    d.x[i] = (int32_t)(rng(&seed) % 256) - 128;
    d.y[i] = (int32_t)(rng(&seed) % 256) - 128;
    d.u[i] = -(int32_t)(rng(&seed) % (20u << 16)); /* softmax: u = (s - max) log2 e <= 0 */
  }
  printf("rope and exp, %d operations per call (Llama 3 geometry)\n", NOPS);
  mpb_config cfg;
  mpb_config_default(&cfg);
  bench_units("default (EXACT)", &cfg, &d);
  mpb_config_patent_literal(&cfg);
  bench_units("patent-literal (LOG-ADD)", &cfg, &d);

  /* ---- GEMM ---- */
  const char *peak_isa;
  double peak = fma_peak_gflops(quick ? 0.1 : 0.5, &peak_isa);
  printf("FP32 FMA peak, one core (%s micro-benchmark): %.1f GFLOP/s\n", peak_isa, peak);
  mpb_config_default(&cfg);
  mpb_model *mdl = make_model(&cfg);
  const shape shapes[] = {{512, 576, 576, "SmolLM2 q/o"},
                          {512, 1536, 576, "SmolLM2 gate/up"},
                          {512, 576, 1536, "SmolLM2 down"},
                          {512, 49152, 576, "SmolLM2 head"}};
  size_t nshapes = quick ? 2 : sizeof shapes / sizeof shapes[0];
  printf("int8 GEMM through the dot unit (default configuration: A = 32, exact path) vs "
         "OpenBLAS sgemm, C = A B^T\n");
  printf("  %-16s %-18s %12s %12s %12s %14s\n", "shape", "MxNxK", "sgemm GF/s", "% of peak",
         "int8 GOP/s", "int8 / sgemm");
  for (size_t s = 0; s < nshapes; s++) {
    gemm_args g = {mdl, MPB_ISA_SCALAR, shapes[s].M, shapes[s].N, shapes[s].K, NULL, NULL,
                   NULL, NULL, NULL, NULL};
    size_t na = g.M * g.K, nb = g.N * g.K, nc = g.M * g.N;
    g.A = xmalloc(na), g.B = xmalloc(nb), g.C = xmalloc(nc * 8);
    g.Af = xmalloc(na * 4), g.Bf = xmalloc(nb * 4), g.Cf = xmalloc(nc * 4);
    for (size_t i = 0; i < na; i++) g.Af[i] = g.A[i] = (int8_t)(rng(&seed) & 0xFF);
    for (size_t i = 0; i < nb; i++) g.Bf[i] = g.B[i] = (int8_t)(rng(&seed) & 0xFF);
    double ops = 2.0 * (double)g.M * (double)g.N * (double)g.K;
    double fs = 0;
    char dims[48];
    snprintf(dims, sizeof dims, "%zux%zux%zu", g.M, g.N, g.K);
    for (int isa = MPB_NISA - 1; isa >= 0; isa--) {
      if (!mpb_isa_supported((mpb_isa)isa)) {
        printf("  %-16s %-18s skipped %s: this CPU does not support it\n", shapes[s].what, dims,
               mpb_isa_name((mpb_isa)isa));
        continue;
      }
      if (isa == MPB_ISA_SCALAR && ops > 1e9) {
        printf("  %-16s %-18s skipped scalar: %.0f GOP would take too long\n", shapes[s].what,
               dims, ops * 1e-9);
        continue;
      }
      g.isa = (mpb_isa)isa;
      double ts, ti;
      time_pair(run_sgemm, &g, &ts, run_gemm_i8, &g, &ti);
      fs = ops / ts * 1e-9; /* sgemm timed alternately with this ISA's GEMM */
      double is = ops / ti * 1e-9;
      int64_t chk = 0; /* the same products, so the same sums */
      for (size_t i = 0; i < nc; i += nc / 7 + 1) chk += g.C[i] - (int64_t)g.Cf[i];
      printf("  %-16s %-18s %12.1f %11.1f%% %12.1f %13.2fx  (%s%s)\n", shapes[s].what, dims, fs,
             100 * fs / peak, is, is / fs, mpb_isa_name((mpb_isa)isa),
             chk ? ", RESULTS DIFFER" : "");
    }
    free(g.A), free(g.B), free(g.C), free(g.Af), free(g.Bf), free(g.Cf);
  }
  mpb_model_free(mdl);
  free(d.m), free(d.j), free(d.x), free(d.y), free(d.c), free(d.s), free(d.xr), free(d.yr);
  free(d.u), free(d.e), free(d.mant);
  return 0;
}
