/* energy.h — the per-action energy model of the mixed-precision bridge (docs/energy.md).
 *
 * An energy table (libconfig file, default configs/energy-45nm.cfg: Horowitz, ISSCC 2014,
 * 45 nm, 0.9 V, every entry with its source) gives per-operation energies; width-scaling
 * rules turn them into prices for the actions the golden model counts (mpb_counts:
 * multiplier bit-products, adder bits, table bits read, register bits written). Cost
 * classes per block: arithmetic, table reads, register data, register clock (paid every
 * cycle) and leakage (from the area proxy, paid every cycle). The same table and the
 * same classes price the FP32/BF16/FP16/INT8 baseline recipes (mpb_energy_baseline), the
 * memory levels (register file, SRAM buffer, DRAM) and, in energy_system.h, a whole
 * model's token in joules and watts. Logic and SRAM entries follow the node and supply
 * by the Stillmaker-Baas factors (mpb_energy_node_factor); DRAM does not.
 *
 * One source of truth: the shipped file configs/energy-45nm.cfg is embedded into the
 * library at build time; mpb_energy_load(NULL) parses that embedded copy.
 *
 * Library rules: errors are returned (NULL or non-zero status + message), never printed.
 */
#ifndef MPB_ENERGY_H
#define MPB_ENERGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mpb.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mpb_energy_table mpb_energy_table;

/* Load a table; path NULL = the built-in default (the embedded shipped file). On failure
 * returns NULL with "FILE:LINE: field NAME ..." (expected range) in err. */
mpb_energy_table *mpb_energy_load(const char *path, char *err, size_t n);
void mpb_energy_free(mpb_energy_table *t);
/* The text of the shipped default table (configs/energy-45nm.cfg as embedded). */
const char *mpb_energy_default_text(void);
/* Name/source line of a table (e.g. "Horowitz ISSCC 2014, 45 nm, 0.9 V"). */
const char *mpb_energy_source(const mpb_energy_table *t);

/* ---- node and voltage scaling (energy_node.c) --------------------------------------- */
/* The Stillmaker-Baas energy fit E(V) = a V^2 + b V + c of a node (A. Stillmaker,
 * B. Baas, "Scaling equations for the accurate prediction of CMOS device performance from
 * 180 nm to 7 nm", Integration 58, 2017), in the paper's arbitrary units, for node_nm in
 * [7, 180]; between the tabulated nodes linear in node_nm. Returns 0, or -1 with a
 * message naming the range. */
int mpb_energy_node_factor(double node_nm, double vdd, double *e, char *err, size_t n);
/* E(to) / E(from): the factor that takes an energy from one node and supply to another
 * (NaN if a node is out of range). */
double mpb_energy_node_scale(double from_nm, double from_vdd, double to_nm, double to_vdd);
/* The Stillmaker-Baas delay factor D(to) / D(from) of the same rows (cubic fits in V);
 * NaN out of range or where a fit is not positive. */
double mpb_energy_node_delay_scale(double from_nm, double from_vdd, double to_nm,
                                   double to_vdd);
/* The factor a table applies to its logic and SRAM entries (source -> reported node). */
double mpb_energy_logic_scale(const mpb_energy_table *t);
double mpb_energy_node_nm(const mpb_energy_table *t);
double mpb_energy_vdd(const mpb_energy_table *t);

/* ---- unit prices (pJ, at the reported node) ----------------------------------------- */
double mpb_energy_add_pj(const mpb_energy_table *t, int bits);          /* linear in width */
double mpb_energy_mul_pj(const mpb_energy_table *t, int wa, int wb);    /* ~ wa*wb         */
/* One read of 'bits' bits from a table/SRAM of 'size_bytes' bytes (power law between
 * the 8 KB / 32 KB / 1 MB points per 64-bit read, extrapolated below 8 KB). */
double mpb_energy_rom_pj(const mpb_energy_table *t, double size_bytes, int bits);
double mpb_energy_reg_pj(const mpb_energy_table *t, int bits);    /* data part, bits written */
double mpb_energy_clock_pj(const mpb_energy_table *t, double bits); /* one cycle of bits    */
double mpb_energy_dram_pj(const mpb_energy_table *t, double bytes);     /* DRAM traffic   */
/* Named operation of energy.ops, or the derived "bf16_add" / "bf16_mul"; NaN if unknown. */
double mpb_energy_op_pj(const mpb_energy_table *t, const char *name);

/* Leakage power (nW) of hardware measured by the area proxy's classes. */
typedef struct mpb_energy_hw {
  double reg_bits;   /* flip-flops                                     */
  double bitprod;    /* multiplier bit-products (each multiplier once) */
  double add_bits;   /* adder bits (each adder once)                   */
  double rom_bits;   /* table bits stored                              */
} mpb_energy_hw;
double mpb_energy_leak_nw(const mpb_energy_table *t, const mpb_energy_hw *hw);

