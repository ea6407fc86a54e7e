/* report.h — the precision/energy report of one configuration and geometry
 * (docs/report-schema.md): a cos/sin sweep of the rope unit and the framework baselines
 * against FP64 over positions, per-block energy with activity, baselines, area, the
 * model-level effects (attention scores/softmax KL, SSM scan, KV-cache formats) on a
 * seeded synthetic workload, the optional RTL toggle cross-check, and the seed's claims
 * beside the measurements. Built once (mpb_report_build), then written as HTML (inline
 * SVG), CSV and JSON. Library rules: errors returned, nothing printed. */
#ifndef MPB_REPORT_H
#define MPB_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "energy.h"
#include "energy_system.h"
#include "metrics.h"
#include "metrics_model.h"
#include "mpb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPB_REPORT_SCHEMA "mpbsim-report-3"

/* At most one RTL toggle file per unit (rope, exp, dot). */
#define MPB_REPORT_NRTL 3
/* At most this many gate-level result files (one per configuration). */
#define MPB_REPORT_NGATE 4

typedef struct mpb_report_opts {
  mpb_config cfg;
  char config_name[128];    /* shown in the report (file name or preset)           */
  mpb_geometry geo;
  char geometry_name[64];
  uint32_t pos_max;         /* positions 0..pos_max inclusive (default 131072)      */
  bool dense;               /* every position (else all below 2048 + per_octave)    */
  uint32_t per_octave;      /* sampled positions per octave above 2^11 (default 1024) */
  const char *energy_path;  /* NULL = built-in table                                */
  const char *rtl_toggles_paths[MPB_REPORT_NRTL]; /* RTL toggle files, one per unit */
  size_t n_rtl_toggles;     /* 0 = no RTL cross-check                              */
  const char *trace_path;   /* NULL = no trace section (traces/replay.h)            */
  const char *lm_eval_path; /* NULL = no closed-loop section (`mpbsim lm eval --json`) */
  const char *gate_paths[MPB_REPORT_NGATE]; /* gate-level results (`mpbsim gate`)    */
  size_t n_gate;            /* 0 = no gate-level section figures                   */
  double decode_tps;        /* stated workload: decode tokens/s (0: the default 20) */
  const char *ssm_eval_path;    /* NULL = no SSM section (`mpbsim ssm eval --json`)   */
  const char *hybrid_eval_path; /* NULL = no hybrid section (`mpbsim ssm hybrid --json`) */
  uint64_t seed;            /* synthetic workload and activity reference            */
  size_t attn_keys;         /* keys per query in the attention check (default 256)  */
  size_t ssm_tokens;        /* tokens of the SSM scan check (default 4096)          */
} mpb_report_opts;

void mpb_report_opts_default(mpb_report_opts *o);

/* The cos/sin variants swept against FP64: the bridge, then mpb_baseline FP32..INT8. */
enum { MPB_RV_BRIDGE = 0, MPB_RV_FP32, MPB_RV_BF16, MPB_RV_FP16, MPB_RV_INT8, MPB_NRV };
const char *mpb_report_variant_name(int v);

/* One row of the claims table: a claim (the seed's words), what this configuration and
 * workload show, and the verdict against the fair baseline ("holds ..." only when the
 * claim holds against it; the HTML colours rows by that prefix). The table is a list:
 * mpb_report_build fills the first MPB_NCLAIM rows (precision, power, KV memory, 128k
 * context, and the last two judged at model level by report_lm.c), other code appends with mpb_report_add_claim. */
typedef struct mpb_claim {
  char claim[160];
  char measured[768];
  char verdict[192];
} mpb_claim;
#define MPB_NCLAIM 6 /* the last two: model level (report_lm.c) */
#define MPB_MAX_CLAIMS 16

/* The RTL toggle cross-check of one unit: the file's counts beside the model's on the same
 * reference stimulus. A block agrees when both counts are equal (exactly: the model and
 * the RTL count the same bits on the same data); rtl < 0 = no figure in the file. */
typedef struct mpb_report_rtl {
  char unit[16];          /* "rope" | "exp" | "dot"                                 */
  char source[256];       /* the file's source line, the unit and the seed          */
  uint64_t ops, seed;
  double rtl[MPB_NBLK], model[MPB_NBLK];
  int nblocks, ndiffer;   /* blocks in the file, how many of them differ            */
} mpb_report_rtl;

