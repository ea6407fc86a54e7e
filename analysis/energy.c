/* energy.c — loads the per-action energy table (libconfig) and prices mpb_counts, the
 * baseline recipes and the area proxy with it. Rules and figures: docs/energy.md. */
#include "energy.h"
#include "cfg_read.h"
#include "errbuf.h"

#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shipped configs/energy-45nm.cfg, embedded by energy_default.c. */
extern const char mpb_energy_default_cfg[];

typedef struct recipe {
  double mul, add, rom_bits, rom_bytes;
} recipe;

struct mpb_energy_table {
  char source[160];
  double tech_scale;
  double int8_add, int16_add, int32_add, int8_mul, int32_mul;
  double fp16_add, fp16_mul, fp32_add, fp32_mul, bf16_add, bf16_mul;
  double sram8k, sram32k, sram1m, dram;
  double reg_bit;
  double pipe_mul[MPB_NEPIPE], pipe_add[MPB_NEPIPE];
  recipe rec[MPB_NEPIPE][MPB_NEOP];
};

static const char *const pipe_names[MPB_NEPIPE] = {"fp32", "bf16", "fp16", "int8"};
static const char *const op_names[MPB_NEOP] = {"rotation", "exp", "mac"};

const char *mpb_energy_pipe_name(mpb_energy_pipe p) {
  return (unsigned)p < MPB_NEPIPE ? pipe_names[p] : "?";
}
const char *mpb_energy_op_name(mpb_energy_op o) {
  return (unsigned)o < MPB_NEOP ? op_names[o] : "?";
}
const char *mpb_energy_default_text(void) { return mpb_energy_default_cfg; }
const char *mpb_energy_source(const mpb_energy_table *t) { return t ? t->source : ""; }


