/* sweep.h — what-if sweeps over the datapath parameters (docs/sweeps.md).
 *
 * A sweep spec (libconfig file) names a base configuration, axes over any mpb parameter
 * by name (value lists, linear ranges, geometric ranges), the workloads (RoPE geometries
 * and the positions to evaluate), grid or seeded random sampling and the metrics to
 * keep. The library enumerates the points (pruning invalid combinations with
 * mpb_config_validate), evaluates each point (error against the FP64 reference, energy
 * and area from analysis/energy.h), stores every finished point atomically as one file
 * (so a killed sweep resumes where it stopped and gives identical results), runs points
 * in forked worker processes, and writes the result table, Pareto fronts, sensitivity
 * table and an HTML report with inline SVG. Optionally (rtl_check) each point's
 * configuration is also co-simulated against the Verilated RTL (analysis/sweep_rtl.c).
 *
 * Library rules: errors are returned (status + message buffer), nothing is printed.
 */
#ifndef MPB_SWEEP_H
#define MPB_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mpb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SWEEP_MAX_AXES 24
#define SWEEP_MAX_VALUES 256
#define SWEEP_MAX_WORKLOADS 8
#define SWEEP_MAX_TRACES 4
#define SWEEP_TRACE_VALUES 4 /* per trace: rope_err, exp_err, dot_err, dot_events */
#define SWEEP_NAME_LEN 64

/* One swept parameter: its index in mpb_param_get() and its values as text (the form
 * mpb_config_set takes, e.g. "24", "nearest", "1000"). */
typedef struct sweep_axis {
  size_t param;
  int nvalues;
  char values[SWEEP_MAX_VALUES][24];
} sweep_axis;

/* One workload: a RoPE geometry and the positions evaluated at every pair. */
typedef struct sweep_workload {
  char name[SWEEP_NAME_LEN];
  mpb_geometry geo;
  uint32_t *positions; /* sorted, distinct */
  size_t npositions;
  uint32_t pos_max;    /* positions are < pos_max                       */
  uint32_t verify_max; /* exhaustive re-check of the best point: every position < this
                          (0 = no verification)                          */
} sweep_workload;

/* A recorded trace (traces/replay.h) replayed through every point. Its columns:
 * <name>_rope_err  max |rotated - exact| of ROPE records, in int8 input units,
 * <name>_exp_err   max relative error of EXP records,
 * <name>_dot_err   max |sum - exact| of GEMM dot products (integer units),
 * <name>_dot_events  accumulator wraps + saturations. */
typedef struct sweep_trace {
  char name[SWEEP_NAME_LEN];
  char path[512];
} sweep_trace;

typedef enum { SWEEP_GRID = 0, SWEEP_RANDOM = 1 } sweep_sampling;

/* Model-level objective (model_eval = { model; tokens; ctx; chunks; offset; numerics;
 * metric; max; }, analysis/sweep_lm.c, docs/sweeps.md): every point's configuration is
 * the bridge of a closed-loop evaluation (lm/eval.h) — `numerics` names the sites it
 * computes — on `chunks` windows of `ctx` tokens at position offset `offset`, against the
 * FP32 reference at offset 0. Five columns: lm_kld_mean, lm_kld_p99, lm_kld_p999,
 * lm_kld_max, lm_same_top. With max > 0 the verdict also names the cheapest point whose
 * `metric` (one of the four KLD columns) is <= max. */
#define SWEEP_LM_VALUES 5
typedef struct sweep_lm {
  bool on;
  char model[512], tokens[512], numerics[256];
  int ctx, chunks;
  long long offset;
  int metric; /* 0..3: lm_kld_mean, lm_kld_p99, lm_kld_p999, lm_kld_max */
  double max; /* constraint metric <= max; 0 = report the columns only */
} sweep_lm;
extern const char *const sweep_lm_metric_names[SWEEP_LM_VALUES];

