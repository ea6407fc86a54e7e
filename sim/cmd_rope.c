/* cmd_rope.c — `mpbsim rope`: evaluate datapath configurations and the framework
 * baselines over a range of positions and every pair of a geometry; print max and RMS
 * |cos/sin error| against the FP64 reference per position octave; write CSV and JSON. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"
#include "cli_stats.h"

#define NBUCKET 26 /* octaves: [0,1), [1,2), [2,4), ... [2^23, 2^24) */

typedef struct {
  char label[64];
  bool is_baseline;
  mpb_baseline base;
  mpb_model *mdl;
  err_acc b[NBUCKET], all;
} column;

static int bucket_of(uint32_t m) { return m == 0 ? 0 : 32 - __builtin_clz(m); }

static void help(void) {
  printf(
      "usage: mpbsim rope [options]\n\n"
      "Evaluate one or more datapath configurations (--preset/--config, repeatable) and the\n"
      "baselines over positions [LO, HI) and every pair of the geometry; print max and RMS\n"
      "|cos/sin error| against the FP64 reference per position octave.\n\n"
      "options:\n" CLI_MODEL_HELP
      "  --positions LO:HI  half-open position range (default 0:131072)\n"
      "  --step S           position step (default 1)\n"
      "  --baselines LIST   comma list of fp32,bf16,fp16,int8, or all, or none (default all)\n"
      "  --goal E           exit 1 unless the first design's max error is <= E\n"
      "  --csv FILE         write per-octave rows (geometry,design,lo,hi,count,max,rms)\n"
      "  --json FILE        write the same plus the configurations and worst cases\n"
      "  -h, --help         this help\n\n"
      "exit codes: 0 ok, 1 goal missed, 2 usage, 3 invalid configuration, 4 I/O error\n");
}

static int parse_range(const char *s, uint32_t *lo, uint32_t *hi) {
  char *end;
  unsigned long a = strtoul(s, &end, 0);
  if (*end != ':') return -1;
  unsigned long b = strtoul(end + 1, &end, 0);
  if (*end || b <= a || b > (1ul << 24)) return -1;
  *lo = (uint32_t)a;
  *hi = (uint32_t)b;
  return 0;
}

static int parse_baselines(const char *s, bool *on) {
  for (int b = 0; b < MPB_NBASE; b++) on[b] = false;
  if (!strcmp(s, "none")) return 0;
  if (!strcmp(s, "all")) {
    for (int b = MPB_BASE_FP32; b < MPB_NBASE; b++) on[b] = true;
    return 0;
  }
  char buf[128];
  snprintf(buf, sizeof buf, "%s", s);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    int found = 0;
    for (int b = MPB_BASE_FP32; b < MPB_NBASE; b++)
      if (!strcmp(tok, mpb_baseline_name((mpb_baseline)b))) {
        on[b] = true;
        found = 1;
      }
    if (!found) return -1;
  }
  return 0;
}

static int write_csv(const char *path, const cli_model_opts *mo, const column *col, int ncol) {
  cli_out o;
  if (cli_out_open(&o, "rope", path)) return MPB_EXIT_IO;
  fprintf(o.f, "geometry,head_dim,base,design,pos_lo,pos_hi,count,max_abs_err,rms_err,nonfinite\n");
  for (int i = 0; i < ncol; i++)
    for (int b = 0; b < NBUCKET; b++) {
      const err_acc *a = &col[i].b[b];
      if (!a->n && !a->nonfinite) continue;
      fprintf(o.f, "%s,%d,%g,%s,%u,%u,%llu,%.9e,%.9e,%llu\n", mo->geo_name, mo->geo.head_dim,
              mo->geo.base, col[i].label, b ? 1u << (b - 1) : 0u, 1u << b,
              (unsigned long long)a->n, a->max, err_acc_rms(a), (unsigned long long)a->nonfinite);
    }
  return cli_out_commit(&o, "rope") ? MPB_EXIT_IO : MPB_EXIT_OK;
}

static json_t *acc_json(const err_acc *a) {
  return json_pack("{s:I, s:I, s:f, s:f, s:I, s:i}", "count", (json_int_t)a->n, "nonfinite",
                   (json_int_t)a->nonfinite, "max_abs_err", isfinite(a->max) ? a->max : -1.0,
                   "rms_err", err_acc_rms(a), "worst_m", (json_int_t)a->worst_at, "worst_j",
                   a->worst_j);
}

