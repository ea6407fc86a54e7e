/* cmd_exp.c — `mpbsim exp`: relative error of the exp unit (2^u, the softmax and SSM
 * exp()) against FP64 over a range of u, per unit interval, beside exp2 computed in FP32
 * and rounded to BF16 and FP16; CSV and JSON output. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"
#include "cli_stats.h"

enum { COL_FP32 = CLI_MAX_DESIGNS, COL_BF16, COL_FP16, NCOL };

static void help(void) {
  printf("usage: mpbsim exp [options]\n\n"
         "Relative error of the exp unit's 2^u (input Q8.16, output UQ1.15 mantissa and\n"
         "exponent) against FP64 over u in [LO, HI), per unit interval of u, beside exp2f in\n"
         "FP32 and rounded to BF16 and FP16. Softmax exp(x) is 2^(x log2 e) with x <= 0;\n"
         "the SSM's exp(dt*A) likewise.\n\n"
         "options:\n" CLI_MODEL_HELP
         "  --range LO:HI      u range, integers in [-128, 128) (default -24:0)\n"
         "  --step N           every N-th Q8.16 code (default 1: all 65536 per unit)\n"
         "  --csv FILE         per-interval rows (design,u_lo,u_hi,count,max_rel_err,rms_rel_err)\n"
         "  --json FILE        the same as JSON\n"
         "  -h, --help         this help\n\n"
         "exit codes: 0 ok, 2 usage, 3 invalid configuration, 4 I/O error\n");
}

int cmd_exp(int argc, char **argv) {
  static const struct option opts[] = {CLI_MODEL_LONGOPTS,
                                       {"range", required_argument, 0, 'r'},
                                       {"step", required_argument, 0, 's'},
                                       {"csv", required_argument, 0, 'c'},
                                       {"json", required_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cli_model_opts mo;
  cli_model_init(&mo);
  long lo = -24, hi = 0, step = 1;
  const char *csv = NULL, *jsonp = NULL;
  int c, rc;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c >= 1000 && c < 1100) {
      if ((rc = cli_model_option(&mo, "exp", c, optarg))) return rc;
      continue;
    }
    switch (c) {
    case 'r':
      if (sscanf(optarg, "%ld:%ld", &lo, &hi) != 2 || lo < -128 || hi > 128 || lo >= hi) {
        fprintf(stderr, "mpbsim exp: option --range: '%s' is not LO:HI with -128 <= LO < HI "
                        "<= 128\n", optarg);
        return MPB_EXIT_USAGE;
      }
      break;
    case 's':
      if (cli_parse_long("exp", "step", optarg, 1, 65536, &step)) return MPB_EXIT_USAGE;
      break;
    case 'c': csv = optarg; break;
    case 'j': jsonp = optarg; break;
    case 'h': help(); return MPB_EXIT_OK;
    default: return MPB_EXIT_USAGE;
    }
  }
  if (cli_no_operands("exp", optind, argc, argv)) return MPB_EXIT_USAGE;
  if ((rc = cli_model_finish(&mo, "exp", true))) return rc;
  int nb = (int)(hi - lo);
  err_acc(*acc)[NCOL] = calloc((size_t)nb, sizeof *acc);
  mpb_model *mdl[CLI_MAX_DESIGNS] = {0};
  const char *label[NCOL] = {0};
  if (!acc) return MPB_EXIT_IO;
  rc = MPB_EXIT_OK;
  for (int i = 0; i < mo.ndesigns; i++) {
    label[i] = mo.design[i].label;
    if (!(mdl[i] = cli_model_build(&mo, i, "exp"))) rc = MPB_EXIT_INPUT;
  }
  label[COL_FP32] = "fp32";
  label[COL_BF16] = "bf16";
  label[COL_FP16] = "fp16";
  for (long code = lo * 65536; rc == MPB_EXIT_OK && code < hi * 65536; code += step) {
    double u = (double)code / 65536.0, exact = exp2(u);
    int b = (int)(floor(u) - (double)lo);
    for (int i = 0; i < mo.ndesigns; i++) {
      mpb_exp_req in = {(int32_t)code};
      mpb_exp_resp out;
      mpb_exp_eval(mdl[i], &in, &out, NULL);
      err_acc_add(&acc[b][i], fabs(mpb_exp_value(&out) - exact) / exact, u, 0);
    }
    double f = exp2f((float)u);
    double vb = mpb_round_float(f, 8, -126, 127), vh = mpb_round_float(f, 11, -14, 15);
    err_acc_add(&acc[b][COL_FP32], fabs(f - exact) / exact, u, 0);
    err_acc_add(&acc[b][COL_BF16], fabs(vb - exact) / exact, u, 0);
    err_acc_add(&acc[b][COL_FP16], fabs(vh - exact) / exact, u, 0);
  }
  if (rc == MPB_EXIT_OK) {
    printf("\nmax relative error of 2^u vs FP64, per unit interval of u\n%-12s", "u");
    for (int i = 0; i < NCOL; i++)
      if (label[i]) printf(" %9.9s", label[i]);
    printf("\n");
    for (int b = 0; b < nb; b++) {
      printf("%4ld..%-6ld", lo + b, lo + b + 1);
      for (int i = 0; i < NCOL; i++)
        if (label[i]) err_print_cell(acc[b][i].max);
      printf("\n");
    }
  }
  json_t *root = json_pack("{s:s, s:i, s:i, s:i, s:[]}", "tool", "mpbsim exp " MPB_VERSION,
                           "u_lo", (int)lo, "u_hi", (int)hi, "step", (int)step, "rows");
  cli_out o;
  if (rc == MPB_EXIT_OK && csv) {
    if (cli_out_open(&o, "exp", csv)) {
      rc = MPB_EXIT_IO;
    } else {
      fprintf(o.f, "design,u_lo,u_hi,count,max_rel_err,rms_rel_err,nonfinite\n");
      for (int i = 0; i < NCOL; i++)
        for (int b = 0; label[i] && b < nb; b++)
          fprintf(o.f, "%s,%ld,%ld,%llu,%.9e,%.9e,%llu\n", label[i], lo + b, lo + b + 1,
                  (unsigned long long)acc[b][i].n, acc[b][i].max, err_acc_rms(&acc[b][i]),
                  (unsigned long long)acc[b][i].nonfinite);
      if (cli_out_commit(&o, "exp")) rc = MPB_EXIT_IO;
    }
  }
  if (rc == MPB_EXIT_OK && jsonp) {
    json_t *rows = json_object_get(root, "rows");
    for (int i = 0; i < NCOL; i++)
      for (int b = 0; label[i] && b < nb; b++)
        json_array_append_new(rows, json_pack("{s:s, s:i, s:i, s:I, s:f, s:f, s:I}", "design",
                                              label[i], "u_lo", (int)(lo + b), "u_hi",
                                              (int)(lo + b + 1), "count",
                                              (json_int_t)acc[b][i].n, "max_rel_err",
                                              isfinite(acc[b][i].max) ? acc[b][i].max : -1.0,
                                              "rms_rel_err", err_acc_rms(&acc[b][i]), "nonfinite",
                                              (json_int_t)acc[b][i].nonfinite));
    if (cli_out_open(&o, "exp", jsonp)) {
      rc = MPB_EXIT_IO;
    } else if (json_dumpf(root, o.f, JSON_INDENT(1)) != 0) {
      cli_out_fail(&o, "exp");
      rc = MPB_EXIT_IO;
    } else if (cli_out_commit(&o, "exp")) {
      rc = MPB_EXIT_IO;
    }
  }
  json_decref(root);
  for (int i = 0; i < mo.ndesigns; i++) mpb_model_free(mdl[i]);
  free(acc);
  return rc;
}
