/* gate_recon.c — the gate-level reconciliation of mpb_top (gate.h, docs/energy.md §9): the
 * synthesised netlist is driven with the energy model's reference stimulus (all three
 * units at once, without bubbles, as sim/toggles drives the RTL), every output is checked
 * against the golden model, the netlist is priced with OpenSTA's pin energies per unit and
 * block (rtl/gate/blocks.tsv), and beside it the action model of the same stimulus is
 * priced with the library's own table (analysis/gate_table.c) and with the 45 nm table.
 * The result is the JSON of schema "mpbsim-gate-1" the report reads (report_gate.c). */
#include "gate.h"
#include "errbuf.h"

#include <fnmatch.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const unit_names[3] = {"rope", "exp", "dot"};
static const char *const per_names[3] = {"rotation", "exp", "mac"};

/* ---- the blocks table --------------------------------------------------------------- */

typedef struct block_row {
  int unit, block;
  char pattern[256];
} block_row;

struct gate_blocks {
  size_t n;
  block_row *rows;
};

gate_blocks *gate_blocks_load(const char *path, char *err, size_t n) {
  FILE *f = fopen(path, "r");
  if (!f) {
    set_err(err, n, "%s: cannot read the blocks table", path);
    return NULL;
  }
  gate_blocks *b = calloc(1, sizeof *b);
  char line[512], u[32], pat[256], blk[32];
  int lineno = 0;
  while (b && fgets(line, sizeof line, f)) {
    lineno++;
    char *s = line;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '#' || *s == '\n' || !*s) continue;
    if (sscanf(s, "%31s %255s %31s", u, pat, blk) != 3) {
      set_err(err, n, "%s:%d: expected three columns: unit pattern block", path, lineno);
      goto bad;
    }
    int ui = 0, bi = 0;
    while (ui < 3 && strcmp(u, unit_names[ui])) ui++;
    while (bi < MPB_NBLK && strcmp(blk, mpb_block_name((mpb_block)bi))) bi++;
    if (ui == 3 || bi == MPB_NBLK) {
      set_err(err, n, "%s:%d: field %s: unknown %s '%s' (expected %s)", path, lineno,
              ui == 3 ? "unit" : "block", ui == 3 ? "unit" : "block", ui == 3 ? u : blk,
              ui == 3 ? "rope, exp or dot" : "a block name of the energy model");
      goto bad;
    }
    block_row *nr = realloc(b->rows, sizeof *nr * (b->n + 1));
    if (!nr) {
      set_err(err, n, "out of memory");
      goto bad;
    }
    b->rows = nr;
    b->rows[b->n].unit = ui, b->rows[b->n].block = bi;
    snprintf(b->rows[b->n].pattern, sizeof b->rows[0].pattern, "%s", pat);
    b->n++;
  }
  fclose(f);
  if (b && !b->n) {
    set_err(err, n, "%s: no rows", path);
    gate_blocks_free(b);
    return NULL;
  }
  if (!b) set_err(err, n, "out of memory");
  return b;
bad:
  fclose(f);
  gate_blocks_free(b);
  return NULL;
}

void gate_blocks_free(gate_blocks *b) {
  if (!b) return;
  free(b->rows);
  free(b);
}

int gate_blocks_match(const gate_blocks *b, const char *cell, int *unit, int *block) {
  for (size_t i = 0; i < b->n; i++)
    if (!fnmatch(b->rows[i].pattern, cell, 0)) {
      *unit = b->rows[i].unit, *block = b->rows[i].block;
      return (int)i;
    }
  return -1;
}

/* group = unit * MPB_NBLK + block; the last group holds unmatched cells */
#define NGROUPS (3 * MPB_NBLK + 1)
static int group_of(const char *cell, void *user) {
  int u, b;
  if (gate_blocks_match((const gate_blocks *)user, cell, &u, &b) < 0) return NGROUPS - 1;
  return u * MPB_NBLK + b;
}

/* ---- driving mpb_top ---------------------------------------------------------------- */

typedef struct ports {
  int tie_lo, tie_hi, rst;
  int rv, rr, rm, rj, rx, ry, rov, ror, rcos, rsin, rxr, ryr;
  int ev, er, eu, eov, eor, ee, emant;
  int dv, dr, da, db, dlast, dov, dor, dsum;
} ports;

static int need(const gate_design *d, const char *name, int *idx, char *err, size_t n) {
  *idx = gate_port(d, name, NULL, NULL);
  if (*idx < 0) return fail(err, n, "the netlist has no port %s (is its top mpb_top?)", name);
  return 0;
}

