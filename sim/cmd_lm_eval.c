/* cmd_lm_eval.c — `mpbsim lm eval`: the closed-loop evaluation (lm/eval.h). Runs windows of
 * a token file through the model with the reference numerics at offset 0, then every
 * backend (and attribution group, and --spec) at every position offset, and prints /
 * writes llama.cpp's KL-divergence statistics against the reference (docs/model-eval.md). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_model.h"
#include "eval.h"
#include "llama.h"

#define CMD "lm eval"
#define DEFAULT_MODEL "models/SmolLM2-135M-Instruct.Q4_1.gguf"
#define DEFAULT_TOKENS "data/passage.tokens"
#define DEFAULT_OFFSETS "0,2^10,2^12,2^14,2^16,2^17-n,2^20-n"
#define MAX_IDS (1 << 20)
#define MAX_VARIANTS 64
#define MAX_OFFSETS 32

static void help(void) {
  printf("usage: mpbsim lm eval [options]\n\n"
         "Closed-loop precision: run windows of --tokens through the model with the reference\n"
         "numerics at position offset 0, then each backend at each offset, and compare the\n"
         "next-token distributions (llama.cpp perplexity --kl-divergence statistics; the\n"
         "second half of each window is scored). docs/model-eval.md.\n\n"
         "options:\n"
         "  --model FILE       GGUF file (default " DEFAULT_MODEL ")\n"
         "  --tokens FILE      token ids (default " DEFAULT_TOKENS ")\n"
         "  --ctx N            window length n (default 128)\n"
         "  --chunks N         number of windows (default 1)\n"
         "  --kv-cap N         KV capacity a window may use (default: the model's context)\n"
         "  --backends LIST    comma list of ref, fp32, bf16, fp16, bridge, int8 (default all\n"
         "                     six), each crossed with --attr; B:G for one group only\n"
         "  --attr LIST        attribution groups: rope, exp, gemm, kv, all (default all);\n"
         "                     B with group G = the reference with only G's sites on B\n"
         "  --spec TEXT        an extra numerics spec, e.g. 'ref,rope=bridge' (repeatable)\n"
         "  --offsets LIST     position offsets p0: integers, 2^K, 2^K-n (n = --ctx)\n"
         "                     (default " DEFAULT_OFFSETS "; defaults beyond a\n"
         "                     backend's positions are skipped, given ones are errors)\n"
         "  --group G          bridge/int8 GEMM quantization: row (default), 32 or 64\n"
         "  --preset NAME      bridge datapath preset: default | patent\n"
         "  --config FILE      bridge datapath configuration file\n"
         "  --set NAME=VALUE   override one bridge parameter (repeatable)\n"
         "  --json FILE        write every point as JSON\n"
         "  --csv FILE         write every point as CSV\n"
         "  --quiet            no table on stdout\n"
         "  -h, --help         this help\n\n"
         "exit codes: 0 ok, 2 usage (unknown backend or group, offset beyond the positions,\n"
         "window longer than the KV capacity or the token file), 3 bad model, token file or\n"
         "configuration, 4 I/O error (a missing model: run `make models`)\n");
}

typedef struct variant {
  char backend[16], attr[16], spec[256];
  const char *label; /* the backend, or the spec text of a --spec */
  lm_numerics_spec sp;
} variant;

typedef struct point {
  int v;          /* variant index */
  int64_t offset;
  char skipped[200];
  lm_eval_point p;
} point;

static const char *const kGroups[LM_NATTR] = {LM_ATTR_GROUPS};

/* "2^17-n" -> 131072 - n; plain integers; "2^K" */
static int parse_offset(const char *s, int n, int64_t *out) {
  char *end;
  errno = 0;
  int64_t v;
  if (s[0] == '2' && s[1] == '^') {
    long k = strtol(s + 2, &end, 10);
    if (end == s + 2 || k < 0 || k > 40) return -1;
    v = (int64_t)1 << k;
    if (!strcmp(end, "-n")) v -= n;
    else if (*end) return -1;
  } else {
    long long x = strtoll(s, &end, 10);
    if (end == s || *end || errno || x < 0) return -1;
    v = x;
  }
  *out = v;
  return v < 0 ? -1 : 0;
}