static int write_json(const char *path, const cli_model_opts *mo, const column *col, int ncol,
                      uint32_t lo, uint32_t hi, uint32_t step) {
  json_t *root = json_pack("{s:s, s:{s:s, s:i, s:f, s:s}, s:{s:i, s:i, s:i}}", "tool",
                           "mpbsim rope " MPB_VERSION, "geometry", "name", mo->geo_name,
                           "head_dim", mo->geo.head_dim, "base", mo->geo.base, "pairing",
                           mo->geo.pairing == MPB_PAIR_HALF ? "half" : "interleaved",
                           "positions", "lo", (int)lo, "hi", (int)hi, "step", (int)step);
  json_t *designs = json_array();
  for (int i = 0; i < ncol; i++) {
    json_t *d = json_pack("{s:s, s:b}", "name", col[i].label, "baseline", col[i].is_baseline);
    if (!col[i].is_baseline) {
      json_t *cfg = json_object();
      const mpb_config *c = mpb_model_config(col[i].mdl);
      for (size_t k = 0; k < mpb_param_count(); k++) {
        char buf[64];
        mpb_param_format(c, k, buf, sizeof buf);
        json_object_set_new(cfg, mpb_param_get(k)->name, json_string(buf));
      }
      json_object_set_new(d, "config", cfg);
      json_object_set_new(d, "error_bound", json_real(mpb_rope_error_bound(c, hi - 1)));
    }
    json_object_set_new(d, "overall", acc_json(&col[i].all));
    json_t *bk = json_array();
    for (int b = 0; b < NBUCKET; b++) {
      if (!col[i].b[b].n && !col[i].b[b].nonfinite) continue;
      json_t *e = acc_json(&col[i].b[b]);
      json_object_set_new(e, "pos_lo", json_integer(b ? 1 << (b - 1) : 0));
      json_object_set_new(e, "pos_hi", json_integer(1 << b));
      json_array_append_new(bk, e);
    }
    json_object_set_new(d, "octaves", bk);
    json_array_append_new(designs, d);
  }
  json_object_set_new(root, "designs", designs);
  cli_out o;
  int rc = MPB_EXIT_OK;
  if (cli_out_open(&o, "rope", path))
    rc = MPB_EXIT_IO;
  else if (json_dumpf(root, o.f, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) || fputc('\n', o.f) < 0) {
    cli_out_fail(&o, "rope");
    rc = MPB_EXIT_IO;
  } else if (cli_out_commit(&o, "rope"))
    rc = MPB_EXIT_IO;
  json_decref(root);
  return rc;
}

static void print_table(const cli_model_opts *mo, const column *col, int ncol, bool rms) {
  printf("\n%s |cos/sin error| vs FP64, %s (d=%d, base %g, %s pairs)\n", rms ? "RMS" : "max",
         mo->geo_name, mo->geo.head_dim, mo->geo.base,
         mo->geo.pairing == MPB_PAIR_HALF ? "half-split" : "interleaved");
  printf("%-17s", "positions");
  for (int i = 0; i < ncol; i++) printf(" %9.9s", col[i].label);
  printf("\n");
  for (int b = 0; b < NBUCKET; b++) {
    if (!col[0].b[b].n && !col[0].b[b].nonfinite) continue;
    char r[32];
    if (b == 0)
      snprintf(r, sizeof r, "0");
    else if (b == 1)
      snprintf(r, sizeof r, "1");
    else
      snprintf(r, sizeof r, "%u..%u", 1u << (b - 1), (1u << b) - 1);
    printf("%-17s", r);
    for (int i = 0; i < ncol; i++) err_print_cell(rms ? err_acc_rms_shown(&col[i].b[b]) : col[i].b[b].max);
    printf("\n");
  }
  printf("%-17s", "all");
  for (int i = 0; i < ncol; i++) err_print_cell(rms ? err_acc_rms_shown(&col[i].all) : col[i].all.max);
  printf("\n");
}

