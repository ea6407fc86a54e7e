/* report_json.c — writes a report as JSON (schema "mpbsim-report-1", docs/report-schema.md)
 * with jansson. Non-finite numbers (an error-free SQNR, the LOG-ADD bound) are null. */
#include <jansson.h>
#include <math.h>

#include "report.h"
#include "report_lm.h"
#include "report_ssm.h"
#include "report_trace.h"

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *fit_json(const mpb_growth_fit *f) {
  return json_pack("{s:o,s:o,s:o,s:i}", "a", num(f->a), "b", num(f->b), "r2", num(f->r2),
                   "points", f->npoints);
}

static json_t *energy_json(const mpb_energy_breakdown *b) {
  json_t *blocks = json_object();
  for (int k = 0; k < MPB_NBLK; k++) {
    const mpb_energy_block *e = &b->blk[k];
    json_object_set_new(blocks, mpb_block_name((mpb_block)k),
                        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "mul_pj", num(e->mul_pj),
                                  "add_pj", num(e->add_pj), "rom_pj", num(e->rom_pj), "reg_pj",
                                  num(e->reg_pj), "total_pj", num(e->total_pj), "activity",
                                  num(e->activity), "total_activity_pj", num(e->total_act_pj)));
  }
  return json_pack("{s:o,s:o,s:o}", "total_pj", num(b->total_pj), "total_activity_pj",
                   num(b->total_act_pj), "blocks", blocks);
}

static json_t *attn_json(const mpb_attn_result *a) {
  return json_pack("{s:o,s:o,s:o}", "score_max_err", num(a->score_max_err), "score_rms_err",
                   num(a->score_rms_err), "kl", num(a->kl));
}

