/* report_lm.c — the report's closed-loop section (report_lm.h): load `mpbsim lm eval`'s
 * JSON, write its table and KLD-versus-position plot, and judge the seed's context and
 * KV-memory claims by the model's next-token distribution. */
#include "json_file.h"
#include "report_lm.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "svg.h"

/* Thresholds of docs/model-eval.md (llama.cpp figures for Llama-3-8B against FP16). */
#define KLD_TRANSPARENT 2.5e-5 /* BF16 vs FP16 */
#define KLD_NEGLIGIBLE 1.4e-3  /* q8_0 */

static double num(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_number(v) ? json_number_value(v) : (json_is_null(v) ? INFINITY : NAN);
}

static void str(json_t *o, const char *k, char *dst, size_t n) {
  const char *s = json_string_value(json_object_get(o, k));
  snprintf(dst, n, "%s", s ? s : "");
}

int mpb_lm_eval_load(const char *path, mpb_lm_eval **out, char *err, size_t n) {
  *out = NULL;
  json_t *root = json_file_load(path, MPB_LM_EVAL_SCHEMA, "a file of `mpbsim lm eval --json`",
                                err, n);
  if (!root) return -1;
  int rc = -1;
  mpb_lm_eval *e = calloc(1, sizeof *e);
  json_t *pts = json_object_get(root, "points");
  if (!e) {
    set_err(err, n, "out of memory");
    goto out;
  }
  if (!json_is_array(pts) || !json_is_integer(json_object_get(root, "n_ctx"))) {
    set_err(err, n, "%s: 'points' (array) or 'n_ctx' (integer) is missing", path);
    goto out;
  }
  str(root, "model", e->model, sizeof e->model);
  str(root, "tokens", e->tokens, sizeof e->tokens);
  str(root, "bridge_label", e->bridge_label, sizeof e->bridge_label);
  e->n_ctx = (int)json_integer_value(json_object_get(root, "n_ctx"));
  e->scored = num(root, "scored");
  e->np = json_array_size(pts);
  if (!(e->p = calloc(e->np ? e->np : 1, sizeof *e->p))) {
    set_err(err, n, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < e->np; i++) {
    json_t *o = json_array_get(pts, i);
    mpb_lm_point *p = &e->p[i];
    if (!json_is_object(o) || !json_is_string(json_object_get(o, "backend")) ||
        !json_is_integer(json_object_get(o, "offset"))) {
      set_err(err, n, "%s: points[%zu]: 'backend' (string) or 'offset' (integer) is missing",
              path, i);
      goto out;
    }
    str(o, "backend", p->backend, sizeof p->backend);
    str(o, "attr", p->attr, sizeof p->attr);
    str(o, "spec", p->spec, sizeof p->spec);
    p->offset = json_integer_value(json_object_get(o, "offset"));
    p->skipped = json_object_get(o, "skipped") != NULL;
    if (p->skipped) continue;
    p->n = num(o, "n"), p->kld_mean = num(o, "kld_mean"), p->kld_se = num(o, "kld_se");
    p->kld_p99 = num(o, "kld_p99"), p->kld_p999 = num(o, "kld_p999");
    p->kld_max = num(o, "kld_max"), p->same_top = num(o, "same_top");
    p->delta_ppl = num(o, "delta_ppl"), p->ln_ratio = num(o, "ln_ppl_ratio");
    p->rms_dp = num(o, "rms_dp"), p->kv_bytes = num(o, "kv_bytes_per_token");
    p->seconds = num(o, "seconds");
  }
  *out = e, e = NULL;
  rc = 0;
out:
  mpb_lm_eval_free(e);
  json_decref(root);
  return rc;
}

void mpb_lm_eval_free(mpb_lm_eval *e) {
  if (!e) return;
  free(e->p);
  free(e);
}

const mpb_lm_point *mpb_lm_eval_find(const mpb_lm_eval *e, const char *backend,
                                     const char *attr, long long offset) {
  for (size_t i = 0; e && i < e->np; i++)
    if (!e->p[i].skipped && !strcmp(e->p[i].backend, backend) && !strcmp(e->p[i].attr, attr) &&
        e->p[i].offset == offset)
      return &e->p[i];
  return NULL;
}

/* The largest evaluated offset whose window ends at or below 2^17 (the 128k context). */
static long long offset_128k(const mpb_lm_eval *e) {
  long long best = -1;
  for (size_t i = 0; i < e->np; i++)
    if (!e->p[i].skipped && e->p[i].offset + e->n_ctx <= (1LL << 17) && e->p[i].offset > best)
      best = e->p[i].offset;
  return best;
}

static const char *kld_class(double k) {
  if (!isfinite(k)) return "broken (NaN/inf logits)";
  if (k <= KLD_TRANSPARENT) return "transparent (<= BF16-vs-FP16's 2.5e-5)";
  if (k <= KLD_NEGLIGIBLE) return "negligible (<= q8_0's 1.4e-3)";
  return "beyond q8_0's 1.4e-3";
}

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

void mpb_report_lm_claims(const mpb_report *r, mpb_claim *drift, mpb_claim *kv) {
  const mpb_lm_eval *e = r->lm;
  snprintf(drift->claim, sizeof drift->claim, "128k-token context without drift, judged by the "
           "model's next-token distribution (KL divergence to the FP32 reference at offset 0)");
  snprintf(kv->claim, sizeof kv->claim, "KV-cache memory -50%% (log-form storage), judged by "
           "the model's next-token distribution");
  if (!e) {
    snprintf(drift->measured, sizeof drift->measured, "no closed-loop run given (mpbsim "
             "report --lm-eval FILE, from mpbsim lm eval --json; make run passes it)");
    snprintf(kv->measured, sizeof kv->measured, "%s", drift->measured);
    snprintf(drift->verdict, sizeof drift->verdict, "not measured");
    snprintf(kv->verdict, sizeof kv->verdict, "not measured");
    return;
  }
  long long o17 = offset_128k(e);
  const char *attr = mpb_lm_eval_find(e, "bridge", "rope", 0) ? "rope" : "all";
  const mpb_lm_point *b0 = mpb_lm_eval_find(e, "bridge", attr, 0);
  const mpb_lm_point *b17 = mpb_lm_eval_find(e, "bridge", attr, o17);
  const mpb_lm_point *ba = mpb_lm_eval_find(e, "bridge", "all", o17);
  const mpb_lm_point *f17 = mpb_lm_eval_find(e, "fp32", attr, o17);
  const mpb_lm_point *h17 = mpb_lm_eval_find(e, "bf16", attr, o17);
  const mpb_lm_point *r17 = mpb_lm_eval_find(e, "ref", "all", o17);
  size_t l = (size_t)snprintf(drift->measured, sizeof drift->measured,
                              "%s, %.0f tokens scored, window %d ending at position %lld: ",
                              base_name(e->model), e->scored, e->n_ctx, o17 + e->n_ctx - 1);
#define ADD(...) l += (size_t)snprintf(drift->measured + (l < sizeof drift->measured ? l : sizeof drift->measured), \
                                       l < sizeof drift->measured ? sizeof drift->measured - l : 0, __VA_ARGS__)
  if (b17 && b0)
    ADD("bridge %s mean KLD %.3g (p99.9 %.3g) vs %.3g at offset 0", !strcmp(attr, "rope") ?
        "RoPE only" : "(all sites)", b17->kld_mean, b17->kld_p999, b0->kld_mean);
  if (ba && ba != b17) ADD("; bridge all sites %.3g", ba->kld_mean);
  if (f17) ADD("; FP32 recipe %.3g", f17->kld_mean);
  if (h17) ADD("; BF16 recipe %.3g", h17->kld_mean);
  if (r17) ADD("; FP64-RoPE reference itself %.3g", r17->kld_mean);
#undef ADD
  if (!b17 || !b0) {
    snprintf(drift->verdict, sizeof drift->verdict, "not measured (no bridge point at 0 and "
             "near 2^17)");
  } else {
    /* no drift: the KLD at 128k stays within noise (3 standard errors) of offset 0's, or
     * within 2x of it */
    double d = b17->kld_mean - b0->kld_mean, noise = 3 * (b17->kld_se + b0->kld_se);
    int holds = isfinite(b17->kld_mean) && (d <= noise || b17->kld_mean <= 2 * b0->kld_mean);
    snprintf(drift->verdict, sizeof drift->verdict, "%s; %s", holds ? "holds (no drift)" :
             "drifts", kld_class(b17->kld_mean));
  }
  /* KV: log8 (bridge's KV-only run) against FP16 storage */
  const mpb_lm_point *lg = mpb_lm_eval_find(e, "bridge", "kv", 0);
  const mpb_lm_point *h = mpb_lm_eval_find(e, "fp16", "kv", 0);
  const mpb_lm_point *rf = mpb_lm_eval_find(e, "ref", "all", 0);
  double fp16_bytes = h ? h->kv_bytes : rf ? rf->kv_bytes / 2 : NAN;
  if (!lg || !isfinite(fp16_bytes)) {
    snprintf(kv->measured, sizeof kv->measured, "%s: no KV-only bridge run (--backends "
             "bridge:kv) in the file", base_name(e->model));
    snprintf(kv->verdict, sizeof kv->verdict, "not measured");
    return;
  }
  double save = 1 - lg->kv_bytes / fp16_bytes;
  l = (size_t)snprintf(kv->measured, sizeof kv->measured,
                       "%s, %.0f tokens: log8 KV %.0f bytes/token (scales included) vs FP16 "
                       "%.0f = -%.1f%%; model-level mean KLD of log8 KV %.3g (p99.9 %.3g, "
                       "same top %.1f%%)", base_name(e->model), e->scored, lg->kv_bytes,
                       fp16_bytes, 100 * save, lg->kld_mean, lg->kld_p999, 100 * lg->same_top);
  if (h && l < sizeof kv->measured)
    snprintf(kv->measured + l, sizeof kv->measured - l, "; FP16 KV %.3g", h->kld_mean);
  snprintf(kv->verdict, sizeof kv->verdict, "%s -%.1f%%; %s", save >= 0.5 ? "holds" : "almost:",
           100 * save, kld_class(lg->kld_mean));
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

void mpb_report_lm_html(const mpb_report *r, FILE *f) {
  const mpb_lm_eval *e = r->lm;
  if (!e) return;
  fputs("<h2>Closed loop: the datapath inside the model</h2>\n<p>", f);
  svg_write_text(f, base_name(e->model));
  fprintf(f, ", %.0f tokens scored (second halves of windows of %d tokens from ", e->scored,
          e->n_ctx);
  svg_write_text(f, e->tokens);
  fputs(") run at position offset p0 and compared with the FP32 reference (RoPE in FP64) at "
        "offset 0: llama.cpp's KL-divergence statistics. Exact RoPE is relative, so any change "
        "with p0 is numerics; the reference row shows the floor. Bridge configuration: ", f);
  svg_write_text(f, e->bridge_label);
  fputs(". Attribution: <i>rope</i>, <i>exp</i>, <i>gemm</i>, <i>kv</i> put only those sites "
        "on the backend.</p>\n<table><tr><th>backend</th><th>attr</th><th>offset</th>"
        "<th>mean KLD</th><th>&plusmn;</th><th>KLD p99</th><th>KLD p99.9</th><th>KLD max</th>"
        "<th>same top %</th><th>&Delta;PPL</th><th>KV bytes/token</th></tr>\n", f);
  for (size_t i = 0; i < e->np; i++) {
    const mpb_lm_point *p = &e->p[i];
    fputs("<tr><td>", f);
    svg_write_text(f, p->backend);
    fputs("</td><td>", f);
    svg_write_text(f, p->attr);
    fprintf(f, "</td><td>%lld</td>", p->offset);
    if (p->skipped) {
      fputs("<td colspan=\"8\">skipped: beyond the positions</td></tr>\n", f);
      continue;
    }
    td(f, p->kld_mean, "%.3g"), td(f, p->kld_se, "%.2g"), td(f, p->kld_p99, "%.3g");
    td(f, p->kld_p999, "%.3g"), td(f, p->kld_max, "%.3g"), td(f, 100 * p->same_top, "%.2f");
    td(f, p->delta_ppl, "%+.3g"), td(f, p->kv_bytes, "%.0f");
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
  svg_plot pl;
  memset(&pl, 0, sizeof pl);
  pl.title = "mean KLD to the reference at offset 0, by window position";
  pl.xlabel = "end of the window p0 + n (log2)";
  pl.ylabel = "mean KLD, nats (log)";
  pl.xlog = pl.ylog = true;
  pl.width = 900, pl.height = 420;
  pl.hline = KLD_NEGLIGIBLE;
  pl.hline_label = "q8_0 1.4e-3";
  static double xs[SVG_MAX_SERIES][64], ys[SVG_MAX_SERIES][64];
  static char names[SVG_MAX_SERIES][40];
  const char *order[][2] = {{"bridge", "all"}, {"bridge", "rope"}, {"fp32", "all"},
                            {"bf16", "all"},   {"fp16", "all"},    {"int8", "all"},
                            {"ref", "all"},    {"fp32", "rope"}};
  for (size_t s = 0; s < sizeof order / sizeof order[0] && pl.nseries < SVG_MAX_SERIES; s++) {
    size_t n = 0;
    for (size_t i = 0; i < e->np && n < 64; i++) {
      const mpb_lm_point *p = &e->p[i];
      if (p->skipped || strcmp(p->backend, order[s][0]) || strcmp(p->attr, order[s][1]) ||
          !isfinite(p->kld_mean))
        continue;
      xs[pl.nseries][n] = (double)(p->offset + e->n_ctx), ys[pl.nseries][n] = p->kld_mean, n++;
    }
    if (!n) continue;
    snprintf(names[pl.nseries], sizeof names[0], "%s%s%s", order[s][0],
             strcmp(order[s][1], "all") ? " " : "", strcmp(order[s][1], "all") ? order[s][1] : "");
    pl.s[pl.nseries] = (svg_series){names[pl.nseries], xs[pl.nseries], ys[pl.nseries], n,
                                    strcmp(order[s][1], "all") != 0};
    pl.nseries++;
  }
  if (pl.nseries) svg_write_plot(f, &pl);
  fputs("<p>Points with KLD 0 (the reference at offset 0) or infinite KLD (FP16 angles "
        "overflow beyond position 65504 and the logits become NaN) are not drawn; the table "
        "has them.</p>\n", f);
}

void mpb_report_lm_csv(const mpb_report *r, FILE *f) {
  const mpb_lm_eval *e = r->lm;
  for (size_t i = 0; e && i < e->np; i++) {
    const mpb_lm_point *p = &e->p[i];
    if (p->skipped) continue;
    char subj[64];
    snprintf(subj, sizeof subj, "%s/%s/%lld", p->backend, p->attr, p->offset);
    const char *m[] = {"kld_mean", "kld_se", "kld_p99", "kld_p999", "kld_max", "same_top",
                       "delta_ppl", "ln_ppl_ratio", "rms_dp", "kv_bytes_per_token"};
    double v[] = {p->kld_mean, p->kld_se, p->kld_p99, p->kld_p999, p->kld_max, p->same_top,
                  p->delta_ppl, p->ln_ratio, p->rms_dp, p->kv_bytes};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
      fprintf(f, "lm_eval,%s,%s,%.9g\n", subj, m[k], v[k]);
  }
}

static json_t *jnum_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

void *mpb_report_lm_json(const mpb_report *r) {
  const mpb_lm_eval *e = r->lm;
  if (!e) return json_null();
  json_t *pts = json_array();
  for (size_t i = 0; i < e->np; i++) {
    const mpb_lm_point *p = &e->p[i];
    json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:b}", "backend", p->backend, "attr", p->attr,
                          "spec", p->spec, "offset", (json_int_t)p->offset, "skipped",
                          p->skipped);
    if (!p->skipped) {
      json_object_set_new(o, "kld_mean", jnum_or_null(p->kld_mean));
      json_object_set_new(o, "kld_p999", jnum_or_null(p->kld_p999));
      json_object_set_new(o, "kld_max", jnum_or_null(p->kld_max));
      json_object_set_new(o, "same_top", jnum_or_null(p->same_top));
      json_object_set_new(o, "delta_ppl", jnum_or_null(p->delta_ppl));
      json_object_set_new(o, "kv_bytes_per_token", jnum_or_null(p->kv_bytes));
    }
    json_array_append_new(pts, o);
  }
  return json_pack("{s:s,s:s,s:i,s:o,s:o}", "model", e->model, "tokens", e->tokens, "n_ctx",
                   e->n_ctx, "scored", jnum_or_null(e->scored), "points", pts);
}
