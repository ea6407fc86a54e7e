/* sweep_report.c — write the merged results of a sweep: results.csv and results.json
 * (every parameter and kept metric per point), sensitivity.csv, pareto-energy.svg and
 * pareto-area.svg, report.html (summary, chosen point, both plots inline, Pareto and
 * sensitivity tables, the RTL check) and best.cfg. Every file is written to a temporary name and renamed,
 * and its bytes depend only on the spec and the stored points. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svg.h"
#include "sweep.h"

typedef struct {
  FILE *f;
  char path[1100], tmp[1200];
} outfile;

static mpb_status out_open(outfile *o, const char *dir, const char *name, char *err,
                           size_t errlen) {
  snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
  snprintf(o->tmp, sizeof o->tmp, "%s/.tmp.%ld.%s", dir, (long)getpid(), name);
  o->f = fopen(o->tmp, "w");
  if (!o->f) {
    snprintf(err, errlen, "cannot write %s: %s", o->path, strerror(errno));
    return MPB_EIO;
  }
  return MPB_OK;
}

static mpb_status out_commit(outfile *o, char *err, size_t errlen) {
  int bad = ferror(o->f);
  if (fclose(o->f) != 0) bad = 1;
  if (bad || rename(o->tmp, o->path) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", o->path, strerror(errno));
    unlink(o->tmp);
    return MPB_EIO;
  }
  return MPB_OK;
}

static bool kept(const sweep_spec *s, int k) { return k >= SWEEP_NMETRIC || s->keep[k]; }

static void fmt_val(char *buf, size_t n, double v) {
  if (isnan(v))
    snprintf(buf, n, "nan");
  else if (isinf(v))
    snprintf(buf, n, v > 0 ? "inf" : "-inf");
  else
    snprintf(buf, n, "%.9g", v);
}

static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static mpb_status write_csv(const char *dir, const sweep_spec *s, const sweep_table *t,
                            char *err, size_t errlen) {
  outfile o;
  mpb_status rc = out_open(&o, dir, "results.csv", err, errlen);
  if (rc) return rc;
  char buf[128];
  fputs("index", o.f);
  for (size_t i = 0; i < mpb_param_count(); i++) fprintf(o.f, ",%s", mpb_param_get(i)->name);
  for (int k = 0; k < sweep_nvalues(s); k++)
    if (kept(s, k)) {
      sweep_value_name(s, k, buf, sizeof buf);
      fprintf(o.f, ",%s", buf);
    }
  if (s->rtl.on) fputs(",rtl_detail", o.f);
  fputc('\n', o.f);
  for (size_t r = 0; r < t->n; r++) {
    mpb_config cfg;
    if ((rc = sweep_point_config(s, t->r[r].index, &cfg, err, errlen))) {
      fclose(o.f);
      unlink(o.tmp);
      return rc;
    }
    fprintf(o.f, "%llu", (unsigned long long)t->r[r].index);
    for (size_t i = 0; i < mpb_param_count(); i++) {
      mpb_param_format(&cfg, i, buf, sizeof buf);
      fprintf(o.f, ",%s", buf);
    }
    for (int k = 0; k < sweep_nvalues(s); k++)
      if (kept(s, k)) {
        if (k == sweep_rtl_col(s))
          snprintf(buf, sizeof buf, "%s", sweep_rtl_status_name(t->r[r].v[k]));
        else
          fmt_val(buf, sizeof buf, t->r[r].v[k]);
        fprintf(o.f, ",%s", buf);
      }
    if (s->rtl.on) { /* quoted: the text may hold commas */
      fputs(",\"", o.f);
      for (const char *c = t->r[r].rtl_detail; *c; c++) {
        if (*c == '"') fputc('"', o.f);
        fputc(*c, o.f);
      }
      fputc('"', o.f);
    }
    fputc('\n', o.f);
  }
  return out_commit(&o, err, errlen);
}

