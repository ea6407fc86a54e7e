/* bench_sweep.c — sweep throughput (points/s) with 1 and 2 worker processes on the same
 * spec, measured side by side in one run, and the speed-up ratio (target >= 1.8x on two
 * free cores). Both runs start from empty stores in scratch directories and must give
 * identical tables; nothing is asserted about speed. Usage: bench_sweep SPEC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sweep.h"

#define REPS 3

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds of the reaped worker processes so far. */
static double children_cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec * 1e-6;
}

static int run(const sweep_spec *s, const sweep_plan *p, const char *dir, int workers,
               double *secs, double *cpu) {
  char err[1024];
  sweep_run_opts o = {workers, 0, 1, NULL, NULL};
  double c0 = children_cpu();
  double t0 = now_s();
  if (sweep_run(s, p, dir, &o, NULL, err, sizeof err)) {
    fprintf(stderr, "bench_sweep: %s\n", err);
    return -1;
  }
  *secs = now_s() - t0;
  *cpu = children_cpu() - c0;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: bench_sweep SPEC\n");
    return 2;
  }
  static sweep_spec s;
  sweep_plan p;
  char err[1024];
  if (sweep_spec_load(&s, argv[1], err, sizeof err) || sweep_plan_make(&s, &p, err, sizeof err)) {
    fprintf(stderr, "bench_sweep: %s\n", err);
    return 3;
  }
  double load0 = -1;
  FILE *la0 = fopen("/proc/loadavg", "r");
  if (la0) {
    if (fscanf(la0, "%lf", &load0) != 1) load0 = -1;
    fclose(la0);
  }
  /* Interleaved repetitions, best time of each: the machine may be shared. */
  double t1 = 1e300, t2 = 1e300, c1 = 0, c2 = 0;
  int rc = 0;
  char d1[64] = "", d2[64] = "";
  for (int rep = 0; rep < REPS && !rc; rep++) {
    char cmd[256];
    if (d1[0]) {
      snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", d1, d2);
      if (system(cmd) != 0) fprintf(stderr, "bench_sweep: cannot remove %s %s\n", d1, d2);
    }
    snprintf(d1, sizeof d1, "/tmp/mpb-bench-sweep1.XXXXXX");
    snprintf(d2, sizeof d2, "/tmp/mpb-bench-sweep2.XXXXXX");
    if (!mkdtemp(d1) || !mkdtemp(d2)) {
      perror("bench_sweep: mkdtemp");
      return 4;
    }
    double a = 0, b = 0, ca = 0, cb = 0;
    rc = run(&s, &p, d1, 1, &a, &ca) || run(&s, &p, d2, 2, &b, &cb) ? 1 : 0;
    if (a < t1) {
      t1 = a;
      c1 = ca;
    }
    if (b < t2) {
      t2 = b;
      c2 = cb;
    }
  }
  if (!rc) {
    sweep_table a, b;
    if (sweep_table_load(d1, &s, &p, &a, err, sizeof err) ||
        sweep_table_load(d2, &s, &p, &b, err, sizeof err)) {
      fprintf(stderr, "bench_sweep: %s\n", err);
      rc = 1;
    } else {
      bool same = a.missing == 0 && b.missing == 0 &&
                  memcmp(a.r, b.r, a.n * sizeof *a.r) == 0;
      double r1 = (double)p.n / t1, r2 = (double)p.n / t2;
      printf("bench_sweep %s: %zu points (1-min load average before: %.2f on %ld cores)\n",
             s.name, p.n, load0, sysconf(_SC_NPROCESSORS_ONLN));
      printf("  best of %d interleaved runs each\n", REPS);
      printf("  1 worker : %8.3f s  %8.1f points/s  (worker CPU %.3f s)\n", t1, r1, c1);
      printf("  2 workers: %8.3f s  %8.1f points/s  (worker CPU %.3f s, %.2f cores busy)\n",
             t2, r2, c2, t2 > 0 ? c2 / t2 : 0);
      printf("  speed-up 2 vs 1 workers: %.2fx (target >= 1.8x on 2 free cores)\n", r2 / r1);
      printf("  results identical: %s\n", same ? "yes" : "NO");
      if (!same) rc = 1;
      sweep_table_free(&a);
      sweep_table_free(&b);
    }
  }
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", d1, d2);
  if (system(cmd) != 0) fprintf(stderr, "bench_sweep: cannot remove %s %s\n", d1, d2);
  sweep_plan_free(&p);
  sweep_spec_free(&s);
  return rc;
}
