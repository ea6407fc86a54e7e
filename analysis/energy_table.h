/* energy_table.h — internal: the parsed energy table shared by energy.c (loading, unit
 * prices), energy_counts.c (counted actions) and energy_ops.c (operations, baselines).
 * Entries are stored as read (at the source node); prices apply `scale`. */
#ifndef MPB_ENERGY_TABLE_H
#define MPB_ENERGY_TABLE_H

#include <stdbool.h>

#include "energy.h"

enum { /* energy.ops entries, in the order of op_entries in energy.c */
  ETAB_INT8_ADD = 0, ETAB_INT16_ADD, ETAB_INT32_ADD, ETAB_INT8_MUL, ETAB_INT32_MUL,
  ETAB_FP16_ADD, ETAB_FP16_MUL, ETAB_FP32_ADD, ETAB_FP32_MUL, ETAB_NOPS
};
enum { ETAB_LEAK_REG = 0, ETAB_LEAK_ADD, ETAB_LEAK_BP, ETAB_LEAK_ROM, ETAB_NLEAK };
enum { ETAB_NRECIPE = 3 }; /* cossin, exp, mac (mpb_energy_recipe_op) */

typedef struct etab_recipe {
  double mul, add, rom_bits, rom_bytes;
  bool is_dot; /* "dot": the bridge's dot unit */
} etab_recipe;

typedef struct etab_pipe {
  double mul_raw, add_raw;   /* the pipeline's multiply and add, unscaled */
  double width, significand; /* word and multiplier widths, bits          */
  etab_recipe rec[ETAB_NRECIPE];
} etab_pipe;

struct mpb_energy_table {
  char source[160];
  double src_node, src_vdd, node, vdd;
  double scale; /* Stillmaker-Baas factor source -> reported node (logic and SRAM) */
  double ops[ETAB_NOPS];
  double sram8k, sram32k, sram1m, dram;
  double reg_data, clock_bit;
  double leak[ETAB_NLEAK];      /* nW per unit, not scaled */
  double mem_bytes[MPB_NMEM];   /* rf, buffer (dram unused) */
  etab_pipe pipe[MPB_NEPIPE];
};

/* The operation of recipe k (cossin, exp, mac). */
mpb_energy_op mpb_energy_recipe_op(int k);
/* Bytes of the LOGLUT bank the configured rope/exp units read (energy_counts.c). */
double mpb_energy_loglut_bytes(const mpb_config *c);
/* A read of 'bits' bits from an SRAM of size_bytes, at the reported node. */
double etab_rom_pj(const mpb_energy_table *t, double size_bytes, double bits);

#endif /* MPB_ENERGY_TABLE_H */
