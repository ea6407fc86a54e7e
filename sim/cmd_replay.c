/* cmd_replay.c — `mpbsim replay`: run a trace through the golden model (traces/replay.h)
 * and write the error statistics and action counts as JSON and CSV. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_model.h"
#include "replay.h"

static void help(void) {
  printf("usage: mpbsim replay --trace FILE [--config FILE | --preset NAME] [options]\n\n"
         "Replay every record through the fast functional model (or, with --cycle, the\n"
         "cycle-accurate pipelines), compare with the FP64 reference and report the error\n"
         "per op kind, layer and position octave, plus the summed action counts.\n\n"
         "options:\n"
         "  --trace FILE       trace to replay\n"
         "  --preset NAME      datapath preset: default | patent\n"
         "  --config FILE      datapath configuration file (configs/*.cfg)\n"
         "  --set NAME=VALUE   override one parameter (repeatable)\n"
         "  --cycle            use the cycle-accurate pipelines (slower)\n"
         "  --no-counts        functional path without action counts (fastest)\n"
         "  --kind K           replay only records of kind rope|exp|gemm (repeatable)\n"
         "  --max-records N    stop after N records\n"
         "  --json FILE        write the statistics as JSON\n"
         "  --csv FILE         write the statistics as CSV\n"
         "  --quiet            no summary table\n"
         "  -h, --help         this help\n\n"
         "exit codes: 0 ok, 2 usage, 3 bad trace or configuration, 4 I/O error\n");
}

static void progress(void *user, double frac) {
  int *last = user, pct = (int)(frac * 100.0);
  if (pct == *last) return;
  *last = pct;
  int bar = pct / 2;
  fprintf(stderr, "\r[%-50.*s] %3d%%", bar, "##################################################", pct);
}

int cmd_replay(int argc, char **argv) {
  static const struct option opts[] = {
      {"preset", required_argument, 0, 1000}, {"config", required_argument, 0, 1001},
      {"set", required_argument, 0, 1002},    {"trace", required_argument, 0, 't'},
      {"cycle", no_argument, 0, 'c'},         {"no-counts", no_argument, 0, 'n'},
      {"kind", required_argument, 0, 'k'},    {"max-records", required_argument, 0, 'm'},
      {"json", required_argument, 0, 'j'},    {"csv", required_argument, 0, 'v'},
      {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  cli_model_opts mo;
  cli_model_init(&mo);
  replay_opts ro;
  replay_opts_init(&ro);
  const char *trace = NULL, *json = NULL, *csv = NULL;
  bool quiet = false;
  long v;
  int c, rc;
  optind = 1;
  while ((c = getopt_long(argc, argv, "ht:", opts, NULL)) != -1) {
    if (c >= 1000 && c < 1100) {
      if ((rc = cli_model_option(&mo, "replay", c, optarg))) return rc;
      continue;
    }
    switch (c) {
    case 't': trace = optarg; break;
    case 'c': ro.cycle = true; break;
    case 'n': ro.no_counts = true; break;
    case 'k': {
      int k = trace_kind_parse(optarg);
      if (k < 0) {
        fprintf(stderr, "mpbsim replay: option --kind: '%s' is not rope, exp or gemm\n", optarg);
        return MPB_EXIT_USAGE;
      }
      ro.kinds |= 1u << k;
      break;
    }
    case 'm':
      if (cli_parse_long("replay", "max-records", optarg, 1, 0x7fffffffffffffffL, &v))
        return MPB_EXIT_USAGE;
      ro.max_records = (uint64_t)v;
      break;
    case 'j': json = optarg; break;
    case 'v': csv = optarg; break;
    case 'q': quiet = true; break;
    case 'h': help(); return MPB_EXIT_OK;
    default: return MPB_EXIT_USAGE;
    }
  }
  if (cli_no_operands("replay", optind, argc, argv)) return MPB_EXIT_USAGE;
  if (!trace) {
    fprintf(stderr, "mpbsim replay: --trace FILE is required\n");
    return MPB_EXIT_USAGE;
  }
  if ((rc = cli_model_finish(&mo, "replay", false))) return rc;
  if (access(trace, R_OK) != 0) {
    fprintf(stderr, "mpbsim replay: cannot read %s\n", trace);
    return MPB_EXIT_IO;
  }
  int last = -1;
  if (isatty(fileno(stderr)) && !quiet) {
    ro.progress = progress;
    ro.progress_user = &last;
  }
  const mpb_config *cfg = &mo.design[0].cfg;
  replay_result res;
  char err[1024];
  int e = replay_run(trace, cfg, &ro, &res, err, sizeof err);
  if (ro.progress) fprintf(stderr, "\r%60s\r", "");
  if (e) {
    fprintf(stderr, "mpbsim replay: %s\n", err);
    return res.io_errno ? MPB_EXIT_IO : MPB_EXIT_INPUT;
  }
  rc = MPB_EXIT_OK;
  cli_out o;
  if (json) {
    if (cli_out_open(&o, "replay", json)) rc = MPB_EXIT_IO;
    else if (replay_write_json(&res, trace, cfg, o.f, err, sizeof err)) {
      fprintf(stderr, "mpbsim replay: %s: %s\n", json, err);
      cli_out_abort(&o);
      rc = MPB_EXIT_IO;
    } else if (cli_out_commit(&o, "replay")) rc = MPB_EXIT_IO;
  }
  if (csv && rc == MPB_EXIT_OK) {
    if (cli_out_open(&o, "replay", csv)) rc = MPB_EXIT_IO;
    else {
      replay_write_csv(&res, o.f);
      if (cli_out_commit(&o, "replay")) rc = MPB_EXIT_IO;
    }
  }
  if (!quiet) replay_print_summary(&res, stdout);
  replay_result_free(&res);
  return rc;
}
