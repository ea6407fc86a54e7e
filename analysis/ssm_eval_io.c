/* ssm_eval_io.c — the SSM closed-loop study's outputs: JSON (schema mpbsim-ssm-eval-1,
 * docs/report-schema.md) and its reader (the report's SSM section loads it), CSV in
 * long form, and the text table of `mpbsim ssm eval`. Non-finite numbers are JSON null. */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "json_file.h"
#include "errbuf.h"
#include "ssm_eval.h"

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }
static double get_num(const json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

static json_t *fit_json(const mpb_growth_fit *f) {
  return json_pack("{s:o,s:o,s:o,s:i}", "a", num(f->a), "b", num(f->b), "r2", num(f->r2),
                   "points", f->npoints);
}
static void fit_read(const json_t *o, mpb_growth_fit *f) {
  f->a = get_num(o, "a"), f->b = get_num(o, "b"), f->r2 = get_num(o, "r2");
  f->npoints = (int)json_integer_value(json_object_get(o, "points"));
}

static json_t *channel_json(const ssm_eval_channel *c, int noct) {
  json_t *om = json_array();
  for (int k = 0; k < noct; k++) json_array_append_new(om, num(c->oct_max[k]));
  return json_pack("{s:i,s:o,s:o,s:o,s:o}", "index", c->index, "dt_mean", num(c->dt_mean),
                   "dta_mean", num(c->dta_mean), "octave_max", om, "growth", fit_json(&c->fit));
}
static void channel_read(const json_t *o, ssm_eval_channel *c) {
  c->index = (int)json_integer_value(json_object_get(o, "index"));
  c->dt_mean = get_num(o, "dt_mean"), c->dta_mean = get_num(o, "dta_mean");
  json_t *om = json_object_get(o, "octave_max");
  for (size_t k = 0; k < json_array_size(om) && k < MPB_OCTAVES; k++) {
    json_t *v = json_array_get(om, k);
    c->oct_max[k] = json_is_number(v) ? json_number_value(v) : INFINITY;
  }
  fit_read(json_object_get(o, "growth"), &c->fit);
}

int ssm_eval_write_json(const ssm_eval_result *r, FILE *f) {
  const ssm_eval_opts *o = &r->opts;
  json_t *root = json_object();
  json_object_set_new(root, "schema", json_string(SSM_EVAL_SCHEMA));
  json_object_set_new(root, "mpbsim_version", json_string(MPB_VERSION));
  json_object_set_new(
      root, "input",
      json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:[f,f],s:I,s:I,s:i,s:s}", "model", o->model,
                "d_model", o->c.d_model, "d_inner", o->c.d_inner, "d_state", o->c.d_state,
                "d_conv", o->c.d_conv, "dt_rank", o->c.dt_rank, "dt_range", o->c.dt_min,
                o->c.dt_max, "seed", (json_int_t)o->seed, "steps", (json_int_t)o->steps,
                "chunk", o->chunk, "weights", "synthetic (reference Mamba initialisation)"));
  json_object_set_new(root, "dt_seen", json_pack("[o,o]", num(r->dt_min_seen), num(r->dt_max_seen)));
  json_object_set_new(root, "reference",
                      json_pack("{s:s,s:s,s:o}", "spec", "ref", "state", "fp64", "seconds",
                                num(r->ref_seconds)));
  json_t *vars = json_array();
  for (int v = 0; v < o->nvar; v++) {
    const ssm_eval_variant *V = &r->var[v];
    json_t *oct = json_array();
    for (int k = 0; k < r->noct; k++) {
      const ssm_eval_oct *c = &V->oct[k];
      if (!c->n) continue;
      json_array_append_new(
          oct, json_pack("{s:i,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "octave", k, "lo",
                         (json_int_t)(k ? 1ull << (k - 1) : 0), "hi", (json_int_t)(1ull << k),
                         "steps", (json_int_t)c->n, "h_max", num(c->h_max), "h_rms",
                         num(ssm_eval_oct_rms_h(c)), "y_max", num(c->y_max), "y_rms",
                         num(ssm_eval_oct_rms_y(c))));
    }
    json_array_append_new(
        vars, json_pack("{s:s,s:s,s:s,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "label", V->label,
                        "spec", V->spec, "state", lm_state_format_name(V->state), "seconds",
                        num(V->seconds), "exp_clamped", (json_int_t)V->exp_clamped, "h_final",
                        num(V->h_final), "y_final", num(V->y_final), "growth_h",
                        fit_json(&V->fit_h), "growth_y", fit_json(&V->fit_y), "octaves", oct,
                        "worst_channel", channel_json(&V->worst, r->noct),
                        "near_zero_channel", channel_json(&V->near_zero, r->noct)));
  }
  json_object_set_new(root, "variants", vars);
  int rc = json_file_dump(root, f);
  json_decref(root);
  return rc;
}

