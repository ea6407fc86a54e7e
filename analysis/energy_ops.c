/* energy_ops.c — the operations compared in the report (cos/sin of a pair, the rotation of
 * a pair, exp, MAC) as actions priced by one function, for the bridge (from the golden
 * model's counts) and the baseline pipelines (from the table's recipes), so that the same
 * operation is counted the same way on both sides: the same cost classes (arithmetic,
 * table reads, register data, register clock, leakage), the same rotation step, the same
 * dot unit for INT8 MACs. Rules: docs/energy.md §4. */
#include "energy.h"
#include "energy_table.h"

#include <math.h>
#include <string.h>

double mpb_energy_cost_dynamic(const mpb_energy_cost *c) {
  return c->arith_pj + c->rom_pj + c->reg_pj;
}

void mpb_energy_price_actions(const mpb_energy_table *t, const mpb_energy_actions *a,
                              double clock_mhz, mpb_energy_cost *out) {
  memset(out, 0, sizeof *out);
  out->arith_pj = t->scale * (a->bitprod * t->ops[ETAB_INT8_MUL] / 64.0 +
                              a->add_bits * t->ops[ETAB_INT32_ADD] / 32.0) +
                  a->fmul * a->fmul_pj + a->fadd * a->fadd_pj;
  /* a table larger than the on-chip buffer lives in DRAM */
  if (a->rom_bits > 0)
    out->rom_pj = a->rom_bytes > t->mem_bytes[MPB_MEM_BUFFER]
                      ? mpb_energy_dram_pj(t, a->rom_bits / 8)
                      : etab_rom_pj(t, a->rom_bytes, a->rom_bits);
  out->reg_pj = t->scale * t->reg_data * a->reg_bits;
  double opc = a->ops_per_cycle > 0 ? a->ops_per_cycle : 1;
  double clock = mpb_energy_clock_pj(t, a->hw.reg_bits);
  double leak = mpb_energy_leak_nw(t, &a->hw) * 1e-3 / clock_mhz; /* nW -> pJ per cycle */
  out->clock_pj = clock / opc;
  out->leak_pj = leak / opc;
  out->total_pj = out->arith_pj + out->rom_pj + out->reg_pj + out->clock_pj + out->leak_pj;
  out->ops_per_cycle = opc;
  out->static_pj_per_cycle = clock + leak;
}

/* ---- the bridge -------------------------------------------------------------------- */

static void actions_of_counts(const mpb_counts *c, double per, double rom_bytes,
                              mpb_energy_actions *a) {
  memset(a, 0, sizeof *a);
  for (int b = 0; b < MPB_NBLK; b++) {
    a->bitprod += (double)c->blk[b].mul_bitprod / per;
    a->add_bits += (double)c->blk[b].add_bits / per;
    a->rom_bits += (double)c->blk[b].rom_bits / per;
    a->reg_bits += (double)c->blk[b].reg_bits / per;
  }
  a->rom_bytes = rom_bytes;
  a->ops_per_cycle = 1;
}

static void hw_sum(const mpb_energy_unit_hw *u, mpb_energy_hw *hw) {
  memset(hw, 0, sizeof *hw);
  for (int b = 0; b < MPB_NBLK; b++) {
    hw->reg_bits += u->blk[b].reg_bits;
    hw->bitprod += u->blk[b].bitprod;
    hw->add_bits += u->blk[b].add_bits;
    hw->rom_bits += u->blk[b].rom_bits;
  }
}

/* The counts of the rope pipeline's last stage (ROTATE) for one operation: step one
 * request through an empty cycle-accurate pipeline; stage k runs on the edge that loads
 * register Rk, so the last edge's increment is the ROTATE stage alone. */
