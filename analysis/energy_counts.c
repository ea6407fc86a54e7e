/* energy_counts.c — prices the golden model's action counts per block (mpb_counts): the
 * dynamic classes from the counts, with the activity figure against a random-data
 * reference; the per-cycle classes (register clock, leakage) from the unit's hardware;
 * the reference stimulus itself and the area proxy. Rules: docs/energy.md §2-§3. */
#include "energy.h"
#include "energy_table.h"

#include <math.h>
#include <string.h>

/* Table bits stored by the ROMs a unit instantiates (docs/architecture.md §4: the rope
 * unit's cos/sin tables, Horner constants and FREQ, or in LOG-ADD the log tables and its
 * own exp chain; the exp unit's EXP table and constants). */
static double unit_rom_bits(const mpb_model *mdl, mpb_unit unit) {
  static const char *const rope_exact[] = {"cs_cos", "cs_sin", "k_cs", "freq", NULL};
  static const char *const rope_log[] = {"cs_cos", "cs_sin", "k_cs", "log_freq", "log_mant",
                                         "exp", "k_exp", NULL};
  static const char *const exp_unit[] = {"exp", "k_exp", NULL};
  const char *const *names = unit == MPB_UNIT_EXP ? exp_unit
                             : unit == MPB_UNIT_DOT ? NULL
                             : mpb_model_config(mdl)->phi_mode == MPB_PHI_EXACT ? rope_exact
                                                                               : rope_log;
  double bits = 0;
  for (size_t i = 0; names && names[i]; i++) {
    int w = 0;
    size_t ent = mpb_table_size(mdl, names[i], &w);
    bits += (double)ent * w;
  }
  return bits;
}

/* Bytes of the LOGLUT tables the configured rope/exp units read (one ROM bank). */
static double loglut_bytes(const mpb_config *c) {
  double bits = 0;
  int W = c->horner_width;
  bits += (double)(1 << c->cs_table_bits) * 2 * W; /* cs_cos, cs_sin */
  bits += (double)(1 << c->exp_table_bits) * W;    /* exp            */
  if (c->phi_mode == MPB_PHI_EXACT) {
    bits += (double)(1 << c->pair_bits) * c->freq_frac_bits;
  } else {
    bits += (double)(1 << c->pair_bits) * c->log_word_bits;
    bits += (double)(1 << c->log_mant_bits) * c->log_word_bits;
  }
  return bits / 8;
}

double mpb_energy_loglut_bytes(const mpb_config *c) { return loglut_bytes(c); }

/* ---- dynamic classes --------------------------------------------------------------- */

static void finish_totals(mpb_energy_breakdown *out) {
  double ops = out->ops;
  out->total_pj = out->total_act_pj = out->dynamic_pj = out->clock_pj = out->leak_pj = 0;
  for (int b = 0; b < MPB_NBLK; b++) {
    mpb_energy_block *e = &out->blk[b];
    double dyn = e->mul_pj + e->add_pj + e->rom_pj + e->reg_pj;
    e->total_pj = dyn + e->clock_pj + e->leak_pj;
    e->total_act_pj = (e->mul_pj + e->add_pj + e->reg_pj) * e->activity + e->rom_pj +
                      e->clock_pj + e->leak_pj;
    out->dynamic_pj += dyn;
    out->clock_pj += e->clock_pj;
    out->leak_pj += e->leak_pj;
    out->total_pj += e->total_pj;
    out->total_act_pj += e->total_act_pj;
  }
  out->per_op_pj = ops > 0 ? out->total_pj / ops : 0;
  out->per_op_act_pj = ops > 0 ? out->total_act_pj / ops : 0;
  out->power_w = out->seconds > 0 ? out->total_pj * 1e-12 / out->seconds : 0;
}

