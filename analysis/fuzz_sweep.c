/* fuzz_sweep.c — libFuzzer target: the sweep spec parser (sweep_spec_load) and the point
 * planner on arbitrary bytes must return an error or a valid spec, never crash or hang.
 * Inputs with libconfig's @include are skipped (they name arbitrary files). libconfig
 * itself leaks a string buffer on some syntax errors (strbuf_append in its scanner): that
 * leak, inside libconfig.so only, is suppressed; leaks in our code still fail. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep.h"

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libconfig.so\n"; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (size_t i = 0; i + 8 <= size; i++)
    if (!memcmp(data + i, "@include", 8)) return 0;
  char path[64];
  snprintf(path, sizeof path, "/tmp/mpb-fuzz-sweep-%ld.cfg", (long)getpid());
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  static sweep_spec s;
  char err[1024];
  if (sweep_spec_load(&s, path, err, sizeof err) == MPB_OK) {
    if (sweep_grid_size(&s) <= 4096) {
      sweep_plan p;
      if (sweep_plan_make(&s, &p, err, sizeof err) == MPB_OK) sweep_plan_free(&p);
    }
    sweep_spec_free(&s);
  }
  unlink(path);
  return 0;
}
