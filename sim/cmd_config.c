/* cmd_config.c — `mpbsim config`: print the resolved configuration (defaults, preset,
 * file and --set overrides applied) in the configuration-file syntax, or validate a file. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"

static void help(void) {
  printf("usage: mpbsim config [options]\n\n"
         "Print the resolved datapath configuration in configuration-file syntax\n"
         "(libconfig), with each parameter's meaning; with --check, only validate.\n\n"
         "options:\n" CLI_MODEL_HELP
         "  --check            validate and print 'ok' instead of the configuration\n"
         "  --params           list every parameter with its range and default\n"
         "  -h, --help         this help\n\n"
         "exit codes: 0 valid, 2 usage, 3 invalid configuration, 4 unreadable file\n");
}

static void list_params(void) {
  printf("%-17s %-22s %-9s %s\n", "parameter", "range", "default", "meaning");
  for (size_t i = 0; i < mpb_param_count(); i++) {
    const mpb_param_info *p = mpb_param_get(i);
    char range[64], def[32];
    if (p->choices) {
      range[0] = '\0';
      for (int k = 0; p->choices[k]; k++) {
        strncat(range, k ? "|" : "", sizeof range - strlen(range) - 1);
        strncat(range, p->choices[k], sizeof range - strlen(range) - 1);
      }
      snprintf(def, sizeof def, "%s", p->choices[p->def]);
    } else {
      snprintf(range, sizeof range, "%ld..%ld", p->lo, p->hi);
      snprintf(def, sizeof def, "%ld", p->def);
    }
    printf("%-17s %-22s %-9s %s\n", p->name, range, def, p->doc);
  }
}

int cmd_config(int argc, char **argv) {
  static const struct option opts[] = {CLI_MODEL_LONGOPTS,
                                       {"check", no_argument, 0, 'c'},
                                       {"params", no_argument, 0, 'p'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cli_model_opts mo;
  cli_model_init(&mo);
  bool check = false;
  int c, rc;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c >= 1000 && c < 1100) {
      if ((rc = cli_model_option(&mo, "config", c, optarg))) return rc;
    } else if (c == 'c') {
      check = true;
    } else if (c == 'p') {
      list_params();
      return MPB_EXIT_OK;
    } else if (c == 'h') {
      help();
      return MPB_EXIT_OK;
    } else {
      return MPB_EXIT_USAGE;
    }
  }
  if (cli_no_operands("config", optind, argc, argv)) return MPB_EXIT_USAGE;
  if ((rc = cli_model_finish(&mo, "config", false))) return rc;
  if (check) {
    printf("ok\n");
    return MPB_EXIT_OK;
  }
  printf("# mpbsim %s datapath configuration (%s)\n", MPB_VERSION, mo.design[0].label);
  return mpb_config_write(&mo.design[0].cfg, stdout) ? MPB_EXIT_IO : MPB_EXIT_OK;
}
