/* report_ssm.c — the report's SSM sections (report_ssm.h): the SSM closed-loop growth
 * table and plot, the hybrid's KLD table. */
#include "report_ssm.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "hybrid_eval.h"
#include "ssm_eval.h"
#include "svg.h"

int mpb_report_add_ssm(mpb_report *r, const char *ssm_eval_path, const char *hybrid_eval_path,
                       char *err, size_t n) {
  if (ssm_eval_path) {
    if (!(r->ssm_eval = malloc(sizeof *r->ssm_eval))) return fail(err, n, "out of memory");
    if (ssm_eval_read_json(ssm_eval_path, r->ssm_eval, err, n)) return -1;
  }
  if (hybrid_eval_path) {
    if (!(r->hybrid_eval = malloc(sizeof *r->hybrid_eval))) return fail(err, n, "out of memory");
    if (hybrid_eval_read_json(hybrid_eval_path, r->hybrid_eval, err, n)) return -1;
  }
  return 0;
}

void mpb_report_ssm_free(mpb_report *r) {
  free(r->ssm_eval), free(r->hybrid_eval);
  r->ssm_eval = NULL, r->hybrid_eval = NULL;
}

static void td(FILE *f, double v, const char *fmt) {
  if (isfinite(v)) {
    fputs("<td>", f);
    fprintf(f, fmt, v);
    fputs("</td>", f);
  } else {
    fputs(isinf(v) ? "<td>inf</td>" : "<td>-</td>", f);
  }
}

static void ssm_html(const ssm_eval_result *s, FILE *f) {
  const ssm_eval_opts *o = &s->opts;
  int last = s->noct - 1;
  fprintf(f, "<h2>SSM closed loop: error compounding in the selective scan</h2>\n<p>One %s "
             "block (d_model %d, d_inner %d, d_state %d; seeded synthetic weights with the "
             "reference Mamba initialisation, dt log-uniform in [%g, %g], seed %llu) runs "
             "%llu steps of seeded Gaussian inputs, streaming, beside the FP64 reference. "
             "Relative error = L2 over the state h (all channels and states) or over the "
             "block output y; per position octave, RMS over its steps. b is the exponent of "
             "err ~ a t<sup>b</sup> fitted over the octaves; b &asymp; 1 means the error "
             "compounds linearly, b &asymp; 0 that it saturates. The dt*A&asymp;0 channel is "
             "the one with the smallest mean dt (its state n = 0, A = -1): the decay factor "
             "closest to 1.</p>\n",
          o->model, o->c.d_model, o->c.d_inner, o->c.d_state, o->c.dt_min, o->c.dt_max,
          (unsigned long long)o->seed, (unsigned long long)o->steps);
  fprintf(f, "<table><tr><th>variant</th><th>state</th><th>h, last octave</th><th>b(h)</th>"
             "<th>y, last octave</th><th>b(y)</th><th>worst channel (mean dt): error in the "
             "last octave, b</th><th>dt*A&asymp;0 channel (mean dt*A): error, b</th></tr>\n");
  for (int v = 0; v < o->nvar; v++) {
    const ssm_eval_variant *V = &s->var[v];
    fputs("<tr><td>", f);
    svg_write_text(f, V->label);
    fprintf(f, "</td><td>%s</td>", lm_state_format_name(V->state));
    td(f, ssm_eval_oct_rms_h(&V->oct[last]), "%.3g");
    td(f, V->fit_h.npoints >= 2 ? V->fit_h.b : NAN, "%+.2f");
    td(f, ssm_eval_oct_rms_y(&V->oct[last]), "%.3g");
    td(f, V->fit_y.npoints >= 2 ? V->fit_y.b : NAN, "%+.2f");
    fprintf(f, "<td>%d (%.2g): %.3g, %+.2f</td><td>%d (%.2g): %.3g, %+.2f</td></tr>\n",
            V->worst.index, V->worst.dt_mean, V->worst.oct_max[last], V->worst.fit.b,
            V->near_zero.index, V->near_zero.dta_mean, V->near_zero.oct_max[last],
            V->near_zero.fit.b);
  }
  fputs("</table>\n", f);
  static double xs[SVG_MAX_SERIES][MPB_OCTAVES], ys[SVG_MAX_SERIES][MPB_OCTAVES];
  for (int which = 0; which < 2; which++) {
    svg_plot pl;
    memset(&pl, 0, sizeof pl);
    pl.title = which ? "dt*A~0 channel: max relative error of its state per octave"
                     : "relative error of the state h against the step (RMS per octave)";
    pl.xlabel = "step t (log2)";
    pl.ylabel = "relative error (log)";
    pl.xlog = pl.ylog = true;
    pl.width = 900, pl.height = 380;
    for (int v = 0; v < o->nvar && pl.nseries < SVG_MAX_SERIES; v++) {
      const ssm_eval_variant *V = &s->var[v];
      size_t n = 0;
      for (int k = 1; k < s->noct; k++) {
        double e = which ? V->near_zero.oct_max[k] : ssm_eval_oct_rms_h(&V->oct[k]);
        if (!V->oct[k].n || !(e > 0) || !isfinite(e)) continue;
        xs[pl.nseries][n] = mpb_octave_mid(k), ys[pl.nseries][n] = e, n++;
      }
      if (!n) continue;
      pl.s[pl.nseries] = (svg_series){V->label, xs[pl.nseries], ys[pl.nseries], n, false};
      pl.nseries++;
    }
    if (pl.nseries) svg_write_plot(f, &pl);
  }
  fprintf(f, "<p>Command: <code>mpbsim ssm eval --model %s --steps %llu --dt-range %g:%g "
             "--seed %llu</code> with the variants above (<code>--numerics SPEC</code>); "
             "docs/workloads.md explains what synthetic weights can and cannot show.</p>\n",
          o->model, (unsigned long long)o->steps, o->c.dt_min, o->c.dt_max,
          (unsigned long long)o->seed);
}

