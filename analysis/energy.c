/* energy.c — loads the per-action energy table (libconfig) and derives its unit prices:
 * width laws, the SRAM size law, memory levels, registers, clock and leakage, the node
 * factor. Pricing of counted actions: energy_counts.c; operations of the bridge and the
 * baselines: energy_ops.c. Rules and figures: docs/energy.md. */
#include "energy.h"
#include "cfg_read.h"
#include "energy_table.h"
#include "errbuf.h"

#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shipped configs/energy-45nm.cfg, embedded by energy_default.c. */
extern const char mpb_energy_default_cfg[];

static const char *const pipe_names[MPB_NEPIPE] = {"fp32", "bf16", "fp16", "int8"};
static const char *const op_names[MPB_NEOP] = {"rotation", "exp", "mac", "cossin", "rotate"};
/* the recipe operations of the table, in energy_table.h order */
static const mpb_energy_op recipe_ops[ETAB_NRECIPE] = {MPB_EOP_COSSIN, MPB_EOP_EXP,
                                                       MPB_EOP_MAC};
static const char *const op_entries[ETAB_NOPS] = {
    "int8_add", "int16_add", "int32_add", "int8_mul", "int32_mul",
    "fp16_add", "fp16_mul",  "fp32_add",  "fp32_mul"};
static const char *const level_names[MPB_NMEM] = {"rf", "buffer", "dram"};

const char *mpb_energy_pipe_name(mpb_energy_pipe p) {
  return (unsigned)p < MPB_NEPIPE ? pipe_names[p] : "?";
}
const char *mpb_energy_op_name(mpb_energy_op o) {
  return (unsigned)o < MPB_NEOP ? op_names[o] : "?";
}
const char *mpb_mem_level_name(mpb_mem_level l) {
  return (unsigned)l < MPB_NMEM ? level_names[l] : "?";
}
const char *mpb_energy_default_text(void) { return mpb_energy_default_cfg; }
const char *mpb_energy_source(const mpb_energy_table *t) { return t ? t->source : ""; }
double mpb_energy_logic_scale(const mpb_energy_table *t) { return t->scale; }
double mpb_energy_node_nm(const mpb_energy_table *t) { return t->node; }
double mpb_energy_vdd(const mpb_energy_table *t) { return t->vdd; }
mpb_energy_op mpb_energy_recipe_op(int k) { return recipe_ops[k]; }

/* Read a number at 'path', required in [lo, hi]. */
static int read_num(const config_setting_t *root, const char *file, const char *path,
                    double lo, double hi, double *out, char *err, size_t n) {
  const config_setting_t *s = config_setting_lookup((config_setting_t *)root, path);
  if (!s)
    return fail(err, n, "%s: field %s is missing (expected a number in [%g, %g])", file, path,
                lo, hi);
  int ty = config_setting_type(s);
  double v;
  if (ty == CONFIG_TYPE_FLOAT) v = config_setting_get_float(s);
  else if (ty == CONFIG_TYPE_INT) v = config_setting_get_int(s);
  else if (ty == CONFIG_TYPE_INT64) v = (double)config_setting_get_int64(s);
  else
    return fail(err, n, "%s:%d: field %s is not a number (expected a number in [%g, %g])",
                file, config_setting_source_line(s), path, lo, hi);
  if (!(v >= lo && v <= hi))
    return fail(err, n, "%s:%d: field %s = %g is out of range [%g, %g]", file,
                config_setting_source_line(s), path, v, lo, hi);
  *out = v;
  return 0;
}

static int read_str(const config_setting_t *root, const char *file, const char *path,
                    const char **out, char *err, size_t n) {
  const config_setting_t *s = config_setting_lookup((config_setting_t *)root, path);
  if (!s || config_setting_type(s) != CONFIG_TYPE_STRING)
    return fail(err, n, "%s%s%d: field %s is missing or not a string", file, s ? ":" : "",
                s ? config_setting_source_line(s) : 0, path);
  *out = config_setting_get_string(s);
  return 0;
}

/* The unscaled energy of a named operation: a table entry or a derived bf16 one. The
 * bf16 entries follow the model's width laws through the table's FP16 and FP32 points:
 * multiply linear in significand bit-products (8x8 against 11x11 and 24x24), add linear
 * in significand width (8 against 11 and 24). */
static double raw_op(const mpb_energy_table *t, const char *name) {
  for (int i = 0; i < ETAB_NOPS; i++)
    if (!strcmp(name, op_entries[i])) return t->ops[i];
  double f16m = t->ops[ETAB_FP16_MUL], f32m = t->ops[ETAB_FP32_MUL];
  double f16a = t->ops[ETAB_FP16_ADD], f32a = t->ops[ETAB_FP32_ADD];
  if (!strcmp(name, "bf16_mul")) return f16m + (f32m - f16m) * (64.0 - 121.0) / (576.0 - 121.0);
  if (!strcmp(name, "bf16_add")) return f16a + (f32a - f16a) * (8.0 - 11.0) / (24.0 - 11.0);
  return NAN;
}