int mpb_energy_price_activity(const mpb_energy_table *t, const mpb_config *cfg,
                              const mpb_counts *c, const mpb_counts *ref,
                              mpb_energy_breakdown *out) {
  if (!t || !cfg || !c || !out) return -1;
  memset(out, 0, sizeof *out);
  double rom_bit = etab_rom_pj(t, loglut_bytes(cfg), 1);
  for (int b = 0; b < MPB_NBLK; b++) {
    const mpb_block_counts *k = &c->blk[b];
    mpb_energy_block *e = &out->blk[b];
    e->mul_pj = t->scale * t->ops[ETAB_INT8_MUL] / 64.0 * (double)k->mul_bitprod;
    e->add_pj = t->scale * t->ops[ETAB_INT32_ADD] / 32.0 * (double)k->add_bits;
    e->rom_pj = rom_bit * (double)k->rom_bits;
    e->reg_pj = t->scale * t->reg_data * (double)k->reg_bits;
    e->activity = 1.0;
    if (ref && c->ops && ref->ops && ref->blk[b].toggles) {
      double rate = (double)k->toggles / (double)c->ops;
      double rref = (double)ref->blk[b].toggles / (double)ref->ops;
      e->activity = rate / rref;
    }
  }
  out->has_activity = ref != NULL;
  out->cycles = c->cycles ? (double)c->cycles : (double)c->ops;
  out->seconds = out->cycles / (cfg->clock_mhz * 1e6);
  out->ops = (double)c->ops;
  finish_totals(out);
  return 0;
}

int mpb_energy_price(const mpb_energy_table *t, const mpb_config *cfg, const mpb_counts *c,
                     mpb_energy_breakdown *out) {
  return mpb_energy_price_activity(t, cfg, c, NULL, out);
}

/* ---- per-cycle classes ------------------------------------------------------------- */

void mpb_energy_unit_hw_of(const mpb_model *mdl, mpb_unit unit, mpb_energy_unit_hw *hw) {
  const mpb_config *cfg = mpb_model_config(mdl);
  memset(hw, 0, sizeof *hw);
  mpb_counts c;
  mpb_counts_clear(&c);
  hw->ops_per_cycle = 1;
  if (unit == MPB_UNIT_ROPE) {
    mpb_rope_req rq = {1, 0, 1, 1};
    mpb_rope_resp rs;
    mpb_rope_eval(mdl, &rq, &rs, &c);
  } else if (unit == MPB_UNIT_EXP) {
    mpb_exp_req rq = {1};
    mpb_exp_resp rs;
    mpb_exp_eval(mdl, &rq, &rs, &c);
  } else {
    int8_t a[64] = {0}, b[64] = {0};
    int L = cfg->mac_lanes <= 64 ? cfg->mac_lanes : 64;
    mpb_dot_resp rs;
    mpb_dot_eval(mdl, a, b, (size_t)L, &rs, &c); /* one beat: every register once */
    hw->ops_per_cycle = L;
  }
  for (int b = 0; b < MPB_NBLK; b++) {
    hw->blk[b].reg_bits = (double)c.blk[b].reg_bits;
    hw->blk[b].bitprod = (double)c.blk[b].mul_bitprod;
    hw->blk[b].add_bits = (double)c.blk[b].add_bits;
  }
  hw->blk[MPB_BLK_LOGLUT].rom_bits = unit_rom_bits(mdl, unit);
}

double mpb_energy_unit_cycles(const mpb_config *cfg, mpb_unit unit, const mpb_counts *c) {
  if (c->cycles) return (double)c->cycles;
  if (unit == MPB_UNIT_DOT)
    return (double)c->blk[MPB_BLK_MAC8].mul_ops / (cfg->mac_lanes > 0 ? cfg->mac_lanes : 1);
  return (double)c->ops;
}

void mpb_energy_add_static(const mpb_energy_table *t, const mpb_config *cfg,
                           const mpb_energy_unit_hw *hw, double cycles,
                           mpb_energy_breakdown *b) {
  /* leakage nW x seconds per cycle -> pJ: nW * 1e-9 * 1e12 / (MHz * 1e6) */
  double leak_pj_per_nw = 1e-3 / cfg->clock_mhz * cycles;
  for (int k = 0; k < MPB_NBLK; k++) {
    b->blk[k].clock_pj = mpb_energy_clock_pj(t, hw->blk[k].reg_bits) * cycles;
    b->blk[k].leak_pj = mpb_energy_leak_nw(t, &hw->blk[k]) * leak_pj_per_nw;
  }
  b->cycles = cycles;
  b->seconds = cycles / (cfg->clock_mhz * 1e6);
  finish_totals(b);
}

/* ---- the reference stimulus -------------------------------------------------------- */

