/* energy.h — the per-action energy model of the mixed-precision bridge (docs/energy.md).
 *
 * An energy table (libconfig file, default configs/energy-45nm.cfg: Horowitz, ISSCC 2014,
 * 45 nm, 0.9 V) gives per-operation energies; width-scaling rules turn them into prices
 * for the actions the golden model counts (mpb_counts: multiplier bit-products, adder
 * bits, table bits read, register bits written). energy = counts x table, per block
 * (mpb_block), plus an activity-adjusted figure that scales the logic energy by the
 * measured toggle rate relative to random data. The same table prices the FP32/BF16/
 * FP16/INT8 baseline recipes (per rotation, per exp, per MAC).
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

/* Derived unit prices (pJ), after the technology scale factor. */
double mpb_energy_add_pj(const mpb_energy_table *t, int bits);          /* linear in width */
double mpb_energy_mul_pj(const mpb_energy_table *t, int wa, int wb);    /* ~ wa*wb         */
/* One read of 'bits' bits from a table/SRAM of 'size_bytes' bytes (power law between
 * the 8 KB / 32 KB / 1 MB points per 64-bit read, extrapolated below 8 KB). */
double mpb_energy_rom_pj(const mpb_energy_table *t, double size_bytes, int bits);
double mpb_energy_reg_pj(const mpb_energy_table *t, int bits);          /* bits written   */
double mpb_energy_dram_pj(const mpb_energy_table *t, double bytes);     /* DRAM traffic   */

/* Energy of counted actions, per block and in total. */
typedef struct mpb_energy_block {
  double mul_pj, add_pj, rom_pj, reg_pj; /* plain per-action energy             */
  double total_pj;
  double activity;      /* toggle rate / toggle rate of random data (1 if unknown) */
  double total_act_pj;  /* mul+add+reg scaled by activity, plus rom              */
} mpb_energy_block;

typedef struct mpb_energy_breakdown {
  mpb_energy_block blk[MPB_NBLK];
  double total_pj;       /* plain                                                   */
  double total_act_pj;   /* activity-adjusted                                       */
  double per_op_pj;      /* total_pj / ops (0 if no ops)                            */
  double per_op_act_pj;
  double cycles;         /* counts->cycles, or ops at initiation interval 1         */
  double seconds;        /* cycles / clock                                          */
  double power_w;        /* total_pj / seconds                                      */
  bool has_activity;     /* a random-data reference was given                       */
} mpb_energy_breakdown;

/* Price counts with the table. ROM size per block is derived from the configuration's
 * tables (docs/energy.md). Returns 0, or non-zero on NULL/invalid arguments. The
 * activity figure equals the plain one (activity 1) here. */
int mpb_energy_price(const mpb_energy_table *t, const mpb_config *cfg,
                     const mpb_counts *counts, mpb_energy_breakdown *out);
/* The same, with per-block activity = (toggles/ops) / (ref toggles/ref ops), where ref
 * are counts of the same unit run on uniformly random inputs (mpb_energy_reference). */
int mpb_energy_price_activity(const mpb_energy_table *t, const mpb_config *cfg,
                              const mpb_counts *counts, const mpb_counts *ref,
                              mpb_energy_breakdown *out);
/* Counts of n operations of a unit on seeded uniformly random inputs (the 50%-toggle
 * reference of the activity figure). */
void mpb_energy_reference(const mpb_model *mdl, mpb_unit unit, size_t n, uint64_t seed,
                          mpb_counts *ref);
/* The inputs of that reference stimulus, for driving the RTL with the same data
 * (`mpbsim energy --stimulus FILE`, sim/toggles/): the rope requests; the exp inputs;
 * the dot unit's n pairs of MPB_ENERGY_DOT_LEN-long int8 vectors (a and b hold
 * n * MPB_ENERGY_DOT_LEN entries; operation i is a[i*LEN ..], b[i*LEN ..]). */
#define MPB_ENERGY_DOT_LEN 256
void mpb_energy_reference_rope_reqs(const mpb_model *mdl, size_t n, uint64_t seed,
                                    mpb_rope_req *out);
void mpb_energy_reference_exp_reqs(size_t n, uint64_t seed, mpb_exp_req *out);
void mpb_energy_reference_dot_vecs(size_t n, uint64_t seed, int8_t *a, int8_t *b);

/* Area proxy (bit-equivalents): table bits stored + multiplier bit-products of the rope
 * unit + pipeline register bits (docs/energy.md). */
double mpb_area_proxy(const mpb_config *cfg, const mpb_geometry *g);

/* ---- baselines: the same work through floating-point / INT8 pipelines ------------- */
typedef enum {
  MPB_EPIPE_FP32 = 0, MPB_EPIPE_BF16, MPB_EPIPE_FP16, MPB_EPIPE_INT8, MPB_NEPIPE
} mpb_energy_pipe;
typedef enum { MPB_EOP_ROTATION = 0, MPB_EOP_EXP, MPB_EOP_MAC, MPB_NEOP } mpb_energy_op;
const char *mpb_energy_pipe_name(mpb_energy_pipe p);
const char *mpb_energy_op_name(mpb_energy_op o);
/* Energy (pJ) of one operation through a baseline pipeline, from the recipe in the table
 * (counts of float multiplies, adds and table bits per operation). */
double mpb_energy_baseline_pj(const mpb_energy_table *t, mpb_energy_pipe p, mpb_energy_op o);

#ifdef __cplusplus
}
#endif
#endif /* MPB_ENERGY_H */