static int parse_recipe(const config_setting_t *root, const char *file, int p, int k,
                        etab_recipe *r, char *err, size_t n) {
  char path[128];
  snprintf(path, sizeof path, "baselines.%s.%s", pipe_names[p],
           op_names[recipe_ops[k]]);
  const config_setting_t *s = config_setting_lookup((config_setting_t *)root, path);
  if (s && config_setting_type(s) == CONFIG_TYPE_STRING) {
    if (strcmp(config_setting_get_string(s), "dot") || recipe_ops[k] != MPB_EOP_MAC)
      return fail(err, n, "%s:%d: field %s = \"%s\": the only text value is \"dot\" for a mac "
                          "(the bridge's dot unit)", file, config_setting_source_line(s), path,
                  config_setting_get_string(s));
    r->is_dot = true;
    return 0;
  }
  const char *fld[4] = {"mul", "add", "rom_bits", "rom_bytes"};
  double *dst[4] = {&r->mul, &r->add, &r->rom_bits, &r->rom_bytes};
  double hi[4] = {1e4, 1e4, 4096, 1e12};
  for (int f = 0; f < 4; f++) {
    char fp[160];
    snprintf(fp, sizeof fp, "%s.%s", path, fld[f]);
    if (read_num(root, file, fp, 0, hi[f], dst[f], err, n)) return -1;
  }
  return 0;
}

