/* cmd_report.c — `mpbsim report`: the precision/energy report of one configuration and
 * geometry (analysis/report.h) as DIR/report.html, report.csv and report.json. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"
#include "report.h"
#include "report_trace.h"

static void help(void) {
  printf("usage: mpbsim report --out DIR [options]\n\n"
         "Measure one datapath configuration and write DIR/report.html (self-contained,\n"
         "inline SVG), DIR/report.csv and DIR/report.json (docs/report-schema.md): cos/sin\n"
         "error of the rope unit and of the FP32/BF16/FP16/INT8 recipes against FP64 over\n"
         "positions 0..POS for every pair, growth of the error with position, the ulp\n"
         "histogram, energy per rotation/exp/MAC by block (plain and activity-adjusted)\n"
         "against the baseline pipelines, attention-score/softmax-KL, SSM-scan and KV-cache\n"
         "effects on a seeded synthetic workload, and the seed's claims beside the results.\n\n"
         "options:\n" CLI_MODEL_HELP
         "  --out DIR          output directory (created)\n"
         "  --positions POS    last position evaluated (default 131072)\n"
         "  --per-octave K     positions sampled per octave above 2047 (default 1024)\n"
         "  --dense            evaluate every position 0..POS (slower)\n"
         "  --energy FILE      energy table (default: built-in configs/energy-45nm.cfg)\n"
         "  --rtl-toggles FILE per-block toggle counts of one unit from the RTL (JSON) to\n"
         "                     cross-check against the model; once per unit (rope, exp,\n"
         "                     dot), a second file of the same unit is a usage error\n"
         "  --trace FILE       also replay a trace (mpbsim gen / trace import / lm): errors\n"
         "                     per op, layer, head and position, attention scores from its\n"
         "                     Q/K records, energy of its actions; the trace's RoPE geometry\n"
         "                     replaces --geometry\n"
         "  --lm-eval FILE     closed-loop results (mpbsim lm eval --json): a section with\n"
         "                     their table and KLD-vs-position plot, and the model-level\n"
         "                     claims rows (docs/model-eval.md)\n"
         "  --gate FILE        gate-level results of `mpbsim gate` (JSON) to show beside the\n"
         "                     action model; once per configuration (at most 4)\n"
         "  --decode-tps R     stated workload: decode tokens/s (default 20)\n"
         "  --ssm-eval FILE    SSM closed-loop results (mpbsim ssm eval --json): the error of\n"
         "                     the state against the step per variant and the growth table\n"
         "  --hybrid-eval FILE hybrid closed-loop results (mpbsim ssm hybrid --json): the KLD\n"
         "                     table at each checkpoint with its attribution\n"
         "  --seed S           seed of the synthetic workload (default 0x5eed2026)\n"
         "  --keys N           keys per query in the attention check (default 256)\n"
         "  --tokens T         tokens of the SSM scan check (default 4096)\n"
         "  -h, --help         this help\n\n"
         "exit codes: 0 ok, 2 usage, 3 bad input (configuration, energy or toggle file),\n"
         "4 I/O error\n");
}

/* Write the three files through temporary files; commit only when all three are written,
 * so that a failure leaves no partial report behind. */
static int write_all(const mpb_report *r, const char *dir) {
  static const char *const names[3] = {"report.json", "report.csv", "report.html"};
  int (*const fns[3])(const mpb_report *, FILE *) = {mpb_report_write_json, mpb_report_write_csv,
                                                     mpb_report_write_html};
  cli_out o[3];
  int nopen = 0, rc = MPB_EXIT_OK;
  for (int i = 0; i < 3 && !rc; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (cli_out_open(&o[i], "report", path)) {
      rc = MPB_EXIT_IO;
      break;
    }
    nopen++;
    if (fns[i](r, o[i].f) || fflush(o[i].f)) {
      fprintf(stderr, "mpbsim report: cannot write %s\n", path);
      rc = MPB_EXIT_IO;
    }
  }
  for (int i = 0; i < nopen; i++) {
    if (rc) cli_out_abort(&o[i]);
    else if (cli_out_commit(&o[i], "report")) rc = MPB_EXIT_IO;
  }
  return rc;
}