/* ---- memory levels (docs/energy.md §6) ------------------------------------------------ */
typedef enum { MPB_MEM_RF = 0, MPB_MEM_BUFFER, MPB_MEM_DRAM, MPB_NMEM } mpb_mem_level;
const char *mpb_mem_level_name(mpb_mem_level l);
/* Energy of moving 'bytes' through one access (read or write) of a level: the SRAM size
 * law at the level's size for the register file and the buffer, dram_read_64b for DRAM. */
double mpb_energy_mem_pj(const mpb_energy_table *t, mpb_mem_level l, double bytes);
double mpb_energy_mem_bytes(const mpb_energy_table *t, mpb_mem_level l); /* size (0: DRAM) */

/* ---- counted actions of the bridge ---------------------------------------------------- */
/* Energy of counted actions, per block and in total (pJ). The dynamic classes come from
 * the counts; clock and leakage from mpb_energy_add_static (0 until then). */
typedef struct mpb_energy_block {
  double mul_pj, add_pj, rom_pj, reg_pj; /* dynamic, per action (reg: data part)      */
  double clock_pj, leak_pj;              /* paid every cycle                          */
  double total_pj;                       /* all six                                   */
  double activity;      /* toggle rate / toggle rate of random data (1 if unknown)     */
  double total_act_pj;  /* mul+add+reg scaled by activity, plus rom, clock and leak   */
} mpb_energy_block;

typedef struct mpb_energy_breakdown {
  mpb_energy_block blk[MPB_NBLK];
  double total_pj;       /* all classes                                            */
  double total_act_pj;   /* activity-adjusted                                      */
  double dynamic_pj;     /* mul+add+rom+reg (what depends on the data)             */
  double clock_pj, leak_pj;
  double ops;            /* operations priced (counts->ops)                        */
  double per_op_pj;      /* total_pj / ops (0 if no ops)                           */
  double per_op_act_pj;
  double cycles;         /* counts->cycles, or the unit's cycles for ops at II = 1 */
  double seconds;        /* cycles / clock                                         */
  double power_w;        /* total_pj / seconds                                     */
  bool has_activity;     /* a random-data reference was given                      */
} mpb_energy_breakdown;

/* Price counts with the table (dynamic classes). ROM size per block is derived from the
 * configuration's tables (docs/energy.md). Returns 0, or non-zero on NULL/invalid
 * arguments. The activity figure equals the plain one (activity 1) here. */
int mpb_energy_price(const mpb_energy_table *t, const mpb_config *cfg,
                     const mpb_counts *counts, mpb_energy_breakdown *out);
/* The same, with per-block activity = (toggles/ops) / (ref toggles/ref ops), where ref
 * are counts of the same unit run on uniformly random inputs (mpb_energy_reference). */
int mpb_energy_price_activity(const mpb_energy_table *t, const mpb_config *cfg,
                              const mpb_counts *counts, const mpb_counts *ref,
                              mpb_energy_breakdown *out);

/* The hardware of a unit per block (one operation through the functional path: each
 * multiplier, adder and register once; for the dot unit one beat of mac_lanes products;
 * table bits stored by the unit's ROMs) and its operations per cycle at initiation
 * interval 1 (rope, exp: 1; dot: mac_lanes MAC products). */
typedef struct mpb_energy_unit_hw {
  mpb_energy_hw blk[MPB_NBLK];
  double ops_per_cycle;
} mpb_energy_unit_hw;
void mpb_energy_unit_hw_of(const mpb_model *mdl, mpb_unit unit, mpb_energy_unit_hw *hw);
/* Add the clock (every register bit of the unit, every cycle) and the leakage of
 * 'cycles' cycles at cfg->clock_mhz to a breakdown, per block, and update its totals
 * (divide by ops yourself for per-operation figures). */
void mpb_energy_add_static(const mpb_energy_table *t, const mpb_config *cfg,
                           const mpb_energy_unit_hw *hw, double cycles,
                           mpb_energy_breakdown *b);
/* Clock cycles a unit spends on counts' operations: counts->cycles when the pipeline
 * counted them, else one per operation at II = 1 (dot: one per beat of mac_lanes). */
double mpb_energy_unit_cycles(const mpb_config *cfg, mpb_unit unit, const mpb_counts *c);

/* Counts of n operations of a unit on seeded uniformly random inputs (the 50%-toggle
 * reference of the activity figure). */
void mpb_energy_reference(const mpb_model *mdl, mpb_unit unit, size_t n, uint64_t seed,
                          mpb_counts *ref);
/* The inputs of that reference stimulus, for driving the RTL with the same data
 * (`mpbsim energy --stimulus FILE`, sim/toggles/, the gate-level flow): the rope
 * requests; the exp inputs; the dot unit's n pairs of MPB_ENERGY_DOT_LEN-long int8
 * vectors (a and b hold n * MPB_ENERGY_DOT_LEN entries; operation i is a[i*LEN ..],
 * b[i*LEN ..]). */
#define MPB_ENERGY_DOT_LEN 256
void mpb_energy_reference_rope_reqs(const mpb_model *mdl, size_t n, uint64_t seed,
                                    mpb_rope_req *out);