static int parse_table(config_t *cf, const char *file, mpb_energy_table *t, char *err,
                       size_t n) {
  const config_setting_t *root = config_root_setting(cf);
  const char *src;
  if (read_str(root, file, "energy.source", &src, err, n)) return -1;
  snprintf(t->source, sizeof t->source, "%s", src);
  if (read_num(root, file, "energy.source_node_nm", 7, 180, &t->src_node, err, n) ||
      read_num(root, file, "energy.source_vdd", 0.3, 2.0, &t->src_vdd, err, n) ||
      read_num(root, file, "energy.node_nm", 7, 180, &t->node, err, n) ||
      read_num(root, file, "energy.vdd", 0.3, 2.0, &t->vdd, err, n))
    return -1;
  char path[128], why[160];
  double e0, e1;
  if (mpb_energy_node_factor(t->src_node, t->src_vdd, &e0, why, sizeof why) ||
      mpb_energy_node_factor(t->node, t->vdd, &e1, why, sizeof why))
    return fail(err, n, "%s: energy.node_nm / vdd: %s", file, why);
  t->scale = e1 / e0;
  for (int i = 0; i < ETAB_NOPS; i++) {
    snprintf(path, sizeof path, "energy.ops.%s", op_entries[i]);
    if (read_num(root, file, path, 1e-6, 1e6, &t->ops[i], err, n)) return -1;
  }
  if (read_num(root, file, "energy.sram_read_64b.kb8", 1e-6, 1e6, &t->sram8k, err, n) ||
      read_num(root, file, "energy.sram_read_64b.kb32", 1e-6, 1e6, &t->sram32k, err, n) ||
      read_num(root, file, "energy.sram_read_64b.mb1", 1e-6, 1e6, &t->sram1m, err, n) ||
      read_num(root, file, "energy.dram_read_64b", 1e-6, 1e9, &t->dram, err, n) ||
      read_num(root, file, "energy.reg_bit_data", 1e-9, 1e3, &t->reg_data, err, n) ||
      read_num(root, file, "energy.clock_bit", 1e-9, 1e3, &t->clock_bit, err, n) ||
      read_num(root, file, "energy.leakage_nw.reg_bit", 0, 1e6, &t->leak[ETAB_LEAK_REG], err, n) ||
      read_num(root, file, "energy.leakage_nw.add_bit", 0, 1e6, &t->leak[ETAB_LEAK_ADD], err, n) ||
      read_num(root, file, "energy.leakage_nw.bitprod", 0, 1e6, &t->leak[ETAB_LEAK_BP], err, n) ||
      read_num(root, file, "energy.leakage_nw.rom_bit", 0, 1e6, &t->leak[ETAB_LEAK_ROM], err, n) ||
      read_num(root, file, "energy.memory.rf_bytes", 8, 1e12, &t->mem_bytes[MPB_MEM_RF], err, n) ||
      read_num(root, file, "energy.memory.buffer_bytes", 8, 1e12, &t->mem_bytes[MPB_MEM_BUFFER],
               err, n))
    return -1;
  if (!(t->sram8k < t->sram32k && t->sram32k < t->sram1m))
    return fail(err, n, "%s: energy.sram_read_64b must increase with size (kb8 < kb32 < mb1)",
                file);
  if (!(t->mem_bytes[MPB_MEM_RF] < t->mem_bytes[MPB_MEM_BUFFER]))
    return fail(err, n, "%s: energy.memory: rf_bytes must be below buffer_bytes", file);
  for (int p = 0; p < MPB_NEPIPE; p++) {
    etab_pipe *pp = &t->pipe[p];
    const char *mo, *ao;
    snprintf(path, sizeof path, "baselines.%s.mul_op", pipe_names[p]);
    if (read_str(root, file, path, &mo, err, n)) return -1;
    snprintf(path, sizeof path, "baselines.%s.add_op", pipe_names[p]);
    if (read_str(root, file, path, &ao, err, n)) return -1;
    pp->mul_raw = raw_op(t, mo);
    pp->add_raw = raw_op(t, ao);
    if (isnan(pp->mul_raw) || isnan(pp->add_raw))
      return fail(err, n, "%s: baselines.%s: unknown operation '%s' (expected a name of "
                          "energy.ops, bf16_add or bf16_mul)", file, pipe_names[p],
                  isnan(pp->mul_raw) ? mo : ao);
    snprintf(path, sizeof path, "baselines.%s.width", pipe_names[p]);
    if (read_num(root, file, path, 1, 128, &pp->width, err, n)) return -1;
    snprintf(path, sizeof path, "baselines.%s.significand", pipe_names[p]);
    if (read_num(root, file, path, 1, 128, &pp->significand, err, n)) return -1;
    for (int k = 0; k < ETAB_NRECIPE; k++)
      if (parse_recipe(root, file, p, k, &pp->rec[k], err, n)) return -1;
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
  return t->scale * t->ops[ETAB_INT32_ADD] * bits / 32.0;
}

double mpb_energy_mul_pj(const mpb_energy_table *t, int wa, int wb) {
  return t->scale * t->ops[ETAB_INT8_MUL] * (double)wa * wb / 64.0;
}

double mpb_energy_op_pj(const mpb_energy_table *t, const char *name) {
  return t->scale * raw_op(t, name);
}

/* Energy of one 64-bit read from an SRAM of size bytes (unscaled): power law between the
 * points (log-log interpolation), the 8K-32K exponent below 8 KB, the 32K-1M one above. */
static double sram64(const mpb_energy_table *t, double bytes) {
  const double s8 = 8192, s32 = 32768, s1m = 1048576;
  double a_lo = log(t->sram32k / t->sram8k) / log(s32 / s8);
  double a_hi = log(t->sram1m / t->sram32k) / log(s1m / s32);
  if (bytes <= 0) return 0;
  if (bytes < s32) return t->sram8k * pow(bytes / s8, a_lo);
  return t->sram32k * pow(bytes / s32, a_hi);
}

double etab_rom_pj(const mpb_energy_table *t, double size_bytes, double bits) {
  return t->scale * sram64(t, size_bytes) * bits / 64.0;
}

double mpb_energy_rom_pj(const mpb_energy_table *t, double size_bytes, int bits) {
  return etab_rom_pj(t, size_bytes, bits);
}

double mpb_energy_dram_pj(const mpb_energy_table *t, double bytes) {
  return t->dram * bytes / 8.0;
}

double mpb_energy_reg_pj(const mpb_energy_table *t, int bits) {
  return t->scale * t->reg_data * bits;
}

double mpb_energy_clock_pj(const mpb_energy_table *t, double bits) {
  return t->scale * t->clock_bit * bits;
}

double mpb_energy_leak_nw(const mpb_energy_table *t, const mpb_energy_hw *hw) {
  return hw->reg_bits * t->leak[ETAB_LEAK_REG] + hw->add_bits * t->leak[ETAB_LEAK_ADD] +
         hw->bitprod * t->leak[ETAB_LEAK_BP] + hw->rom_bits * t->leak[ETAB_LEAK_ROM];
}

double mpb_energy_mem_bytes(const mpb_energy_table *t, mpb_mem_level l) {
  return l == MPB_MEM_DRAM || (unsigned)l >= MPB_NMEM ? 0 : t->mem_bytes[l];
}

double mpb_energy_mem_pj(const mpb_energy_table *t, mpb_mem_level l, double bytes) {
  if (l == MPB_MEM_DRAM) return mpb_energy_dram_pj(t, bytes);
  return etab_rom_pj(t, t->mem_bytes[l], 8.0 * bytes);
}
