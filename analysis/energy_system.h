/* energy_system.h — a whole model's token in joules and a stated workload in watts
 * (docs/energy.md §7-§8): per token the operations of a Llama-style decoder (MACs of the
 * weights and of attention, softmax exps, cos/sin per (token, pair) or per rotation, the
 * rotations), priced per side — the bridge and the FP32, BF16-weights + FP16-KV and INT8
 * baselines — with the same cost classes (energy.h); operand delivery through the memory
 * levels (register file, SRAM buffer, DRAM) for weights, KV cache, activations and tables;
 * and a throughput model (pipelines needed to sustain a tokens/s rate at the clock, for
 * decode and prefill) that turns energy per token into average power, split dynamic /
 * static and compute / memory. Library rules: nothing printed, errors returned. */
#ifndef MPB_ENERGY_SYSTEM_H
#define MPB_ENERGY_SYSTEM_H

#include <stdbool.h>

#include "energy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The sides compared: the bridge (int8 weights, 8-bit KV cache, the rope/exp/dot units)
 * and three baselines (docs/energy.md §7): FP32 everywhere; BF16 weights with an FP16 KV
 * cache and BF16 arithmetic; INT8 with the bridge's own int8 weights, KV cache and dot
 * unit, exp by a table and cos/sin from a precomputed cache. */
typedef enum { MPB_SYS_BRIDGE = 0, MPB_SYS_FP32, MPB_SYS_BF16, MPB_SYS_INT8, MPB_NSYS } mpb_sys_side;
const char *mpb_sys_side_name(int side);  /* "bridge", "fp32", "bf16", "int8"           */
const char *mpb_sys_side_label(int side); /* "FP32", "BF16 weights + FP16 KV", ...      */

typedef enum { MPB_PHASE_DECODE = 0, MPB_PHASE_PREFILL, MPB_NPHASE } mpb_sys_phase;
const char *mpb_sys_phase_name(int ph);

/* Operations per token and the pipelines that do them. */
enum { MPB_SOP_MAC = 0, MPB_SOP_EXP, MPB_SOP_COSSIN, MPB_SOP_ROTATE, MPB_NSOP };
const char *mpb_sys_op_name(int op);
/* Operand classes delivered through the memory levels. */
enum { MPB_OPND_WEIGHTS = 0, MPB_OPND_KV, MPB_OPND_ACT, MPB_OPND_TABLES, MPB_NOPND };
const char *mpb_sys_operand_name(int k);

typedef struct mpb_sys_model {
  char name[64];
  double layers, n_embd, n_head, n_head_kv, head_dim, n_ff, vocab;
} mpb_sys_model;

typedef struct mpb_sys_opts {
  mpb_sys_model model;
  double context;        /* decode: keys attended per generated token               */
  double decode_tps;     /* decode rate, tokens/s (batch 1)                         */
  double prefill_len;    /* prompt tokens processed together                        */
  double prefill_tps;    /* prefill rate, tokens/s                                  */
  double prefill_tile;   /* queries of the prompt sharing one read of the KV cache  */
  bool cossin_per_pair;  /* cos/sin recomputed for every (layer, head, pair)        */
  double clock_mhz;
  double kv_bytes_int8;  /* bytes per element of the 8-bit KV cache (scales incl.)  */
} mpb_sys_opts;

/* Llama 3 8B (32 layers, d_model 4096, 32/8 heads of 128, FFN 14336, 128256 tokens) at
 * context 131072, decode 20 tokens/s, prefill of 2048 tokens at 2000 tokens/s in tiles
 * of 128 queries, cos/sin once per (token, pair), clock 1000 MHz, KV 8-bit with one FP16
 * scale per 64 elements (1.03125 bytes). */
void mpb_sys_opts_default(mpb_sys_opts *o);

typedef struct mpb_sys_result {
  double ops[MPB_NSOP];                   /* per token                                   */
  double op_pj[MPB_NSOP];                 /* dynamic energy per operation                */
  double compute_j;                       /* per token, dynamic                          */
  double mem_bytes[MPB_NOPND][MPB_NMEM];  /* bytes through each level per token (reads and
                                             writes)                                     */
  double mem_j[MPB_NOPND][MPB_NMEM];
  double memory_j;                        /* per token                                   */
  double units[MPB_NSOP];                 /* pipelines needed at the rate and clock      */
  double dyn_w_compute, dyn_w_memory;     /* energy per token x rate                     */
  double static_w_clock, static_w_leak;   /* of those pipelines, every cycle             */
  double static_w_memory;                 /* leakage of the SRAM buffer and register files */
  double total_w;
  double j_per_token;                     /* total_w / rate                              */
  double dram_gbs;                        /* DRAM bandwidth needed, GB/s                 */
  double tps;                             /* the rate                                    */
} mpb_sys_result;

/* Estimate one side in one phase. b: the bridge's operations (mpb_energy_bridge_ops).
 * Returns 0, or -1 with a message on invalid options. */
int mpb_sys_estimate(const mpb_energy_table *t, const mpb_energy_bridge *b,
                     const mpb_sys_opts *o, mpb_sys_phase ph, mpb_sys_side side,
                     mpb_sys_result *out, char *err, size_t n);
/* The cost of one operation of a side, as the estimate prices it. */
int mpb_sys_op_cost(const mpb_energy_table *t, const mpb_energy_bridge *b, mpb_sys_side side,
                    int op, double clock_mhz, mpb_energy_cost *out);

#ifdef __cplusplus
}
#endif
#endif /* MPB_ENERGY_SYSTEM_H */