/* SSM objective (ssm_eval = { model; steps; dt_range; numerics; seed; metric; max; },
 * analysis/sweep_ssm.c, docs/sweeps.md): every point's configuration is the bridge of the
 * SSM closed-loop study (analysis/ssm_eval.h) — `numerics` names the sites it computes —
 * on one block of geometry `model` for `steps` steps against the FP64 reference. Four
 * columns: ssm_h_rel and ssm_y_rel (RMS relative error of the state and of the output in
 * the last octave), ssm_near_zero (max relative error of the dt*A~0 channel's state in the
 * last octave), ssm_h_b (growth exponent of the state's error). With max > 0 the verdict
 * also names the cheapest point whose `metric` (one of the first three) is <= max. */
#define SWEEP_SSM_VALUES 4
typedef struct sweep_ssm {
  bool on;
  char model[32], numerics[256];
  uint64_t steps, seed;
  double dt_min, dt_max;
  int metric; /* 0..2: ssm_h_rel, ssm_y_rel, ssm_near_zero */
  double max; /* constraint metric <= max; 0 = report the columns only */
} sweep_ssm;
extern const char *const sweep_ssm_metric_names[SWEEP_SSM_VALUES];

/* RTL in the loop (rtl_check = { cycles; seeds; workloads; cache; }): every point's
 * configuration is co-simulated (sim/cosim/, lock-step against the C model) on the
 * geometry of each selected workload, seeds 1..seeds, cycles each. The binaries are built
 * once per distinct (resolved configuration, geometry, sources) by tools/cosim-build.sh
 * into a cache. Two value columns: rtl_check (SWEEP_RTL_*) and rtl_cycles (cycles
 * co-simulated without a mismatch), and a text (sweep_result.rtl_detail). */
#define SWEEP_RTL_VALUES 2
#define SWEEP_RTL_DETAIL 256
#define SWEEP_RTL_PASS 1.0
#define SWEEP_RTL_FAIL 0.0
#define SWEEP_RTL_SKIPPED -1.0 /* the RTL cannot be built with this configuration */
typedef struct sweep_rtl {
  bool on;
  uint64_t cycles;       /* per seed and workload */
  int seeds;             /* seeds 1..seeds */
  uint32_t workloads;    /* bit k: check on the geometry of workload k */
  /* Not part of the spec hash (they do not change the results): */
  char cache[512];       /* build cache directory ("" = the build script's default) */
  char src_dir[512];     /* source tree holding tools/cosim-build.sh; set by the caller */
  uint64_t cache_max;    /* prune the cache to this many bytes after a build (0: never) */
  char src_key[600];     /* the sources' hash, prepared once (sweep_rtl_prepare)       */
  char out_dir[512];     /* the sweep's output: waveforms of failures go to rtl/        */
} sweep_rtl;

/* Metrics: one table (sweep_metric_info) from which columns, JSON keys, Pareto and
 * sensitivity derive. Per-workload maxima follow the global metrics. */
typedef enum {
  SWEEP_M_MAX_ERR = 0, /* max |cos/sin error| over all workloads, positions, pairs   */
  SWEEP_M_RMS_ERR,     /* RMS of the cos and sin errors                              */
  SWEEP_M_ERR_BITS,    /* -log2(max_err)                                             */
  SWEEP_M_BOUND,       /* analytic bound mpb_rope_error_bound (inf in LOG-ADD mode)   */
  SWEEP_M_ENERGY,      /* modelled energy per rotation, pJ                           */
  SWEEP_M_AREA,        /* area proxy (analysis/energy.h)                             */
  SWEEP_M_LATENCY,     /* rope pipeline latency, cycles                              */
  SWEEP_M_MEETS_GOAL,  /* 1 if max_err <= goal, else 0                               */
  SWEEP_NMETRIC
} sweep_metric;

typedef struct sweep_metric_info {
  const char *name;
  const char *doc;
  bool log_scale; /* plotted and fitted on log2 */
} sweep_metric_info;
const sweep_metric_info *sweep_metric_get(int m);