static int find_ports(const gate_design *d, ports *p, char *err, size_t n) {
  struct {
    const char *name;
    int *idx;
  } k[] = {{"mpb_tie_lo", &p->tie_lo},      {"mpb_tie_hi", &p->tie_hi},
           {"rst_ni", &p->rst},             {"rope_in_valid_i", &p->rv},
           {"rope_in_ready_o", &p->rr},     {"rope_m_i", &p->rm},
           {"rope_j_i", &p->rj},            {"rope_x_i", &p->rx},
           {"rope_y_i", &p->ry},            {"rope_out_valid_o", &p->rov},
           {"rope_out_ready_i", &p->ror},   {"rope_cos_o", &p->rcos},
           {"rope_sin_o", &p->rsin},        {"rope_xr_o", &p->rxr},
           {"rope_yr_o", &p->ryr},          {"exp_in_valid_i", &p->ev},
           {"exp_in_ready_o", &p->er},      {"exp_u_i", &p->eu},
           {"exp_out_valid_o", &p->eov},    {"exp_out_ready_i", &p->eor},
           {"exp_e_o", &p->ee},             {"exp_mant_o", &p->emant},
           {"dot_in_valid_i", &p->dv},      {"dot_in_ready_o", &p->dr},
           {"dot_a_i", &p->da},             {"dot_b_i", &p->db},
           {"dot_last_i", &p->dlast},       {"dot_out_valid_o", &p->dov},
           {"dot_out_ready_i", &p->dor},    {"dot_sum_o", &p->dsum}};
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
    if (need(d, k[i].name, k[i].idx, err, n)) return -1;
  return 0;
}

static int64_t sext(uint64_t v, int bits) {
  if (bits >= 64) return (int64_t)v;
  uint64_t m = 1ULL << (bits - 1);
  v &= (1ULL << bits) - 1;
  return (int64_t)((v ^ m) - m);
}

typedef struct stim {
  size_t n[3];
  mpb_rope_req *rope;
  mpb_rope_resp *rope_out;
  mpb_exp_req *ex;
  mpb_exp_resp *ex_out;
  int8_t *da, *db;
  mpb_dot_resp *dot_out;
} stim;

static void stim_free(stim *s) {
  free(s->rope), free(s->rope_out), free(s->ex), free(s->ex_out);
  free(s->da), free(s->db), free(s->dot_out);
}

/* Whether the netlist holds cells of each unit (rtl/gate/synth.sh --keep removes units). */
static void units_present(const gate_design *d, bool present[3]) {
  static const char *const pre[3] = {"u_rope.", "u_exp.", "u_dot."};
  for (int u = 0; u < 3; u++) present[u] = false;
  for (size_t i = 0; i < gate_cell_count(d); i++)
    for (int u = 0; u < 3; u++)
      if (!strncmp(gate_cell_name(d, i), pre[u], strlen(pre[u]))) present[u] = true;
}

/* Run the stimulus; per unit the cycles from its first input to its last output. Units
 * with no operations (absent from the netlist) are not driven nor checked. */
