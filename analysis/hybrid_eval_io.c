/* hybrid_eval_io.c — outputs of the hybrid closed loop: JSON (schema
 * mpbsim-hybrid-eval-1, docs/report-schema.md) and its reader (the report's hybrid
 * table), CSV in long form, the text table of `mpbsim ssm hybrid`. */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "json_file.h"
#include "errbuf.h"
#include "hybrid_eval.h"

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }
static double get_num(const json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

int hybrid_eval_write_json(const hybrid_eval_result *r, FILE *f) {
  const hybrid_eval_opts *o = &r->opts;
  const hybrid_config *c = &o->c;
  json_t *root = json_object(), *checks = json_array(), *ent = json_array();
  for (int i = 0; i < o->ncheck; i++) {
    json_array_append_new(checks, json_integer(o->check[i]));
    json_array_append_new(ent, num(r->ref_entropy[i]));
  }
  json_object_set_new(root, "schema", json_string(HYBRID_EVAL_SCHEMA));
  json_object_set_new(root, "mpbsim_version", json_string(MPB_VERSION));
  json_t *in = json_pack(
      "{s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:[f,f],s:f,s:I,s:I,s:i,s:o,s:i,s:s}",
      "model", o->model, "n_vocab", c->n_vocab, "d_model", c->d_model, "n_layer", c->n_layer,
      "n_head", c->n_head, "head_dim", c->head_dim, "window", c->window, "n_expert",
      c->n_expert, "top_k", c->top_k, "d_ff", c->d_ff, "d_state", c->d_state, "dt_rank",
      c->dt_rank, "dt_range", c->dt_min, c->dt_max, "rope_base", c->rope_base, "seed",
      (json_int_t)o->seed, "tokens", (json_int_t)o->tokens, "chunk", o->chunk, "checkpoints",
      checks, "kld_positions", HYBRID_KLD_POSITIONS, "weights",
      "synthetic (seeded; reference Mamba initialisation in the SSM blocks)");
  json_object_set_new(root, "input", in);
  json_object_set_new(root, "reference", json_pack("{s:s,s:o,s:o}", "spec", "ref", "seconds",
                                                   num(r->ref_seconds), "entropy", ent));
  json_t *vars = json_array();
  for (int v = 0; v < o->nvar; v++) {
    const hybrid_eval_variant *H = &r->var[v];
    json_t *at = json_array();
    for (int i = 0; i < o->ncheck; i++) {
      const hybrid_eval_point *P = &H->at[i];
      json_array_append_new(
          at, json_pack("{s:I,s:i,s:o,s:o,s:o,s:o,s:o}", "tokens", (json_int_t)P->tokens,
                        "positions", P->npos, "kld_mean", num(P->kld_mean), "kld_se",
                        num(P->kld_se), "kld_max", num(P->kld_max), "kld_final",
                        num(P->kld_final), "same_top1", num(P->same_top1)));
    }
    json_array_append_new(
        vars, json_pack("{s:s,s:s,s:s,s:o,s:I,s:I,s:o}", "label", H->label, "spec", H->spec,
                        "group", H->group, "seconds", num(H->seconds), "exp_clamped",
                        (json_int_t)H->exp_clamped, "gemm_events", (json_int_t)H->gemm_events,
                        "checkpoints", at));
  }
  json_object_set_new(root, "variants", vars);
  int rc = json_file_dump(root, f);
  json_decref(root);
  return rc;
}

int hybrid_eval_read_json(const char *path, hybrid_eval_result *r, char *err, size_t errlen) {
  memset(r, 0, sizeof *r);
  json_t *root = json_file_load(path, HYBRID_EVAL_SCHEMA,
                                "a file of `mpbsim ssm hybrid --json`", err, errlen);
  if (!root) return -1;
  int rc = -1;
  json_t *in = json_object_get(root, "input"), *vars = json_object_get(root, "variants");
  json_t *checks = json_object_get(in, "checkpoints");
  if (!json_is_array(checks) || json_array_size(checks) < 1 ||
      json_array_size(checks) > HYBRID_MAX_CHECKPOINTS || !json_is_array(vars) ||
      json_array_size(vars) > HYBRID_MAX_VARIANTS) {
    fail(err, errlen, "%s: fields 'input.checkpoints' (1..%d) and 'variants' (at most %d) "
         "expected", path, HYBRID_MAX_CHECKPOINTS, HYBRID_MAX_VARIANTS);
    goto done;
  }
  hybrid_eval_opts *o = &r->opts;
  const char *model = json_string_value(json_object_get(in, "model"));
  snprintf(o->model, sizeof o->model, "%s", model ? model : "?");
  hybrid_config *c = &o->c;
  c->n_vocab = (int)json_integer_value(json_object_get(in, "n_vocab"));
  c->d_model = (int)json_integer_value(json_object_get(in, "d_model"));
  c->n_layer = (int)json_integer_value(json_object_get(in, "n_layer"));
  c->n_head = (int)json_integer_value(json_object_get(in, "n_head"));
  c->head_dim = (int)json_integer_value(json_object_get(in, "head_dim"));
  c->window = (int)json_integer_value(json_object_get(in, "window"));
  c->n_expert = (int)json_integer_value(json_object_get(in, "n_expert"));
  c->top_k = (int)json_integer_value(json_object_get(in, "top_k"));
  c->d_ff = (int)json_integer_value(json_object_get(in, "d_ff"));
  c->d_state = (int)json_integer_value(json_object_get(in, "d_state"));
  c->dt_rank = (int)json_integer_value(json_object_get(in, "dt_rank"));
  json_t *dr = json_object_get(in, "dt_range");
  c->dt_min = json_number_value(json_array_get(dr, 0));
  c->dt_max = json_number_value(json_array_get(dr, 1));
  o->seed = (uint64_t)json_integer_value(json_object_get(in, "seed"));
  o->tokens = (uint32_t)json_integer_value(json_object_get(in, "tokens"));
  o->chunk = (int)json_integer_value(json_object_get(in, "chunk"));
  o->ncheck = (int)json_array_size(checks);
  json_t *ref = json_object_get(root, "reference"), *ent = json_object_get(ref, "entropy");
  r->ref_seconds = get_num(ref, "seconds");
  for (int i = 0; i < o->ncheck; i++) {
    o->check[i] = (uint32_t)json_integer_value(json_array_get(checks, (size_t)i));
    json_t *e = json_array_get(ent, (size_t)i);
    r->ref_entropy[i] = json_is_number(e) ? json_number_value(e) : NAN;
  }
  o->nvar = (int)json_array_size(vars);
  for (int v = 0; v < o->nvar; v++) {
    json_t *jv = json_array_get(vars, (size_t)v), *at = json_object_get(jv, "checkpoints");
    hybrid_eval_variant *H = &r->var[v];
    const char *lab = json_string_value(json_object_get(jv, "label"));
    const char *sp = json_string_value(json_object_get(jv, "spec"));
    const char *gr = json_string_value(json_object_get(jv, "group"));
    if (!lab || !sp || !gr || json_array_size(at) != (size_t)o->ncheck) {
      fail(err, errlen, "%s: variant %d: fields 'label', 'spec', 'group' and 'checkpoints' "
           "(%d entries) expected", path, v, o->ncheck);
      goto done;
    }
    snprintf(H->label, sizeof H->label, "%s", lab);
    snprintf(o->label[v], sizeof o->label[v], "%s", lab);
    snprintf(H->spec, sizeof H->spec, "%s", sp);
    snprintf(H->group, sizeof H->group, "%s", gr);
    snprintf(o->group[v], sizeof o->group[v], "%s", gr);
    H->seconds = get_num(jv, "seconds");
    H->exp_clamped = (uint64_t)json_integer_value(json_object_get(jv, "exp_clamped"));
    H->gemm_events = (uint64_t)json_integer_value(json_object_get(jv, "gemm_events"));
    for (int i = 0; i < o->ncheck; i++) {
      json_t *p = json_array_get(at, (size_t)i);
      hybrid_eval_point *P = &H->at[i];
      P->tokens = (uint32_t)json_integer_value(json_object_get(p, "tokens"));
      P->npos = (int)json_integer_value(json_object_get(p, "positions"));
      P->kld_mean = get_num(p, "kld_mean"), P->kld_se = get_num(p, "kld_se");
      P->kld_max = get_num(p, "kld_max"), P->kld_final = get_num(p, "kld_final");
      P->same_top1 = get_num(p, "same_top1");
    }
  }
  rc = 0;
done:
  json_decref(root);
  return rc;
}

int hybrid_eval_write_csv(const hybrid_eval_result *r, FILE *f) {
  fprintf(f, "variant,group,spec,tokens,positions,kld_mean,kld_se,kld_max,kld_final,same_top1\n");
  for (int v = 0; v < r->opts.nvar; v++) {
    const hybrid_eval_variant *H = &r->var[v];
    for (int i = 0; i < r->opts.ncheck; i++) {
      const hybrid_eval_point *P = &H->at[i];
      fprintf(f, "%s,%s,\"%s\",%u,%d,%.6g,%.6g,%.6g,%.6g,%.6g\n", H->label, H->group, H->spec,
              P->tokens, P->npos, P->kld_mean, P->kld_se, P->kld_max, P->kld_final,
              P->same_top1);
    }
  }
  return ferror(f) ? -1 : 0;
}

void hybrid_eval_write_table(const hybrid_eval_result *r, FILE *f) {
  const hybrid_eval_opts *o = &r->opts;
  const hybrid_config *c = &o->c;
  fprintf(f, "Hybrid closed loop: %s (d_model %d, %d layers, window %d, %d experts top-%d), "
             "synthetic weights, seed %llu, %u tokens\n",
          o->model, c->d_model, c->n_layer, c->window, c->n_expert, c->top_k,
          (unsigned long long)o->seed, o->tokens);
  fprintf(f, "KLD(ref || variant) of the next-token distribution, mean over the %d positions "
             "before each checkpoint (final = the last one):\n", HYBRID_KLD_POSITIONS);
  fprintf(f, "%-24s", "variant");
  for (int i = 0; i < o->ncheck; i++) fprintf(f, " %11s@%-6u %9s %6s", "KLD mean", o->check[i], "final", "top1");
  fprintf(f, "\n");
  for (int v = 0; v < o->nvar; v++) {
    const hybrid_eval_variant *H = &r->var[v];
    fprintf(f, "%-24s", H->label);
    for (int i = 0; i < o->ncheck; i++)
      fprintf(f, " %18.3g %9.3g %5.1f%%", H->at[i].kld_mean, H->at[i].kld_final,
              100 * H->at[i].same_top1);
    fprintf(f, "\n");
  }
  fprintf(f, "(reference entropy:");
  for (int i = 0; i < o->ncheck; i++) fprintf(f, " %.2f nats @%u", r->ref_entropy[i], o->check[i]);
  fprintf(f, ")\n");
}