int mpb_report_write_json(const mpb_report *r, FILE *f) {
  const mpb_report_opts *o = &r->opts;
  json_t *root = json_object();
  json_object_set_new(root, "schema", json_string(MPB_REPORT_SCHEMA));
  json_object_set_new(root, "mpbsim_version", json_string(MPB_VERSION));
  json_t *cfg = json_object();
  for (size_t i = 0; i < mpb_param_count(); i++) {
    char buf[64];
    mpb_param_format(&o->cfg, i, buf, sizeof buf);
    json_object_set_new(cfg, mpb_param_get(i)->name, json_string(buf));
  }
  json_object_set_new(
      root, "input",
      json_pack("{s:s,s:o,s:s,s:i,s:f,s:s,s:i,s:b,s:I,s:s}", "config_name", o->config_name,
                "config", cfg, "geometry", o->geometry_name, "head_dim", o->geo.head_dim,
                "base", o->geo.base, "pairing",
                o->geo.pairing == MPB_PAIR_HALF ? "half" : "interleaved", "pos_max",
                (int)o->pos_max, "dense", o->dense, "seed", (json_int_t)o->seed,
                "energy_table", r->energy_source));
  /* precision */
  json_t *vars = json_object();
  for (int v = 0; v < MPB_NRV; v++) {
    json_t *oct = json_array();
    for (int k = 0; k < MPB_OCTAVES; k++) {
      const mpb_err_stats *c = mpb_metrics_octave(r->cs[v], MPB_OP_COS, k);
      if (!c || !c->n) continue;
      json_array_append_new(oct, json_pack("{s:i,s:f,s:o,s:o}", "octave", k, "position",
                                           mpb_octave_mid(k), "max_err", num(r->oct_max[v][k]),
                                           "rms_err", num(r->oct_rms[v][k])));
    }
    const mpb_err_stats *c = mpb_metrics_total(r->cs[v], MPB_OP_COS);
    const mpb_err_stats *s = mpb_metrics_total(r->cs[v], MPB_OP_SIN);
    json_t *jv = json_pack(
        "{s:o,s:o,s:o,s:i,s:o,s:o,s:o,s:o,s:o,s:o}", "max_err", num(r->max_err[v]), "rms_err",
        num(r->rms_err[v]), "bits", num(-log2(r->max_err[v])), "worst_position",
        (int)r->worst_pos[v], "bias_cos", num(mpb_stats_mean(c)), "sqnr_db_cos",
        num(mpb_stats_sqnr_db(c)), "sqnr_db_sin", num(mpb_stats_sqnr_db(s)), "growth_max",
        fit_json(&r->fit_max[v]), "growth_rms", fit_json(&r->fit_rms[v]), "octaves", oct);
    if (v == MPB_RV_BRIDGE) {
      double h[MPB_ULP_BINS];
      json_t *hist = json_array();
      mpb_metrics_ulp_hist(r->cs[v], MPB_OP_COS, h);
      double h2[MPB_ULP_BINS];
      mpb_metrics_ulp_hist(r->cs[v], MPB_OP_SIN, h2);
      for (int i = 0; i < MPB_ULP_BINS; i++) json_array_append_new(hist, json_real(h[i] + h2[i]));
      json_object_set_new(jv, "ulp_hist", hist);
      json_object_set_new(jv, "ulp_hist_bin", json_real(MPB_ULP_MAX / MPB_ULP_BINS));
      json_object_set_new(jv, "ulp_over", json_integer((json_int_t)(c->ulp_over + s->ulp_over)));
    }
    json_object_set_new(vars, mpb_report_variant_name(v), jv);
  }
  json_object_set_new(root, "precision",
                      json_pack("{s:I,s:i,s:o,s:o,s:o}", "positions", (json_int_t)r->npositions,
                                "pairs", o->geo.head_dim / 2, "goal", num(r->goal), "bound",
                                num(r->bound), "variants", vars));
  /* energy */
  json_t *base = json_object();
  for (int p = 0; p < MPB_NEPIPE; p++)
    json_object_set_new(base, mpb_energy_pipe_name((mpb_energy_pipe)p),
                        json_pack("{s:o,s:o,s:o}", "rotation_pj", num(r->base_pj[p][0]),
                                  "exp_pj", num(r->base_pj[p][1]), "mac_pj",
                                  num(r->base_pj[p][2])));
  json_object_set_new(
      root, "energy",
      json_pack("{s:o,s:o,s:o,s:o,s:o,s:f,s:i,s:o}", "per_rotation", energy_json(&r->e_rot),
                "per_exp", energy_json(&r->e_exp), "per_mac", energy_json(&r->e_dot),
                "baselines", base, "rotation_power_w", num(r->rot_power_w), "clock_mhz",
                o->cfg.clock_mhz, "latency_cycles", r->latency, "area_proxy", num(r->area)));
  json_object_set_new(
      root, "system",
      json_pack("{s:s,s:o,s:o,s:o,s:o,s:{s:o,s:o},s:{s:o,s:o}}", "model",
                "Llama 3 8B, one decoded token", "context", num(r->sys_ctx), "macs",
                num(r->sys_macs), "exps", num(r->sys_exps), "rotations", num(r->sys_rots),
                "fp32", "compute_j", num(r->sys_compute_j[0]), "dram_j", num(r->sys_dram_j[0]),
                "bridge", "compute_j", num(r->sys_compute_j[1]), "dram_j",
                num(r->sys_dram_j[1])));
  /* model-level */
  json_t *att = json_object();
  for (int v = 0; v < MPB_NATT; v++)
    json_object_set_new(att, mpb_attn_variant_name((mpb_attn_variant)v), attn_json(&r->attn[v]));
  json_t *kv = json_object();
  for (int k = 0; k < MPB_NKV; k++)
    json_object_set_new(kv, mpb_kv_format_name((mpb_kv_format)k),
                        json_pack("{s:o,s:o,s:o,s:o}", "bytes_per_elem", num(r->kv_bytes[k]),
                                  "sqnr_db", num(r->kv_sqnr_db[k]), "rel_rms",
                                  num(r->kv_rel_rms[k]), "attention", attn_json(&r->kv_attn[k])));
  const mpb_err_stats *sc = mpb_metrics_total(r->model, MPB_OP_SCORE);
  mpb_growth_fit ssm_fit = mpb_metrics_fit_growth(r->model, MPB_OP_SSM, 1);
  json_object_set_new(
      root, "model",
      json_pack("{s:s,s:i,s:I,s:o,s:o,s:o,s:{s:I,s:o,s:o,s:o,s:o,s:o},s:i,s:o}", "workload",
                "synthetic (seeded)", "query_position", (int)r->attn_qpos, "keys",
                (json_int_t)sc->n, "attention", att, "score_sqnr_db",
                num(mpb_stats_sqnr_db(sc)), "score_bias", num(mpb_stats_mean(sc)), "ssm",
                "tokens", (json_int_t)mpb_metrics_total(r->model, MPB_OP_SSM)->n, "max_err",
                num(r->ssm.max_err), "rms_err", num(r->ssm.rms_err), "final_err",
                num(r->ssm.final_err), "max_ref", num(r->ssm.max_ref), "growth_rms",
                fit_json(&ssm_fit), "kv_group", r->kv_group, "kv", kv));
  /* trace section */
  if (r->has_trace) {
    json_t *ops = json_object();
    for (int op = 0; op < MPB_NOP; op++) {
      const mpb_err_stats *s = mpb_metrics_total(r->trace, (mpb_op_kind)op);
      if (!s->n) continue;
      mpb_growth_fit g = mpb_metrics_fit_growth(r->trace, (mpb_op_kind)op, 0);
      json_object_set_new(ops, mpb_op_name((mpb_op_kind)op),
                          json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "count", (json_int_t)s->n,
                                    "max_err", num(s->max_abs), "rms_err", num(mpb_stats_rms(s)),
                                    "bias", num(mpb_stats_mean(s)), "sqnr_db",
                                    num(mpb_stats_sqnr_db(s)), "max_rel", num(s->max_rel),
                                    "growth_max", fit_json(&g)));
    }
    json_t *kv = json_object();
    for (int k = 0; k < MPB_NKV; k++)
      json_object_set_new(kv, mpb_kv_format_name((mpb_kv_format)k),
                          json_pack("{s:o}", "sqnr_db", num(r->trace_kv_sqnr_db[k])));
    json_object_set_new(
        root, "trace",
        json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:o,s:{s:o,s:o,s:o,s:o,s:I},s:o,s:o}", "path",
                  r->trace_path, "model", r->trace_model, "records",
                  (json_int_t)r->trace_records, "rotations", (json_int_t)r->trace_ops[1], "exps",
                  (json_int_t)r->trace_ops[2], "dots", (json_int_t)r->trace_ops[3], "ops", ops,
                  "attention", "score_max_err", num(r->trace_score_max), "score_rms_err",
                  num(r->trace_score_rms), "kl_mean", num(r->trace_kl_mean), "kl_max",
                  num(r->trace_kl_max), "queries", (json_int_t)r->trace_queries, "energy",
                  energy_json(&r->e_trace), "rotation_pj", num(r->trace_rot_pj)));
    json_t *tj = json_object_get(root, "trace");
    static mpb_layer_stat ls[256];
    int nl = mpb_trace_layer_stats(r->trace, MPB_OP_ROT, ls, 256);
    json_t *layers = json_array();
    for (int i = 0; i < nl; i++)
      json_array_append_new(layers, json_pack("{s:i,s:I,s:o,s:o,s:i}", "layer", ls[i].layer,
                                              "values", (json_int_t)ls[i].n, "max_err",
                                              num(ls[i].max_abs), "rms_err",
                                              num(sqrt(ls[i].sum_err2 / (double)ls[i].n)),
                                              "worst_head", ls[i].worst_head));
    json_object_set_new(tj, "rot_layers", layers);
    json_object_set_new(tj, "kv_values", json_integer((json_int_t)r->trace_kv_values));
    json_object_set_new(tj, "kv", kv);
  } else {
    json_object_set_new(root, "trace", json_null());
  }
  /* RTL cross-check: per unit */
  if (r->n_rtl) {
    json_t *units = json_object();
    for (size_t i = 0; i < r->n_rtl; i++) {
      const mpb_report_rtl *u = &r->rtl[i];
      json_t *bl = json_object();
      for (int b = 0; b < MPB_NBLK; b++) {
        if (u->rtl[b] < 0) continue;
        json_object_set_new(bl, mpb_block_name((mpb_block)b),
                            json_pack("{s:o,s:o,s:o,s:b}", "rtl", num(u->rtl[b]), "model",
                                      num(u->model[b]), "ratio",
                                      num(u->model[b] > 0 ? u->rtl[b] / u->model[b] : NAN),
                                      "agree", mpb_report_rtl_agrees(u, b)));
      }
      json_object_set_new(units, u->unit,
                          json_pack("{s:s,s:I,s:I,s:b,s:o}", "source", u->source, "ops",
                                    (json_int_t)u->ops, "seed", (json_int_t)u->seed, "agree",
                                    u->ndiffer == 0, "blocks", bl));
    }
    json_object_set_new(root, "rtl_toggles",
                        json_pack("{s:b,s:i,s:i,s:o}", "agree", r->rtl_differ == 0, "blocks",
                                  r->rtl_blocks, "differ", r->rtl_differ, "units", units));
  } else {
    json_object_set_new(root, "rtl_toggles", json_null());
  }
  json_t *cl = json_array();
  for (int i = 0; i < MPB_NCLAIM; i++)
    json_array_append_new(cl, json_pack("{s:s,s:s,s:s}", "claim", r->claims[i].claim,
                                        "measured", r->claims[i].measured, "verdict",
                                        r->claims[i].verdict));
  json_object_set_new(root, "claims", cl);
  json_object_set_new(root, "lm_eval", (json_t *)mpb_report_lm_json(r));
  json_object_set_new(root, "ssm_eval", (json_t *)mpb_report_ssm_json(r));
  json_object_set_new(root, "hybrid_eval", (json_t *)mpb_report_hybrid_json(r));
  int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(8));
  fputc('\n', f);
  json_decref(root);
  return rc;
}