static json_t *point_json(const sweep_spec *s, const sweep_result *r) {
  mpb_config cfg;
  char err[256], buf[128];
  json_t *p = json_object();
  json_object_set_new(p, "index", json_integer((json_int_t)r->index));
  json_t *par = json_object();
  if (sweep_point_config(s, r->index, &cfg, err, sizeof err) == MPB_OK)
    for (size_t i = 0; i < mpb_param_count(); i++) {
      mpb_param_format(&cfg, i, buf, sizeof buf);
      json_object_set_new(par, mpb_param_get(i)->name, json_string(buf));
    }
  json_object_set_new(p, "params", par);
  json_t *met = json_object();
  int rc = sweep_rtl_col(s);
  for (int k = 0; k < (rc >= 0 ? rc : sweep_nvalues(s)); k++)
    if (kept(s, k)) {
      sweep_value_name(s, k, buf, sizeof buf);
      json_object_set_new(met, buf, jnum(r->v[k]));
    }
  json_object_set_new(p, "metrics", met);
  if (rc >= 0) {
    json_object_set_new(p, "rtl_check", json_string(sweep_rtl_status_name(r->v[rc])));
    json_object_set_new(p, "rtl_cycles", jnum(r->v[rc + 1]));
    json_object_set_new(p, "rtl_detail", json_string(r->rtl_detail));
  }
  return p;
}

/* Points per rtl_check status: [0] pass, [1] fail, [2] skipped. */
static void rtl_counts(const sweep_spec *s, const sweep_table *t, size_t n[3]) {
  int c = sweep_rtl_col(s);
  n[0] = n[1] = n[2] = 0;
  for (size_t i = 0; c >= 0 && i < t->n; i++) {
    double v = t->r[i].v[c];
    n[v == SWEEP_RTL_PASS ? 0 : v == SWEEP_RTL_FAIL ? 1 : 2]++;
  }
}

/* The workload names rtl_check runs on, "llama3, smollm2". */
static void rtl_workloads(const sweep_spec *s, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (int k = 0; k < s->nworkloads && used < len; k++)
    if (s->rtl.workloads >> k & 1)
      used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", s->wl[k].name);
}

static const int sens_metrics[] = {SWEEP_M_MAX_ERR, SWEEP_M_ENERGY, SWEEP_M_AREA};
#define NSENS 3