/* Split a comma list into items (modifies s). */
static int split(char *s, char **items, int max) {
  int n = 0;
  for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) {
    if (n == max) return -1;
    items[n++] = t;
  }
  return n;
}

static json_t *jnum(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static int g_label_w = 8; /* width of the first column: backend names or --spec texts */

static void print_header(void) {
  printf("%-*s %-5s %-10s %-10s %-9s %-10s %-10s %-10s %-8s %-10s %-9s %-8s %-8s %s\n",
         g_label_w, "backend", "attr", "offset", "mean KLD", "+-se", "KLD p99", "KLD p99.9", "KLD max",
         "same top", "ln(PPL/r)", "dPPL", "RMS dp", "KV B/tok", "s");
}

static void print_point(const variant *v, const point *p) {
  if (p->skipped[0]) {
    printf("%-*s %-5s %-10lld skipped: %s\n", g_label_w, v->label, v->attr, (long long)p->offset,
           p->skipped);
    return;
  }
  const lm_kld_result *r = &p->p.r;
  printf("%-*s %-5s %-10lld %-10.3g %-9.2g %-10.3g %-10.3g %-10.3g %-8.4f %-+10.3g %-+9.3g "
         "%-8.3g %-8.0f %.1f\n", g_label_w, v->label, v->attr, (long long)p->offset, r->kld_mean,
         r->kld_se, r->kld_p99, r->kld_p999, r->kld_max, 100 * r->same_top, r->ln_ratio,
         r->ppl - r->ppl_ref, r->rms_dp, p->p.kv_bytes_per_token, p->p.seconds);
  fflush(stdout);
}

static uint64_t sum_u64(const uint64_t *a, int n) {
  uint64_t s = 0;
  for (int i = 0; i < n; i++) s += a[i];
  return s;
}

static json_t *point_json(const variant *v, const point *p) {
  json_t *o = json_object();
  json_object_set_new(o, "backend", json_string(v->backend));
  json_object_set_new(o, "attr", json_string(v->attr));
  json_object_set_new(o, "spec", json_string(v->spec));
  json_object_set_new(o, "offset", json_integer(p->offset));
  if (p->skipped[0]) {
    json_object_set_new(o, "skipped", json_string(p->skipped));
    return o;
  }
  const lm_kld_result *r = &p->p.r;
  json_object_set_new(o, "n", json_integer((json_int_t)r->n));
  json_object_set_new(o, "ppl", jnum(r->ppl));
  json_object_set_new(o, "ppl_ref", jnum(r->ppl_ref));
  json_object_set_new(o, "delta_ppl", jnum(r->ppl - r->ppl_ref));
  json_object_set_new(o, "ln_ppl_ratio", jnum(r->ln_ratio));
  json_object_set_new(o, "ln_ppl_ratio_se", jnum(r->ln_ratio_se));
  json_object_set_new(o, "kld_mean", jnum(r->kld_mean));
  json_object_set_new(o, "kld_se", jnum(r->kld_se));
  json_object_set_new(o, "kld_median", jnum(r->kld_median));
  json_object_set_new(o, "kld_p90", jnum(r->kld_p90));
  json_object_set_new(o, "kld_p99", jnum(r->kld_p99));
  json_object_set_new(o, "kld_p999", jnum(r->kld_p999));
  json_object_set_new(o, "kld_max", jnum(r->kld_max));
  json_object_set_new(o, "same_top", jnum(r->same_top));
  json_object_set_new(o, "same_top_se", jnum(r->same_top_se));
  json_object_set_new(o, "rms_dp", jnum(r->rms_dp));
  json_object_set_new(o, "rms_dp_se", jnum(r->rms_dp_se));
  json_object_set_new(o, "kv_bytes_per_token", jnum(p->p.kv_bytes_per_token));
  json_object_set_new(o, "seconds", jnum(p->p.seconds));
  json_object_set_new(o, "prepare_seconds", jnum(p->p.prepare_seconds));
  json_object_set_new(o, "gemm_events", json_integer((json_int_t)sum_u64(p->p.stats.gemm_events, LM_NLIN)));
  json_object_set_new(o, "exp_clamped", json_integer((json_int_t)sum_u64(p->p.stats.exp_clamped, LM_NEXP)));
  return o;
}

static int write_json(const char *path, const char *model, const char *tokens, const lm_eval *ev,
                      const lm_numerics_spec *base, const variant *vs, const point *ps, int np) {
  json_t *root = json_object(), *pts = json_array(), *cfg = json_object();
  json_object_set_new(root, "schema", json_string("mpbsim-lm-eval-1"));
  json_object_set_new(root, "model", json_string(model));
  json_object_set_new(root, "tokens", json_string(tokens));
  json_object_set_new(root, "n_ctx", json_integer(lm_eval_n_ctx(ev)));
  json_object_set_new(root, "first", json_integer(lm_eval_n_ctx(ev) / 2));
  json_object_set_new(root, "scored", json_integer((json_int_t)lm_eval_n_scored(ev)));
  json_object_set_new(root, "ref_seconds", jnum(lm_eval_ref_seconds(ev)));
  json_object_set_new(root, "bridge_label", json_string(base->bridge_label));
  for (size_t k = 0; k < mpb_param_count(); k++) {
    char buf[64];
    mpb_param_format(&base->bridge, k, buf, sizeof buf);
    json_object_set_new(cfg, mpb_param_get(k)->name, json_string(buf));
  }
  json_object_set_new(root, "bridge_config", cfg);
  for (int i = 0; i < np; i++) json_array_append_new(pts, point_json(&vs[ps[i].v], &ps[i]));
  json_object_set_new(root, "points", pts);
  cli_out o;
  int rc = cli_out_open(&o, CMD, path);
  if (!rc && json_dumpf(root, o.f, JSON_INDENT(1) | JSON_REAL_PRECISION(6)) != 0) {
    fprintf(stderr, "mpbsim " CMD ": cannot write %s\n", path);
    cli_out_abort(&o);
    rc = -1;
  } else if (!rc) {
    fputc('\n', o.f);
    rc = cli_out_commit(&o, CMD);
  }
  json_decref(root);
  return rc ? MPB_EXIT_IO : 0;
}

static int write_csv(const char *path, const variant *vs, const point *ps, int np) {
  cli_out o;
  if (cli_out_open(&o, CMD, path)) return MPB_EXIT_IO;
  fprintf(o.f, "backend,attr,spec,offset,skipped,n,ppl,ppl_ref,delta_ppl,ln_ppl_ratio,"
               "ln_ppl_ratio_se,kld_mean,kld_se,kld_median,kld_p90,kld_p99,kld_p999,kld_max,"
               "same_top,same_top_se,rms_dp,rms_dp_se,kv_bytes_per_token,seconds,gemm_events,"
               "exp_clamped\n");
  for (int i = 0; i < np; i++) {
    const variant *v = &vs[ps[i].v];
    const point *p = &ps[i];
    const lm_kld_result *r = &p->p.r;
    fprintf(o.f, "%s,%s,\"%s\",%lld,%s", v->backend, v->attr, v->spec, (long long)p->offset,
            p->skipped[0] ? "1" : "0");
    if (p->skipped[0]) {
      fprintf(o.f, "%s\n", ",,,,,,,,,,,,,,,,,,,,,");
      continue;
    }
    fprintf(o.f, ",%zu,%.9g,%.9g,%.6g,%.6g,%.3g,%.6g,%.3g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6f,%.3g,"
            "%.6g,%.3g,%.1f,%.3f,%llu,%llu\n", r->n, r->ppl, r->ppl_ref, r->ppl - r->ppl_ref,
            r->ln_ratio, r->ln_ratio_se, r->kld_mean, r->kld_se, r->kld_median, r->kld_p90,
            r->kld_p99, r->kld_p999, r->kld_max, r->same_top, r->same_top_se, r->rms_dp,
            r->rms_dp_se, p->p.kv_bytes_per_token, p->p.seconds,
            (unsigned long long)sum_u64(p->p.stats.gemm_events, LM_NLIN),
            (unsigned long long)sum_u64(p->p.stats.exp_clamped, LM_NEXP));
  }
  return cli_out_commit(&o, CMD) ? MPB_EXIT_IO : 0;
}

typedef struct eval_opts {
  const char *model, *tokens, *json, *csv;
  char backends[256], attrs[128], offsets[512];
  const char *specs[16];
  int nspecs, offsets_given, quiet, group;
  long ctx, chunks, kv_cap;
} eval_opts;

static int known_group(const char *g) {
  for (int k = 0; k < LM_NATTR; k++)
    if (!strcmp(g, kGroups[k])) return 1;
  fprintf(stderr, "mpbsim " CMD ": '%s' is not one of rope, exp, gemm, kv, all\n", g);
  return 0;
}

/* One (backend, group) variant; variants equal to the reference are left out, except the
 * reference itself (ref, all). */
static int add_variant(const char *bname, const char *group, const lm_numerics_spec *base,
                       variant *vs, int *nv) {
  char err[512];
  lm_backend b;
  if (lm_backend_parse(bname, &b, err, sizeof err)) {
    fprintf(stderr, "mpbsim " CMD ": option --backends: %s\n", err);
    return MPB_EXIT_USAGE;
  }
  if (!known_group(group)) return MPB_EXIT_USAGE;
  variant *v = &vs[*nv];
  lm_numerics_spec_attr(&v->sp, base, b, group, err, sizeof err);
  if (lm_numerics_spec_is_ref(&v->sp) && !(b == LM_BK_REF && !strcmp(group, "all"))) return 0;
  for (int i = 0; i < *nv; i++)
    if (!strcmp(vs[i].backend, bname) && !strcmp(vs[i].attr, group)) return 0; /* repeated */
  if (*nv == MAX_VARIANTS) {
    fprintf(stderr, "mpbsim " CMD ": at most %d variants\n", MAX_VARIANTS);
    return MPB_EXIT_USAGE;
  }
  snprintf(v->backend, sizeof v->backend, "%s", bname);
  snprintf(v->attr, sizeof v->attr, "%s", group);
  lm_numerics_spec_format(&v->sp, v->spec, sizeof v->spec);
  v->label = v->backend;
  (*nv)++;
  return 0;
}

/* Build the variant list: each --backends item B crossed with the --attr groups, or B:G
 * for one group; then every --spec. */
static int make_variants(eval_opts *o, const lm_numerics_spec *base, variant *vs, int *nv) {
  char err[512], *bs[64], *gs[LM_NATTR * 2];
  int nb = split(o->backends, bs, 64), ng = split(o->attrs, gs, LM_NATTR * 2), rc;
  if (nb <= 0 || ng <= 0) {
    fprintf(stderr, "mpbsim " CMD ": --backends needs 1..64 items, --attr 1..%d groups\n",
            2 * LM_NATTR);
    return MPB_EXIT_USAGE;
  }
  *nv = 0;
  for (int i = 0; i < nb; i++) {
    char *colon = strchr(bs[i], ':');
    if (colon) {
      *colon = '\0';
      if ((rc = add_variant(bs[i], colon + 1, base, vs, nv))) return rc;
      continue;
    }
    for (int g = 0; g < ng; g++)
      if ((rc = add_variant(bs[i], gs[g], base, vs, nv))) return rc;
  }
  for (int i = 0; i < o->nspecs; i++) {
    if (*nv == MAX_VARIANTS) {
      fprintf(stderr, "mpbsim " CMD ": at most %d variants\n", MAX_VARIANTS);
      return MPB_EXIT_USAGE;
    }
    variant *v = &vs[(*nv)++];
    v->sp = *base;
    if (lm_numerics_spec_parse(&v->sp, o->specs[i], err, sizeof err)) {
      fprintf(stderr, "mpbsim " CMD ": option --spec: %s\n", err);
      return MPB_EXIT_USAGE;
    }
    snprintf(v->backend, sizeof v->backend, "spec");
    snprintf(v->attr, sizeof v->attr, "-");
    lm_numerics_spec_format(&v->sp, v->spec, sizeof v->spec);
    v->label = v->spec;
    if ((int)strlen(v->spec) > g_label_w) g_label_w = (int)strlen(v->spec);
  }
  return 0;
}

static int parse_options(int argc, char **argv, eval_opts *o, cli_model_opts *mo) {
  static const struct option opts[] = {
      {"preset", required_argument, 0, 1000}, {"config", required_argument, 0, 1001},
      {"set", required_argument, 0, 1002},    {"model", required_argument, 0, 'm'},
      {"tokens", required_argument, 0, 't'},  {"ctx", required_argument, 0, 'c'},
      {"chunks", required_argument, 0, 'k'},  {"kv-cap", required_argument, 0, 'K'},
      {"backends", required_argument, 0, 'b'}, {"attr", required_argument, 0, 'a'},
      {"spec", required_argument, 0, 's'},    {"offsets", required_argument, 0, 'o'},
      {"group", required_argument, 0, 'g'},   {"json", required_argument, 0, 'j'},
      {"csv", required_argument, 0, 'v'},     {"quiet", no_argument, 0, 'q'},
      {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
  int c, rc;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c >= 1000 && c < 1100) {
      if ((rc = cli_model_option(mo, CMD, c, optarg))) return rc;
      continue;
    }
    switch (c) {
    case 'm': o->model = optarg; break;
    case 't': o->tokens = optarg; break;
    case 'c': if (cli_parse_long(CMD, "ctx", optarg, 4, 1 << 20, &o->ctx)) return MPB_EXIT_USAGE; break;
    case 'k': if (cli_parse_long(CMD, "chunks", optarg, 1, 1 << 16, &o->chunks)) return MPB_EXIT_USAGE; break;
    case 'K': if (cli_parse_long(CMD, "kv-cap", optarg, 4, 1 << 20, &o->kv_cap)) return MPB_EXIT_USAGE; break;
    case 'b': snprintf(o->backends, sizeof o->backends, "%s", optarg); break;
    case 'a': snprintf(o->attrs, sizeof o->attrs, "%s", optarg); break;
    case 'o': snprintf(o->offsets, sizeof o->offsets, "%s", optarg), o->offsets_given = 1; break;
    case 's':
      if (o->nspecs == 16) {
        fprintf(stderr, "mpbsim " CMD ": at most 16 --spec\n");
        return MPB_EXIT_USAGE;
      }
      o->specs[o->nspecs++] = optarg;
      break;
    case 'g':
      if (!strcmp(optarg, "row")) o->group = 0;
      else if (!strcmp(optarg, "32") || !strcmp(optarg, "64")) o->group = atoi(optarg);
      else {
        fprintf(stderr, "mpbsim " CMD ": option --group: '%s' is not row, 32 or 64\n", optarg);
        return MPB_EXIT_USAGE;
      }
      break;
    case 'j': o->json = optarg; break;
    case 'v': o->csv = optarg; break;
    case 'q': o->quiet = 1; break;
    case 'h': help(); return -1;
    default: return MPB_EXIT_USAGE;
    }
  }
  return cli_no_operands(CMD, optind, argc, argv);
}

/* Variants x offsets; an offset beyond a variant's positions is an error when the offsets
 * were given, else the point is skipped with the reason. */
static int make_points(const eval_opts *o, const variant *vs, int nv, point **out, int *np) {
  char buf[512], *items[MAX_OFFSETS];
  snprintf(buf, sizeof buf, "%s", o->offsets);
  int no = split(buf, items, MAX_OFFSETS);
  int64_t off[MAX_OFFSETS];
  if (no <= 0) {
    fprintf(stderr, "mpbsim " CMD ": option --offsets: 1..%d offsets\n", MAX_OFFSETS);
    return MPB_EXIT_USAGE;
  }
  for (int i = 0; i < no; i++)
    if (parse_offset(items[i], (int)o->ctx, &off[i])) {
      fprintf(stderr, "mpbsim " CMD ": option --offsets: '%s' is not an integer >= 0, 2^K or "
              "2^K-n\n", items[i]);
      return MPB_EXIT_USAGE;
    }
  point *ps = calloc((size_t)nv * no, sizeof *ps);
  if (!ps) return MPB_EXIT_IO;
  int n = 0;
  for (int v = 0; v < nv; v++)
    for (int i = 0; i < no; i++) {
      point *p = &ps[n++];
      p->v = v, p->offset = off[i];
      const lm_numerics_spec *sp = &vs[v].sp;
      int bridge = sp->rope == LM_BK_BRIDGE;
      int64_t top = bridge ? ((int64_t)1 << sp->bridge.pos_bits) - 1 : (int64_t)1 << 31;
      if (off[i] + o->ctx - 1 <= top) continue;
      char why[200];
      snprintf(why, sizeof why, "positions up to %lld exceed %s (largest offset for a "
               "%ld-token window: %lld)", (long long)(off[i] + o->ctx - 1),
               bridge ? "the bridge's pos_bits" : "2^31", o->ctx,
               (long long)(top - (o->ctx - 1)));
      if (o->offsets_given) {
        fprintf(stderr, "mpbsim " CMD ": offset %lld for %s: %s%s\n", (long long)off[i],
                vs[v].spec, why, bridge ? "" : "");
        if (bridge)
          fprintf(stderr, "mpbsim " CMD ": pos_bits = %d allows positions 0 .. %lld\n",
                  sp->bridge.pos_bits, (long long)top);
        free(ps);
        return MPB_EXIT_USAGE;
      }
      snprintf(p->skipped, sizeof p->skipped, "%s", why);
    }
  *out = ps;
  *np = n;
  return 0;
}

int cmd_lm_eval(int argc, char **argv) {
  eval_opts o = {0};
  o.model = DEFAULT_MODEL, o.tokens = DEFAULT_TOKENS, o.ctx = 128, o.chunks = 1;
  snprintf(o.backends, sizeof o.backends, "ref,fp32,bf16,fp16,bridge,int8");
  snprintf(o.attrs, sizeof o.attrs, "all");
  snprintf(o.offsets, sizeof o.offsets, DEFAULT_OFFSETS);
  cli_model_opts mo;
  cli_model_init(&mo);
  int rc = parse_options(argc, argv, &o, &mo);
  if (rc) return rc < 0 ? MPB_EXIT_OK : rc;
  if ((rc = cli_model_finish(&mo, CMD, false))) return rc;
  lm_numerics_spec base;
  lm_numerics_spec_init(&base, LM_BK_REF);
  base.bridge = mo.design[0].cfg;
  snprintf(base.bridge_label, sizeof base.bridge_label, "%s", mo.design[0].label);
  base.gemm_group = o.group;
  static variant vs[MAX_VARIANTS];
  int nv, np;
  point *ps = NULL;
  if ((rc = make_variants(&o, &base, vs, &nv)) || (rc = make_points(&o, vs, nv, &ps, &np)))
    return rc;

  if (o.kv_cap && o.ctx > o.kv_cap) {
    fprintf(stderr, "mpbsim " CMD ": --ctx %ld is longer than the KV capacity of %ld tokens "
            "(--kv-cap)\n", o.ctx, o.kv_cap);
    free(ps);
    return MPB_EXIT_USAGE;
  }
  char err[512];
  llama_model *m = NULL;
  int32_t *ids = NULL;
  lm_eval *ev = NULL;
  size_t n_ids = 0;
  if (access(o.model, R_OK) != 0) {
    fprintf(stderr, "mpbsim " CMD ": cannot read %s: %s%s\n", o.model, strerror(errno),
            strcmp(o.model, DEFAULT_MODEL) ? "" : " (run `make models` first)");
    rc = MPB_EXIT_IO;
    goto done;
  }
  if (llama_load_gguf(&m, o.model, err, sizeof err)) {
    fprintf(stderr, "mpbsim " CMD ": %s\n", err);
    rc = MPB_EXIT_INPUT;
    goto done;
  }
  for (int v = 0; v < nv; v++) /* the bridge's geometry must hold the model's head */
    if (vs[v].sp.rope == LM_BK_BRIDGE && (1 << vs[v].sp.bridge.pair_bits) < m->c.head_dim / 2) {
      fprintf(stderr, "mpbsim " CMD ": bridge pair_bits = %d holds %d pairs, the model's "
              "head_dim %d needs %d\n", vs[v].sp.bridge.pair_bits, 1 << vs[v].sp.bridge.pair_bits,
              m->c.head_dim, m->c.head_dim / 2);
      rc = MPB_EXIT_INPUT;
      goto done;
    }
  lm_model_ops ops = llama_model_ops(m);
  if (o.kv_cap) ops.n_ctx_max = (int)o.kv_cap;
  if (o.ctx > ops.n_ctx_max) {
    fprintf(stderr, "mpbsim " CMD ": --ctx %ld is longer than the KV capacity of %d tokens "
            "(%s)\n", o.ctx, ops.n_ctx_max, o.kv_cap ? "--kv-cap" : "the model's context length");
    rc = MPB_EXIT_USAGE;
    goto done;
  }
  if (!(ids = malloc(MAX_IDS * sizeof *ids))) {
    rc = MPB_EXIT_IO;
    goto done;
  }
  if (tok_read_ids(o.tokens, m->c.n_vocab, ids, MAX_IDS, &n_ids, err, sizeof err)) {
    fprintf(stderr, "mpbsim " CMD ": %s\n", err);
    rc = access(o.tokens, R_OK) ? MPB_EXIT_IO : MPB_EXIT_INPUT;
    goto done;
  }
  if ((size_t)o.chunks * (size_t)o.ctx > n_ids) {
    fprintf(stderr, "mpbsim " CMD ": %ld windows of %ld tokens need %ld tokens; %s has %zu\n",
            o.chunks, o.ctx, o.chunks * o.ctx, o.tokens, n_ids);
    rc = MPB_EXIT_USAGE;
    goto done;
  }
  if (lm_eval_new(&ev, &ops, ids, n_ids, (int)o.ctx, (int)o.chunks, err, sizeof err)) {
    fprintf(stderr, "mpbsim " CMD ": %s\n", err);
    rc = MPB_EXIT_INPUT;
    goto done;
  }
  if (!o.quiet) {
    printf("%s: %ld window(s) of %ld tokens from %s, %zu tokens scored (second halves); "
           "reference: offset 0, %.1f s; bridge: %s\n", o.model, o.chunks, o.ctx, o.tokens,
           lm_eval_n_scored(ev), lm_eval_ref_seconds(ev), base.bridge_label);
    print_header();
  }
  double ref_worst = 0;
  for (int i = 0; i < np; i++) {
    point *p = &ps[i];
    if (!p->skipped[0] && lm_eval_run(ev, &vs[p->v].sp, p->offset, &p->p, err, sizeof err)) {
      fprintf(stderr, "mpbsim " CMD ": %s at offset %lld: %s\n", vs[p->v].spec,
              (long long)p->offset, err);
      rc = MPB_EXIT_INPUT;
      goto done;
    }
    if (!p->skipped[0] && lm_numerics_spec_is_ref(&vs[p->v].sp) && p->p.r.kld_max > ref_worst)
      ref_worst = p->p.r.kld_max;
    if (!o.quiet) print_point(&vs[p->v], p);
  }
  if (!o.quiet)
    printf("reference offset invariance: max per-token KLD of ref at any offset vs offset 0 "
           "= %.3g\n", ref_worst);
  if (o.json && (rc = write_json(o.json, o.model, o.tokens, ev, &base, vs, ps, np))) goto done;
  if (o.csv && (rc = write_csv(o.csv, vs, ps, np))) goto done;
  rc = MPB_EXIT_OK;
done:
  lm_eval_free(ev);
  free(ids);
  free(ps);
  llama_free(m);
  return rc;
}