int ssm_eval_read_json(const char *path, ssm_eval_result *r, char *err, size_t errlen) {
  memset(r, 0, sizeof *r);
  json_t *root = json_file_load(path, SSM_EVAL_SCHEMA, "a file of `mpbsim ssm eval --json`",
                                err, errlen);
  if (!root) return -1;
  int rc = -1;
  json_t *in = json_object_get(root, "input"), *vars = json_object_get(root, "variants");
  if (!json_is_object(in) || !json_is_array(vars) || json_array_size(vars) > SSM_EVAL_MAX_VARIANTS) {
    fail(err, errlen, "%s: fields 'input' (object) and 'variants' (array of at most %d) expected",
         path, SSM_EVAL_MAX_VARIANTS);
    goto done;
  }
  ssm_eval_opts *o = &r->opts;
  snprintf(o->model, sizeof o->model, "%s", json_string_value(json_object_get(in, "model")) ?
           json_string_value(json_object_get(in, "model")) : "?");
  o->c.d_model = (int)json_integer_value(json_object_get(in, "d_model"));
  o->c.d_inner = (int)json_integer_value(json_object_get(in, "d_inner"));
  o->c.d_state = (int)json_integer_value(json_object_get(in, "d_state"));
  o->c.d_conv = (int)json_integer_value(json_object_get(in, "d_conv"));
  o->c.dt_rank = (int)json_integer_value(json_object_get(in, "dt_rank"));
  json_t *dr = json_object_get(in, "dt_range");
  o->c.dt_min = json_number_value(json_array_get(dr, 0));
  o->c.dt_max = json_number_value(json_array_get(dr, 1));
  o->seed = (uint64_t)json_integer_value(json_object_get(in, "seed"));
  o->steps = (uint64_t)json_integer_value(json_object_get(in, "steps"));
  o->chunk = (int)json_integer_value(json_object_get(in, "chunk"));
  if (o->steps < 1 || o->steps > SSM_EVAL_MAX_STEPS) {
    fail(err, errlen, "%s: field 'input.steps' = %llu is not in [1, %u]", path,
         (unsigned long long)o->steps, SSM_EVAL_MAX_STEPS);
    goto done;
  }
  json_t *ds = json_object_get(root, "dt_seen");
  r->dt_min_seen = json_number_value(json_array_get(ds, 0));
  r->dt_max_seen = json_number_value(json_array_get(ds, 1));
  r->ref_seconds = get_num(json_object_get(root, "reference"), "seconds");
  r->noct = mpb_octave((uint32_t)(o->steps - 1)) + 1;
  o->nvar = (int)json_array_size(vars);
  for (int v = 0; v < o->nvar; v++) {
    json_t *jv = json_array_get(vars, v);
    ssm_eval_variant *V = &r->var[v];
    const char *lab = json_string_value(json_object_get(jv, "label"));
    const char *sp = json_string_value(json_object_get(jv, "spec"));
    const char *st = json_string_value(json_object_get(jv, "state"));
    if (!lab || !sp || !st || lm_state_format_parse(st, &V->state, NULL, 0)) {
      fail(err, errlen, "%s: variant %d: fields 'label', 'spec' and 'state' (a state format) "
           "expected", path, v);
      goto done;
    }
    snprintf(V->label, sizeof V->label, "%s", lab);
    snprintf(o->label[v], sizeof o->label[v], "%s", lab);
    snprintf(V->spec, sizeof V->spec, "%s", sp);
    V->seconds = get_num(jv, "seconds");
    V->exp_clamped = (uint64_t)json_integer_value(json_object_get(jv, "exp_clamped"));
    V->h_final = get_num(jv, "h_final"), V->y_final = get_num(jv, "y_final");
    fit_read(json_object_get(jv, "growth_h"), &V->fit_h);
    fit_read(json_object_get(jv, "growth_y"), &V->fit_y);
    json_t *oct = json_object_get(jv, "octaves");
    for (size_t i = 0; i < json_array_size(oct); i++) {
      json_t *jo = json_array_get(oct, i);
      json_int_t k = json_integer_value(json_object_get(jo, "octave"));
      if (k < 0 || k >= r->noct) {
        fail(err, errlen, "%s: variant %d: octave %lld is not in [0, %d]", path, v,
             (long long)k, r->noct - 1);
        goto done;
      }
      ssm_eval_oct *c = &V->oct[k];
      c->n = (uint64_t)json_integer_value(json_object_get(jo, "steps"));
      double hr = get_num(jo, "h_rms"), yr = get_num(jo, "y_rms");
      c->h_max = get_num(jo, "h_max"), c->y_max = get_num(jo, "y_max");
      c->h_sum2 = hr * hr * (double)c->n, c->y_sum2 = yr * yr * (double)c->n;
    }
    channel_read(json_object_get(jv, "worst_channel"), &V->worst);
    channel_read(json_object_get(jv, "near_zero_channel"), &V->near_zero);
  }
  rc = 0;
done:
  json_decref(root);
  return rc;
}

