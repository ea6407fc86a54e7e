/* cmd_ssm.c — `mpbsim ssm eval|hybrid`: the SSM closed loop. `eval` runs one Mamba block
 * for up to millions of steps under each numerics variant in lockstep with the FP64
 * reference and prints the relative error of the state and the output per position
 * octave with the fitted growth exponents (analysis/ssm_eval.h); `hybrid` runs the
 * Bit-Axon sandwich end to end and prints the KLD of its next-token distribution at the
 * checkpoints, with the attribution to the exp sites and GEMMs (analysis/hybrid_eval.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model.h"
#include "hybrid_eval.h"
#include "ssm_eval.h"

static void help(void) {
  printf("usage: mpbsim ssm ACTION [options]\n\n"
         "The selective state-space model in closed loop: every exp() site, GEMM and the\n"
         "state storage on a numerics backend, measured against the FP64 reference.\n"
         "Weights are seeded synthetic weights with the reference Mamba initialisation.\n\n"
         "actions:\n"
         "  eval     one SSM block, --steps steps streaming: relative error of the state h and\n"
         "           of the output y per position octave, growth exponent b of err ~ a t^b,\n"
         "           the worst channel and the channel with dt*A nearest 0\n"
         "  hybrid   the Bit-Axon sandwich (SSM / sliding-window attention + MoE / SSM + MoE)\n"
         "           for --tokens tokens: KLD of the next-token distribution at --checkpoints,\n"
         "           with the attribution (SSM exps, attention exps, router softmax, GEMMs, all)\n\n"
         "options:\n"
         "  --numerics SPEC    a variant, repeatable (numerics spec text, docs/model-eval.md:\n"
         "                     'bridge', 'fp32', 'ref,exp.ssm_da=bridge', 'bridge,state=fp64');\n"
         "                     eval default: fp32 bf16 fp16 int8 bridge ref,exp.ssm_da=bridge;\n"
         "                     hybrid default: --attr bridge\n"
         "  --attr B           hybrid: the attribution variants of backend B, repeatable: ref\n"
         "                     with only the SSM exps (ssm_da, softplus), the attention softmax,\n"
         "                     the router softmax, the SiLU/sigmoid exps, the GEMMs, or every\n"
         "                     site on B\n"
         "  --model NAME       eval: SSM geometry mamba130m (default) | bitaxon | scan | tiny;\n"
         "                     hybrid: bitaxon (default, reduced width) | bitaxon-tiny\n"
         "  --steps N          eval: steps, 1..%u (default 8192)\n"
         "  --tokens N         hybrid: tokens, 1..%u (default 8192)\n"
         "  --checkpoints LIST hybrid: token counts where the KLD is taken (default 1024,8192)\n"
         "  --dt-range LO:HI   dt initialisation range, log-uniform (default 1e-3:1e-1);\n"
         "                     %g <= LO <= HI <= %g\n"
         "  --seed S           weights and inputs (default 1)\n"
         "  --chunk N          tokens per batch, 1..4096 (default 64; changes results only by\n"
         "                     the BLAS rounding of the FP GEMMs)\n"
         "  --json FILE        results as JSON (docs/report-schema.md)\n"
         "  --csv FILE         results as CSV\n"
         "  --progress         progress on stderr\n"
         "datapath of the bridge backend:\n" CLI_MODEL_HELP
         "  -h, --help         this help\n\n"
         "exit codes: 0 ok, 2 usage, 3 bad input (configuration), 4 I/O error\n",
         SSM_EVAL_MAX_STEPS, HYBRID_MAX_TOKENS, SSM_DT_LO, SSM_DT_HI);
}

static const char *const kEvalDefault[] = {"fp32", "bf16", "fp16", "int8", "bridge",
                                           "ref,exp.ssm_da=bridge"};

typedef struct ssm_cli {
  const char *action, *json, *csv, *model, *checkpoints;
  const char *numerics[SSM_EVAL_MAX_VARIANTS];
  int nnum, progress, nattr;
  lm_backend attr[4];
  long steps, tokens, chunk;
  unsigned long long seed;
  double dt_min, dt_max;
  int dt_given;
  cli_model_opts mo;
} ssm_cli;

static void show_progress(void *user, uint64_t done, uint64_t total) {
  (void)user;
  fprintf(stderr, "\rmpbsim ssm: %llu / %llu", (unsigned long long)done, (unsigned long long)total);
  if (done == total) fprintf(stderr, "\n");
}

/* Parse the variants on top of ref with the bridge design of the command line. */
static int parse_variants(const ssm_cli *a, const char *const *texts, int n,
                          lm_numerics_spec *spec, char (*label)[64]) {
  char err[400];
  for (int v = 0; v < n; v++) {
    lm_numerics_spec_init(&spec[v], LM_BK_REF);
    spec[v].bridge = a->mo.design[0].cfg;
    snprintf(spec[v].bridge_label, sizeof spec[v].bridge_label, "%s", a->mo.design[0].label);
    if (lm_numerics_spec_parse(&spec[v], texts[v], err, sizeof err)) {
      fprintf(stderr, "mpbsim ssm: option --numerics: %s\n", err);
      return MPB_EXIT_USAGE;
    }
    snprintf(label[v], 64, "%s", texts[v]);
  }
  return 0;
}