/* Read a number at 'path' under setting s, required in [lo, hi]. */
static int read_num(const config_setting_t *root, const char *file, const char *path,
                    double lo, double hi, double *out, char *err, size_t n) {
  const config_setting_t *s = config_setting_lookup((config_setting_t *)root, path);
  if (!s) {
    set_err(err, n, "%s: field %s is missing (expected a number in [%g, %g])", file, path,
            lo, hi);
    return -1;
  }
  int ty = config_setting_type(s);
  double v;
  if (ty == CONFIG_TYPE_FLOAT) v = config_setting_get_float(s);
  else if (ty == CONFIG_TYPE_INT) v = config_setting_get_int(s);
  else if (ty == CONFIG_TYPE_INT64) v = (double)config_setting_get_int64(s);
  else {
    set_err(err, n, "%s:%d: field %s is not a number (expected a number in [%g, %g])", file,
            config_setting_source_line(s), path, lo, hi);
    return -1;
  }
  if (!(v >= lo && v <= hi)) {
    set_err(err, n, "%s:%d: field %s = %g is out of range [%g, %g]", file,
            config_setting_source_line(s), path, v, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

static int read_str(const config_setting_t *root, const char *file, const char *path,
                    const char **out, char *err, size_t n) {
  const config_setting_t *s = config_setting_lookup((config_setting_t *)root, path);
  if (!s || config_setting_type(s) != CONFIG_TYPE_STRING) {
    set_err(err, n, "%s%s%d: field %s is missing or not a string", file, s ? ":" : "",
            s ? config_setting_source_line(s) : 0, path);
    return -1;
  }
  *out = config_setting_get_string(s);
  return 0;
}

/* Resolve an operation name of energy.ops to its field. */
static double *op_field(mpb_energy_table *t, const char *name) {
  static const char *const names[] = {"int8_add", "int16_add", "int32_add", "int8_mul",
                                      "int32_mul", "fp16_add", "fp16_mul", "fp32_add",
                                      "fp32_mul", "bf16_add", "bf16_mul"};
  double *fields[] = {&t->int8_add, &t->int16_add, &t->int32_add, &t->int8_mul,
                      &t->int32_mul, &t->fp16_add, &t->fp16_mul, &t->fp32_add,
                      &t->fp32_mul, &t->bf16_add, &t->bf16_mul};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(name, names[i])) return fields[i];
  return NULL;
}

static int parse_table(config_t *cf, const char *file, mpb_energy_table *t, char *err,
                       size_t n) {
  const config_setting_t *root = config_root_setting(cf);
  const char *src;
  if (read_str(root, file, "energy.source", &src, err, n)) return -1;
  snprintf(t->source, sizeof t->source, "%s", src);
  if (read_num(root, file, "energy.tech_scale", 1e-6, 1e6, &t->tech_scale, err, n))
    return -1;
  static const char *const ops[] = {"int8_add", "int16_add", "int32_add", "int8_mul",
                                    "int32_mul", "fp16_add", "fp16_mul", "fp32_add",
                                    "fp32_mul", "bf16_add", "bf16_mul"};
  char path[128];
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    snprintf(path, sizeof path, "energy.ops.%s", ops[i]);
    if (read_num(root, file, path, 1e-6, 1e6, op_field(t, ops[i]), err, n)) return -1;
  }
  if (read_num(root, file, "energy.sram_read_64b.kb8", 1e-6, 1e6, &t->sram8k, err, n) ||
      read_num(root, file, "energy.sram_read_64b.kb32", 1e-6, 1e6, &t->sram32k, err, n) ||
      read_num(root, file, "energy.sram_read_64b.mb1", 1e-6, 1e6, &t->sram1m, err, n) ||
      read_num(root, file, "energy.dram_read_64b", 1e-6, 1e9, &t->dram, err, n) ||
      read_num(root, file, "energy.reg_bit", 1e-9, 1e3, &t->reg_bit, err, n))
    return -1;
  if (!(t->sram8k < t->sram32k && t->sram32k < t->sram1m)) {
    set_err(err, n, "%s: energy.sram_read_64b must increase with size (kb8 < kb32 < mb1)",
            file);
    return -1;
  }
  for (int p = 0; p < MPB_NEPIPE; p++) {
    const char *mo, *ao;
    snprintf(path, sizeof path, "baselines.%s.mul_op", pipe_names[p]);
    if (read_str(root, file, path, &mo, err, n)) return -1;
    snprintf(path, sizeof path, "baselines.%s.add_op", pipe_names[p]);
    if (read_str(root, file, path, &ao, err, n)) return -1;
    double *fm = op_field(t, mo), *fa = op_field(t, ao);
    if (!fm || !fa) {
      set_err(err, n, "%s: baselines.%s: unknown operation '%s' (expected a name of energy.ops)",
              file, pipe_names[p], fm ? ao : mo);
      return -1;
    }
    t->pipe_mul[p] = *fm;
    t->pipe_add[p] = *fa;
    for (int o = 0; o < MPB_NEOP; o++) {
      recipe *r = &t->rec[p][o];
      const char *fld[4] = {"mul", "add", "rom_bits", "rom_bytes"};
      double *dst[4] = {&r->mul, &r->add, &r->rom_bits, &r->rom_bytes};
      double hi[4] = {1e4, 1e4, 4096, 1e12};
      for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "baselines.%s.%s.%s", pipe_names[p], op_names[o], fld[k]);
        if (read_num(root, file, path, 0, hi[k], dst[k], err, n)) return -1;
      }
    }
  }
  return 0;
}

mpb_energy_table *mpb_energy_load(const char *path, char *err, size_t n) {
  config_t cf;
  config_init(&cf);
  const char *file = path ? path : "<built-in configs/energy-45nm.cfg>";
  mpb_status st = path ? mpb_cfg_read_file(&cf, path, err, n)
                        : mpb_cfg_read_text(&cf, mpb_energy_default_cfg,
                                            strlen(mpb_energy_default_cfg), file, err, n);
  if (st != MPB_OK) {
    config_destroy(&cf);
    return NULL;
  }
  mpb_energy_table *t = calloc(1, sizeof *t);
  if (!t) {
    set_err(err, n, "out of memory");
    config_destroy(&cf);
    return NULL;
  }
  if (parse_table(&cf, file, t, err, n)) {
    free(t);
    t = NULL;
  }
  config_destroy(&cf);
  return t;
}

void mpb_energy_free(mpb_energy_table *t) { free(t); }

/* ---- unit prices ------------------------------------------------------------------- */

double mpb_energy_add_pj(const mpb_energy_table *t, int bits) {
  return t->tech_scale * t->int32_add * bits / 32.0;
}