static mpb_status write_json(const char *dir, const sweep_spec *s, const sweep_plan *p,
                             const sweep_table *t, const sweep_verdict *v, const size_t *fe,
                             size_t nfe, const size_t *fa, size_t nfa, char *err,
                             size_t errlen) {
  json_t *j = json_object();
  char hash[32];
  snprintf(hash, sizeof hash, "%016llx", (unsigned long long)s->hash);
  json_object_set_new(j, "sweep", json_string(s->name));
  json_object_set_new(j, "spec_hash", json_string(hash));
  json_object_set_new(j, "sampling", json_string(s->sampling == SWEEP_GRID ? "grid" : "random"));
  json_object_set_new(j, "grid_size", json_integer((json_int_t)sweep_grid_size(s)));
  json_object_set_new(j, "considered", json_integer((json_int_t)p->considered));
  json_object_set_new(j, "pruned", json_integer((json_int_t)p->pruned));
  json_object_set_new(j, "points", json_integer((json_int_t)t->n));
  json_object_set_new(j, "goal", jnum(s->goal));
  json_t *axes = json_array();
  for (int a = 0; a < s->naxes; a++) {
    json_t *ax = json_object(), *vals = json_array();
    json_object_set_new(ax, "name", json_string(mpb_param_get(s->axis[a].param)->name));
    for (int i = 0; i < s->axis[a].nvalues; i++)
      json_array_append_new(vals, json_string(s->axis[a].values[i]));
    json_object_set_new(ax, "values", vals);
    json_array_append_new(axes, ax);
  }
  json_object_set_new(j, "axes", axes);
  json_t *wls = json_array();
  for (int k = 0; k < s->nworkloads; k++) {
    json_t *w = json_object();
    json_object_set_new(w, "name", json_string(s->wl[k].name));
    json_object_set_new(w, "head_dim", json_integer(s->wl[k].geo.head_dim));
    json_object_set_new(w, "base", json_real(s->wl[k].geo.base));
    json_object_set_new(w, "positions_evaluated", json_integer((json_int_t)s->wl[k].npositions));
    json_object_set_new(w, "positions_max", json_integer(s->wl[k].pos_max));
    json_object_set_new(w, "verify_max", json_integer(s->wl[k].verify_max));
    json_array_append_new(wls, w);
  }
  json_object_set_new(j, "workloads", wls);
  json_t *trs = json_array();
  for (int k = 0; k < s->ntraces; k++) {
    json_t *tr = json_object();
    json_object_set_new(tr, "name", json_string(s->tr[k].name));
    json_object_set_new(tr, "path", json_string(s->tr[k].path));
    json_array_append_new(trs, tr);
  }
  json_object_set_new(j, "traces", trs);
  if (s->rtl.on) {
    json_t *rj = json_object(), *wl = json_array();
    size_t n[3];
    rtl_counts(s, t, n);
    json_object_set_new(rj, "cycles", json_integer((json_int_t)s->rtl.cycles));
    json_object_set_new(rj, "seeds", json_integer(s->rtl.seeds));
    for (int k = 0; k < s->nworkloads; k++)
      if (s->rtl.workloads >> k & 1) json_array_append_new(wl, json_string(s->wl[k].name));
    json_object_set_new(rj, "workloads", wl);
    json_object_set_new(rj, "pass", json_integer((json_int_t)n[0]));
    json_object_set_new(rj, "fail", json_integer((json_int_t)n[1]));
    json_object_set_new(rj, "skipped", json_integer((json_int_t)n[2]));
    json_object_set_new(j, "rtl_check", rj);
  }
  json_t *pts = json_array();
  for (size_t r = 0; r < t->n; r++) json_array_append_new(pts, point_json(s, &t->r[r]));
  json_object_set_new(j, "results", pts);
  json_t *pe = json_array(), *pa = json_array();
  for (size_t i = 0; i < nfe; i++) json_array_append_new(pe, json_integer((json_int_t)t->r[fe[i]].index));
  for (size_t i = 0; i < nfa; i++) json_array_append_new(pa, json_integer((json_int_t)t->r[fa[i]].index));
  json_object_set_new(j, "pareto_err_energy", pe);
  json_object_set_new(j, "pareto_err_area", pa);
  if (v->best >= 0) {
    json_t *b = point_json(s, &t->r[v->best]);
    json_object_set_new(b, "verified", json_boolean(v->verified));
    if (v->verified) {
      json_t *ve = json_object();
      for (int k = 0; k < s->nworkloads; k++)
        if (s->wl[k].verify_max) {
          json_t *w = json_object();
          json_object_set_new(w, "positions", json_integer(s->wl[k].verify_max));
          json_object_set_new(w, "max_err", jnum(v->verify_err[k]));
          json_object_set_new(w, "worst_position", json_integer(v->verify_worst_m[k]));
          json_object_set_new(ve, s->wl[k].name, w);
        }
      json_object_set_new(b, "exhaustive", ve);
    }
    json_object_set_new(b, "rejected_by_exhaustive_check", json_integer(v->rejected));
    if (v->all) {
      json_object_set_new(b, "candidates_checked_exhaustively", json_integer(v->checked));
      json_object_set_new(b, "candidates_failing_exhaustively", json_integer(v->failed));
    }
    json_object_set_new(j, "best", b);
  } else {
    json_object_set_new(j, "best", json_null());
  }
  if (s->lm.on && s->lm.max > 0) { /* the model-level choice, next to the per-op one */
    json_t *b = v->best_lm >= 0 ? point_json(s, &t->r[v->best_lm]) : json_null();
    if (v->best_lm >= 0) {
      json_object_set_new(b, "constraint_metric", json_string(sweep_lm_metric_names[s->lm.metric]));
      json_object_set_new(b, "constraint_max", jnum(s->lm.max));
    }
    json_object_set_new(j, "best_model_level", b);
  }
  if (s->ssm.on && s->ssm.max > 0) { /* the SSM choice */
    json_t *b = v->best_ssm >= 0 ? point_json(s, &t->r[v->best_ssm]) : json_null();
    if (v->best_ssm >= 0) {
      json_object_set_new(b, "constraint_metric", json_string(sweep_ssm_metric_names[s->ssm.metric]));
      json_object_set_new(b, "constraint_max", jnum(s->ssm.max));
    }
    json_object_set_new(j, "best_ssm", b);
  }
  json_t *sens = json_array();
  for (int a = 0; a < s->naxes; a++) {
    json_t *sa = json_object();
    json_object_set_new(sa, "param", json_string(mpb_param_get(s->axis[a].param)->name));
    for (int m = 0; m < NSENS; m++) {
      sweep_sens ss;
      sweep_sensitivity(s, t, a, sens_metrics[m], &ss);
      json_t *e = json_object();
      json_object_set_new(e, "effect_log2", jnum(ss.effect));
      json_object_set_new(e, "slope_log2_per_step", jnum(ss.slope));
      json_object_set_new(sa, sweep_metric_get(sens_metrics[m])->name, e);
    }
    json_array_append_new(sens, sa);
  }
  json_object_set_new(j, "sensitivity", sens);
  outfile o;
  mpb_status rc = out_open(&o, dir, "results.json", err, errlen);
  if (!rc) {
    if (json_dumpf(j, o.f, JSON_INDENT(1) | JSON_REAL_PRECISION(9)) != 0) {
      snprintf(err, errlen, "cannot write %s", o.path);
      fclose(o.f);
      unlink(o.tmp);
      rc = MPB_EIO;
    } else {
      fputc('\n', o.f);
      rc = out_commit(&o, err, errlen);
    }
  }
  json_decref(j);
  return rc;
}