static int drive(gate_design *d, const mpb_model *mdl, const stim *s, double cycles[3],
                 char *err, size_t n) {
  const mpb_config *cfg = mpb_model_config(mdl);
  ports p;
  if (find_ports(d, &p, err, n)) return -1;
  const size_t L = (size_t)cfg->mac_lanes, D = MPB_ENERGY_DOT_LEN, beats = (D + L - 1) / L;
  if (L * 8 > 64) return fail(err, n, "mac_lanes = %zu: at most 8 lanes are driven", L);
  const uint64_t xmask = (1ULL << cfg->x_bits) - 1;
  int cw = cfg->cs_bits, ow = cfg->x_bits + 1 + cfg->rot_frac_bits;
  gate_set_input(d, p.tie_lo, 0);
  gate_set_input(d, p.tie_hi, 1);
  gate_set_input(d, p.ror, 1), gate_set_input(d, p.eor, 1), gate_set_input(d, p.dor, 1);
  gate_set_input(d, p.rst, 0);
  for (int k = 0; k < 3; k++) gate_eval(d), gate_cycle(d);
  gate_set_input(d, p.rst, 1);
  gate_eval(d);
  gate_clear_counts(d);
  size_t ri = 0, ei = 0, di = 0, out[3] = {0, 0, 0}, drain = 0;
  uint64_t last[3] = {0, 0, 0};
  while (drain < 64) {
    gate_set_input(d, p.rv, ri < s->n[0]);
    if (ri < s->n[0]) {
      gate_set_input(d, p.rm, s->rope[ri].m), gate_set_input(d, p.rj, s->rope[ri].j);
      gate_set_input(d, p.rx, (uint64_t)s->rope[ri].x & xmask);
      gate_set_input(d, p.ry, (uint64_t)s->rope[ri].y & xmask);
    }
    gate_set_input(d, p.ev, ei < s->n[1]);
    if (ei < s->n[1]) gate_set_input(d, p.eu, (uint64_t)(uint32_t)s->ex[ei].u & 0xFFFFFF);
    gate_set_input(d, p.dv, di < s->n[2] * beats);
    if (di < s->n[2] * beats) {
      size_t op = di / beats, bt = di % beats;
      uint64_t va = 0, vb = 0;
      for (size_t k = 0; k < L && bt * L + k < D; k++) {
        va |= (uint64_t)(uint8_t)s->da[op * D + bt * L + k] << (8 * k);
        vb |= (uint64_t)(uint8_t)s->db[op * D + bt * L + k] << (8 * k);
      }
      gate_set_input(d, p.da, va), gate_set_input(d, p.db, vb);
      gate_set_input(d, p.dlast, bt == beats - 1);
    }
    gate_eval(d);
    if ((s->n[0] && !gate_get_output(d, p.rr)) || (s->n[1] && !gate_get_output(d, p.er)) ||
        (s->n[2] && !gate_get_output(d, p.dr)))
      return fail(err, n, "cycle %llu: in_ready low with out_ready high",
                  (unsigned long long)gate_cycles(d));
    if (s->n[0] && gate_get_output(d, p.rov)) {
      const mpb_rope_resp *e = &s->rope_out[out[0]];
      int64_t c = sext(gate_get_output(d, p.rcos), cw), sn = sext(gate_get_output(d, p.rsin), cw);
      int64_t xr = sext(gate_get_output(d, p.rxr), ow), yr = sext(gate_get_output(d, p.ryr), ow);
      if (out[0] >= s->n[0] || c != e->cos || sn != e->sin || xr != e->xr || yr != e->yr) {
        set_err(err, n, "rope operation %zu: netlist cos %lld sin %lld xr %lld yr %lld, model "
                        "%d %d %d %d", out[0], (long long)c, (long long)sn, (long long)xr,
                (long long)yr, e->cos, e->sin, e->xr, e->yr);
        return -2;
      }
      out[0]++, last[0] = gate_cycles(d);
    }
    if (s->n[1] && gate_get_output(d, p.eov)) {
      const mpb_exp_resp *e = &s->ex_out[out[1]];
      int64_t ee = sext(gate_get_output(d, p.ee), 10);
      uint64_t mant = gate_get_output(d, p.emant);
      if (out[1] >= s->n[1] || ee != e->e || mant != e->mant) {
        set_err(err, n, "exp operation %zu: netlist e %lld mant %llu, model %d %u", out[1],
                (long long)ee, (unsigned long long)mant, e->e, e->mant);
        return -2;
      }
      out[1]++, last[1] = gate_cycles(d);
    }
    if (s->n[2] && gate_get_output(d, p.dov)) {
      int64_t sum = (int64_t)gate_get_output(d, p.dsum);
      if (out[2] >= s->n[2] || sum != s->dot_out[out[2]].sum) {
        set_err(err, n, "dot product %zu: netlist %lld, model %lld", out[2], (long long)sum,
                (long long)s->dot_out[out[2]].sum);
        return -2;
      }
      out[2]++, last[2] = gate_cycles(d);
    }
    gate_cycle(d);
    ri += ri < s->n[0];
    ei += ei < s->n[1];
    di += di < s->n[2] * beats;
    if (ri == s->n[0] && ei == s->n[1] && di == s->n[2] * beats) drain++;
  }
  for (int u = 0; u < 3; u++) {
    if (out[u] != s->n[u])
      return fail(err, n, "%s: %zu outputs for %zu operations", unit_names[u], out[u], s->n[u]);
    cycles[u] = (double)last[u] + 1;
  }
  return 0;
}

