/* replay.h — replay a trace through the golden model (cmodel/mpb.h) and accumulate the
 * error statistics against an FP64 reference, per op kind, per layer and per position
 * octave, plus the summed action counts for the energy model.
 *
 * What is compared (docs/trace-format.md §Replay):
 *   ROPE: each int8 row is rotated by the model (mpb_rope_vector, or the cycle-accurate
 *         pipe) and by the exact rotation with double cos/sin (mpb_baseline_cossin FP64)
 *         of the same int8 inputs; error = |model - exact| in units of the int8 input
 *         (multiply by the row's scale for model units).
 *   EXP:  v (natural-log domain) -> u = round(v log2(e) 2^16) in Q8.16 (saturated to 24
 *         bits); error = |model 2^u / exact 2^u - 1| (relative).
 *   GEMM: every (row of A, row of B) dot product through the MAC8 dot unit against the
 *         exact integer sum; error = |model - exact| in integer units (non-zero only when
 *         the accumulator wraps or saturates).
 * Memory is bounded by one record (<= TRACE_CHUNK_MAX values; a GEMM record's outputs by
 * REPLAY_MAX_GEMM_OUTPUTS) whatever the trace size; the cycle-accurate path feeds the
 * dot pipe beat by beat, with no array of beats.
 */
#ifndef MPB_REPLAY_H
#define MPB_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mpb.h"
#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define REPLAY_POS_BUCKETS 25 /* bucket 0: position 0; bucket b: [2^(b-1), 2^b) */
/* Outputs one record may produce (ntok x width, or ntok x cols dot products): the
 * replay's memory bound (two doubles per output) and a guard against hostile GEMMs. */
#define REPLAY_MAX_OUTPUTS (1u << 24)
/* GEMM records are the exception: ntok x cols dot products from ntok + cols rows, so a
 * tiny record could ask for a huge output; a replay rejects a GEMM record with more than
 * 2^20 outputs (16 MiB of results; the bundled traces use 64 x 64) as bad input. */
#define REPLAY_MAX_GEMM_OUTPUTS (1u << 20)

typedef struct replay_stat {
  uint64_t count;
  double max_abs, sum, sum_sq; /* of the error values */
} replay_stat;

void replay_stat_add(replay_stat *s, double err);
void replay_stat_merge(replay_stat *dst, const replay_stat *src);
double replay_stat_rms(const replay_stat *s);
double replay_stat_mean(const replay_stat *s);
/* Position bucket of m (0 for m = 0, else 1 + floor(log2 m)) and its range. */
int replay_pos_bucket(uint32_t m);
void replay_bucket_range(int b, uint32_t *lo, uint32_t *hi);

/* What one record produced, handed to the hook. n values per array, row-major:
 *   ROPE: ntok x width rotated values; EXP: ntok x width values of e^v (model, exact 2^u
 *   of the quantized input); GEMM: ntok x cols sums. */
typedef struct replay_rec_out {
  const double *got; /* model  */
  const double *ref; /* FP64 reference */
  size_t n;
  uint64_t record_index;
} replay_rec_out;

/* The exp unit's input for a trace value v (natural-log domain): u = round(v log2(e) 2^16)
 * in Q8.16, saturated to 24 bits (*saturated says whether it was; NaN saturates low). */
int32_t replay_exp_input(float v, bool *saturated);
/* Beat q of the dot product of int8 rows a, b of length K on 'lanes' MAC8 lanes: lanes
 * past K are zero, last is set on beat ceil(K / lanes) - 1. Shared with the co-simulation's
 * trace stimulus (sim/cosim/trace_items.cpp). */
void replay_dot_beat(const int8_t *a, const int8_t *b, uint32_t K, int lanes, size_t q,
                     mpb_dot_beat *beat);

/* Per-record hook for richer metrics (ulp histograms, attention-score error, KL ...). */
typedef void (*replay_hook)(void *user, const trace_header *h, const trace_record *rec,
                            const replay_rec_out *out);

typedef struct replay_opts {
  bool cycle;        /* run through the cycle-accurate pipes (mpb_pipe, STAGES mode)  */
  bool no_counts;    /* functional path without action counts (fastest)             */
  uint32_t kinds;    /* bit (1 << kind) set = replay that kind; 0 = all             */
  uint64_t max_records; /* stop after this many records (0 = all)                    */
  replay_hook hook;
  void *hook_user;
  /* progress: fraction of the file read, called at most once per record */
  void (*progress)(void *user, double fraction);
  void *progress_user;
} replay_opts;

typedef struct replay_result {
  trace_header header;
  uint32_t n_layers;
  uint64_t records, ops[TRACE_NKIND];   /* ops: rotations (pairs), exps, dot products */
  replay_stat kind[TRACE_NKIND];
  replay_stat op[TRACE_NKIND][TRACE_NGEMM_OP];
  replay_stat *layer[TRACE_NKIND];      /* n_layers entries each                     */
  replay_stat pos[TRACE_NKIND][REPLAY_POS_BUCKETS];
  uint64_t exp_saturated;               /* inputs clamped to the Q8.16 range          */
  uint64_t dot_wrap_events, dot_sat_events;
  mpb_counts counts;                    /* summed action counts                      */
  double seconds;                       /* wall time of the replay loop              */
  bool cycle;
  int io_errno;                         /* after a failed run: a read error's errno (0:
                                           the trace or the configuration is at fault) */
} replay_result;

void replay_opts_init(replay_opts *o);
/* Replay trace_path with configuration cfg. Returns 0, or -1 with a message naming the
 * file, the record and the field (bad trace, or a record the configuration cannot
 * take, e.g. a position >= 2^pos_bits). res must be freed with replay_result_free. */
int replay_run(const char *trace_path, const mpb_config *cfg, const replay_opts *o,
               replay_result *res, char *err, size_t errlen);
void replay_result_free(replay_result *res);

/* Outputs: JSON (jansson) and CSV of every statistic, and a summary table. */
int replay_write_json(const replay_result *res, const char *trace_path,
                      const mpb_config *cfg, FILE *f, char *err, size_t errlen);
int replay_write_csv(const replay_result *res, FILE *f);
void replay_print_summary(const replay_result *res, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
