/* report_html.c — writes a report as one self-contained HTML page with inline SVG plots
 * (svg.c): the claims table, precision versus position, the ulp histogram, energy by
 * block and against the baselines, model-level effects and the RTL toggle cross-check.
 * A small inline script records load and script errors in <body data-*> attributes, so a
 * headless browser's DOM dump shows whether the page loaded cleanly. */
#include <math.h>
#include <string.h>

#include "report.h"
#include "report_lm.h"
#include "report_ssm.h"
#include "report_trace.h"
#include "svg.h"

static void esc(FILE *f, const char *s) { svg_write_text(f, s); }

static void td_num(FILE *f, double v) {
  if (isfinite(v)) fprintf(f, "<td>%.4g</td>", v);
  else fputs("<td>-</td>", f);
}

static void write_rtl_verdict(FILE *f, const mpb_report *r);

static void write_head(FILE *f, const mpb_report *r) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<title>mpbsim report</title>\n<style>\n"
        "body{font-family:sans-serif;margin:24px;max-width:1000px;color:#222}\n"
        "table{border-collapse:collapse;margin:8px 0 16px}\n"
        "td,th{border:1px solid #bbb;padding:3px 8px;font-size:13px;text-align:right}\n"
        "th{background:#eef}td:first-child,th:first-child{text-align:left}\n"
        ".claims td{text-align:left;vertical-align:top}\n"
        ".ok{color:#060;font-weight:bold}.bad{color:#a00;font-weight:bold}\n"
        "h2{border-bottom:2px solid #ccd;padding-bottom:2px}\n"
        "</style>\n<script>\n"
        "window.onerror=function(m){var b=document.body;if(b){b.setAttribute("
        "'data-jserror',String(m));}return false;};\n"
        "window.addEventListener('load',function(){document.body.setAttribute("
        "'data-loaded','1');});\n</script>\n</head>\n<body>\n",
        f);
  fputs("<h1>mpbsim report</h1>\n<p>", f);
  fprintf(f, "Configuration <b>");
  esc(f, r->opts.config_name);
  fprintf(f, "</b> (phi_mode %s, N=%d, W=%d, S=%d, FT=%d, CW=%d), geometry <b>",
          r->opts.cfg.phi_mode == MPB_PHI_EXACT ? "exact" : "logadd", r->opts.cfg.horner_order,
          r->opts.cfg.horner_width, r->opts.cfg.cs_table_bits, r->opts.cfg.freq_frac_bits,
          r->opts.cfg.cs_bits);
  esc(f, r->opts.geometry_name);
  fprintf(f, "</b> (d=%d, base %g, %s pairing), positions 0..%u (%zu evaluated%s), energy table: ",
          r->opts.geo.head_dim, r->opts.geo.base,
          r->opts.geo.pairing == MPB_PAIR_HALF ? "half-split" : "interleaved", r->opts.pos_max,
          r->npositions, r->opts.dense ? ", every position" : ", sampled per octave");
  esc(f, r->energy_source);
  fprintf(f, ". Model-level figures use a seeded synthetic workload (seed 0x%llx). "
             "mpbsim %s.</p>\n", (unsigned long long)r->opts.seed, MPB_VERSION);
  if (r->n_rtl) write_rtl_verdict(f, r); /* also at the top: visible at a glance */
}