double mpb_energy_mul_pj(const mpb_energy_table *t, int wa, int wb) {
  return t->tech_scale * t->int8_mul * (double)wa * wb / 64.0;
}

/* Energy of one 64-bit read from an SRAM of size bytes: power law between the points
 * (log-log interpolation), the 8K-32K exponent below 8 KB, the 32K-1M one above 1 MB. */
static double sram64(const mpb_energy_table *t, double bytes) {
  const double s8 = 8192, s32 = 32768, s1m = 1048576;
  double a_lo = log(t->sram32k / t->sram8k) / log(s32 / s8);
  double a_hi = log(t->sram1m / t->sram32k) / log(s1m / s32);
  if (bytes <= 0) return 0;
  if (bytes < s32) return t->sram8k * pow(bytes / s8, a_lo);
  return t->sram32k * pow(bytes / s32, a_hi);
}

double mpb_energy_rom_pj(const mpb_energy_table *t, double size_bytes, int bits) {
  return t->tech_scale * sram64(t, size_bytes) * bits / 64.0;
}

double mpb_energy_dram_pj(const mpb_energy_table *t, double bytes) {
  return t->tech_scale * t->dram * bytes / 8.0;
}

double mpb_energy_reg_pj(const mpb_energy_table *t, int bits) {
  return t->tech_scale * t->reg_bit * bits;
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

/* ---- pricing ----------------------------------------------------------------------- */

int mpb_energy_price_activity(const mpb_energy_table *t, const mpb_config *cfg,
                              const mpb_counts *c, const mpb_counts *ref,
                              mpb_energy_breakdown *out) {
  if (!t || !cfg || !c || !out) return -1;
  memset(out, 0, sizeof *out);
  double rom_bytes = loglut_bytes(cfg);
  double rom_bit = mpb_energy_rom_pj(t, rom_bytes, 1);
  for (int b = 0; b < MPB_NBLK; b++) {
    const mpb_block_counts *k = &c->blk[b];
    mpb_energy_block *e = &out->blk[b];
    e->mul_pj = t->tech_scale * t->int8_mul / 64.0 * (double)k->mul_bitprod;
    e->add_pj = t->tech_scale * t->int32_add / 32.0 * (double)k->add_bits;
    e->rom_pj = rom_bit * (double)k->rom_bits;
    e->reg_pj = t->tech_scale * t->reg_bit * (double)k->reg_bits;
    e->total_pj = e->mul_pj + e->add_pj + e->rom_pj + e->reg_pj;
    e->activity = 1.0;
    if (ref && c->ops && ref->ops && ref->blk[b].toggles) {
      double rate = (double)k->toggles / (double)c->ops;
      double rref = (double)ref->blk[b].toggles / (double)ref->ops;
      e->activity = rate / rref;
    }
    e->total_act_pj = (e->mul_pj + e->add_pj + e->reg_pj) * e->activity + e->rom_pj;
    out->total_pj += e->total_pj;
    out->total_act_pj += e->total_act_pj;
  }
  out->has_activity = ref != NULL;
  if (c->ops) {
    out->per_op_pj = out->total_pj / (double)c->ops;
    out->per_op_act_pj = out->total_act_pj / (double)c->ops;
  }
  out->cycles = c->cycles ? (double)c->cycles : (double)c->ops;
  out->seconds = out->cycles / (cfg->clock_mhz * 1e6);
  out->power_w = out->seconds > 0 ? out->total_pj * 1e-12 / out->seconds : 0;
  return 0;
}

int mpb_energy_price(const mpb_energy_table *t, const mpb_config *cfg, const mpb_counts *c,
                     mpb_energy_breakdown *out) {
  return mpb_energy_price_activity(t, cfg, c, NULL, out);
}

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

/* ---- baselines --------------------------------------------------------------------- */

double mpb_energy_baseline_pj(const mpb_energy_table *t, mpb_energy_pipe p, mpb_energy_op o) {
  if (!t || (unsigned)p >= MPB_NEPIPE || (unsigned)o >= MPB_NEOP) return 0;
  const recipe *r = &t->rec[p][o];
  double e = t->tech_scale * (r->mul * t->pipe_mul[p] + r->add * t->pipe_add[p]);
  if (r->rom_bits > 0) e += mpb_energy_rom_pj(t, r->rom_bytes, (int)r->rom_bits);
  return e;
}
