/* cmd_tables.c — `mpbsim tables`: write the LOGLUT tables of a configuration and geometry
 * as $readmemh files, the only way table contents reach the RTL. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"

static const char *const tables[] = {"freq",   "log_freq", "log_mant", "exp",
                                     "cs_cos", "cs_sin",   "k_cs",     "k_exp"};

static void help(void) {
  printf("usage: mpbsim tables --out DIR [options]\n\n"
         "Write every table of the model as DIR/<table>.memh ($readmemh format, one hex\n"
         "word per line, two's complement at the table's width): freq, log_freq, log_mant,\n"
         "exp, cs_cos, cs_sin, k_cs, k_exp (docs/architecture.md section 4).\n\n"
         "options:\n" CLI_MODEL_HELP
         "  --out DIR          output directory (created)\n"
         "  -h, --help         this help\n\n"
         "exit codes: 0 ok, 2 usage, 3 invalid configuration, 4 I/O error\n");
}

int cmd_tables(int argc, char **argv) {
  static const struct option opts[] = {CLI_MODEL_LONGOPTS,
                                       {"out", required_argument, 0, 'o'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cli_model_opts mo;
  cli_model_init(&mo);
  const char *out = NULL;
  int c, rc;
  optind = 1;
  while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
    if (c >= 1000 && c < 1100) {
      if ((rc = cli_model_option(&mo, "tables", c, optarg))) return rc;
    } else if (c == 'o') {
      out = optarg;
    } else if (c == 'h') {
      help();
      return MPB_EXIT_OK;
    } else {
      return MPB_EXIT_USAGE;
    }
  }
  if (!out) {
    fprintf(stderr, "mpbsim tables: --out DIR is required\n");
    return MPB_EXIT_USAGE;
  }
  if ((rc = cli_model_finish(&mo, "tables", false))) return rc;
  if (cli_mkdirs("tables", out)) return MPB_EXIT_IO;
  mpb_model *m = cli_model_build(&mo, 0, "tables");
  if (!m) return MPB_EXIT_INPUT;
  rc = MPB_EXIT_OK;
  for (size_t i = 0; i < sizeof tables / sizeof tables[0] && rc == MPB_EXIT_OK; i++) {
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/%s.memh", out, tables[i]);
    if (mpb_table_write_memh(m, tables[i], path, err, sizeof err) != MPB_OK) {
      fprintf(stderr, "mpbsim tables: %s\n", err);
      rc = MPB_EXIT_IO;
    }
  }
  mpb_model_free(m);
  return rc;
}