/* The task of a spec: the datapath sweep above (default), or the long-context passkey
 * grid (task = "passkey"; analysis/sweep_passkey.c, docs/models.md): points are the cells
 * backend x length x depth x offset (first axis most significant), each running `keys`
 * seeded keys through a GGUF model under the backend's numerics (lm/passkey.h). The
 * engine (points, -j workers, store and resume, shards, Slurm, merge) is the same. */
typedef enum { SWEEP_TASK_DATAPATH = 0, SWEEP_TASK_PASSKEY = 1 } sweep_task;

#define SWEEP_PK_MAX 16 /* values per passkey axis */
typedef struct sweep_pk_backend {
  char name[SWEEP_NAME_LEN];
  char numerics[128];     /* lm_numerics_spec_parse text, e.g. "bridge", "ref,rope=bf16" */
  char label[64];         /* the bridge datapath: "default", "patent" or a file's name */
  mpb_config cfg;         /* the bridge datapath configuration                          */
  bool uses_bridge;       /* some site is on the bridge backend (positions < 2^pos_bits) */
} sweep_pk_backend;

typedef struct sweep_passkey {
  char model[512], filler[512];
  int keys;
  int nlengths, lengths[SWEEP_PK_MAX];
  int ndepths;
  double depths[SWEEP_PK_MAX];
  int noffsets;
  int64_t offsets[SWEEP_PK_MAX];
  int nbackends;
  sweep_pk_backend backend[SWEEP_PK_MAX];
} sweep_passkey;

/* Value columns of a passkey point (lm_passkey_result). */
enum {
  SWEEP_PK_ACCURACY = 0, /* keys retrieved (all five digits the argmax), fraction */
  SWEEP_PK_DIGIT_ACC,    /* digits that are the argmax, fraction                  */
  SWEEP_PK_MARGIN_MEAN,  /* mean over keys of the smallest digit log-prob margin  */
  SWEEP_PK_MARGIN_MIN,   /* smallest digit margin of the cell                     */
  SWEEP_PK_LOGPROB,      /* mean log p(key)                                       */
  SWEEP_PK_KLD_MEAN,     /* KL(ref || backend) of the answer rows, mean           */
  SWEEP_PK_KLD_MAX,      /*   and max                                             */
  SWEEP_PK_KEY_AT,       /* token index of the key sentence                       */
  SWEEP_PK_NVALUES
};
typedef struct sweep_spec {
  char path[512];
  char name[SWEEP_NAME_LEN];
  mpb_config base;
  int naxes;
  sweep_axis axis[SWEEP_MAX_AXES];
  sweep_sampling sampling;
  uint64_t samples; /* random sampling: number of draws */
  uint64_t seed;
  int nworkloads;
  sweep_workload wl[SWEEP_MAX_WORKLOADS];
  int ntraces;
  sweep_trace tr[SWEEP_MAX_TRACES];
  bool keep[SWEEP_NMETRIC]; /* metrics written to the tables */
  double goal;              /* precision goal on max_err (0 = none) */
  char energy_table[512];   /* energy table file for mpb_energy_load ("" = default) */
  char output[512];         /* default output directory */
  sweep_rtl rtl;            /* co-simulation of every point (off unless rtl_check is given) */
  sweep_lm lm;              /* model-level objective (off unless model_eval is given)     */
  sweep_ssm ssm;            /* SSM objective (off unless ssm_eval is given)              */
  uint64_t hash;            /* FNV-1a of everything in the spec that determines the results
                               (plus MPB_VERSION and the energy table's text); not of the
                               model's code: after changing it, use a fresh directory */
  sweep_task task;
  sweep_passkey pk;         /* task = "passkey" only */
} sweep_spec;

/* Parse a spec file. Errors name the file, line, field and the expected range.
 * Returns MPB_EIO if the file cannot be read, MPB_EINVAL for bad content. */
mpb_status sweep_spec_load(sweep_spec *s, const char *path, char *err, size_t errlen);
void sweep_spec_free(sweep_spec *s);

/* splitmix64 step: the sweep's one generator (random sampling, position sampling). */
uint64_t sweep_rand64(uint64_t *state);