static mpb_status write_sens_csv(const char *dir, const sweep_spec *s, const sweep_table *t,
                                 char *err, size_t errlen) {
  outfile o;
  mpb_status rc = out_open(&o, dir, "sensitivity.csv", err, errlen);
  if (rc) return rc;
  fputs("param,metric,effect_log2,slope_log2_per_step,value,mean_log2,count\n", o.f);
  for (int a = 0; a < s->naxes; a++)
    for (int m = 0; m < NSENS; m++) {
      sweep_sens ss;
      sweep_sensitivity(s, t, a, sens_metrics[m], &ss);
      for (int i = 0; i < s->axis[a].nvalues; i++) {
        char e[32], sl[32], mu[32];
        fmt_val(e, sizeof e, ss.effect);
        fmt_val(sl, sizeof sl, ss.slope);
        fmt_val(mu, sizeof mu, ss.count[i] ? ss.mean[i] : NAN);
        fprintf(o.f, "%s,%s,%s,%s,%s,%s,%d\n", mpb_param_get(s->axis[a].param)->name,
                sweep_metric_get(sens_metrics[m])->name, e, sl, s->axis[a].values[i], mu,
                ss.count[i]);
      }
    }
  return out_commit(&o, err, errlen);
}

static void fill_plot(const sweep_table *t, int mx, int my, double *x, double *y) {
  for (size_t i = 0; i < t->n; i++) {
    x[i] = t->r[i].v[mx];
    y[i] = t->r[i].v[my];
  }
}

static mpb_status write_svg(const char *dir, const char *name, const sweep_plot *pl, char *err,
                            size_t errlen) {
  outfile o;
  mpb_status rc = out_open(&o, dir, name, err, errlen);
  if (rc) return rc;
  sweep_svg_write(o.f, pl);
  return out_commit(&o, err, errlen);
}

/* Short text of the axis values of a point: "horner_order=3 horner_width=24 ...". */
static void axes_text(const sweep_spec *s, uint64_t index, char *buf, size_t n) {
  mpb_config cfg;
  char e[256], v[64];
  buf[0] = '\0';
  if (sweep_point_config(s, index, &cfg, e, sizeof e) != MPB_OK) return;
  size_t used = 0;
  for (int a = 0; a < s->naxes && used < n; a++) {
    mpb_param_format(&cfg, s->axis[a].param, v, sizeof v);
    used += (size_t)snprintf(buf + used, n - used, "%s%s=%s", a ? " " : "",
                             mpb_param_get(s->axis[a].param)->name, v);
  }
}