int cmd_rope(int argc, char **argv) {
  static const struct option opts[] = {CLI_MODEL_LONGOPTS,
                                       {"positions", required_argument, 0, 'p'},
                                       {"step", required_argument, 0, 's'},
                                       {"baselines", required_argument, 0, 'b'},
                                       {"goal", required_argument, 0, 'g'},
                                       {"csv", required_argument, 0, 'c'},
                                       {"json", required_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cli_model_opts mo;
  cli_model_init(&mo);
  uint32_t lo = 0, hi = 131072, step = 1;
  bool base_on[MPB_NBASE];
  parse_baselines("all", base_on);
  double goal = -1;
  const char *csv = NULL, *jsonp = NULL;
  int c, rc;
  long v;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c >= 1000 && c < 1100) {
      if ((rc = cli_model_option(&mo, "rope", c, optarg))) return rc;
      continue;
    }
    switch (c) {
    case 'p':
      if (parse_range(optarg, &lo, &hi)) {
        fprintf(stderr, "mpbsim rope: option --positions: '%s' is not LO:HI with "
                        "0 <= LO < HI <= 16777216\n", optarg);
        return MPB_EXIT_USAGE;
      }
      break;
    case 's':
      if (cli_parse_long("rope", "step", optarg, 1, 1 << 24, &v)) return MPB_EXIT_USAGE;
      step = (uint32_t)v;
      break;
    case 'b':
      if (parse_baselines(optarg, base_on)) {
        fprintf(stderr, "mpbsim rope: option --baselines: '%s' is not a comma list of "
                        "fp32,bf16,fp16,int8 (or all, none)\n", optarg);
        return MPB_EXIT_USAGE;
      }
      break;
    case 'g': {
      double g;
      if (cli_parse_double("rope", "goal", optarg, 0, 2, &g)) return MPB_EXIT_USAGE;
      goal = g;
      break;
    }
    case 'c': csv = optarg; break;
    case 'j': jsonp = optarg; break;
    case 'h': help(); return MPB_EXIT_OK;
    default: return MPB_EXIT_USAGE;
    }
  }
  if (cli_no_operands("rope", optind, argc, argv)) return MPB_EXIT_USAGE;
  if ((rc = cli_model_finish(&mo, "rope", true))) return rc;
  for (int i = 0; i < mo.ndesigns; i++)
    if (hi - 1 >= (1u << mo.design[i].cfg.pos_bits)) {
      fprintf(stderr, "mpbsim rope: design '%s': positions up to %u need pos_bits >= %d "
                      "(pos_bits = %d)\n", mo.design[i].label, hi - 1,
              32 - __builtin_clz(hi - 1), mo.design[i].cfg.pos_bits);
      return MPB_EXIT_INPUT;
    }

  column *col = calloc(CLI_MAX_DESIGNS + MPB_NBASE, sizeof *col);
  if (!col) return MPB_EXIT_IO;
  int ncol = 0;
  rc = MPB_EXIT_OK;
  for (int i = 0; i < mo.ndesigns; i++, ncol++) {
    snprintf(col[ncol].label, sizeof col[ncol].label, "%s", mo.design[i].label);
    if (!(col[ncol].mdl = cli_model_build(&mo, i, "rope"))) rc = MPB_EXIT_INPUT;
  }
  for (int b = MPB_BASE_FP32; b < MPB_NBASE; b++)
    if (base_on[b]) {
      snprintf(col[ncol].label, sizeof col[ncol].label, "%s", mpb_baseline_name((mpb_baseline)b));
      col[ncol].is_baseline = true;
      col[ncol++].base = (mpb_baseline)b;
    }

  int npairs = mo.geo.head_dim / 2;
  for (uint32_t m = lo; rc == MPB_EXIT_OK && m < hi; m += step) {
    int bk = bucket_of(m);
    for (int j = 0; j < npairs; j++) {
      double rc_, rs_;
      mpb_baseline_cossin(MPB_BASE_FP64, &mo.geo, m, j, &rc_, &rs_);
      for (int i = 0; i < ncol; i++) {
        double cc, ss;
        if (col[i].is_baseline)
          mpb_baseline_cossin(col[i].base, &mo.geo, m, j, &cc, &ss);
        else
          mpb_rope_cossin(col[i].mdl, m, (uint32_t)j, &cc, &ss);
        double e = fmax(fabs(cc - rc_), fabs(ss - rs_));
        if (isnan(cc) || isnan(ss)) e = INFINITY;
        err_acc_add(&col[i].b[bk], e, (double)m, j);
        err_acc_add(&col[i].all, e, (double)m, j);
      }
    }
  }
  if (rc == MPB_EXIT_OK) {
    print_table(&mo, col, ncol, false);
    print_table(&mo, col, ncol, true);
    for (int i = 0; i < mo.ndesigns; i++)
      printf("%s: max |err| %.3e at m=%.0f j=%d; analytic bound %.3e; 2^-15 = %.3e\n",
             col[i].label, col[i].all.max, col[i].all.worst_at, col[i].all.worst_j,
             mpb_rope_error_bound(mpb_model_config(col[i].mdl), hi - 1), ldexp(1.0, -15));
    if (csv) rc = write_csv(csv, &mo, col, ncol);
    if (rc == MPB_EXIT_OK && jsonp) rc = write_json(jsonp, &mo, col, ncol, lo, hi, step);
    if (rc == MPB_EXIT_OK && goal >= 0) {
      bool met = col[0].all.max <= goal;
      printf("goal: %s max |cos/sin error| %.3e %s %.3e: %s\n", col[0].label, col[0].all.max,
             met ? "<=" : ">", goal, met ? "met" : "MISSED");
      if (!met) rc = MPB_EXIT_FAIL;
    }
  }
  for (int i = 0; i < ncol; i++) mpb_model_free(col[i].mdl);
  free(col);
  return rc;
}