void mpb_energy_reference_exp_reqs(size_t n, uint64_t seed, mpb_exp_req *out);
void mpb_energy_reference_dot_vecs(size_t n, uint64_t seed, int8_t *a, int8_t *b);

/* Area proxy (bit-equivalents): table bits stored + multiplier bit-products of the rope
 * unit + pipeline register bits (docs/energy.md). */
double mpb_area_proxy(const mpb_config *cfg, const mpb_geometry *g);

/* ---- cost classes of one operation, bridge and baselines alike ------------------------ */
typedef struct mpb_energy_cost {
  double arith_pj;   /* multipliers and adders                                */
  double rom_pj;     /* table / SRAM reads                                    */
  double reg_pj;     /* register bits written, data part                      */
  double clock_pj;   /* register clock over the operation's cycles            */
  double leak_pj;    /* leakage over the operation's cycles                   */
  double total_pj;
  /* for power: the pipeline that does one such operation per 1/ops_per_cycle cycles */
  double ops_per_cycle;
  double static_pj_per_cycle; /* clock + leakage of that pipeline per cycle        */
} mpb_energy_cost;
/* Dynamic part (arith + rom + reg) of a cost. */
double mpb_energy_cost_dynamic(const mpb_energy_cost *c);

/* Actions of one operation: what the classes are priced from. Integer arithmetic by the
 * width laws, floating-point operations by the named table entries of a pipeline. */
typedef struct mpb_energy_actions {
  double bitprod, add_bits;     /* integer multipliers (sum wa*wb) and adders (bits)   */
  double fmul, fadd;            /* operations priced by fmul_pj / fadd_pj              */
  double fmul_pj, fadd_pj;      /* (at the reported node)                              */
  double rom_bits, rom_bytes;   /* bits read from a table of rom_bytes                 */
  double reg_bits;              /* register bits written                               */
  double ops_per_cycle;         /* throughput of the pipeline (1 per cycle at II = 1)  */
  mpb_energy_hw hw;             /* the pipeline's hardware (clock, leakage)            */
} mpb_energy_actions;
void mpb_energy_price_actions(const mpb_energy_table *t, const mpb_energy_actions *a,
                              double clock_mhz, mpb_energy_cost *out);

/* ---- the operations compared, bridge and baselines ------------------------------------ */
typedef enum {
  MPB_EPIPE_FP32 = 0, MPB_EPIPE_BF16, MPB_EPIPE_FP16, MPB_EPIPE_INT8, MPB_NEPIPE
} mpb_energy_pipe;
/* cossin: cos and sin of one (position, pair); rotate: the rotation of one (x, y) pair
 * by them (the same int8 x 16-bit arithmetic on every side); rotation = cossin + rotate
 * (one pair with its own cos/sin, the per-pair-recompute case); exp; mac: one product. */
typedef enum {
  MPB_EOP_ROTATION = 0, MPB_EOP_EXP, MPB_EOP_MAC, MPB_EOP_COSSIN, MPB_EOP_ROTATE, MPB_NEOP
} mpb_energy_op;
const char *mpb_energy_pipe_name(mpb_energy_pipe p);
const char *mpb_energy_op_name(mpb_energy_op o);

/* The bridge's operations as actions (from the golden model's counts on the reference
 * stimulus, plain figure = activity 1): cossin = the rope unit without its ROTATE block,
 * rotate = the ROTATE block, rotation = the whole rope unit, exp, mac = the dot unit per
 * product. Hardware per operation's pipeline as mpb_energy_unit_hw_of. */
typedef struct mpb_energy_bridge {
  mpb_energy_actions op[MPB_NEOP];
} mpb_energy_bridge;
void mpb_energy_bridge_ops(const mpb_model *mdl, mpb_energy_bridge *b);
/* A baseline pipeline's operation as actions: its recipe from the table (arithmetic in
 * the pipeline's format, table reads, every result registered once), the rotate step
 * and, where the recipe says "dot" (INT8 mac), the bridge's own actions; the hardware
 * is what the recipe uses (each operation once, registers as written). bridge may be
 * NULL only for recipes that do not refer to it (otherwise the result is all zero and
 * -1 is returned). */
int mpb_energy_baseline_actions(const mpb_energy_table *t, mpb_energy_pipe p,
                                mpb_energy_op o, const mpb_energy_bridge *bridge,
                                mpb_energy_actions *out);
/* Priced at cfg->clock_mhz: the bridge's operation, a baseline's. */
void mpb_energy_bridge_cost(const mpb_energy_table *t, const mpb_energy_bridge *b,
                            mpb_energy_op o, double clock_mhz, mpb_energy_cost *out);
int mpb_energy_baseline_cost(const mpb_energy_table *t, mpb_energy_pipe p, mpb_energy_op o,
                             const mpb_energy_bridge *bridge, double clock_mhz,
                             mpb_energy_cost *out);

#ifdef __cplusplus
}
#endif
#endif /* MPB_ENERGY_H */