int cmd_report(int argc, char **argv) {
  static const struct option opts[] = {CLI_MODEL_LONGOPTS,
                                       {"out", required_argument, 0, 'o'},
                                       {"positions", required_argument, 0, 'p'},
                                       {"per-octave", required_argument, 0, 'k'},
                                       {"dense", no_argument, 0, 'd'},
                                       {"energy", required_argument, 0, 'e'},
                                       {"rtl-toggles", required_argument, 0, 't'},
                                       {"trace", required_argument, 0, 'R'},
                                       {"lm-eval", required_argument, 0, 'L'},
                                       {"ssm-eval", required_argument, 0, 'M'},
                                       {"hybrid-eval", required_argument, 0, 'H'},
                                       {"seed", required_argument, 0, 's'},
                                       {"keys", required_argument, 0, 'K'},
                                       {"tokens", required_argument, 0, 'T'},
                                       {"gate", required_argument, 0, 'G'},
                                       {"decode-tps", required_argument, 0, 'D'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cli_model_opts mo;
  cli_model_init(&mo);
  mpb_report_opts ro;
  mpb_report_opts_default(&ro);
  const char *out = NULL, *rtl_paths[16];
  size_t nrtl = 0;
  long v;
  int c, rc;
  optind = 1;
  while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
    if (c >= 1000 && c < 1100) {
      if ((rc = cli_model_option(&mo, "report", c, optarg))) return rc;
      continue;
    }
    switch (c) {
      case 'o': out = optarg; break;
      case 'd': ro.dense = true; break;
      case 'e': ro.energy_path = optarg; break;
      case 't':
        if (nrtl == sizeof rtl_paths / sizeof rtl_paths[0]) {
          fprintf(stderr, "mpbsim report: --rtl-toggles given more than %zu times (one file "
                          "per unit: rope, exp, dot)\n", nrtl);
          return MPB_EXIT_USAGE;
        }
        rtl_paths[nrtl++] = optarg;
        break;
      case 'R': ro.trace_path = optarg; break;
      case 'L': ro.lm_eval_path = optarg; break;
      case 'G':
        if (ro.n_gate == MPB_REPORT_NGATE) {
          fprintf(stderr, "mpbsim report: --gate given more than %d times\n", MPB_REPORT_NGATE);
          return MPB_EXIT_USAGE;
        }
        ro.gate_paths[ro.n_gate++] = optarg;
        break;
      case 'D':
        if (cli_parse_long("report", "decode-tps", optarg, 1, 1000000, &v)) return MPB_EXIT_USAGE;
        ro.decode_tps = (double)v;
        break;
      case 'M': ro.ssm_eval_path = optarg; break;
      case 'H': ro.hybrid_eval_path = optarg; break;
      case 'p':
        if (cli_parse_long("report", "positions", optarg, 1, (1L << 24) - 1, &v))
          return MPB_EXIT_USAGE;
        ro.pos_max = (uint32_t)v;
        break;
      case 'k':
        if (cli_parse_long("report", "per-octave", optarg, 2, 1L << 20, &v)) return MPB_EXIT_USAGE;
        ro.per_octave = (uint32_t)v;
        break;
      case 's':
        if (cli_parse_long("report", "seed", optarg, 0, 0x7fffffffffffffffL, &v))
          return MPB_EXIT_USAGE;
        ro.seed = (uint64_t)v;
        break;
      case 'K':
        if (cli_parse_long("report", "keys", optarg, 8, 1L << 16, &v)) return MPB_EXIT_USAGE;
        ro.attn_keys = (size_t)v;
        break;
      case 'T':
        if (cli_parse_long("report", "tokens", optarg, 1, 1L << 22, &v)) return MPB_EXIT_USAGE;
        ro.ssm_tokens = (size_t)v;
        break;
      case 'h': help(); return MPB_EXIT_OK;
      default: return MPB_EXIT_USAGE;
    }
  }
  if (cli_no_operands("report", optind, argc, argv)) return MPB_EXIT_USAGE;
  if (!out) {
    fprintf(stderr, "mpbsim report: --out DIR is required\n");
    return MPB_EXIT_USAGE;
  }
  if ((rc = cli_model_finish(&mo, "report", false))) return rc;
  ro.cfg = mo.design[0].cfg;
  snprintf(ro.config_name, sizeof ro.config_name, "%s", mo.design[0].label);
  ro.geo = mo.geo;
  snprintf(ro.geometry_name, sizeof ro.geometry_name, "%s", mo.geo_name);
  char err[1024];
  mpb_rtl_toggles rt[sizeof rtl_paths / sizeof rtl_paths[0]]; /* a repeated unit is a */
  rc = mpb_rtl_toggles_load_set(rtl_paths, nrtl, rt, err, sizeof err); /* usage error     */
  if (rc) {
    fprintf(stderr, "mpbsim report: %s\n", err);
    return rc == MPB_RTL_EDUP ? MPB_EXIT_USAGE : MPB_EXIT_INPUT;
  }
  for (size_t i = 0; i < nrtl; i++) ro.rtl_toggles_paths[i] = rtl_paths[i]; /* nrtl <= 3 */
  ro.n_rtl_toggles = nrtl;
  if (ro.trace_path) {
    char model[128];
    if (mpb_trace_geometry(ro.trace_path, &ro.geo, model, sizeof model, err, sizeof err)) {
      fprintf(stderr, "mpbsim report: %s\n", err);
      return MPB_EXIT_INPUT;
    }
    snprintf(ro.geometry_name, sizeof ro.geometry_name, "trace: %.50s", model);
  }
  mpb_report r;
  if (mpb_report_build(&ro, &r, err, sizeof err)) {
    fprintf(stderr, "mpbsim report: %s\n", err);
    return MPB_EXIT_INPUT;
  }
  if (cli_mkdirs("report", out)) {
    mpb_report_free(&r);
    return MPB_EXIT_IO;
  }
  rc = write_all(&r, out);
  if (!rc)
    printf("report: %s/report.html (bridge max cos/sin error %.3g, FP32 %.3g; %.1f pJ per "
           "rotation vs FP32 %.1f pJ; decode %.1f W vs INT8 %.1f W, BF16 %.1f W, FP32 %.1f W)\n",
           out, r.max_err[MPB_RV_BRIDGE], r.max_err[MPB_RV_FP32], r.e_rot.total_pj,
           r.base_pj[MPB_EPIPE_FP32][MPB_EOP_ROTATION], r.sys[0][MPB_SYS_BRIDGE].total_w,
           r.sys[0][MPB_SYS_INT8].total_w, r.sys[0][MPB_SYS_BF16].total_w,
           r.sys[0][MPB_SYS_FP32].total_w);
  if (!rc && r.n_rtl && r.rtl_differ)
    printf("report: RTL toggles DIFFER from the model on %d of %d blocks (%zu units given)\n",
           r.rtl_differ, r.rtl_blocks, r.n_rtl);
  else if (!rc && r.n_rtl)
    printf("report: RTL toggles equal the model on all %d blocks (%zu units given)\n",
           r.rtl_blocks, r.n_rtl);
  mpb_report_free(&r);
  return rc;
}