static int write_outputs(const char *json, const char *csv, const void *r,
                         int (*wj)(const void *, FILE *), int (*wc)(const void *, FILE *)) {
  cli_out out;
  if (json) {
    if (cli_out_open(&out, "ssm", json)) return MPB_EXIT_IO;
    if (wj(r, out.f)) {
      cli_out_abort(&out);
      fprintf(stderr, "mpbsim ssm: cannot write %s\n", json);
      return MPB_EXIT_IO;
    }
    if (cli_out_commit(&out, "ssm")) return MPB_EXIT_IO;
  }
  if (csv) {
    if (cli_out_open(&out, "ssm", csv)) return MPB_EXIT_IO;
    if (wc(r, out.f)) {
      cli_out_abort(&out);
      fprintf(stderr, "mpbsim ssm: cannot write %s\n", csv);
      return MPB_EXIT_IO;
    }
    if (cli_out_commit(&out, "ssm")) return MPB_EXIT_IO;
  }
  return 0;
}

static int eval_json(const void *r, FILE *f) { return ssm_eval_write_json(r, f); }
static int eval_csv(const void *r, FILE *f) { return ssm_eval_write_csv(r, f); }
static int hybrid_json(const void *r, FILE *f) { return hybrid_eval_write_json(r, f); }
static int hybrid_csv(const void *r, FILE *f) { return hybrid_eval_write_csv(r, f); }

static int do_eval(ssm_cli *a) {
  const char *model = a->model ? a->model : "mamba130m";
  const ssm_preset *p = ssm_preset_find(model);
  if (!p) {
    fprintf(stderr, "mpbsim ssm eval: option --model: '%s' is not one of {", model);
    for (size_t i = 0; i < ssm_preset_count(); i++)
      fprintf(stderr, "%s%s", i ? ", " : "", ssm_preset_at(i)->name);
    fprintf(stderr, "}\n");
    return MPB_EXIT_USAGE;
  }
  ssm_eval_opts *o = calloc(1, sizeof *o);
  ssm_eval_result *r = calloc(1, sizeof *r);
  int rc = MPB_EXIT_IO;
  if (!o || !r) goto done;
  ssm_eval_opts_default(o);
  snprintf(o->model, sizeof o->model, "%s", model);
  o->c = p->c;
  if (a->dt_given) o->c.dt_min = a->dt_min, o->c.dt_max = a->dt_max;
  o->seed = a->seed;
  if (a->steps) o->steps = (uint64_t)a->steps;
  if (a->chunk) o->chunk = (int)a->chunk;
  const char *const *texts = a->nnum ? a->numerics : kEvalDefault;
  o->nvar = a->nnum ? a->nnum : (int)(sizeof kEvalDefault / sizeof kEvalDefault[0]);
  if ((rc = parse_variants(a, texts, o->nvar, o->spec, o->label))) goto done;
  char err[512];
  if (ssm_eval_run(o, r, a->progress ? show_progress : NULL, NULL, err, sizeof err)) {
    fprintf(stderr, "mpbsim ssm eval: %s\n", err);
    rc = MPB_EXIT_INPUT;
    goto done;
  }
  ssm_eval_write_table(r, stdout);
  rc = write_outputs(a->json, a->csv, r, eval_json, eval_csv);
done:
  free(o), free(r);
  return rc;
}

