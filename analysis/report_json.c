/* report_json.c — writes a report as JSON (schema MPB_REPORT_SCHEMA, docs/report-schema.md)
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
                        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "mul_pj",
                                  num(e->mul_pj), "add_pj", num(e->add_pj), "rom_pj",
                                  num(e->rom_pj), "reg_pj", num(e->reg_pj), "clock_pj",
                                  num(e->clock_pj), "leak_pj", num(e->leak_pj), "total_pj",
                                  num(e->total_pj), "activity", num(e->activity),
                                  "total_activity_pj", num(e->total_act_pj)));
  }
  return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "total_pj", num(b->total_pj),
                   "total_activity_pj", num(b->total_act_pj), "dynamic_pj", num(b->dynamic_pj),
                   "clock_pj", num(b->clock_pj), "leak_pj", num(b->leak_pj), "blocks", blocks);
}

static json_t *cost_json(const mpb_energy_cost *c) {
  return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "arith_pj", num(c->arith_pj), "rom_pj",
                   num(c->rom_pj), "reg_pj", num(c->reg_pj), "clock_pj", num(c->clock_pj),
                   "leak_pj", num(c->leak_pj), "total_pj", num(c->total_pj));
}

static json_t *costs_json(const mpb_energy_cost *c) {
  json_t *o = json_object();
  for (int k = 0; k < MPB_NEOP; k++)
    json_object_set_new(o, mpb_energy_op_name((mpb_energy_op)k), cost_json(&c[k]));
  return o;
}

static json_t *sys_json(const mpb_sys_result *s) {
  json_t *ops = json_object(), *mem = json_object(), *units = json_object();
  for (int k = 0; k < MPB_NSOP; k++) {
    json_object_set_new(ops, mpb_sys_op_name(k),
                        json_pack("{s:o,s:o}", "per_token", num(s->ops[k]), "pj", num(s->op_pj[k])));
    json_object_set_new(units, mpb_sys_op_name(k), num(s->units[k]));
  }
  for (int k = 0; k < MPB_NOPND; k++) {
    json_t *lv = json_object();
    for (int l = 0; l < MPB_NMEM; l++)
      json_object_set_new(lv, mpb_mem_level_name((mpb_mem_level)l),
                          json_pack("{s:o,s:o}", "bytes", num(s->mem_bytes[k][l]), "j",
                                    num(s->mem_j[k][l])));
    json_object_set_new(mem, mpb_sys_operand_name(k), lv);
  }
  return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "ops", ops,
                   "compute_j", num(s->compute_j), "memory_j", num(s->memory_j), "memory", mem,
                   "units", units, "dyn_w_compute", num(s->dyn_w_compute), "dyn_w_memory",
                   num(s->dyn_w_memory), "static_w_clock", num(s->static_w_clock),
                   "static_w_leak", num(s->static_w_leak), "static_w_memory",
                   num(s->static_w_memory), "total_w", num(s->total_w), "j_per_token",
                   num(s->j_per_token), "dram_gbs", num(s->dram_gbs), "tokens_per_s",
                   num(s->tps));
}

static json_t *gate_side_json(const mpb_report_gate_side *s) {
  json_t *bl = json_object();
  for (int b = 0; b < MPB_NBLK; b++)
    if (s->blk[b] >= 0) json_object_set_new(bl, mpb_block_name((mpb_block)b), num(s->blk[b]));
  return json_pack("{s:o,s:o,s:o,s:o,s:o}", "total_pj", num(s->total_pj), "dynamic_pj",
                   num(s->dynamic_pj), "clock_pj", num(s->clock_pj), "leak_pj",
                   num(s->leak_pj), "blocks", bl);
}

static json_t *gate_json(const mpb_report *r) {
  if (!r->n_gate) return json_null();
  json_t *a = json_array();
  for (size_t i = 0; i < r->n_gate; i++) {
    const mpb_report_gate *g = &r->gate[i];
    json_t *units = json_object();
    for (size_t k = 0; k < g->nunits; k++) {
      const mpb_report_gate_unit *u = &g->unit[k];
      json_object_set_new(
          units, u->unit,
          json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "per", u->per, "ops",
                    num(u->ops), "cells", num(u->cells), "area_um2", num(u->area_um2), "gate",
                    gate_side_json(&u->gate), "action", gate_side_json(&u->action), "ratio",
                    num(u->action.total_pj > 0 ? u->gate.total_pj / u->action.total_pj : NAN),
                    "gate_45nm_pj", num(u->gate_45_pj), "model_45nm_pj", num(u->model_45_pj),
                    "ratio_45nm",
                    num(u->model_45_pj > 0 ? u->gate_45_pj / u->model_45_pj : NAN)));
    }
    json_array_append_new(
        a, json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "config", g->config,
                     "library", g->library, "source", g->source, "node_nm", num(g->node_nm),
                     "vdd", num(g->vdd), "scale_to_45nm", num(g->scale_45), "critical_path_ns",
                     num(g->crit_ns), "fmax_mhz", num(g->fmax_mhz), "fmax_45nm_mhz",
                     num(g->fmax_45_mhz), "units", units));
  }
  return a;
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
                        costs_json(r->base_cost[p]));
  json_object_set_new(
      root, "energy",
      json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:f,s:i,s:o,s:o,s:o}", "per_rotation",
                energy_json(&r->e_rot), "per_exp", energy_json(&r->e_exp), "per_mac",
                energy_json(&r->e_dot), "bridge", costs_json(r->bridge_cost), "baselines", base,
                "rotation_power_w", num(r->rot_power_w), "clock_mhz", o->cfg.clock_mhz,
                "latency_cycles", r->latency, "area_proxy", num(r->area), "node_nm",
                num(r->sys_node_nm), "vdd", num(r->sys_vdd)));
  const mpb_sys_opts *so = &r->sys_opts;
  json_t *sides = json_object();
  for (int s = 0; s < MPB_NSYS; s++) {
    json_t *ph = json_object();
    for (int p = 0; p < MPB_NPHASE; p++)
      json_object_set_new(ph, mpb_sys_phase_name(p), sys_json(&r->sys[p][s]));
    json_object_set_new(ph, "decode_cossin_per_pair", sys_json(&r->sys_pair[s]));
    json_object_set_new(ph, "label", json_string(mpb_sys_side_label(s)));
    json_object_set_new(sides, mpb_sys_side_name(s), ph);
  }
  json_object_set_new(
      root, "system",
      json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "model", so->model.name,
                "context", num(so->context), "decode_tokens_per_s", num(so->decode_tps),
                "prefill_len", num(so->prefill_len), "prefill_tokens_per_s",
                num(so->prefill_tps), "prefill_tile", num(so->prefill_tile), "clock_mhz",
                num(so->clock_mhz), "node_nm", num(r->sys_node_nm), "vdd", num(r->sys_vdd),
                "sides", sides));
  json_object_set_new(root, "gate", gate_json(r));
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
  for (size_t i = 0; i < r->nclaims; i++)
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