/* Gate-level reconciliation of one configuration (report_gate.c, docs/energy.md §9): the
 * JSON `mpbsim gate` writes (schema "mpbsim-gate-1"), per unit the energy per operation
 * from the synthesised netlist on the OSU 0.18 um library beside the action model priced
 * with the table derived from that library, by class and block. */
typedef struct mpb_report_gate_side {
  double total_pj, dynamic_pj, clock_pj, leak_pj;
  double blk[MPB_NBLK];     /* total per block (-1: none) */
} mpb_report_gate_side;
typedef struct mpb_report_gate_unit {
  char unit[8];             /* rope | exp | dot                                     */
  char per[16];             /* rotation | exp | mac                                 */
  double ops, cycles, cells, area_um2;
  mpb_report_gate_side gate, action;
  double gate_45_pj;        /* gate total scaled to 45 nm 0.9 V (Stillmaker-Baas)    */
  double model_45_pj;       /* the 45 nm model's total for the same operation        */
} mpb_report_gate_unit;
typedef struct mpb_report_gate {
  char config[64], source[256], library[128];
  double node_nm, vdd, scale_45, crit_ns, fmax_mhz, fmax_45_mhz, sta_power_w;
  uint64_t seed;
  size_t nunits;
  mpb_report_gate_unit unit[3];
} mpb_report_gate;
int mpb_report_gate_load(const char *path, mpb_report_gate *g, char *err, size_t n);

typedef struct mpb_report {
  mpb_report_opts opts;
  char energy_source[160];
  size_t npositions;
  /* cos/sin sweep, every pair, against FP64 (ops MPB_OP_COS / MPB_OP_SIN) */
  mpb_metrics *cs[MPB_NRV];
  double max_err[MPB_NRV], rms_err[MPB_NRV];
  uint32_t worst_pos[MPB_NRV];
  double oct_max[MPB_NRV][MPB_OCTAVES]; /* max |err| per position octave (0 = no data) */
  double oct_rms[MPB_NRV][MPB_OCTAVES];
  mpb_growth_fit fit_max[MPB_NRV], fit_rms[MPB_NRV];
  double bound;          /* mpb_rope_error_bound (inf in LOG-ADD)                  */
  double goal;           /* 2^-15: 1 ulp of the 16-bit output                     */
  int latency;           /* rope pipeline latency, cycles                         */
  double area;           /* mpb_area_proxy                                        */
  /* energy per operation (breakdown totals are per op: counts / ops)              */
  mpb_energy_breakdown e_rot, e_exp, e_dot; /* e_dot per MAC product; dynamic classes
                                               on the workload, clock and leakage at II 1 */
  mpb_energy_cost bridge_cost[MPB_NEOP];      /* per operation, by class (energy_ops.c) */
  mpb_energy_cost base_cost[MPB_NEPIPE][MPB_NEOP];
  double base_pj[MPB_NEPIPE][MPB_NEOP];       /* base_cost totals                       */
  double rot_power_w;    /* per-rotation energy x clock (II = 1)                   */
  /* model-level effects on the synthetic workload */
  uint32_t attn_qpos;
  mpb_attn_result attn[MPB_NATT];
  mpb_metrics *model;    /* MPB_OP_SCORE by distance, MPB_OP_SSM by token          */
  mpb_ssm_result ssm;
  int kv_group;
  double kv_bytes[MPB_NKV], kv_sqnr_db[MPB_NKV], kv_rel_rms[MPB_NKV];
  mpb_attn_result kv_attn[MPB_NKV]; /* scores with K quantized (FP64 rope)          */
  /* RTL toggle cross-check: one entry per file, in unit order rope, exp, dot */
  size_t n_rtl;
  mpb_report_rtl rtl[MPB_REPORT_NRTL];
  int rtl_blocks, rtl_differ; /* blocks compared over all units, how many differ     */
  /* trace section (report_trace.c) */
  bool has_trace;
  char trace_path[256], trace_model[128];
  uint64_t trace_records, trace_ops[4]; /* by trace_kind: [1] rotations, [2] exps,
                                           [3] dot products                        */
  mpb_metrics *trace;   /* MPB_OP_ROT per layer/head/position, EXP, DOT, SCORE      */
  double trace_score_max, trace_score_rms, trace_kl_mean, trace_kl_max;
  uint64_t trace_queries;
  uint64_t trace_kv_values;       /* K values of the trace through the KV formats    */
  double trace_kv_sqnr_db[MPB_NKV];
  mpb_energy_breakdown e_trace; /* whole replay (not per op), activity vs random mix */
  double trace_rot_pj;  /* per rotation when the trace holds only RoPE records, else NaN */
  /* system estimate (energy_system.h): Llama 3 8B, decode at context = pos_max and
   * prefill, every side; sys_pair: decode with cos/sin recomputed per pair */
  mpb_sys_opts sys_opts;
  double sys_node_nm, sys_vdd;  /* the energy table's reported node and supply       */
  double sys_rf_bytes, sys_buf_bytes; /* its memory levels                           */
  bool sys_clock_from_gate;     /* the clock is the gate-level achievable one          */
  mpb_sys_result sys[MPB_NPHASE][MPB_NSYS];
  mpb_sys_result sys_pair[MPB_NSYS];
  /* gate-level reconciliation (report_gate.c), one entry per --gate file */
  size_t n_gate;
  mpb_report_gate *gate;
  struct mpb_lm_eval *lm; /* closed-loop section (report_lm.h), NULL without a file */
  /* the claims table: a list (mpb_report_add_claim) */
  size_t nclaims;
  mpb_claim claims[MPB_MAX_CLAIMS];
  struct ssm_eval_result *ssm_eval;       /* SSM sections (report_ssm.h), NULL without */
  struct hybrid_eval_result *hybrid_eval; /* a file                                    */
} mpb_report;

