/* bench_passkey.c — `make bench-passkey`: prefill speed of Gemma 3 270M on a passkey
 * prompt (lm/passkey.h) at 4k and 32k tokens, for the FP32 reference numerics and the
 * bridge (every site, default datapath), side by side in one run: tokens per second of
 * each and the bridge's speed as a ratio to the reference's. One prompt per length (key
 * at depth 0.5), all tokens through the batched forward pass (batches of 512), logits for
 * the last 5 rows only, as a passkey cell computes them; weights are prepared before the
 * timing. Process CPU time and wall time are both printed; the ratio uses CPU time
 * (OpenBLAS single-threaded: OPENBLAS_NUM_THREADS=1), which a busy machine disturbs less.
 * Lengths can be given as arguments. Prints numbers; asserts nothing. Skips (exit 0)
 * without the model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "passkey.h"

#define MODEL "models/gemma-3-270m-q4_k_m.gguf"
#define FILLER "data/passkey-filler.txt"

static double clock_s(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Time one prefill of ids[0, n) under spec; returns 0 and the CPU / wall seconds. */
static int time_prefill(const llama_model *m, const char *spec, const int32_t *ids, int n,
                        double *cpu, double *wall) {
  char err[512];
  lm_numerics_spec sp;
  lm_numerics_spec_init(&sp, LM_BK_REF);
  lm_numerics *nm;
  llama_state *s;
  if (lm_numerics_spec_parse(&sp, spec, err, sizeof err) ||
      lm_numerics_new(&nm, &sp, err, sizeof err)) {
    fprintf(stderr, "bench-passkey: %s\n", err);
    return -1;
  }
  if (llama_state_new_numerics(&s, m, n, 512, nm, err, sizeof err)) {
    fprintf(stderr, "bench-passkey: %s\n", err);
    lm_numerics_free(nm);
    return -1;
  }
  int64_t *pos = malloc((size_t)n * sizeof *pos);
  float *lg = malloc((size_t)5 * m->c.n_vocab * sizeof *lg);
  int rc = pos && lg ? 0 : -1;
  for (int i = 0; !rc && i < n; i++) pos[i] = i;
  double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
  if (!rc && llama_forward_batch(s, ids, pos, n, lg, n - 5, err, sizeof err)) {
    fprintf(stderr, "bench-passkey: %s\n", err);
    rc = -1;
  }
  *cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
  *wall = clock_s(CLOCK_MONOTONIC) - w0;
  free(pos), free(lg);
  llama_state_free(s);
  lm_numerics_free(nm);
  return rc;
}

int main(int argc, char **argv) {
  char err[512];
  if (access(MODEL, R_OK) != 0) {
    printf("bench-passkey: skipped, %s is absent (make models)\n", MODEL);
    return 0;
  }
  llama_model *m;
  lm_passkey_task *t;
  if (llama_load_gguf(&m, MODEL, err, sizeof err) || lm_passkey_task_new(&t, m, FILLER, err, sizeof err)) {
    fprintf(stderr, "bench-passkey: %s\n", err);
    return 3;
  }
  int lengths[8] = {4096, 32768}, nl = 2;
  if (argc > 1)
    for (nl = 0; nl < 8 && nl + 1 < argc; nl++) lengths[nl] = atoi(argv[nl + 1]);
  printf("bench-passkey: Gemma 3 270M prefill of a passkey prompt, CPU seconds (wall)\n");
  printf("%8s  %-7s %10s %10s %10s %8s\n", "length", "numerics", "cpu s", "wall s", "tok/s", "vs ref");
  for (int i = 0; i < nl; i++) {
    int n = lengths[i], key_at;
    int32_t *ids = malloc((size_t)n * sizeof *ids);
    if (!ids || lm_passkey_build(t, n, 0.5, lm_passkey_key(2026, n, 0.5, 0), ids, &key_at, err, sizeof err)) {
      fprintf(stderr, "bench-passkey: %s\n", ids ? err : "out of memory");
      return 3;
    }
    double ref_rate = 0;
    for (int b = 0; b < 2; b++) {
      const char *spec = b ? "bridge" : "ref";
      double cpu, wall;
      if (time_prefill(m, spec, ids, n, &cpu, &wall)) return 3;
      double rate = n / cpu;
      if (!b) ref_rate = rate;
      printf("%8d  %-7s %10.1f %10.1f %10.1f %7.2fx\n", n, spec, cpu, wall, rate, rate / ref_rate);
      fflush(stdout);
    }
    free(ids);
  }
  lm_passkey_task_free(t);
  llama_free(m);
  return 0;
}
