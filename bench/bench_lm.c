/* bench_lm.c — `make bench-lm`: speed of the closed-loop evaluation, from one run:
 *  (a) the FP32 reference prefill of SmolLM2-135M (one window of 256 tokens as a matrix,
 *      OpenBLAS sgemm with its threads on every core) in GFLOP/s, as a fraction of the
 *      machine's FP32 FMA peak = the single-core peak of bench/fma_peak.c x the cores
 *      (target >= 25%);
 *  (b) the bridge-everything eval's wall time over the reference eval's, same tokens
 *      (2 windows of 128 from data/passage.tokens repeated, both at offset 0; weights
 *      prepared before the timing, and separately the preparation) (target <= 2x).
 * (a) is also measured on one core (OpenBLAS limited to one thread, process CPU time),
 * which a busy machine disturbs far less than the wall clock of all cores.
 * Each figure is the best of 3 rounds. FLOPs counted: 2 per multiply-add of every
 * projection, the head (all rows) and the attention matmuls (causal: keys 1..t).
 * Prints numbers and ratios; asserts nothing. Skips (exit 0) without the model. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eval.h"
#include "fma_peak.h"
#include "llama.h"

#define MODEL "models/SmolLM2-135M-Instruct.Q4_1.gguf"

static double clock_s(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

/* Best of 3 prefills of n tokens: wall seconds, or process CPU seconds when use_cpu. */
static double time_prefill(llama_state *s, const int32_t *ids, const int64_t *pos, int n,
                           float *logits, int use_cpu) {
  char err[512];
  double best = 1e30;
  for (int r = 0; r < 3; r++) {
    llama_state_reset(s);
    double t0 = use_cpu ? cpu() : now();
    if (llama_forward_batch(s, ids, pos, n, logits, 0, err, sizeof err)) {
      fprintf(stderr, "bench-lm: %s\n", err);
      exit(3);
    }
    double t = (use_cpu ? cpu() : now()) - t0;
    if (t < best) best = t;
  }
  return best;
}

/* FLOPs of a prefill of n tokens with logits for every row. */
static double prefill_flops(const llama_config *c, int n) {
  double e = c->n_embd, qd = (double)c->n_head * c->head_dim, kvd = (double)c->n_head_kv * c->head_dim;
  double proj = e * qd + 2 * e * kvd + qd * e + 3 * e * c->n_ff;
  double attn = 0;
  for (int t = 1; t <= n; t++) attn += 2.0 * c->n_head * c->head_dim * t; /* QK^T and PV */
  return 2.0 * (c->n_layer * (proj * n + attn) + e * c->n_vocab * n);
}

int main(void) {
  char err[512];
  llama_model *m;
  if (access(MODEL, R_OK) != 0) {
    printf("bench-lm: skipped, %s is absent (make models)\n", MODEL);
    return 0;
  }
  if (llama_load_gguf(&m, MODEL, err, sizeof err)) {
    fprintf(stderr, "bench-lm: %s\n", err);
    return 3;
  }
  const int n = 256, V = m->c.n_vocab;
  int32_t *ids = malloc(4096 * sizeof *ids);
  size_t nid = 0;
  if (!ids || tok_read_ids("data/passage.tokens", V, ids, 4096, &nid, err, sizeof err)) {
    fprintf(stderr, "bench-lm: %s\n", ids ? err : "out of memory");
    return 3;
  }
  for (size_t i = nid; i < 4096; i++) ids[i] = ids[i % nid]; /* repeat the passage */
  int64_t *pos = malloc(n * sizeof *pos);
  float *logits = malloc((size_t)n * V * sizeof(float));
  llama_state *s;
  if (!pos || !logits || llama_state_new(&s, m, n, err, sizeof err)) {
    fprintf(stderr, "bench-lm: %s\n", err);
    return 4;
  }
  for (int i = 0; i < n; i++) pos[i] = i;
  /* (a) prefill FLOP rate vs the FMA peak */
  const char *isa;
  double peak1 = fma_peak_gflops(0.5, &isa);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (cores < 1) cores = 1;
  double best = time_prefill(s, ids, pos, n, logits, 0);
  openblas_set_num_threads(1);
  double best1 = time_prefill(s, ids, pos, n, logits, 1);
  openblas_set_num_threads((int)cores);
  double fl = prefill_flops(&m->c, n), rate = fl / best * 1e-9, peak = peak1 * (double)cores;
  double la = -1;
  FILE *f = fopen("/proc/loadavg", "r");
  if (f) {
    if (fscanf(f, "%lf", &la) != 1) la = -1;
    fclose(f);
  }
  printf("bench-lm: SmolLM2-135M (1-min load average before: %.2f on %ld cores)\n", la, cores);
  printf("  FP32 reference prefill, %d tokens as one batch: %.3f s, %.1f GFLOP/s; FP32 FMA "
         "peak %.1f GFLOP/s/core (%s) x %ld cores = %.1f GFLOP/s -> %.1f%% of peak "
         "(target >= 25%%)\n", n, best, rate, peak1, isa, cores, peak, 100 * rate / peak);
  printf("  the same on one core (1 OpenBLAS thread, process CPU time): %.3f s, %.1f GFLOP/s "
         "-> %.1f%% of the one-core peak\n", best1, fl / best1 * 1e-9,
         100 * fl / best1 * 1e-9 / peak1);
  llama_state_free(s);
  free(logits);
  /* (b) bridge-everything eval vs the reference eval, same tokens and windows */
  lm_model_ops ops = llama_model_ops(m);
  lm_eval *ev;
  if (lm_eval_new(&ev, &ops, ids, 4096, 128, 2, err, sizeof err)) {
    fprintf(stderr, "bench-lm: %s\n", err);
    return 3;
  }
  lm_numerics_spec ref, br;
  lm_numerics_spec_init(&ref, LM_BK_REF);
  lm_numerics_spec_init(&br, LM_BK_BRIDGE);
  double tr = 1e30, tb = 1e30, prep_b = 0;
  for (int r = 0; r < 3; r++) { /* alternate, so both see the same machine */
    lm_eval_point p;
    if (lm_eval_run(ev, &ref, 0, &p, err, sizeof err)) break;
    if (p.seconds < tr) tr = p.seconds;
    if (lm_eval_run(ev, &br, 0, &p, err, sizeof err)) break;
    if (p.seconds < tb) tb = p.seconds;
    if (p.prepare_seconds > prep_b) prep_b = p.prepare_seconds;
  }
  if (err[0] && tb == 1e30) {
    fprintf(stderr, "bench-lm: %s\n", err);
    return 3;
  }
  printf("  eval of 2 windows x 128 tokens at offset 0: reference %.3f s, bridge everything "
         "%.3f s -> %.2fx (target <= 2x); bridge weight preparation (int8 rows, once per "
         "spec) %.3f s\n", tr, tb, tb / tr, prep_b);
  lm_eval_free(ev);
  llama_free(m);
  free(ids), free(pos);
  return 0;
}