static void write_claims(FILE *f, const mpb_report *r) {
  fputs("<h2>The seed's claims, measured</h2>\n<table class=\"claims\"><tr><th>claim</th>"
        "<th>measured here</th><th>verdict</th></tr>\n", f);
  for (size_t i = 0; i < r->nclaims; i++) {
    const mpb_claim *c = &r->claims[i];
    bool ok = !strncmp(c->verdict, "holds", 5);
    fputs("<tr><td>", f);
    esc(f, c->claim);
    fputs("</td><td>", f);
    esc(f, c->measured);
    fprintf(f, "</td><td class=\"%s\">", ok ? "ok" : "bad");
    esc(f, c->verdict);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

static void write_precision(FILE *f, const mpb_report *r) {
  fputs("<h2>cos/sin precision against FP64</h2>\n<table><tr><th>variant</th><th>max |err|</th>"
        "<th>bits</th><th>RMS</th><th>worst position</th><th>growth a</th><th>growth b</th>"
        "<th>R&sup2;</th></tr>\n", f);
  for (int v = 0; v < MPB_NRV; v++) {
    fprintf(f, "<tr><td>%s</td>", mpb_report_variant_name(v));
    td_num(f, r->max_err[v]);
    td_num(f, -log2(r->max_err[v]));
    td_num(f, r->rms_err[v]);
    fprintf(f, "<td>%u</td>", r->worst_pos[v]);
    td_num(f, r->fit_max[v].a);
    td_num(f, r->fit_max[v].b);
    td_num(f, r->fit_max[v].r2);
    fputs("</tr>\n", f);
  }
  fprintf(f, "</table>\n<p>Growth law: max error per position octave fitted as err = a "
             "&middot; m<sup>b</sup> (least squares on log2-log2). Goal: 1 ulp of the 16-bit "
             "output, 2<sup>-15</sup> = %.3g. Analytic bound of this configuration: %.3g.</p>\n",
          r->goal, r->bound);
  svg_plot p;
  memset(&p, 0, sizeof p);
  p.title = "max |cos/sin error| per position octave";
  p.xlabel = "position m (octave middle, log2)";
  p.ylabel = "max |error| (log2)";
  p.xlog = p.ylog = true;
  p.width = 900, p.height = 400;
  p.hline = r->goal;
  p.hline_label = "goal 2^-15";
  static double xs[MPB_NRV][MPB_OCTAVES], ys[MPB_NRV][MPB_OCTAVES];
  for (int v = 0; v < MPB_NRV; v++) {
    size_t n = 0;
    for (int k = 1; k < MPB_OCTAVES; k++)
      if (r->oct_max[v][k] > 0) xs[v][n] = mpb_octave_mid(k), ys[v][n] = r->oct_max[v][k], n++;
    p.s[v].name = mpb_report_variant_name(v);
    p.s[v].x = xs[v], p.s[v].y = ys[v], p.s[v].n = n;
    p.s[v].dashed = v != MPB_RV_BRIDGE;
  }
  p.nseries = MPB_NRV;
  svg_write_plot(f, &p);
  double h[MPB_ULP_BINS], h2[MPB_ULP_BINS];
  mpb_metrics_ulp_hist(r->cs[MPB_RV_BRIDGE], MPB_OP_COS, h);
  mpb_metrics_ulp_hist(r->cs[MPB_RV_BRIDGE], MPB_OP_SIN, h2);
  char lab[MPB_ULP_BINS][16];
  const char *labs[MPB_ULP_BINS];
  int nb = 0;
  for (int i = 0; i < MPB_ULP_BINS; i++) h[i] += h2[i];
  for (int i = 0; i < MPB_ULP_BINS; i++)
    if (h[i] > 0) nb = i + 1;
  if (nb < 4) nb = 4;
  for (int i = 0; i < nb; i++) {
    snprintf(lab[i], sizeof lab[i], "%.2g", i * MPB_ULP_MAX / MPB_ULP_BINS);
    labs[i] = lab[i];
  }
  svg_write_bars(f, "bridge |cos/sin error| in ulps of the output (bin start)", "count", labs, h,
                 (size_t)nb, 900, 280);
}

static void write_energy(FILE *f, const mpb_report *r) {
  fputs("<h2>Energy</h2>\n", f);
  const char *labels[] = {"bridge", "bridge (activity)", "fp32", "bf16", "fp16", "int8"};
  double vals[6] = {r->e_rot.total_pj, r->e_rot.total_act_pj};
  for (int p = 0; p < MPB_NEPIPE; p++) vals[2 + p] = r->base_pj[p][MPB_EOP_ROTATION];
  svg_write_bars(f, "energy per rotation with its own cos/sin (one q/k pair), pJ", "pJ", labels,
                 vals, 6, 900, 300);
  const char *rows[] = {"rotation", "rotation (activity)", "exp", "exp (activity)"};
  const char *parts[MPB_NBLK];
  double seg[4 * MPB_NBLK];
  for (int k = 0; k < MPB_NBLK; k++) {
    parts[k] = mpb_block_name((mpb_block)k);
    seg[k] = r->e_rot.blk[k].total_pj;
    seg[MPB_NBLK + k] = r->e_rot.blk[k].total_act_pj;
    seg[2 * MPB_NBLK + k] = r->e_exp.blk[k].total_pj;
    seg[3 * MPB_NBLK + k] = r->e_exp.blk[k].total_act_pj;
  }
  svg_write_stacked(f, "bridge energy per operation by block", "pJ", rows, 4, parts, MPB_NBLK, seg,
                    900);
  fprintf(f, "<p>Every side is priced with the same cost classes (arithmetic, table reads, "
             "register data, register clock paid every cycle, leakage from the area proxy) "
             "at %g MHz, one operation per cycle per pipeline, energy table at %g nm %g V. "
             "cossin: cos and sin of one (position, pair); rotate: the rotation of one int8 "
             "pair by them, the same arithmetic on every side; rotation = both (cos/sin "
             "recomputed per pair); INT8 MAC = the bridge's own dot unit.</p>\n",
          r->opts.cfg.clock_mhz, r->sys_node_nm, r->sys_vdd);
  fputs("<table><tr><th>per operation, pJ</th><th>bridge</th><th>bridge (activity)</th>", f);
  for (int p = 0; p < MPB_NEPIPE; p++) fprintf(f, "<th>%s</th>", mpb_energy_pipe_name(p));
  fputs("<th>int8 / bridge</th><th>bf16 / bridge</th><th>fp32 / bridge</th></tr>\n", f);
  static const mpb_energy_op order[] = {MPB_EOP_COSSIN, MPB_EOP_ROTATE, MPB_EOP_ROTATION,
                                        MPB_EOP_EXP, MPB_EOP_MAC};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    int o = order[i];
    const mpb_energy_breakdown *eb = o == MPB_EOP_ROTATION ? &r->e_rot
                                     : o == MPB_EOP_EXP    ? &r->e_exp
                                     : o == MPB_EOP_MAC    ? &r->e_dot
                                                           : NULL;
    double b = r->bridge_cost[o].total_pj;
    fprintf(f, "<tr><td>%s</td>", mpb_energy_op_name((mpb_energy_op)o));
    td_num(f, b);
    td_num(f, eb ? eb->total_act_pj : NAN);
    for (int p = 0; p < MPB_NEPIPE; p++) td_num(f, r->base_pj[p][o]);
    td_num(f, b > 0 ? r->base_pj[MPB_EPIPE_INT8][o] / b : NAN);
    td_num(f, b > 0 ? r->base_pj[MPB_EPIPE_BF16][o] / b : NAN);
    td_num(f, b > 0 ? r->base_pj[MPB_EPIPE_FP32][o] / b : NAN);
    fputs("</tr>\n", f);
  }
  fputs("</table>\n<table><tr><th>cost classes, pJ</th><th>side</th><th>arithmetic</th>"
        "<th>tables</th><th>register data</th><th>clock</th><th>leakage</th><th>total</th>"
        "</tr>\n", f);
  static const mpb_energy_op cls_ops[] = {MPB_EOP_COSSIN, MPB_EOP_EXP, MPB_EOP_MAC};
  for (size_t i = 0; i < sizeof cls_ops / sizeof cls_ops[0]; i++)
    for (int p = -1; p < MPB_NEPIPE; p++) {
      const mpb_energy_cost *c = p < 0 ? &r->bridge_cost[cls_ops[i]] : &r->base_cost[p][cls_ops[i]];
      fprintf(f, "<tr><td>%s</td><td>%s</td>", mpb_energy_op_name(cls_ops[i]),
              p < 0 ? "bridge" : mpb_energy_pipe_name((mpb_energy_pipe)p));
      td_num(f, c->arith_pj), td_num(f, c->rom_pj), td_num(f, c->reg_pj);
      td_num(f, c->clock_pj), td_num(f, c->leak_pj), td_num(f, c->total_pj);
      fputs("</tr>\n", f);
    }
  fputs("</table>\n<table><tr><th>block (rotation)</th><th>mul</th><th>add</th><th>table</th>"
        "<th>registers</th><th>clock</th><th>leakage</th><th>total</th><th>activity</th>"
        "<th>total (activity)</th></tr>\n", f);
  for (int k = 0; k < MPB_NBLK; k++) {
    const mpb_energy_block *e = &r->e_rot.blk[k];
    fprintf(f, "<tr><td>%s</td>", mpb_block_name((mpb_block)k));
    td_num(f, e->mul_pj), td_num(f, e->add_pj), td_num(f, e->rom_pj), td_num(f, e->reg_pj);
    td_num(f, e->clock_pj), td_num(f, e->leak_pj);
    td_num(f, e->total_pj), td_num(f, e->activity), td_num(f, e->total_act_pj);
    fputs("</tr>\n", f);
  }
  fprintf(f, "</table>\n<p>Activity = toggle rate of this workload's operand buses relative "
             "to uniformly random inputs (the 50%%-toggle assumption); it scales the "
             "arithmetic and register data classes only. One rotation per cycle at %g MHz: "
             "%.4g W per rope unit. Rope latency %d cycles; area proxy %.0f bit-equivalents. "
             "Recipes, sources and unit prices: docs/energy.md.</p>\n",
          r->opts.cfg.clock_mhz, r->rot_power_w, r->latency, r->area);
}

static void write_system_phase(FILE *f, const mpb_report *r, const mpb_sys_result *row,
                               const char *title) {
  fprintf(f, "<table><tr><th>%s</th><th>J/token compute</th><th>J/token RF</th>"
             "<th>J/token buffer</th><th>J/token DRAM</th><th>pipelines mac/exp/cossin/rotate"
             "</th><th>W compute</th><th>W memory</th><th>W clock</th><th>W leakage</th>"
             "<th>W total</th><th>vs bridge</th><th>DRAM GB/s</th></tr>\n", title);
  for (int s = 0; s < MPB_NSYS; s++) {
    const mpb_sys_result *x = &row[s];
    double lv[MPB_NMEM] = {0};
    for (int k = 0; k < MPB_NOPND; k++)
      for (int l = 0; l < MPB_NMEM; l++) lv[l] += x->mem_j[k][l];
    fprintf(f, "<tr><td>%s</td>", mpb_sys_side_label(s));
    td_num(f, x->compute_j), td_num(f, lv[MPB_MEM_RF]), td_num(f, lv[MPB_MEM_BUFFER]);
    td_num(f, lv[MPB_MEM_DRAM]);
    fprintf(f, "<td>%.0f / %.0f / %.0f / %.0f</td>", x->units[MPB_SOP_MAC],
            x->units[MPB_SOP_EXP], x->units[MPB_SOP_COSSIN], x->units[MPB_SOP_ROTATE]);
    td_num(f, x->dyn_w_compute), td_num(f, x->dyn_w_memory), td_num(f, x->static_w_clock);
    td_num(f, x->static_w_leak + x->static_w_memory), td_num(f, x->total_w);
    td_num(f, row[MPB_SYS_BRIDGE].total_w > 0 ? x->total_w / row[MPB_SYS_BRIDGE].total_w : NAN);
    td_num(f, x->dram_gbs);
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
  (void)r;
}

static void write_system(FILE *f, const mpb_report *r) {
  const mpb_sys_opts *o = &r->sys_opts;
  fputs("<h2>Power of a stated workload</h2>\n", f);
  fprintf(f, "<p>%s (%.0f layers, d_model %.0f, %.0f/%.0f heads of %.0f, FFN %.0f, vocabulary "
             "%.0f), batch 1. Decode: context %.0f at %.0f tokens/s. Prefill: prompts of %.0f "
             "tokens at %.0f tokens/s, weights read once a prompt, the KV cache once per tile "
             "of %.0f queries. Clock %.0f MHz%s; pipelines (one operation per cycle; dot units "
             "of %.0f MAC lanes) as many as the rate needs, each paying clock and leakage on "
             "every cycle. cos/sin once per (token, pair), reused across heads and layers. "
             "Memory levels: register file %.0f B, SRAM buffer %.0f B, DRAM; weights and KV "
             "cache from DRAM through the buffer, activations through the buffer and one "
             "register-file read per MAC (energy_system.h, docs/energy.md &sect;7-8).</p>\n",
          o->model.name, o->model.layers, o->model.n_embd, o->model.n_head, o->model.n_head_kv,
          o->model.head_dim, o->model.n_ff, o->model.vocab, o->context, o->decode_tps,
          o->prefill_len, o->prefill_tps, o->prefill_tile, o->clock_mhz,
          r->sys_clock_from_gate ? " (the gate-level critical path of this configuration scaled "
                                   "to 45 nm, below its configured clock)" : "",
          r->bridge_cost[MPB_EOP_MAC].ops_per_cycle, r->sys_rf_bytes, r->sys_buf_bytes);
  write_system_phase(f, r, r->sys[MPB_PHASE_DECODE], "decode");
  write_system_phase(f, r, r->sys[MPB_PHASE_PREFILL], "prefill");
  write_system_phase(f, r, r->sys_pair, "decode, cos/sin per pair");
}

/* The gate-level reconciliation: per configuration and unit, the synthesised netlist on
 * the OSU 0.18 um library against the action model priced with the table derived from
 * that library, and both at 45 nm. */
static void write_gate(FILE *f, const mpb_report *r) {
  fputs("<h2>Gate level: the RTL on a standard-cell library</h2>\n", f);
  if (!r->n_gate) {
    fputs("<p>No gate-level results given (make gate, then mpbsim report --gate FILE; "
          "docs/energy.md &sect;9).</p>\n", f);
    return;
  }
  fputs("<table><tr><th>configuration</th><th>unit</th><th>per</th><th>cells</th>"
        "<th>area &micro;m&sup2;</th><th>gate pJ</th><th>action pJ</th><th>gate / action</th>"
        "<th>gate dynamic / clock / leakage</th><th>action dynamic / clock / leakage</th>"
        "<th>gate at 45 nm</th><th>model at 45 nm</th><th>gate / model</th></tr>\n", f);
  for (size_t i = 0; i < r->n_gate; i++) {
    const mpb_report_gate *g = &r->gate[i];
    for (size_t k = 0; k < g->nunits; k++) {
      const mpb_report_gate_unit *u = &g->unit[k];
      fputs("<tr><td>", f);
      esc(f, g->config);
      fprintf(f, "</td><td>%s</td><td>%s</td>", u->unit, u->per);
      fprintf(f, "<td>%.0f</td><td>%.0f</td>", u->cells, u->area_um2);
      td_num(f, u->gate.total_pj), td_num(f, u->action.total_pj);
      td_num(f, u->action.total_pj > 0 ? u->gate.total_pj / u->action.total_pj : NAN);
      fprintf(f, "<td>%.3g / %.3g / %.3g</td><td>%.3g / %.3g / %.3g</td>", u->gate.dynamic_pj,
              u->gate.clock_pj, u->gate.leak_pj, u->action.dynamic_pj, u->action.clock_pj,
              u->action.leak_pj);
      td_num(f, u->gate_45_pj), td_num(f, u->model_45_pj);
      td_num(f, u->model_45_pj > 0 ? u->gate_45_pj / u->model_45_pj : NAN);
      fputs("</tr>\n", f);
    }
  }
  fputs("</table>\n<table><tr><th>configuration / unit</th><th>block</th><th>gate pJ</th>"
        "<th>action pJ</th><th>gate / action</th></tr>\n", f);
  for (size_t i = 0; i < r->n_gate; i++)
    for (size_t k = 0; k < r->gate[i].nunits; k++) {
      const mpb_report_gate_unit *u = &r->gate[i].unit[k];
      for (int b = 0; b < MPB_NBLK; b++) {
        if (u->gate.blk[b] < 0 && u->action.blk[b] <= 0) continue;
        fputs("<tr><td>", f);
        esc(f, r->gate[i].config);
        fprintf(f, " / %s</td><td>%s</td>", u->unit, mpb_block_name((mpb_block)b));
        td_num(f, u->gate.blk[b] < 0 ? 0 : u->gate.blk[b]), td_num(f, u->action.blk[b]);
        td_num(f, u->action.blk[b] > 0 && u->gate.blk[b] >= 0 ? u->gate.blk[b] / u->action.blk[b]
                                                               : NAN);
        fputs("</tr>\n", f);
      }
    }
  fputs("</table>\n", f);
  for (size_t i = 0; i < r->n_gate; i++) {
    const mpb_report_gate *g = &r->gate[i];
    fputs("<p>", f);
    esc(f, g->config);
    fputs(": ", f);
    esc(f, g->source);
    fprintf(f, "; library %s at %g nm %g V; critical path %.3g ns (%.0f MHz; %.0f MHz scaled "
               "to 45 nm); OpenSTA's own report_power with its propagated activities %.3g W; "
               "scale to 45 nm 0.9 V %.4f.</p>\n",
            g->library, g->node_nm, g->vdd, g->crit_ns, g->fmax_mhz, g->fmax_45_mhz,
            g->sta_power_w, g->scale_45);
  }
}

static void write_model(FILE *f, const mpb_report *r) {
  fprintf(f, "<h2>Model-level effects (synthetic workload)</h2>\n<p>One query at position %u "
             "against %llu keys (4 sink tokens, the rest spread up to the query), "
             "scores q&middot;k/&radic;d against FP64 RoPE on the unquantized vectors.</p>\n"
             "<table><tr><th>q/k path</th><th>max |score err|</th><th>RMS score err</th>"
             "<th>softmax KL (nats)</th></tr>\n",
          r->attn_qpos, (unsigned long long)mpb_metrics_total(r->model, MPB_OP_SCORE)->n);
  for (int v = 0; v < MPB_NATT; v++) {
    fprintf(f, "<tr><td>%s</td>", mpb_attn_variant_name((mpb_attn_variant)v));
    td_num(f, r->attn[v].score_max_err), td_num(f, r->attn[v].score_rms_err);
    td_num(f, r->attn[v].kl);
    fputs("</tr>\n", f);
  }
  const mpb_err_stats *ss = mpb_metrics_total(r->model, MPB_OP_SSM);
  fprintf(f, "</table>\n<p>SSM scan (d_state 16, A = -(1..16), dt log-uniform in [1e-3, 0.1], "
             "%llu tokens, exp(dt&middot;A) on the exp unit): max |y err| %.3g, RMS %.3g, at the "
             "last token %.3g (max |y| %.3g).</p>\n",
          (unsigned long long)ss->n, r->ssm.max_err, r->ssm.rms_err, r->ssm.final_err,
          r->ssm.max_ref);
  fprintf(f, "<table><tr><th>KV format (group %d)</th><th>bytes/elem</th><th>vs FP16</th>"
             "<th>K SQNR dB</th><th>K rel. RMS</th><th>max |score err|</th><th>softmax KL"
             "</th></tr>\n", r->kv_group);
  for (int k = 0; k < MPB_NKV; k++) {
    fprintf(f, "<tr><td>%s</td>", mpb_kv_format_name((mpb_kv_format)k));
    td_num(f, r->kv_bytes[k]);
    fprintf(f, "<td>%+.1f%%</td>", 100 * (r->kv_bytes[k] / r->kv_bytes[MPB_KV_FP16] - 1));
    td_num(f, r->kv_sqnr_db[k]), td_num(f, r->kv_rel_rms[k]);
    td_num(f, r->kv_attn[k].score_max_err), td_num(f, r->kv_attn[k].kl);
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
}

/* The RTL cross-check's one-line verdict (green: every block of every unit equal; red:
 * how many differ and which), shown at the top of the page and in its section. */
static void write_rtl_verdict(FILE *f, const mpb_report *r) {
  if (!r->rtl_differ) {
    fprintf(f, "<p class=\"ok\">RTL and model agree: equal toggle counts on all %d blocks of "
               "%zu unit%s (", r->rtl_blocks, r->n_rtl, r->n_rtl > 1 ? "s" : "");
  } else {
    fprintf(f, "<p class=\"bad\">RTL and model DIFFER on %d of %d blocks:", r->rtl_differ,
            r->rtl_blocks);
    for (size_t i = 0; i < r->n_rtl; i++)
      for (int b = 0; b < MPB_NBLK; b++)
        if (r->rtl[i].rtl[b] >= 0 && !mpb_report_rtl_agrees(&r->rtl[i], b))
          fprintf(f, " %s/%s", r->rtl[i].unit, mpb_block_name((mpb_block)b));
    fputs(" (units ", f);
  }
  for (size_t i = 0; i < r->n_rtl; i++) fprintf(f, "%s%s", i ? ", " : "", r->rtl[i].unit);
  fputs(").</p>\n", f);
}

/* One table for all units given: unit, block, RTL, model, ratio, agreement; above it a
 * one-line verdict (green when every block of every unit is equal, red naming the blocks
 * that differ), so that agreement is visible at a glance. */
static void write_rtl(FILE *f, const mpb_report *r) {
  fputs("<h2>RTL activity cross-check</h2>\n", f);
  if (!r->n_rtl) {
    fputs("<p>No RTL toggle file given (mpbsim report --rtl-toggles FILE, once per unit; "
          "format in docs/report-schema.md).</p>\n", f);
    return;
  }
  write_rtl_verdict(f, r);
  fputs("<p>Per-block toggles (bit flips of the operand buses, docs/architecture.md "
        "&sect;11) counted in the Verilated RTL and in the C model on the same reference "
        "stimulus.</p>\n<ul>\n", f);
  for (size_t i = 0; i < r->n_rtl; i++) {
    fputs("<li>", f);
    esc(f, r->rtl[i].source);
    fprintf(f, ", %llu operations</li>\n", (unsigned long long)r->rtl[i].ops);
  }
  fputs("</ul>\n<table><tr><th>unit</th><th>block</th><th>RTL toggles</th>"
        "<th>model toggles</th><th>RTL &minus; model</th><th>RTL / model</th><th>agree</th>"
        "</tr>\n", f);
  for (size_t i = 0; i < r->n_rtl; i++) {
    const mpb_report_rtl *u = &r->rtl[i];
    for (int b = 0; b < MPB_NBLK; b++) {
      if (u->rtl[b] < 0) continue;
      bool ok = mpb_report_rtl_agrees(u, b);
      fprintf(f, "<tr><td>%s</td><td>%s</td>", u->unit, mpb_block_name((mpb_block)b));
      fprintf(f, "<td>%.0f</td><td>%.0f</td>", u->rtl[b], u->model[b]);
      fprintf(f, ok ? "<td>0</td>" : "<td>%+.0f</td>", u->rtl[b] - u->model[b]);
      /* a small difference must not print as 1: nine digits unless equal */
      if (u->model[b] > 0) fprintf(f, ok ? "<td>%.4g</td>" : "<td>%.9g</td>", u->rtl[b] / u->model[b]);
      else fputs("<td>-</td>", f);
      fprintf(f, "<td class=\"%s\">%s</td></tr>\n", ok ? "ok" : "bad", ok ? "equal" : "DIFFERS");
    }
  }
  fputs("</table>\n", f);
}

static void write_trace(FILE *f, const mpb_report *r) {
  fputs("<h2>Trace replay</h2>\n", f);
  if (!r->has_trace) {
    fputs("<p>No trace given (mpbsim report --trace FILE; traces from mpbsim gen, trace "
          "import or mpbsim lm, docs/trace-format.md).</p>\n", f);
    return;
  }
  fputs("<p>Trace <b>", f);
  esc(f, r->trace_path);
  fputs("</b> (", f);
  esc(f, r->trace_model);
  fprintf(f, "): %llu records, %llu rotations, %llu exps, %llu dot products. Errors of the "
             "model against the exact computation on the same int8 inputs (traces/replay.h)."
             "</p>\n<table><tr><th>op</th><th>count</th><th>max |err|</th><th>RMS</th>"
             "<th>bias</th><th>SQNR dB</th><th>max rel.</th><th>growth b</th></tr>\n",
          (unsigned long long)r->trace_records, (unsigned long long)r->trace_ops[1],
          (unsigned long long)r->trace_ops[2], (unsigned long long)r->trace_ops[3]);
  for (int op = MPB_OP_ROT; op <= MPB_OP_SCORE; op++) {
    const mpb_err_stats *s = mpb_metrics_total(r->trace, (mpb_op_kind)op);
    if (!s->n) continue;
    mpb_growth_fit g = mpb_metrics_fit_growth(r->trace, (mpb_op_kind)op, 0);
    fprintf(f, "<tr><td>%s</td><td>%llu</td>", mpb_op_name((mpb_op_kind)op),
            (unsigned long long)s->n);
    td_num(f, s->max_abs), td_num(f, mpb_stats_rms(s)), td_num(f, mpb_stats_mean(s));
    td_num(f, mpb_stats_sqnr_db(s)), td_num(f, s->max_rel);
    td_num(f, g.npoints >= 2 ? g.b : NAN);
    fputs("</tr>\n", f);
  }
  fprintf(f, "</table>\n<p>rot: rotated q/k values in units of the int8 input; exp: relative; "
             "dot: integer sums; score: q&middot;k/&radic;d of Q and K rows of the same window "
             "(causal), bridge rotations vs exact. Softmax KL over %llu query rows: mean %.3g, "
             "max %.3g nats.</p>\n",
          (unsigned long long)r->trace_queries, r->trace_kl_mean, r->trace_kl_max);
  static mpb_layer_stat ls[256];
  int nl = mpb_trace_layer_stats(r->trace, MPB_OP_ROT, ls, 256);
  if (nl > 0) {
    fputs("<table><tr><th>layer (rot)</th><th>values</th><th>max |err|</th><th>RMS</th>"
          "<th>worst head</th></tr>\n", f);
    for (int i = 0; i < nl; i++) {
      fprintf(f, "<tr><td>%d</td><td>%llu</td>", ls[i].layer, (unsigned long long)ls[i].n);
      td_num(f, ls[i].max_abs), td_num(f, sqrt(ls[i].sum_err2 / (double)ls[i].n));
      fprintf(f, "<td>%d</td></tr>\n", ls[i].worst_head);
    }
    fputs("</table>\n", f);
  }
  if (r->trace_kv_values)
    fprintf(f, "<p>KV cache on the trace's %llu K values (groups of 64): SQNR FP16 %.1f dB, "
               "INT8 %.1f dB, LOG8 %.1f dB.</p>\n", (unsigned long long)r->trace_kv_values,
            r->trace_kv_sqnr_db[MPB_KV_FP16], r->trace_kv_sqnr_db[MPB_KV_INT8],
            r->trace_kv_sqnr_db[MPB_KV_LOG8]);
  svg_plot p;
  memset(&p, 0, sizeof p);
  p.title = "trace: max |rotated value error| per position octave (int8 input units)";
  p.xlabel = "position m (octave middle, log2)";
  p.ylabel = "max |error| (log2)";
  p.xlog = p.ylog = true;
  p.width = 900, p.height = 340;
  static double x[MPB_OCTAVES], y[MPB_OCTAVES], y2[MPB_OCTAVES];
  size_t n = 0;
  for (int k = 1; k < MPB_OCTAVES; k++) {
    const mpb_err_stats *s = mpb_metrics_octave(r->trace, MPB_OP_ROT, k);
    if (!s->n) continue;
    x[n] = mpb_octave_mid(k), y[n] = s->max_abs, y2[n] = mpb_stats_rms(s), n++;
  }
  p.s[0] = (svg_series){"max", x, y, n, false};
  p.s[1] = (svg_series){"RMS", x, y2, n, true};
  p.nseries = 2;
  if (n) svg_write_plot(f, &p);
  fprintf(f, "<p>Energy of the whole replay: %.4g nJ (activity-adjusted %.4g nJ; reference: "
             "random data with the same mix of rotations, exps and MAC products)",
          r->e_trace.total_pj * 1e-3, r->e_trace.total_act_pj * 1e-3);
  if (isfinite(r->trace_rot_pj)) fprintf(f, "; %.2f pJ per rotation", r->trace_rot_pj);
  fputs(".</p>\n<table><tr><th>block</th><th>total pJ</th><th>activity</th>"
        "<th>total (activity) pJ</th></tr>\n", f);
  for (int k = 0; k < MPB_NBLK; k++) {
    fprintf(f, "<tr><td>%s</td>", mpb_block_name((mpb_block)k));
    td_num(f, r->e_trace.blk[k].total_pj), td_num(f, r->e_trace.blk[k].activity);
    td_num(f, r->e_trace.blk[k].total_act_pj);
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
}

int mpb_report_write_html(const mpb_report *r, FILE *f) {
  write_head(f, r);
  write_claims(f, r);
  write_precision(f, r);
  write_energy(f, r);
  write_system(f, r);
  write_gate(f, r);
  write_model(f, r);
  mpb_report_lm_html(r, f);
  mpb_report_ssm_html(r, f);
  write_trace(f, r);
  write_rtl(f, r);
  fputs("</body></html>\n", f);
  return ferror(f) ? -1 : 0;
}