static void html_front(FILE *f, const sweep_spec *s, const sweep_table *t, const size_t *fr,
                       size_t nf, const char *title) {
  fprintf(f, "<h2>%s</h2>\n<table>\n<tr><th>index</th>", title);
  for (int a = 0; a < s->naxes; a++) fprintf(f, "<th>%s</th>", mpb_param_get(s->axis[a].param)->name);
  fputs("<th>max_err</th><th>err_bits</th><th>energy_pj</th><th>area</th></tr>\n", f);
  for (size_t k = 0; k < nf; k++) {
    const sweep_result *r = &t->r[fr[k]];
    mpb_config cfg;
    char e[256], v[64];
    if (sweep_point_config(s, r->index, &cfg, e, sizeof e) != MPB_OK) continue;
    fprintf(f, "<tr><td>%llu</td>", (unsigned long long)r->index);
    for (int a = 0; a < s->naxes; a++) {
      mpb_param_format(&cfg, s->axis[a].param, v, sizeof v);
      fprintf(f, "<td>%s</td>", v);
    }
    fprintf(f, "<td>%.3g</td><td>%.2f</td><td>%.4g</td><td>%.4g</td></tr>\n",
            r->v[SWEEP_M_MAX_ERR], r->v[SWEEP_M_ERR_BITS], r->v[SWEEP_M_ENERGY],
            r->v[SWEEP_M_AREA]);
  }
  fputs("</table>\n", f);
}

