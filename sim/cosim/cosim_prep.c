/* cosim_prep.c — prepare one RTL build: resolve a configuration file and export its
 * tables as $readmemh files, through libmpb only (the same calls as `mpbsim config` and
 * `mpbsim tables`), so that RTL builds do not depend on the rest of the CLI.
 * usage: cosim_prep CONFIG HEAD_DIM BASE OUTDIR
 * writes OUTDIR/config.cfg and OUTDIR/tables/<table>.memh; exit 0 ok, 2 usage, 3 bad
 * configuration, 4 I/O error. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "mpb.h"

int main(int argc, char **argv) {
  static const char *const tables[] = {"freq",   "log_freq", "log_mant", "exp",
                                       "cs_cos", "cs_sin",   "k_cs",     "k_exp"};
  if (argc != 5) {
    fprintf(stderr, "usage: cosim_prep CONFIG HEAD_DIM BASE OUTDIR\n");
    return 2;
  }
  char err[512], path[4096];
  mpb_config cfg;
  mpb_config_default(&cfg);
  mpb_status st = mpb_config_load(&cfg, argv[1], err, sizeof err);
  if (st != MPB_OK) {
    fprintf(stderr, "cosim_prep: %s\n", err);
    return st == MPB_EIO ? 4 : 3;
  }
  mpb_geometry geo = {atoi(argv[2]), atof(argv[3]), MPB_PAIR_INTERLEAVED};
  mpb_model *m = mpb_model_new(&cfg, &geo, err, sizeof err);
  if (!m) {
    fprintf(stderr, "cosim_prep: %s: %s\n", argv[1], err);
    return 3;
  }
  snprintf(path, sizeof path, "%s/tables", argv[4]);
  mkdir(argv[4], 0777);
  mkdir(path, 0777);
  int rc = 0;
  for (size_t i = 0; i < sizeof tables / sizeof tables[0] && !rc; i++) {
    snprintf(path, sizeof path, "%s/tables/%s.memh", argv[4], tables[i]);
    if (mpb_table_write_memh(m, tables[i], path, err, sizeof err) != MPB_OK) {
      fprintf(stderr, "cosim_prep: %s\n", err);
      rc = 4;
    }
  }
  snprintf(path, sizeof path, "%s/config.cfg", argv[4]);
  FILE *f = rc ? NULL : fopen(path, "w");
  if (!rc && (!f || mpb_config_write(&cfg, f) < 0 || fclose(f) != 0)) {
    fprintf(stderr, "cosim_prep: %s: cannot write\n", path);
    rc = 4;
  }
  mpb_model_free(m);
  return rc;
}