int mpb_report_build(const mpb_report_opts *o, mpb_report *r, char *err, size_t n);
void mpb_report_free(mpb_report *r);
/* The gate-level section of r (n_gate, gate[]): loads the files (mpb_report_gate_load).
 * Called by mpb_report_build. */
int mpb_report_add_gate(mpb_report *r, const char *const *paths, size_t n, char *err,
                        size_t en);
/* Append a row to the claims table (printf-style measured text). Returns 0, or -1 when
 * the table is full (MPB_MAX_CLAIMS rows). */
int mpb_report_add_claim(mpb_report *r, const char *claim, const char *verdict,
                         const char *measured_fmt, ...) __attribute__((format(printf, 4, 5)));

int mpb_report_write_html(const mpb_report *r, FILE *f);
int mpb_report_write_csv(const mpb_report *r, FILE *f);
int mpb_report_write_json(const mpb_report *r, FILE *f);

/* RTL toggle file (docs/report-schema.md §RTL toggles): per-block toggles counted by the
 * Verilated RTL on the stimulus mpb_energy_reference(unit, n, seed). */
typedef struct mpb_rtl_toggles {
  char unit[16];
  uint64_t seed, n;
  double toggles[MPB_NBLK]; /* -1 where the file has no figure for the block */
  char source[160];
} mpb_rtl_toggles;
int mpb_rtl_toggles_load(const char *path, mpb_rtl_toggles *t, char *err, size_t n);
/* Load n files, at most one per unit (so n <= MPB_REPORT_NRTL on success), into t[0..n)
 * sorted by unit (rope, exp, dot). Returns 0; MPB_RTL_EFILE on a bad file (message names
 * file and field); MPB_RTL_EDUP when two files are of the same unit (message names
 * both). */
enum { MPB_RTL_EFILE = -1, MPB_RTL_EDUP = -2 };
int mpb_rtl_toggles_load_set(const char *const *paths, size_t n, mpb_rtl_toggles *t,
                             char *err, size_t en);
/* The RTL cross-check section of r (n_rtl, rtl[], rtl_blocks, rtl_differ): loads the
 * files (mpb_rtl_toggles_load_set) and re-runs the model's reference stimulus of each
 * file's unit, n and seed (mpb_energy_reference). Called by mpb_report_build. */
int mpb_report_add_rtl(mpb_report *r, const mpb_model *mdl, const char *const *paths,
                       size_t n, char *err, size_t en);
/* Whether the RTL and model counts of a block agree (both present and equal). */
bool mpb_report_rtl_agrees(const mpb_report_rtl *u, int block);

#ifdef __cplusplus
}
#endif
#endif /* MPB_REPORT_H */