static int parse_checkpoints(const char *s, hybrid_eval_opts *o) {
  o->ncheck = 0;
  const char *p = s;
  while (*p) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p || v < 1 || v > HYBRID_MAX_TOKENS || o->ncheck == HYBRID_MAX_CHECKPOINTS ||
        (*end && *end != ',') || (o->ncheck && v <= (long)o->check[o->ncheck - 1])) {
      fprintf(stderr, "mpbsim ssm hybrid: option --checkpoints: '%s' is not an increasing "
              "list of at most %d token counts in [1, %u]\n", s, HYBRID_MAX_CHECKPOINTS,
              HYBRID_MAX_TOKENS);
      return MPB_EXIT_USAGE;
    }
    o->check[o->ncheck++] = (uint32_t)v;
    p = *end ? end + 1 : end;
  }
  return 0;
}

static int do_hybrid(ssm_cli *a) {
  hybrid_eval_opts *o = calloc(1, sizeof *o);
  hybrid_eval_result *r = calloc(1, sizeof *r);
  int rc = MPB_EXIT_IO;
  if (!o || !r) goto done;
  hybrid_eval_opts_default(o);
  char err[512];
  if (a->model && hybrid_eval_set_model(o, a->model, err, sizeof err)) {
    fprintf(stderr, "mpbsim ssm hybrid: option --model: %s\n", err);
    rc = MPB_EXIT_USAGE;
    goto done;
  }
  if (a->dt_given) o->dt_min = a->dt_min, o->dt_max = a->dt_max;
  o->seed = a->seed;
  if (a->tokens) o->tokens = (uint32_t)a->tokens;
  if (a->chunk) o->chunk = (int)a->chunk;
  if (a->checkpoints && (rc = parse_checkpoints(a->checkpoints, o))) goto done;
  if (o->check[o->ncheck - 1] > o->tokens) {
    fprintf(stderr, "mpbsim ssm hybrid: checkpoint %u is beyond --tokens %u\n",
            o->check[o->ncheck - 1], o->tokens);
    rc = MPB_EXIT_USAGE;
    goto done;
  }
  lm_numerics_spec base;
  lm_numerics_spec_init(&base, LM_BK_REF);
  base.bridge = a->mo.design[0].cfg;
  snprintf(base.bridge_label, sizeof base.bridge_label, "%s", a->mo.design[0].label);
  for (int i = 0; i < a->nnum; i++)
    if (hybrid_eval_add_spec(o, a->numerics[i], &base, err, sizeof err)) {
      fprintf(stderr, "mpbsim ssm hybrid: option --numerics: %s\n", err);
      rc = MPB_EXIT_USAGE;
      goto done;
    }
  for (int i = 0; i < a->nattr; i++)
    if (hybrid_eval_add_attribution(o, a->attr[i], &base, err, sizeof err)) {
      fprintf(stderr, "mpbsim ssm hybrid: option --attr: %s\n", err);
      rc = MPB_EXIT_USAGE;
      goto done;
    }
  if (!a->nnum && !a->nattr && hybrid_eval_add_attribution(o, LM_BK_BRIDGE, &base, err, sizeof err)) {
    fprintf(stderr, "mpbsim ssm hybrid: %s\n", err);
    rc = MPB_EXIT_USAGE;
    goto done;
  }
  if (hybrid_eval_run(o, r, a->progress ? show_progress : NULL, NULL, err, sizeof err)) {
    fprintf(stderr, "mpbsim ssm hybrid: %s\n", err);
    rc = MPB_EXIT_INPUT;
    goto done;
  }
  hybrid_eval_write_table(r, stdout);
  rc = write_outputs(a->json, a->csv, r, hybrid_json, hybrid_csv);
done:
  free(o), free(r);
  return rc;
}