/* ---- points --------------------------------------------------------------------------- */
/* A point is identified by its grid index (mixed radix over the axes, first axis most
 * significant); its configuration is the base with each axis set to its value. */
uint64_t sweep_grid_size(const sweep_spec *s);
mpb_status sweep_point_config(const sweep_spec *s, uint64_t index, mpb_config *cfg,
                              char *err, size_t errlen);

typedef struct sweep_plan {
  uint64_t *index; /* valid points, ascending grid index */
  size_t n;
  uint64_t considered; /* grid size or random draws        */
  uint64_t pruned;     /* combinations rejected by validation */
  char first_pruned[256]; /* message of the first pruned point */
} sweep_plan;

/* Enumerate the points (grid or seeded random), prune invalid ones. */
mpb_status sweep_plan_make(const sweep_spec *s, sweep_plan *p, char *err, size_t errlen);
void sweep_plan_free(sweep_plan *p);

/* ---- evaluation ------------------------------------------------------------------------ */
#define SWEEP_NVALUES \
  (SWEEP_NMETRIC + SWEEP_MAX_WORKLOADS + SWEEP_TRACE_VALUES * SWEEP_MAX_TRACES + \
   SWEEP_LM_VALUES + SWEEP_SSM_VALUES + SWEEP_RTL_VALUES)
typedef struct sweep_result {
  uint64_t index;
  double v[SWEEP_NVALUES]; /* metrics, max_err per workload, the trace columns, the
                              model_eval columns (if on), the ssm_eval columns (if on),
                              then rtl_check and rtl_cycles (if rtl_check is on) */
  char rtl_detail[SWEEP_RTL_DETAIL]; /* rtl_check: the mismatch or the reason of a skip */
} sweep_result;
/* Index of the first value column of trace k. */
int sweep_trace_col(const sweep_spec *s, int k);
/* Index of the first model_eval column (lm_kld_mean), or -1 if model_eval is off. */
int sweep_lm_col(const sweep_spec *s);
/* Index of the first ssm_eval column (ssm_h_rel), or -1 if ssm_eval is off. */
int sweep_ssm_col(const sweep_spec *s);
/* Index of the rtl_check column (rtl_cycles follows), or -1 if rtl_check is off. */
int sweep_rtl_col(const sweep_spec *s);
/* "pass", "fail", "skipped" for an rtl_check value; "" for NaN (not stored). */
const char *sweep_rtl_status_name(double v);
/* Once per sweep, in the parent, before sweep_run: create DIR/rtl/ and hash the sources
 * of the co-simulation build once (tools/cosim-build.sh --prepare-key DIR/rtl/source.key)
 * so that the points do not; sets rtl->src_key and rtl->out_dir (a failing point's
 * waveform goes to DIR/rtl/p<index>-<workload>-seed<S>.fst). */
mpb_status sweep_rtl_prepare(sweep_rtl *rtl, const char *dir, char *err, size_t errlen);
/* Prune the build cache to max_bytes, least recently used first (cosim-build.sh --prune);
 * its report (one line per removed entry, then the size) is appended to msg. */
mpb_status sweep_rtl_prune(const sweep_rtl *rtl, uint64_t max_bytes, char *msg, size_t len,
                           char *err, size_t errlen);
/* Co-simulate cfg (point r->index) as the spec's rtl_check asks; fills the rtl columns
 * and r->rtl_detail. A mismatch is a result (fail), not an error; errors are failures to
 * run the build script or to build (MPB_EIO). */
mpb_status sweep_rtl_check(const sweep_spec *s, const mpb_config *cfg, sweep_result *r,
                           char *err, size_t errlen);

typedef struct sweep_evaluator sweep_evaluator; /* caches references, energy table */
sweep_evaluator *sweep_evaluator_new(const sweep_spec *s, char *err, size_t errlen);
/* The output directory, for evaluators that keep files beside the points (the passkey
 * task's reference distributions). */