static void rotate_stage_counts(const mpb_model *mdl, mpb_counts *out) {
  mpb_counts_clear(out);
  mpb_pipe *p = mpb_pipe_new(mdl, MPB_UNIT_ROPE);
  if (!p) return;
  int L = mpb_pipe_latency(p);
  mpb_rope_pins_in in = {true, {1, 0, 1, 1}, true};
  mpb_rope_pins_out o;
  mpb_counts before;
  for (int k = 0; k < L; k++) {
    before = *mpb_pipe_counts(p);
    mpb_rope_pipe_step(p, &in, &o);
    in.in_valid = false;
  }
  const mpb_counts *after = mpb_pipe_counts(p);
  for (int b = 0; b < MPB_NBLK; b++) {
    out->blk[b].mul_ops = after->blk[b].mul_ops - before.blk[b].mul_ops;
    out->blk[b].mul_bitprod = after->blk[b].mul_bitprod - before.blk[b].mul_bitprod;
    out->blk[b].add_ops = after->blk[b].add_ops - before.blk[b].add_ops;
    out->blk[b].add_bits = after->blk[b].add_bits - before.blk[b].add_bits;
    out->blk[b].rom_bits = after->blk[b].rom_bits - before.blk[b].rom_bits;
    out->blk[b].reg_bits = after->blk[b].reg_bits - before.blk[b].reg_bits;
  }
  out->ops = 1;
  mpb_pipe_free(p);
}

void mpb_energy_bridge_ops(const mpb_model *mdl, mpb_energy_bridge *br) {
  const mpb_config *cfg = mpb_model_config(mdl);
  double rom_bytes = mpb_energy_loglut_bytes(cfg);
  memset(br, 0, sizeof *br);
  mpb_counts c;
  mpb_energy_unit_hw hw;
  /* rotation: the whole rope unit */
  mpb_energy_reference(mdl, MPB_UNIT_ROPE, 64, 1, &c);
  actions_of_counts(&c, (double)c.ops, rom_bytes, &br->op[MPB_EOP_ROTATION]);
  mpb_energy_unit_hw_of(mdl, MPB_UNIT_ROPE, &hw);
  hw_sum(&hw, &br->op[MPB_EOP_ROTATION].hw);
  /* rotate: its last stage (the same hardware: each action once) */
  mpb_counts r;
  rotate_stage_counts(mdl, &r);
  actions_of_counts(&r, 1, rom_bytes, &br->op[MPB_EOP_ROTATE]);
  mpb_energy_actions *ro = &br->op[MPB_EOP_ROTATE];
  ro->hw.reg_bits = ro->reg_bits, ro->hw.bitprod = ro->bitprod, ro->hw.add_bits = ro->add_bits;
  /* cossin: the rope unit without that stage */
  mpb_energy_actions *cs = &br->op[MPB_EOP_COSSIN], *rot = &br->op[MPB_EOP_ROTATION];
  *cs = *rot;
  cs->bitprod -= ro->bitprod, cs->add_bits -= ro->add_bits, cs->reg_bits -= ro->reg_bits;
  cs->rom_bits -= ro->rom_bits;
  cs->hw.reg_bits -= ro->hw.reg_bits, cs->hw.bitprod -= ro->hw.bitprod;
  cs->hw.add_bits -= ro->hw.add_bits;
  /* exp */
  mpb_energy_reference(mdl, MPB_UNIT_EXP, 64, 1, &c);
  actions_of_counts(&c, (double)c.ops, rom_bytes, &br->op[MPB_EOP_EXP]);
  mpb_energy_unit_hw_of(mdl, MPB_UNIT_EXP, &hw);
  hw_sum(&hw, &br->op[MPB_EOP_EXP].hw);
  /* mac: the dot unit per product */
  mpb_energy_reference(mdl, MPB_UNIT_DOT, 4, 1, &c);
  double products = (double)c.blk[MPB_BLK_MAC8].mul_ops;
  actions_of_counts(&c, products, rom_bytes, &br->op[MPB_EOP_MAC]);
  mpb_energy_unit_hw_of(mdl, MPB_UNIT_DOT, &hw);
  hw_sum(&hw, &br->op[MPB_EOP_MAC].hw);
  br->op[MPB_EOP_MAC].ops_per_cycle = hw.ops_per_cycle;
}