int ssm_eval_write_csv(const ssm_eval_result *r, FILE *f) {
  fprintf(f, "variant,spec,state,octave,lo,hi,steps,h_rel_max,h_rel_rms,y_rel_max,y_rel_rms,"
             "worst_channel_max,near_zero_channel_max\n");
  for (int v = 0; v < r->opts.nvar; v++) {
    const ssm_eval_variant *V = &r->var[v];
    for (int k = 0; k < r->noct; k++) {
      const ssm_eval_oct *c = &V->oct[k];
      if (!c->n) continue;
      fprintf(f, "%s,\"%s\",%s,%d,%llu,%llu,%llu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n", V->label,
              V->spec, lm_state_format_name(V->state), k, k ? 1ull << (k - 1) : 0ull,
              1ull << k, (unsigned long long)c->n, c->h_max, ssm_eval_oct_rms_h(c), c->y_max,
              ssm_eval_oct_rms_y(c), V->worst.oct_max[k], V->near_zero.oct_max[k]);
    }
  }
  return ferror(f) ? -1 : 0;
}

void ssm_eval_write_table(const ssm_eval_result *r, FILE *f) {
  const ssm_eval_opts *o = &r->opts;
  fprintf(f, "SSM closed loop: %s block (d_model %d, d_inner %d, d_state %d), synthetic weights, "
             "dt range [%g, %g], seed %llu, %llu steps\n",
          o->model, o->c.d_model, o->c.d_inner, o->c.d_state, o->c.dt_min, o->c.dt_max,
          (unsigned long long)o->seed, (unsigned long long)o->steps);
  fprintf(f, "relative error against the FP64 reference (L2 over the state h, over the output y):\n");
  fprintf(f, "%-22s %-6s %10s %10s %10s %10s %7s %7s %22s %22s\n", "variant", "state", "h last oct",
          "h final", "y last oct", "y final", "b(h)", "b(y)", "worst ch (dt, b)",
          "dt*A~0 ch (dt, b)");
  int last = r->noct - 1;
  for (int v = 0; v < o->nvar; v++) {
    const ssm_eval_variant *V = &r->var[v];
    char w[40], z[40];
    snprintf(w, sizeof w, "%d (%.2g, %+.2f)", V->worst.index, V->worst.dt_mean, V->worst.fit.b);
    snprintf(z, sizeof z, "%d (%.2g, %+.2f)", V->near_zero.index, V->near_zero.dt_mean,
             V->near_zero.fit.b);
    fprintf(f, "%-22s %-6s %10.3g %10.3g %10.3g %10.3g %+7.2f %+7.2f %22s %22s\n", V->label,
            lm_state_format_name(V->state), ssm_eval_oct_rms_h(&V->oct[last]), V->h_final,
            ssm_eval_oct_rms_y(&V->oct[last]), V->y_final, V->fit_h.b, V->fit_y.b, w, z);
  }
  fprintf(f, "(last oct = RMS over steps %llu..%llu; b = exponent of err ~ a t^b fitted over "
             "octaves 1..%d)\n",
          last ? 1ull << (last - 1) : 0ull, (unsigned long long)o->steps - 1, last);
}