static int make_stim(const mpb_model *mdl, const gate_recon_opts *o, stim *s, char *err,
                     size_t n) {
  memset(s, 0, sizeof *s);
  s->n[0] = o->n_rope, s->n[1] = o->n_exp, s->n[2] = o->n_dot;
  size_t D = MPB_ENERGY_DOT_LEN;
  s->rope = calloc(o->n_rope + 1, sizeof *s->rope);
  s->rope_out = calloc(o->n_rope + 1, sizeof *s->rope_out);
  s->ex = calloc(o->n_exp + 1, sizeof *s->ex);
  s->ex_out = calloc(o->n_exp + 1, sizeof *s->ex_out);
  s->da = calloc(o->n_dot * D + 1, 1);
  s->db = calloc(o->n_dot * D + 1, 1);
  s->dot_out = calloc(o->n_dot + 1, sizeof *s->dot_out);
  if (!s->rope || !s->rope_out || !s->ex || !s->ex_out || !s->da || !s->db || !s->dot_out)
    return fail(err, n, "out of memory");
  mpb_energy_reference_rope_reqs(mdl, o->n_rope, o->seed, s->rope);
  mpb_energy_reference_exp_reqs(o->n_exp, o->seed, s->ex);
  mpb_energy_reference_dot_vecs(o->n_dot, o->seed, s->da, s->db);
  for (size_t i = 0; i < o->n_rope; i++) mpb_rope_eval(mdl, &s->rope[i], &s->rope_out[i], NULL);
  for (size_t i = 0; i < o->n_exp; i++) mpb_exp_eval(mdl, &s->ex[i], &s->ex_out[i], NULL);
  for (size_t i = 0; i < o->n_dot; i++)
    mpb_dot_eval(mdl, s->da + i * D, s->db + i * D, D, &s->dot_out[i], NULL);
  return 0;
}

/* ---- the action model of the same stimulus ------------------------------------------ */

/* Per-op breakdown of a unit's reference counts priced with a table, clock and leakage
 * over `cycles` at clock_mhz. */
static void action_side(const mpb_energy_table *t, const mpb_model *mdl, mpb_unit u,
                        size_t nops, uint64_t seed, double cycles, double clock_mhz,
                        double per, mpb_energy_breakdown *b) {
  mpb_config cfg = *mpb_model_config(mdl);
  cfg.clock_mhz = clock_mhz;
  mpb_counts c;
  mpb_energy_unit_hw hw;
  mpb_energy_reference(mdl, u, nops, seed, &c);
  mpb_energy_price(t, &cfg, &c, b);
  mpb_energy_unit_hw_of(mdl, u, &hw);
  mpb_energy_add_static(t, &cfg, &hw, cycles, b);
  for (int k = 0; k < MPB_NBLK; k++) b->blk[k].total_pj /= per;
  b->total_pj /= per, b->dynamic_pj /= per, b->clock_pj /= per, b->leak_pj /= per;
}

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *side_json(double total, double dyn, double clock, double leak,
                         const double *blk, const bool *has) {
  json_t *bl = json_object();
  for (int k = 0; k < MPB_NBLK; k++)
    if (has[k]) json_object_set_new(bl, mpb_block_name((mpb_block)k), num(blk[k]));
  return json_pack("{s:o,s:o,s:o,s:o,s:o}", "total_pj", num(total), "dynamic_pj", num(dyn),
                   "clock_pj", num(clock), "leak_pj", num(leak), "blocks", bl);
}