void mpb_energy_bridge_cost(const mpb_energy_table *t, const mpb_energy_bridge *b,
                            mpb_energy_op o, double clock_mhz, mpb_energy_cost *out) {
  mpb_energy_price_actions(t, &b->op[o], clock_mhz, out);
}

/* ---- baselines --------------------------------------------------------------------- */

static void add_actions(mpb_energy_actions *d, const mpb_energy_actions *s) {
  d->bitprod += s->bitprod, d->add_bits += s->add_bits;
  d->rom_bits += s->rom_bits, d->reg_bits += s->reg_bits;
  d->hw.reg_bits += s->hw.reg_bits, d->hw.bitprod += s->hw.bitprod;
  d->hw.add_bits += s->hw.add_bits, d->hw.rom_bits += s->hw.rom_bits;
}

int mpb_energy_baseline_actions(const mpb_energy_table *t, mpb_energy_pipe p,
                                mpb_energy_op o, const mpb_energy_bridge *bridge,
                                mpb_energy_actions *out) {
  memset(out, 0, sizeof *out);
  if (!t || (unsigned)p >= MPB_NEPIPE || (unsigned)o >= MPB_NEOP) return -1;
  if (o == MPB_EOP_ROTATE) { /* the same int8 x 16-bit rotation on every side */
    if (!bridge) return -1;
    *out = bridge->op[MPB_EOP_ROTATE];
    return 0;
  }
  if (o == MPB_EOP_ROTATION) {
    mpb_energy_actions r;
    if (mpb_energy_baseline_actions(t, p, MPB_EOP_COSSIN, bridge, out) ||
        mpb_energy_baseline_actions(t, p, MPB_EOP_ROTATE, bridge, &r))
      return -1;
    add_actions(out, &r);
    return 0;
  }
  int k = 0;
  while (k < ETAB_NRECIPE && mpb_energy_recipe_op(k) != o) k++;
  const etab_pipe *pp = &t->pipe[p];
  const etab_recipe *rc = &pp->rec[k];
  if (rc->is_dot) {
    if (!bridge) return -1;
    *out = bridge->op[MPB_EOP_MAC];
    return 0;
  }
  out->fmul = rc->mul, out->fadd = rc->add;
  out->fmul_pj = t->scale * pp->mul_raw, out->fadd_pj = t->scale * pp->add_raw;
  out->rom_bits = rc->rom_bits, out->rom_bytes = rc->rom_bytes;
  /* every arithmetic result and every table word read is registered once */
  out->reg_bits = (rc->mul + rc->add) * pp->width + rc->rom_bits;
  out->ops_per_cycle = 1;
  out->hw.reg_bits = out->reg_bits;
  out->hw.bitprod = rc->mul * pp->significand * pp->significand;
  out->hw.add_bits = rc->add * pp->width;
  if (rc->rom_bytes <= t->mem_bytes[MPB_MEM_BUFFER]) out->hw.rom_bits = rc->rom_bytes * 8;
  if (o == MPB_EOP_MAC && bridge) { /* a dot unit of the bridge's width: its lanes */
    double L = bridge->op[MPB_EOP_MAC].ops_per_cycle;
    out->ops_per_cycle = L;
    out->hw.reg_bits *= L, out->hw.bitprod *= L, out->hw.add_bits *= L;
  }
  return 0;
}

int mpb_energy_baseline_cost(const mpb_energy_table *t, mpb_energy_pipe p, mpb_energy_op o,
                             const mpb_energy_bridge *bridge, double clock_mhz,
                             mpb_energy_cost *out) {
  mpb_energy_actions a;
  int rc = mpb_energy_baseline_actions(t, p, o, bridge, &a);
  mpb_energy_price_actions(t, &a, clock_mhz, out);
  return rc;
}