/* splitmix64: the reference stimulus generator. */
static uint64_t mix64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* The i-th random rope request of the reference stimulus (state s advanced). */
static void ref_rope_req(const mpb_config *cfg, const mpb_geometry *g, uint64_t *s,
                         mpb_rope_req *rq) {
  rq->m = (uint32_t)(mix64(s) & ((1ULL << cfg->pos_bits) - 1));
  rq->j = (uint32_t)(mix64(s) % (uint64_t)(g->head_dim / 2));
  int64_t xr = (int64_t)(mix64(s) & ((1ULL << cfg->x_bits) - 1));
  int64_t yr = (int64_t)(mix64(s) & ((1ULL << cfg->x_bits) - 1));
  rq->x = (int32_t)(xr - (1LL << (cfg->x_bits - 1)));
  rq->y = (int32_t)(yr - (1LL << (cfg->x_bits - 1)));
}

void mpb_energy_reference_rope_reqs(const mpb_model *mdl, size_t n, uint64_t seed,
                                    mpb_rope_req *out) {
  uint64_t s = seed;
  for (size_t i = 0; i < n; i++)
    ref_rope_req(mpb_model_config(mdl), mpb_model_geometry(mdl), &s, &out[i]);
}

/* The i-th exp input and the i-th pair of 256-long dot vectors of the stimulus. */
static int32_t ref_exp_u(uint64_t *s) {
  return (int32_t)(mix64(s) & 0xFFFFFF) - (1 << 23); /* any signed Q8.16 */
}
static void ref_dot_vecs(uint64_t *s, int8_t *a, int8_t *b) {
  for (int k = 0; k < MPB_ENERGY_DOT_LEN; k++) {
    a[k] = (int8_t)(mix64(s) & 0xFF);
    b[k] = (int8_t)(mix64(s) & 0xFF);
  }
}

void mpb_energy_reference_exp_reqs(size_t n, uint64_t seed, mpb_exp_req *out) {
  uint64_t s = seed;
  for (size_t i = 0; i < n; i++) out[i].u = ref_exp_u(&s);
}

void mpb_energy_reference_dot_vecs(size_t n, uint64_t seed, int8_t *a, int8_t *b) {
  uint64_t s = seed;
  for (size_t i = 0; i < n; i++)
    ref_dot_vecs(&s, a + i * MPB_ENERGY_DOT_LEN, b + i * MPB_ENERGY_DOT_LEN);
}

void mpb_energy_reference(const mpb_model *mdl, mpb_unit unit, size_t n, uint64_t seed,
                          mpb_counts *ref) {
  const mpb_config *cfg = mpb_model_config(mdl);
  const mpb_geometry *g = mpb_model_geometry(mdl);
  uint64_t s = seed;
  mpb_counts_clear(ref);
  for (size_t i = 0; i < n; i++) {
    if (unit == MPB_UNIT_ROPE) {
      mpb_rope_req rq;
      mpb_rope_resp rs;
      ref_rope_req(cfg, g, &s, &rq);
      mpb_rope_eval(mdl, &rq, &rs, ref);
    } else if (unit == MPB_UNIT_EXP) {
      mpb_exp_req rq = {ref_exp_u(&s)};
      mpb_exp_resp rs;
      mpb_exp_eval(mdl, &rq, &rs, ref);
    } else {
      int8_t a[MPB_ENERGY_DOT_LEN], b[MPB_ENERGY_DOT_LEN];
      ref_dot_vecs(&s, a, b);
      mpb_dot_resp rs;
      mpb_dot_eval(mdl, a, b, MPB_ENERGY_DOT_LEN, &rs, ref);
    }
  }
}

/* ---- area proxy -------------------------------------------------------------------- */

double mpb_area_proxy(const mpb_config *cfg, const mpb_geometry *g) {
  char err[256];
  mpb_model *mdl = mpb_model_new(cfg, g, err, sizeof err);
  if (!mdl) return -1.0;
  static const char *const tables[] = {"freq", "log_freq", "log_mant", "exp",
                                       "cs_cos", "cs_sin", "k_cs", "k_exp"};
  double area = 0;
  for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
    int w = 0;
    size_t n = mpb_table_size(mdl, tables[i], &w);
    area += (double)n * w;
  }
  /* one rope operation counts each multiplier site and each register once */
  mpb_counts c;
  mpb_counts_clear(&c);
  mpb_rope_req rq = {1, 0, 1, 1};
  mpb_rope_resp rs;
  mpb_rope_eval(mdl, &rq, &rs, &c);
  for (int b = 0; b < MPB_NBLK; b++) area += (double)c.blk[b].mul_bitprod + c.blk[b].reg_bits;
  mpb_model_free(mdl);
  return area;
}