int gate_reconcile(const mpb_model *mdl, const gate_recon_opts *o, const char *out_path,
                   char *err, size_t n) {
  char a[4096], b[4096];
  int rc = -1;
  gate_design *d = NULL;
  gate_power *pw = NULL;
  gate_blocks *bl = NULL;
  mpb_energy_table *lib_t = NULL, *t45 = NULL;
  json_t *root = NULL;
  stim s;
  memset(&s, 0, sizeof s);
  snprintf(a, sizeof a, "%s/sim.json", o->dir);
  snprintf(b, sizeof b, "%s/cells.json", o->dir);
  if (!(d = gate_design_load(a, b, "mpb_top", err, n))) goto out;
  if (!(pw = gate_power_load(o->dir, err, n))) goto out;
  if (!(bl = gate_blocks_load(o->blocks_path, err, n))) goto out;
  if (!(lib_t = mpb_energy_load(o->table_path, err, n))) goto out;
  if (!(t45 = mpb_energy_load(NULL, err, n))) goto out;
  bool present[3];
  units_present(d, present);
  gate_recon_opts oo = *o;
  if (!present[0]) oo.n_rope = 0;
  if (!present[1]) oo.n_exp = 0;
  if (!present[2]) oo.n_dot = 0;
  o = &oo;
  if (make_stim(mdl, o, &s, err, n)) goto out;
  double cycles[3];
  if ((rc = drive(d, mdl, &s, cycles, err, n))) goto out;
  rc = -1;
  double crit = gate_power_crit_ns(pw), fmax = 1000.0 / crit;
  gate_energy g[NGROUPS];
  if (gate_price(d, pw, crit, group_of, bl, g, NGROUPS, err, n)) goto out;
  /* the cycles of the whole run priced the clock and leakage of every unit; a unit's share
   * is its own cycles */
  double run = (double)gate_cycles(d);
  double s45 = mpb_energy_node_scale(o->node_nm, o->vdd, 45, 0.9);
  double d45 = mpb_energy_node_delay_scale(o->node_nm, o->vdd, 45, 0.9);
  json_t *units = json_object();
  for (int u = 0; u < 3; u++) {
    if (!present[u]) continue;
    double per = u == 2 ? (double)o->n_dot * MPB_ENERGY_DOT_LEN : (double)s.n[u];
    double share = cycles[u] / run;
    double gblk[MPB_NBLK], gt = 0, gd = 0, gc = 0, gl = 0, cells = 0, area = 0;
    bool has[MPB_NBLK];
    for (int k = 0; k < MPB_NBLK; k++) {
      const gate_energy *e = &g[u * MPB_NBLK + k];
      double dyn = e->internal_pj + e->switching_pj;
      double cl = e->clock_pj * share, lk = e->leak_pj * share;
      gblk[k] = (dyn + cl + lk) / per;
      has[k] = e->cells > 0;
      gt += gblk[k], gd += dyn / per, gc += cl / per, gl += lk / per;
      cells += e->cells, area += e->area_um2;
    }
    mpb_energy_breakdown ab, a45;
    action_side(lib_t, mdl, (mpb_unit)u, s.n[u], o->seed, cycles[u], fmax, per, &ab);
    action_side(t45, mdl, (mpb_unit)u, s.n[u], o->seed, cycles[u],
                mpb_model_config(mdl)->clock_mhz, per, &a45);
    double ablk[MPB_NBLK];
    bool ahas[MPB_NBLK];
    for (int k = 0; k < MPB_NBLK; k++) ablk[k] = ab.blk[k].total_pj, ahas[k] = ablk[k] > 0 || has[k];
    json_object_set_new(
        units, unit_names[u],
        json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "per", per_names[u], "ops",
                  num(per), "cycles", num(cycles[u]), "cells", num(cells), "area_um2",
                  num(area), "gate", side_json(gt, gd, gc, gl, gblk, has), "action",
                  side_json(ab.total_pj, ab.dynamic_pj, ab.clock_pj, ab.leak_pj, ablk, ahas),
                  "ratio", num(gt / ab.total_pj), "gate_45nm_pj", num(gt * s45),
                  "model_45nm_pj", num(a45.total_pj)));
  }
  const gate_energy *un = &g[NGROUPS - 1];
  root = json_pack(
      "{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:{s:I,s:I,s:I,s:I},s:o,s:o,s:o}",
      "schema", "mpbsim-gate-1", "config", o->config_name ? o->config_name : "?", "library",
      o->library ? o->library : "?", "source",
      "yosys (synth, abc -liberty -D), OpenSTA report_power pin tables, mpbsim gate-level "
      "simulation of the reference stimulus",
      "node_nm", num(o->node_nm), "vdd", num(o->vdd), "scale_to_45nm", num(s45),
      "critical_path_ns", num(crit), "fmax_mhz", num(fmax), "fmax_45nm_mhz", num(fmax / d45),
      "opensta_report_power_w", num(gate_power_sta_total_w(pw)), "stimulus", "seed",
      (json_int_t)o->seed, "rope", (json_int_t)o->n_rope, "exp", (json_int_t)o->n_exp, "dot",
      (json_int_t)o->n_dot, "unassigned_cells", num(un->cells), "cycles", num(run), "units",
      units);
  snprintf(a, sizeof a, "%s.tmp", out_path);
  if (json_dump_file(root, a, JSON_INDENT(2) | JSON_REAL_PRECISION(8)) ||
      rename(a, out_path)) {
    remove(a);
    set_err(err, n, "%s: cannot write", out_path);
    goto out;
  }
  rc = 0;
out:
  json_decref(root);
  stim_free(&s);
  gate_design_free(d);
  gate_power_free(pw);
  gate_blocks_free(bl);
  mpb_energy_free(lib_t);
  mpb_energy_free(t45);
  return rc;
}