void sweep_evaluator_set_dir(sweep_evaluator *e, const char *dir);
void sweep_evaluator_free(sweep_evaluator *e);
mpb_status sweep_eval_point(sweep_evaluator *e, uint64_t index, sweep_result *r, char *err,
                            size_t errlen);
/* Max |cos/sin error| of cfg on workload w at every position < verify_max (all pairs). */
mpb_status sweep_verify(const sweep_spec *s, const mpb_config *cfg, int w, double *max_err,
                        uint32_t *worst_m, char *err, size_t errlen);

/* ---- store: one file per finished point --------------------------------------------- */
/* DIR/points/p<index>.row holds one line: version, spec hash, index, the values (%.17g)
 * and a CRC-32 of the line; written to a temporary file and renamed into place. */
/* Create DIR/points and DIR/sweep.id; fails if DIR belongs to a different spec. */
mpb_status sweep_store_init(const char *dir, const sweep_spec *s, char *err, size_t errlen);
mpb_status sweep_store_put(const char *dir, const sweep_spec *s, const sweep_result *r,
                           char *err, size_t errlen);
/* 1 if a valid row for this point exists (filled into r), 0 if missing or corrupt,
 * -1 with a message if it belongs to another spec (different hash). */
int sweep_store_get(const char *dir, const sweep_spec *s, uint64_t index, sweep_result *r,
                    char *err, size_t errlen);

/* ---- execution ------------------------------------------------------------------------- */
typedef struct sweep_progress {
  size_t total, done, skipped; /* points of this run; done includes skipped */
  double elapsed_s;
} sweep_progress;
typedef void (*sweep_progress_fn)(const sweep_progress *p, void *ctx);

typedef struct sweep_run_opts {
  int workers;        /* forked worker processes, >= 1                 */
  int shard, nshards; /* run only plan points with ordinal % nshards == shard */
  sweep_progress_fn progress; /* called from the parent ~10 times/s; may be NULL */
  void *ctx;
} sweep_run_opts;

/* Evaluate the plan's points of this shard that are not in the store yet, in parallel.
 * st (may be NULL) receives the counts. */
mpb_status sweep_run(const sweep_spec *s, const sweep_plan *p, const char *dir,
                     const sweep_run_opts *o, sweep_progress *st, char *err, size_t errlen);

/* ---- merge and report ------------------------------------------------------------------ */
typedef struct sweep_table {
  sweep_result *r; /* one per plan point, ascending index */
  size_t n;
  size_t missing;  /* plan points without a stored row (then r is partial) */
  uint64_t first_missing;
} sweep_table;
mpb_status sweep_table_load(const char *dir, const sweep_spec *s, const sweep_plan *p,
                            sweep_table *t, char *err, size_t errlen);
void sweep_table_free(sweep_table *t);

/* Pareto front minimising metrics mx and my: indices into t->r, sorted by mx ascending.
 * Returns the count; front must hold t->n entries. NaN values never enter the front. */
size_t sweep_pareto(const sweep_table *t, int mx, int my, size_t *front);

/* Sensitivity of metric m to axis a: for each value of the axis the mean of the metric
 * (log2 for log-scale metrics) over the points having it; effect = max mean - min mean.
 * Also the GSL least-squares slope of the metric against the value's position on the
 * axis (0..nvalues-1). Returns the number of values that had points. */
typedef struct sweep_sens {
  double mean[SWEEP_MAX_VALUES];
  int count[SWEEP_MAX_VALUES];
  double effect, slope;
} sweep_sens;
int sweep_sensitivity(const sweep_spec *s, const sweep_table *t, int a, int m,
                      sweep_sens *out);

/* Write DIR/results.csv, results.json, pareto.svg, pareto-area.svg, sensitivity.csv,
 * report.html and best.cfg (if a best point exists); each file atomically.
 * The verdict (sweep_verdict_make) names the chosen point and its exhaustive check. */
