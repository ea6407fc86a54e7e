/* report_csv.c — writes a report as CSV in long form: section,subject,metric,value
 * (docs/report-schema.md). Text fields never contain commas; numbers use %.9g. */
#include <math.h>

#include "report.h"
#include "report_lm.h"
#include "report_ssm.h"

static void row(FILE *f, const char *sec, const char *subj, const char *metric, double v) {
  fprintf(f, "%s,%s,%s,%.9g\n", sec, subj, metric, v);
}

int mpb_report_write_csv(const mpb_report *r, FILE *f) {
  char subj[160];
  fprintf(f, "section,subject,metric,value\n");
  row(f, "precision", "all", "positions", (double)r->npositions);
  row(f, "precision", "all", "goal", r->goal);
  row(f, "precision", "all", "bound", r->bound);
  for (int v = 0; v < MPB_NRV; v++) {
    const char *n = mpb_report_variant_name(v);
    row(f, "precision", n, "max_err", r->max_err[v]);
    row(f, "precision", n, "rms_err", r->rms_err[v]);
    row(f, "precision", n, "worst_position", r->worst_pos[v]);
    row(f, "precision", n, "growth_max_a", r->fit_max[v].a);
    row(f, "precision", n, "growth_max_b", r->fit_max[v].b);
    row(f, "precision", n, "growth_max_r2", r->fit_max[v].r2);
    row(f, "precision", n, "growth_rms_b", r->fit_rms[v].b);
    for (int k = 0; k < MPB_OCTAVES; k++) {
      if (!mpb_metrics_octave(r->cs[v], MPB_OP_COS, k)->n) continue;
      snprintf(subj, sizeof subj, "%s/octave%d", n, k);
      row(f, "precision_octave", subj, "position", mpb_octave_mid(k));
      row(f, "precision_octave", subj, "max_err", r->oct_max[v][k]);
      row(f, "precision_octave", subj, "rms_err", r->oct_rms[v][k]);
    }
  }
  double h[MPB_ULP_BINS], h2[MPB_ULP_BINS];
  mpb_metrics_ulp_hist(r->cs[MPB_RV_BRIDGE], MPB_OP_COS, h);
  mpb_metrics_ulp_hist(r->cs[MPB_RV_BRIDGE], MPB_OP_SIN, h2);
  for (int i = 0; i < MPB_ULP_BINS; i++) {
    snprintf(subj, sizeof subj, "bin%g", i * MPB_ULP_MAX / MPB_ULP_BINS);
    row(f, "ulp_hist", subj, "count", h[i] + h2[i]);
  }
  const struct {
    const char *name;
    const mpb_energy_breakdown *b;
  } es[] = {{"rotation", &r->e_rot}, {"exp", &r->e_exp}, {"mac", &r->e_dot}};
  for (size_t i = 0; i < sizeof es / sizeof es[0]; i++) {
    row(f, "energy", es[i].name, "total_pj", es[i].b->total_pj);
    row(f, "energy", es[i].name, "total_activity_pj", es[i].b->total_act_pj);
    row(f, "energy", es[i].name, "dynamic_pj", es[i].b->dynamic_pj);
    row(f, "energy", es[i].name, "clock_pj", es[i].b->clock_pj);
    row(f, "energy", es[i].name, "leak_pj", es[i].b->leak_pj);
    for (int k = 0; k < MPB_NBLK; k++) {
      snprintf(subj, sizeof subj, "%s/%s", es[i].name, mpb_block_name((mpb_block)k));
      row(f, "energy_block", subj, "total_pj", es[i].b->blk[k].total_pj);
      row(f, "energy_block", subj, "activity", es[i].b->blk[k].activity);
    }
  }
  for (int p = -1; p < MPB_NEPIPE; p++)
    for (int o = 0; o < MPB_NEOP; o++) {
      const mpb_energy_cost *c = p < 0 ? &r->bridge_cost[o] : &r->base_cost[p][o];
      snprintf(subj, sizeof subj, "%s/%s", p < 0 ? "bridge" : mpb_energy_pipe_name((mpb_energy_pipe)p),
               mpb_energy_op_name((mpb_energy_op)o));
      row(f, "energy_baseline", subj, "pj", c->total_pj);
      row(f, "energy_baseline", subj, "arith_pj", c->arith_pj);
      row(f, "energy_baseline", subj, "rom_pj", c->rom_pj);
      row(f, "energy_baseline", subj, "reg_pj", c->reg_pj);
      row(f, "energy_baseline", subj, "clock_pj", c->clock_pj);
      row(f, "energy_baseline", subj, "leak_pj", c->leak_pj);
    }
  for (int s = 0; s < MPB_NSYS; s++)
    for (int ph = 0; ph <= MPB_NPHASE; ph++) {
      const mpb_sys_result *x = ph < MPB_NPHASE ? &r->sys[ph][s] : &r->sys_pair[s];
      snprintf(subj, sizeof subj, "%s/%s", mpb_sys_side_name(s),
               ph < MPB_NPHASE ? mpb_sys_phase_name(ph) : "decode_cossin_per_pair");
      row(f, "system", subj, "compute_j", x->compute_j);
      row(f, "system", subj, "memory_j", x->memory_j);
      row(f, "system", subj, "dyn_w_compute", x->dyn_w_compute);
      row(f, "system", subj, "dyn_w_memory", x->dyn_w_memory);
      row(f, "system", subj, "static_w_clock", x->static_w_clock);
      row(f, "system", subj, "static_w_leak", x->static_w_leak);
      row(f, "system", subj, "static_w_memory", x->static_w_memory);
      row(f, "system", subj, "total_w", x->total_w);
      row(f, "system", subj, "dram_gbs", x->dram_gbs);
      for (int k = 0; k < MPB_NSOP; k++) {
        char m[48];
        snprintf(m, sizeof m, "units_%s", mpb_sys_op_name(k));
        row(f, "system", subj, m, x->units[k]);
      }
    }
  for (size_t i = 0; i < r->n_gate; i++)
    for (size_t k = 0; k < r->gate[i].nunits; k++) {
      const mpb_report_gate_unit *u = &r->gate[i].unit[k];
      snprintf(subj, sizeof subj, "%s/%s", r->gate[i].config, u->unit);
      row(f, "gate", subj, "gate_pj", u->gate.total_pj);
      row(f, "gate", subj, "action_pj", u->action.total_pj);
      row(f, "gate", subj, "ratio", u->action.total_pj > 0 ? u->gate.total_pj / u->action.total_pj : NAN);
      row(f, "gate", subj, "cells", u->cells);
      row(f, "gate", subj, "area_um2", u->area_um2);
      row(f, "gate", subj, "gate_45nm_pj", u->gate_45_pj);
      row(f, "gate", subj, "model_45nm_pj", u->model_45_pj);
    }
  row(f, "energy", "rotation", "power_w", r->rot_power_w);
  row(f, "design", "rope", "latency_cycles", r->latency);
  row(f, "design", "rope", "area_proxy", r->area);
  for (int v = 0; v < MPB_NATT; v++) {
    const char *n = mpb_attn_variant_name((mpb_attn_variant)v);
    row(f, "attention", n, "score_max_err", r->attn[v].score_max_err);
    row(f, "attention", n, "score_rms_err", r->attn[v].score_rms_err);
    row(f, "attention", n, "kl", r->attn[v].kl);
  }
  row(f, "ssm", "bridge", "max_err", r->ssm.max_err);
  row(f, "ssm", "bridge", "rms_err", r->ssm.rms_err);
  row(f, "ssm", "bridge", "final_err", r->ssm.final_err);
  for (int k = 0; k < MPB_NKV; k++) {
    const char *n = mpb_kv_format_name((mpb_kv_format)k);
    row(f, "kv", n, "bytes_per_elem", r->kv_bytes[k]);
    row(f, "kv", n, "sqnr_db", r->kv_sqnr_db[k]);
    row(f, "kv", n, "score_kl", r->kv_attn[k].kl);
  }
  if (r->has_trace) {
    for (int op = 0; op < MPB_NOP; op++) {
      const mpb_err_stats *s = mpb_metrics_total(r->trace, (mpb_op_kind)op);
      if (!s->n) continue;
      row(f, "trace", mpb_op_name((mpb_op_kind)op), "count", (double)s->n);
      row(f, "trace", mpb_op_name((mpb_op_kind)op), "max_err", s->max_abs);
      row(f, "trace", mpb_op_name((mpb_op_kind)op), "rms_err", mpb_stats_rms(s));
      row(f, "trace", mpb_op_name((mpb_op_kind)op), "sqnr_db", mpb_stats_sqnr_db(s));
    }
    row(f, "trace", "attention", "kl_mean", r->trace_kl_mean);
    row(f, "trace", "attention", "kl_max", r->trace_kl_max);
    row(f, "trace", "energy", "total_pj", r->e_trace.total_pj);
    row(f, "trace", "energy", "total_activity_pj", r->e_trace.total_act_pj);
    row(f, "trace", "energy", "rotation_pj", r->trace_rot_pj);
  }
  for (size_t i = 0; i < r->n_rtl; i++) {
    const mpb_report_rtl *u = &r->rtl[i];
    for (int b = 0; b < MPB_NBLK; b++) {
      if (u->rtl[b] < 0) continue;
      snprintf(subj, sizeof subj, "%s/%s", u->unit, mpb_block_name((mpb_block)b));
      row(f, "rtl_toggles", subj, "rtl", u->rtl[b]);
      row(f, "rtl_toggles", subj, "model", u->model[b]);
      row(f, "rtl_toggles", subj, "ratio", u->model[b] > 0 ? u->rtl[b] / u->model[b] : NAN);
      row(f, "rtl_toggles", subj, "agree", mpb_report_rtl_agrees(u, b));
    }
  }
  if (r->n_rtl) {
    row(f, "rtl_toggles", "all", "blocks", r->rtl_blocks);
    row(f, "rtl_toggles", "all", "differ", r->rtl_differ);
  }
  mpb_report_lm_csv(r, f);
  mpb_report_ssm_csv(r, f);
  return ferror(f) ? -1 : 0;
}