/* The RTL check: counts, the chosen point's status, every point that did not pass. */
static void html_rtl(FILE *f, const sweep_spec *s, const sweep_table *t, const sweep_verdict *v) {
  int c = sweep_rtl_col(s);
  size_t n[3];
  char wl[600];
  rtl_counts(s, t, n);
  rtl_workloads(s, wl, sizeof wl);
  fprintf(f, "<h2>RTL co-simulation check</h2>\n<p>Every point's configuration was built "
             "as Verilated RTL and co-simulated in lock-step against the C model "
             "(sim/cosim/), seeds 1..%d, %llu cycles each, with the tables of workload(s) "
             "%s: <b>%zu pass, %zu fail, %zu skipped</b>. Points that fail are never "
             "chosen.",
          s->rtl.seeds, (unsigned long long)s->rtl.cycles, wl, n[0], n[1], n[2]);
  if (v->best >= 0)
    fprintf(f, " Chosen point: %s.", sweep_rtl_status_name(t->r[v->best].v[c]));
  fputs("</p>\n", f);
  if (n[1] + n[2] == 0) return;
  fputs("<table>\n<tr><th>index</th><th>point</th><th>rtl_check</th><th>detail</th></tr>\n", f);
  for (size_t i = 0; i < t->n; i++) {
    if (t->r[i].v[c] == SWEEP_RTL_PASS) continue;
    char ax[1024];
    axes_text(s, t->r[i].index, ax, sizeof ax);
    fprintf(f, "<tr><td>%llu</td><td><code>%s</code></td><td>%s</td><td style='text-align:"
               "left'>", (unsigned long long)t->r[i].index, ax,
            sweep_rtl_status_name(t->r[i].v[c]));
    for (const char *p = t->r[i].rtl_detail; *p; p++) {
      if (*p == '<') fputs("&lt;", f);
      else if (*p == '>') fputs("&gt;", f);
      else if (*p == '&') fputs("&amp;", f);
      else fputc(*p, f);
    }
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

static mpb_status write_html(const char *dir, const sweep_spec *s, const sweep_plan *p,
                             const sweep_table *t, const sweep_verdict *v,
                             const sweep_plot *pe, const sweep_plot *pa, const size_t *fe,
                             size_t nfe, const size_t *fa, size_t nfa, char *err,
                             size_t errlen) {
  outfile o;
  mpb_status rc = out_open(&o, dir, "report.html", err, errlen);
  if (rc) return rc;
  FILE *f = o.f;
  fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>mpbsim sweep %s</title>\n"
             "<style>body{font-family:sans-serif;max-width:1000px;margin:auto}"
             "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
             "padding:2px 6px;text-align:right}</style></head><body>\n",
          s->name);
  fprintf(f, "<h1>Sweep %s</h1>\n<p>Spec hash %016llx; %s sampling; %llu combinations "
             "considered, %llu pruned as invalid, %zu points evaluated.",
          s->name, (unsigned long long)s->hash, s->sampling == SWEEP_GRID ? "grid" : "random",
          (unsigned long long)p->considered, (unsigned long long)p->pruned, t->n);
  if (p->pruned) fprintf(f, " First pruned: %s.", p->first_pruned);
  fputs("</p>\n<p>Workloads: ", f);
  for (int k = 0; k < s->nworkloads; k++)
    fprintf(f, "%s%s (d=%d, base %g, %zu positions in [0, %u), every pair)",
            k ? "; " : "", s->wl[k].name, s->wl[k].geo.head_dim, s->wl[k].geo.base,
            s->wl[k].npositions, s->wl[k].pos_max);
  fputs(".</p>\n", f);
  for (int k = 0; k < s->ntraces; k++)
    fprintf(f, "<p>Trace %s replayed through every point: %s (columns %s_rope_err, "
               "%s_exp_err, %s_dot_err, %s_dot_events in results.csv).</p>\n",
            s->tr[k].name, s->tr[k].path, s->tr[k].name, s->tr[k].name, s->tr[k].name,
            s->tr[k].name);
  if (s->goal > 0) fprintf(f, "<p>Precision goal: max |cos/sin error| &le; %.6g.</p>\n", s->goal);
  if (v->best >= 0) {
    char ax[1024];
    const sweep_result *b = &t->r[v->best];
    axes_text(s, b->index, ax, sizeof ax);
    fprintf(f, "<h2>Chosen configuration</h2>\n<p>Lowest modelled energy meeting the goal: "
               "point %llu (<code>%s</code>): max_err %.4g (%.2f bits), %.4g pJ per rotation, "
               "area proxy %.4g.",
            (unsigned long long)b->index, ax, b->v[SWEEP_M_MAX_ERR], b->v[SWEEP_M_ERR_BITS],
            b->v[SWEEP_M_ENERGY], b->v[SWEEP_M_AREA]);
    if (v->verified) {
      fputs(" Exhaustive re-check:", f);
      for (int k = 0; k < s->nworkloads; k++)
        if (s->wl[k].verify_max)
          fprintf(f, " %s every position &lt; %u, every pair: max_err %.4g (worst m = %u);",
                  s->wl[k].name, s->wl[k].verify_max, v->verify_err[k], v->verify_worst_m[k]);
    }
    if (v->rejected)
      fprintf(f, " %d cheaper candidate(s) met the goal on the samples but failed the "
                 "exhaustive check.", v->rejected);
    if (v->all)
      fprintf(f, " All %d points meeting the goal on the samples were re-checked "
                 "exhaustively: %d failed.", v->checked, v->failed);
    fputs(" Full configuration: best.cfg.</p>\n", f);
  } else if (s->goal > 0) {
    fputs("<h2>Chosen configuration</h2>\n<p>No point meets the goal.</p>\n", f);
  }
  if (s->lm.on && s->lm.max > 0) {
    fprintf(f, "<h2>Model-level choice</h2>\n<p>Closed loop (docs/model-eval.md): the point's "
               "configuration as the bridge on <code>%s</code>, %d window(s) of %d tokens at "
               "offset %lld, KL divergence to the FP32 reference at offset 0; constraint %s "
               "&le; %.3g. ", s->lm.numerics, s->lm.chunks, s->lm.ctx, s->lm.offset,
            sweep_lm_metric_names[s->lm.metric], s->lm.max);
    if (v->best_lm >= 0) {
      char ax[1024];
      const sweep_result *b = &t->r[v->best_lm];
      int lc = sweep_lm_col(s);
      axes_text(s, b->index, ax, sizeof ax);
      fprintf(f, "Lowest modelled energy meeting it: point %llu (<code>%s</code>): %s %.3g, "
                 "mean KLD %.3g, %.4g pJ per rotation, max |cos/sin error| %.4g.</p>\n",
              (unsigned long long)b->index, ax, sweep_lm_metric_names[s->lm.metric],
              b->v[lc + s->lm.metric], b->v[lc], b->v[SWEEP_M_ENERGY], b->v[SWEEP_M_MAX_ERR]);
    } else {
      fputs("No point meets it.</p>\n", f);
    }
  }
  if (s->ssm.on && s->ssm.max > 0) {
    fprintf(f, "<h2>SSM choice</h2>\n<p>SSM closed loop (docs/workloads.md): the point's "
               "configuration as the bridge on <code>%s</code>, one %s block for %llu steps "
               "(dt in [%g, %g]) against the FP64 reference; constraint %s &le; %.3g. ",
            s->ssm.numerics, s->ssm.model, (unsigned long long)s->ssm.steps, s->ssm.dt_min,
            s->ssm.dt_max, sweep_ssm_metric_names[s->ssm.metric], s->ssm.max);
    if (v->best_ssm >= 0) {
      char ax[1024];
      const sweep_result *b = &t->r[v->best_ssm];
      int sc = sweep_ssm_col(s);
      axes_text(s, b->index, ax, sizeof ax);
      fprintf(f, "Lowest modelled energy meeting it: point %llu (<code>%s</code>): %s %.3g, "
                 "growth exponent %.2f, %.4g pJ per rotation, area %.4g.</p>\n",
              (unsigned long long)b->index, ax, sweep_ssm_metric_names[s->ssm.metric],
              b->v[sc + s->ssm.metric], b->v[sc + 3], b->v[SWEEP_M_ENERGY], b->v[SWEEP_M_AREA]);
    } else {
      fputs("No point meets it.</p>\n", f);
    }
  }
  if (s->rtl.on) html_rtl(f, s, t, v);
  sweep_svg_write(f, pe);
  sweep_svg_write(f, pa);
  html_front(f, s, t, fe, nfe, "Pareto front: error vs energy");
  html_front(f, s, t, fa, nfa, "Pareto front: error vs area proxy");
  fputs("<h2>Sensitivity</h2>\n<p>Effect = max - min over the parameter's values of the mean "
        "log2(metric) of the points having that value (1.0 = a factor of 2); slope = GSL "
        "least-squares slope of log2(metric) per step along the parameter's values.</p>\n"
        "<table><tr><th>parameter</th>",
        f);
  for (int m = 0; m < NSENS; m++)
    fprintf(f, "<th>%s effect</th><th>%s slope</th>", sweep_metric_get(sens_metrics[m])->name,
            sweep_metric_get(sens_metrics[m])->name);
  fputs("</tr>\n", f);
  const char *labels[SWEEP_MAX_AXES];
  double effects[NSENS][SWEEP_MAX_AXES];
  for (int a = 0; a < s->naxes; a++) {
    labels[a] = mpb_param_get(s->axis[a].param)->name;
    fprintf(f, "<tr><td>%s</td>", mpb_param_get(s->axis[a].param)->name);
    for (int m = 0; m < NSENS; m++) {
      sweep_sens ss;
      sweep_sensitivity(s, t, a, sens_metrics[m], &ss);
      fprintf(f, "<td>%.3f</td><td>%.3f</td>", ss.effect, ss.slope);
      effects[m][a] = ss.effect;
    }
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
  for (int m = 0; m < NSENS; m++) {
    char title[96];
    snprintf(title, sizeof title, "effect on %s (log2 units)",
             sweep_metric_get(sens_metrics[m])->name);
    svg_write_bars(f, title, "max - min of mean log2", labels, effects[m], (size_t)s->naxes,
                   640, 240);
  }
  fputs("<p>All points: results.csv, results.json.</p>\n</body></html>\n", f);
  return out_commit(&o, err, errlen);
}

static mpb_status write_best(const char *dir, const sweep_spec *s, const sweep_table *t,
                             const sweep_verdict *v, char *err, size_t errlen) {
  char p[1100];
  snprintf(p, sizeof p, "%s/best.cfg", dir);
  if (v->best < 0) {
    unlink(p); /* no stale winner from an earlier goal */
    return MPB_OK;
  }
  mpb_config cfg;
  mpb_status rc = sweep_point_config(s, t->r[v->best].index, &cfg, err, errlen);
  if (rc) return rc;
  outfile o;
  if ((rc = out_open(&o, dir, "best.cfg", err, errlen))) return rc;
  fprintf(o.f, "# mpbsim sweep %s: lowest-energy point meeting max_err <= %.6g (point %llu)\n",
          s->name, s->goal, (unsigned long long)t->r[v->best].index);
  mpb_config_write(&cfg, o.f);
  return out_commit(&o, err, errlen);
}

mpb_status sweep_report_write(const char *dir, const sweep_spec *s, const sweep_plan *p,
                              const sweep_table *t, const sweep_verdict *v, char *err,
                              size_t errlen) {
  if (s->task == SWEEP_TASK_PASSKEY) return sweep_pk_report_write(dir, s, p, t, err, errlen);
  size_t *fe = malloc((t->n + 1) * sizeof *fe), *fa = malloc((t->n + 1) * sizeof *fa);
  double *x1 = malloc((t->n + 1) * sizeof *x1), *y1 = malloc((t->n + 1) * sizeof *y1);
  double *x2 = malloc((t->n + 1) * sizeof *x2), *y2 = malloc((t->n + 1) * sizeof *y2);
  mpb_status rc = MPB_OK;
  if (!fe || !fa || !x1 || !y1 || !x2 || !y2) {
    snprintf(err, errlen, "out of memory");
    rc = MPB_ENOMEM;
    goto done;
  }
  size_t nfe = sweep_pareto(t, SWEEP_M_ENERGY, SWEEP_M_MAX_ERR, fe);
  size_t nfa = sweep_pareto(t, SWEEP_M_AREA, SWEEP_M_MAX_ERR, fa);
  fill_plot(t, SWEEP_M_ENERGY, SWEEP_M_MAX_ERR, x1, y1);
  fill_plot(t, SWEEP_M_AREA, SWEEP_M_MAX_ERR, x2, y2);
  char t1[160], t2[160];
  snprintf(t1, sizeof t1, "%s: max |cos/sin error| vs energy per rotation", s->name);
  snprintf(t2, sizeof t2, "%s: max |cos/sin error| vs area proxy", s->name);
  sweep_plot pe = {t1, "energy per rotation (pJ)", "max |cos/sin error|", true, true, x1, y1,
                   t->n, fe, nfe, v->best, s->goal};
  sweep_plot pa = {t2, "area proxy (bit-equivalents)", "max |cos/sin error|", true, true, x2,
                   y2, t->n, fa, nfa, v->best, s->goal};
  if ((rc = write_csv(dir, s, t, err, errlen))) goto done;
  if ((rc = write_json(dir, s, p, t, v, fe, nfe, fa, nfa, err, errlen))) goto done;
  if ((rc = write_sens_csv(dir, s, t, err, errlen))) goto done;
  if ((rc = write_svg(dir, "pareto-energy.svg", &pe, err, errlen))) goto done;
  if ((rc = write_svg(dir, "pareto-area.svg", &pa, err, errlen))) goto done;
  if ((rc = write_html(dir, s, p, t, v, &pe, &pa, fe, nfe, fa, nfa, err, errlen))) goto done;
  rc = write_best(dir, s, t, v, err, errlen);
done:
  free(fe);
  free(fa);
  free(x1);
  free(y1);
  free(x2);
  free(y2);
  return rc;
}