typedef struct sweep_verdict {
  long best;            /* index into t->r, -1 if none */
  bool verified;        /* exhaustive check done on the best point */
  double verify_err[SWEEP_MAX_WORKLOADS];
  uint32_t verify_worst_m[SWEEP_MAX_WORKLOADS];
  int rejected;         /* cheaper candidates that met the goal on samples but failed it */
  bool all;             /* every candidate was checked (verify-all) */
  int checked, failed;  /* candidates checked exhaustively, and how many failed */
  long best_lm;         /* model_eval with max: lowest energy (ties: area) meeting the
                           model-level constraint, index into t->r; -1 if none */
  long best_ssm;        /* ssm_eval with max: the same for the SSM constraint */
} sweep_verdict;
/* Choose the best point: candidates meeting the goal on the sampled positions (and not
 * failing rtl_check), lowest energy first (ties: lower area); with verify_max set on a
 * workload, each candidate is re-checked at every position < verify_max and the first
 * that passes wins (at most max_tries candidates are tried). With all, every candidate
 * meeting the goal on the samples is re-checked (checked/failed count them): how far the
 * sampling can be trusted. */
mpb_status sweep_verdict_make(const sweep_spec *s, const sweep_table *t, int max_tries,
                              bool all, sweep_verdict *v, char *err, size_t errlen);
mpb_status sweep_report_write(const char *dir, const sweep_spec *s, const sweep_plan *p,
                              const sweep_table *t, const sweep_verdict *v, char *err,
                              size_t errlen);

/* Name of value column k (metric name, "max_err_<workload>" or "<trace>_<stat>"). */
void sweep_value_name(const sweep_spec *s, int k, char *buf, size_t len);
int sweep_nvalues(const sweep_spec *s);

/* ---- passkey task (analysis/sweep_passkey.c) ------------------------------------------ */
/* A passkey point's coordinates. */
typedef struct sweep_pk_cell {
  int backend, length, offset_i, depth_i, length_i;
  double depth;
  int64_t offset;
} sweep_pk_cell;
void sweep_pk_cell_of(const sweep_spec *s, uint64_t index, sweep_pk_cell *c);
/* 0 if the cell can run, else -1 with the reason (bridge positions beyond pos_bits). */
int sweep_pk_check(const sweep_spec *s, uint64_t index, char *msg, size_t len);
/* Write results.csv, results.json, heatmap-<backend>[-o<offset>].svg and report.html. */
mpb_status sweep_pk_report_write(const char *dir, const sweep_spec *s, const sweep_plan *p,
                                 const sweep_table *t, char *err, size_t errlen);
/* One line per point (--plan) / the accuracy grid per backend (after a run), on f. */
void sweep_pk_print_plan(FILE *f, const sweep_spec *s, const sweep_plan *p);
void sweep_pk_print_summary(FILE *f, const sweep_spec *s, const sweep_table *t);
/* The passkey evaluator (sweep_evaluator dispatches to it): the model, loaded once before
 * the workers fork (so they share its weights), and the output directory, which holds the
 * reference distributions (DIR/passkey-ref/, computed once per cell under a lock). */
typedef struct sweep_pk_eval sweep_pk_eval;
sweep_pk_eval *sweep_pk_eval_new(const sweep_spec *s, char *err, size_t errlen);
void sweep_pk_eval_set_dir(sweep_pk_eval *e, const char *dir);
void sweep_pk_eval_free(sweep_pk_eval *e);
mpb_status sweep_pk_eval_point(sweep_pk_eval *e, uint64_t index, sweep_result *r, char *err,
                               size_t errlen);

/* ---- SVG scatter plot (analysis/sweep_svg.c) ----------------------------------------- */
typedef struct sweep_plot {
  const char *title, *xlabel, *ylabel;
  bool xlog, ylog;     /* log10 axes */
  const double *x, *y; /* all points */
  size_t n;
  const size_t *front; /* Pareto front (indices, drawn as a line), may be NULL */
  size_t nfront;
  long highlight;      /* index of the chosen point, or -1 */
  double yline;        /* horizontal goal line, or 0 for none */
} sweep_plot;
void sweep_svg_write(FILE *f, const sweep_plot *p);

#ifdef __cplusplus
}
#endif
#endif /* MPB_SWEEP_H */
