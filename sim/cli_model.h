/* cli_model.h — command-line options shared by the commands that build a model:
 * the configuration (--preset, --config, --set) and the geometry (--geometry, --head-dim,
 * --base, --pairing). */
#ifndef MPB_CLI_MODEL_H
#define MPB_CLI_MODEL_H

#include <getopt.h>

#include "mpb.h"

#define CLI_MAX_DESIGNS 8

/* One evaluated design: a configuration with a label (preset name or file name). */
typedef struct cli_design {
  char label[64];
  mpb_config cfg;
} cli_design;

typedef struct cli_model_opts {
  cli_design design[CLI_MAX_DESIGNS];
  int ndesigns;
  mpb_geometry geo;
  char geo_name[32];
} cli_model_opts;

/* Option ids 1000..1099 are reserved for these options. */
#define CLI_MODEL_LONGOPTS                                   \
  {"preset", required_argument, 0, 1000},                    \
      {"config", required_argument, 0, 1001},                \
      {"set", required_argument, 0, 1002},                   \
      {"geometry", required_argument, 0, 1003},              \
      {"head-dim", required_argument, 0, 1004},              \
      {"base", required_argument, 0, 1005},                  \
      {"pairing", required_argument, 0, 1006}

#define CLI_MODEL_HELP                                                                      \
  "  --preset NAME      datapath preset: default | patent (LOG-ADD, 16-bit log words)\n"   \
  "  --config FILE      datapath configuration file (libconfig syntax, see configs/)\n"    \
  "  --set NAME=VALUE   override one parameter (repeatable; applies to the last design)\n" \
  "  --geometry NAME    llama3 (d=128, base 500000) | smollm2 (d=64, base 100000)\n"       \
  "  --head-dim D       head dimension (even)          --base B   RoPE base\n"             \
  "  --pairing P        interleaved | half\n"

void cli_model_init(cli_model_opts *o);
/* Handle option c (1000..1099); returns 0, or prints an error and returns an exit code. */
int cli_model_option(cli_model_opts *o, const char *cmd, int c, const char *arg);
/* After parsing: default design if none given, validate all; returns 0 or an exit code. */
int cli_model_finish(cli_model_opts *o, const char *cmd, bool allow_many);
/* Build the model of design i; prints an error and returns NULL on failure. */
mpb_model *cli_model_build(const cli_model_opts *o, int i, const char *cmd);

#endif
