/* bench_replay.c — `make bench-replay`: replay throughput (rotations/s) of one trace in
 * three modes measured side by side in this run (functional without action counts,
 * functional with counts, cycle-accurate pipelines), and the process's peak RSS.
 * Prints ratios; asserts nothing. Usage: bench_replay TRACE CONFIG [cycle_max_records] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "replay.h"

static double run(const char *trace, const mpb_config *cfg, bool cycle, bool no_counts,
                  uint64_t max_records, uint64_t *rot, double *max_err) {
  replay_opts o;
  replay_opts_init(&o);
  o.cycle = cycle;
  o.no_counts = no_counts;
  o.max_records = max_records;
  replay_result res;
  char err[1024];
  if (replay_run(trace, cfg, &o, &res, err, sizeof err)) {
    fprintf(stderr, "bench_replay: %s\n", err);
    exit(3);
  }
  *rot = res.ops[TRACE_ROPE];
  *max_err = res.kind[TRACE_ROPE].max_abs;
  double s = res.seconds;
  replay_result_free(&res);
  return s;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench_replay TRACE CONFIG [cycle_max_records]\n");
    return 2;
  }
  mpb_config cfg;
  char err[512];
  if (mpb_config_load(&cfg, argv[2], err, sizeof err) != MPB_OK) {
    fprintf(stderr, "bench_replay: %s\n", err);
    return 3;
  }
  uint64_t cyc_max = argc > 3 ? strtoull(argv[3], NULL, 0) : 36;
  uint64_t r0, r1, r2;
  double e0, e1, e2;
  double t0 = run(argv[1], &cfg, false, true, 0, &r0, &e0);
  double t1 = run(argv[1], &cfg, false, false, 0, &r1, &e1);
  double t2 = run(argv[1], &cfg, true, false, cyc_max, &r2, &e2);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double v0 = r0 / t0, v1 = r1 / t1, v2 = r2 / t2;
  printf("bench-replay: %s\n", argv[1]);
  printf("  %-34s %12s %10s %14s %8s\n", "mode", "rotations", "seconds", "rotations/s",
         "ratio");
  printf("  %-34s %12llu %10.3f %14.4g %8.3f\n", "functional, no counts (fast path)",
         (unsigned long long)r0, t0, v0, 1.0);
  printf("  %-34s %12llu %10.3f %14.4g %8.3f\n", "functional, action counts",
         (unsigned long long)r1, t1, v1, v1 / v0);
  printf("  %-34s %12llu %10.3f %14.4g %8.3f\n", "cycle-accurate (first records)",
         (unsigned long long)r2, t2, v2, v2 / v0);
  printf("  max rope error (int8 units): %.4g, %.4g, %.4g (modes agree: %s)\n", e0, e1, e2,
         e0 == e1 ? "yes" : "NO");
  printf("  peak RSS %.1f MB (getrusage, whole process; targets: full replay < 60 s, "
         "RSS < 512 MB)\n", ru.ru_maxrss / 1024.0);
  return 0;
}