int cmd_ssm(int argc, char **argv) {
  static const struct option opts[] = {CLI_MODEL_LONGOPTS,
                                       {"numerics", required_argument, 0, 'n'},
                                       {"model", required_argument, 0, 'm'},
                                       {"steps", required_argument, 0, 's'},
                                       {"tokens", required_argument, 0, 't'},
                                       {"checkpoints", required_argument, 0, 'k'},
                                       {"dt-range", required_argument, 0, 'd'},
                                       {"seed", required_argument, 0, 'S'},
                                       {"chunk", required_argument, 0, 'c'},
                                       {"json", required_argument, 0, 'j'},
                                       {"csv", required_argument, 0, 'v'},
                                       {"attr", required_argument, 0, 'a'},
                                       {"progress", no_argument, 0, 'p'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  ssm_cli a;
  memset(&a, 0, sizeof a);
  a.seed = 1;
  cli_model_init(&a.mo);
  int c, rc;
  char err[256];
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c >= 1000 && c < 1100) {
      if ((rc = cli_model_option(&a.mo, "ssm", c, optarg))) return rc;
      continue;
    }
    switch (c) {
    case 'n':
      if (a.nnum == SSM_EVAL_MAX_VARIANTS) {
        fprintf(stderr, "mpbsim ssm: at most %d --numerics variants\n", SSM_EVAL_MAX_VARIANTS);
        return MPB_EXIT_USAGE;
      }
      a.numerics[a.nnum++] = optarg;
      break;
    case 'm': a.model = optarg; break;
    case 's':
      if (cli_parse_long("ssm", "steps", optarg, 1, SSM_EVAL_MAX_STEPS, &a.steps)) return MPB_EXIT_USAGE;
      break;
    case 't':
      if (cli_parse_long("ssm", "tokens", optarg, 1, HYBRID_MAX_TOKENS, &a.tokens)) return MPB_EXIT_USAGE;
      break;
    case 'k': a.checkpoints = optarg; break;
    case 'd':
      if (ssm_dt_range_parse(optarg, &a.dt_min, &a.dt_max, err, sizeof err)) {
        fprintf(stderr, "mpbsim ssm: option --dt-range: %s\n", err);
        return MPB_EXIT_USAGE;
      }
      a.dt_given = 1;
      break;
    case 'S': {
      char *end;
      a.seed = strtoull(optarg, &end, 0);
      if (end == optarg || *end) {
        fprintf(stderr, "mpbsim ssm: option --seed: '%s' is not an unsigned integer\n", optarg);
        return MPB_EXIT_USAGE;
      }
      break;
    }
    case 'c':
      if (cli_parse_long("ssm", "chunk", optarg, 1, 4096, &a.chunk)) return MPB_EXIT_USAGE;
      break;
    case 'j': a.json = optarg; break;
    case 'v': a.csv = optarg; break;
    case 'a':
      if (a.nattr == 4) {
        fprintf(stderr, "mpbsim ssm: at most 4 --attr backends\n");
        return MPB_EXIT_USAGE;
      }
      if (lm_backend_parse(optarg, &a.attr[a.nattr], err, sizeof err)) {
        fprintf(stderr, "mpbsim ssm: option --attr: %s\n", err);
        return MPB_EXIT_USAGE;
      }
      a.nattr++;
      break;
    case 'p': a.progress = 1; break;
    case 'h': help(); return MPB_EXIT_OK;
    default: return MPB_EXIT_USAGE;
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "mpbsim ssm: expected one action (eval, hybrid)\n");
    return MPB_EXIT_USAGE;
  }
  a.action = argv[optind];
  if ((rc = cli_model_finish(&a.mo, "ssm", false))) return rc;
  if (!strcmp(a.action, "eval")) {
    if (a.tokens || a.checkpoints) {
      fprintf(stderr, "mpbsim ssm eval: --tokens and --checkpoints belong to `ssm hybrid`\n");
      return MPB_EXIT_USAGE;
    }
    return do_eval(&a);
  }
  if (!strcmp(a.action, "hybrid")) {
    if (a.steps) {
      fprintf(stderr, "mpbsim ssm hybrid: --steps belongs to `ssm eval` (use --tokens)\n");
      return MPB_EXIT_USAGE;
    }
    return do_hybrid(&a);
  }
  fprintf(stderr, "mpbsim ssm: unknown action '%s' (eval, hybrid)\n", a.action);
  return MPB_EXIT_USAGE;
}