static void hybrid_html(const hybrid_eval_result *h, FILE *f) {
  const hybrid_eval_opts *o = &h->opts;
  const hybrid_config *c = &o->c;
  fprintf(f, "<h2>Bit-Axon hybrid in closed loop</h2>\n<p>The %s sandwich (d_model %d, %d "
             "layers in three zones: SSM / sliding-window attention (window %d) + MoE (%d "
             "experts, top-%d, shared expert) / SSM + MoE; vocabulary %d; <b>seeded synthetic "
             "weights</b>, seed %llu) reads %u uniformly drawn token ids. KLD(reference || "
             "variant) of the next-token distribution, mean over the %d positions before "
             "each checkpoint, and at the last one (the final distribution). Attribution "
             "rows put only that group of sites on the backend, everything else on the "
             "reference.</p>\n<table><tr><th>variant</th>",
          o->model, c->d_model, c->n_layer, c->window, c->n_expert, c->top_k, c->n_vocab,
          (unsigned long long)o->seed, o->tokens, HYBRID_KLD_POSITIONS);
  for (int i = 0; i < o->ncheck; i++)
    fprintf(f, "<th>mean KLD @%u</th><th>final @%u</th><th>same top-1 %%</th>", o->check[i],
            o->check[i]);
  fputs("</tr>\n", f);
  for (int v = 0; v < o->nvar; v++) {
    const hybrid_eval_variant *H = &h->var[v];
    fputs("<tr><td>", f);
    svg_write_text(f, H->label);
    fputs("</td>", f);
    for (int i = 0; i < o->ncheck; i++) {
      td(f, H->at[i].kld_mean, "%.3g"), td(f, H->at[i].kld_final, "%.3g");
      td(f, 100 * H->at[i].same_top1, "%.1f");
    }
    fputs("</tr>\n", f);
  }
  fputs("</table>\n<p>Reference entropy:", f);
  for (int i = 0; i < o->ncheck; i++)
    fprintf(f, " %.2f nats at %u;", h->ref_entropy[i], o->check[i]);
  fprintf(f, " command: <code>mpbsim ssm hybrid --model %s --tokens %u</code> with the "
             "checkpoints and variants above.</p>\n", o->model, o->tokens);
}

void mpb_report_ssm_html(const mpb_report *r, FILE *f) {
  if (r->ssm_eval) ssm_html(r->ssm_eval, f);
  if (r->hybrid_eval) hybrid_html(r->hybrid_eval, f);
}

void mpb_report_ssm_csv(const mpb_report *r, FILE *f) {
  const ssm_eval_result *s = r->ssm_eval;
  for (int v = 0; s && v < s->opts.nvar; v++) {
    const ssm_eval_variant *V = &s->var[v];
    int last = s->noct - 1;
    fprintf(f, "ssm_eval,%s,h_last_octave,%.9g\n", V->label, ssm_eval_oct_rms_h(&V->oct[last]));
    fprintf(f, "ssm_eval,%s,h_final,%.9g\n", V->label, V->h_final);
    fprintf(f, "ssm_eval,%s,growth_h_b,%.9g\n", V->label, V->fit_h.b);
    fprintf(f, "ssm_eval,%s,y_last_octave,%.9g\n", V->label, ssm_eval_oct_rms_y(&V->oct[last]));
    fprintf(f, "ssm_eval,%s,growth_y_b,%.9g\n", V->label, V->fit_y.b);
    fprintf(f, "ssm_eval,%s,near_zero_channel_b,%.9g\n", V->label, V->near_zero.fit.b);
  }
  const hybrid_eval_result *h = r->hybrid_eval;
  for (int v = 0; h && v < h->opts.nvar; v++)
    for (int i = 0; i < h->opts.ncheck; i++) {
      fprintf(f, "hybrid_eval,%s@%u,kld_mean,%.9g\n", h->var[v].label, h->opts.check[i],
              h->var[v].at[i].kld_mean);
      fprintf(f, "hybrid_eval,%s@%u,kld_final,%.9g\n", h->var[v].label, h->opts.check[i],
              h->var[v].at[i].kld_final);
    }
}

/* The member is the file's own JSON: written to memory and parsed back. */
static void *as_json(const void *res, int (*w)(const void *, FILE *)) {
  if (!res) return json_null();
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  json_t *j = NULL;
  if (m) {
    int bad = w(res, m);
    fclose(m);
    if (!bad) j = json_loads(buf, 0, NULL);
  }
  free(buf);
  return j ? j : json_null();
}
static int wj_ssm(const void *r, FILE *f) { return ssm_eval_write_json(r, f); }
static int wj_hybrid(const void *r, FILE *f) { return hybrid_eval_write_json(r, f); }
void *mpb_report_ssm_json(const mpb_report *r) { return as_json(r->ssm_eval, wj_ssm); }
void *mpb_report_hybrid_json(const mpb_report *r) { return as_json(r->hybrid_eval, wj_hybrid); }
