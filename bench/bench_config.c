/* bench_config.c — cost of reading hostile configuration files (cmodel/cfg_read.c),
 * measured side by side in one run: mpb_config_load of the shipped configs/default.cfg,
 * of files with MPB_CFG_MAX_SETTINGS settings (the worst case libconfig's quadratic
 * parser still gets) and one more (refused), of one at the size limit that is a single
 * comment, and of a 14 MB file (refused before parsing). Prints the times and their ratio
 * to the shipped file's; asserts nothing (the size limit is tested in
 * tests/cmodel_hostile_test.cc). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg_read.h"
#include "mpb.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Seconds per mpb_config_load of path (best of reps). */
static double time_load(const char *path, int reps, int *status) {
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    mpb_config c;
    mpb_config_default(&c);
    char err[512];
    double t0 = now();
    *status = (int)mpb_config_load(&c, path, err, sizeof err);
    double t = now() - t0;
    if (t < best) best = t;
  }
  return best;
}

static int write_file(const char *path, const char *text, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(text, 1, n, f);
  return fclose(f) == 0 && w == n ? 0 : -1;
}

int main(void) {
  const char *tmp = getenv("TMPDIR");
  char keys[512], comment[512], huge[512];
  snprintf(keys, sizeof keys, "%s/bench-config-keys.cfg", tmp && *tmp ? tmp : "/tmp");
  snprintf(comment, sizeof comment, "%s/bench-config-comment.cfg", tmp && *tmp ? tmp : "/tmp");
  snprintf(huge, sizeof huge, "%s/bench-config-huge.cfg", tmp && *tmp ? tmp : "/tmp");
  size_t cap = 14u << 20;
  char *buf = malloc(cap + 1);
  if (!buf) return 1;
  size_t n = 0;
  int k = 0;
  while (k < MPB_CFG_MAX_SETTINGS) n += (size_t)sprintf(buf + n, "k%d = 1;\n", k++);
  if (write_file(keys, buf, n)) return 1;
  char keys2[600];
  snprintf(keys2, sizeof keys2, "%s.more", keys);
  n += (size_t)sprintf(buf + n, "k%d = 1;\n", k);
  if (write_file(keys2, buf, n)) return 1;
  memset(buf, 'x', MPB_CFG_MAX_BYTES);
  buf[0] = '#';
  buf[MPB_CFG_MAX_BYTES - 1] = '\n';
  if (write_file(comment, buf, MPB_CFG_MAX_BYTES)) return 1;
  memset(buf, 'x', cap);
  buf[0] = '#';
  if (write_file(huge, buf, cap)) return 1;
  free(buf);
  int st;
  double base = time_load("configs/default.cfg", 20, &st);
  printf("bench_config: mpb_config_load, best of runs (limit %d bytes)\n", MPB_CFG_MAX_BYTES);
  printf("  %-40s %9.3f ms  (status %d)\n", "configs/default.cfg", base * 1e3, st);
  struct { const char *what, *path; } cases[] = {
      {"512 settings (k0 = 1; ...)", keys},
      {"513 settings (refused)", keys2},
      {"64 KiB comment", comment},
      {"14 MB comment (refused)", huge}};
  for (int i = 0; i < 4; i++) {
    double t = time_load(cases[i].path, 3, &st);
    printf("  %-40s %9.3f ms  %9.1fx default.cfg  (status %d)\n", cases[i].what, t * 1e3,
           t / base, st);
  }
  remove(keys);
  remove(keys2);
  remove(comment);
  remove(huge);
  return 0;
}
