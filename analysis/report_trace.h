/* report_trace.h — the trace section of a report (report_trace.c): replay a trace through
 * the model with a metrics hook, attention scores from paired Q/K records, and the
 * replay's energy with activity. Library rules: errors returned, nothing printed. */
#ifndef MPB_REPORT_TRACE_H
#define MPB_REPORT_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "energy.h"
#include "metrics.h"
#include "mpb.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mpb_report;

/* RoPE geometry and model name from a trace's header; -1 with a message if the trace
 * cannot be opened or has no RoPE geometry. */
int mpb_trace_geometry(const char *path, mpb_geometry *g, char *model, size_t mlen, char *err,
                       size_t n);
/* Replay the trace with the report's configuration and fill the report's trace fields. */
int mpb_report_add_trace(struct mpb_report *r, const char *path, const mpb_model *mdl,
                         const mpb_energy_table *tab, char *err, size_t n);

/* Per-layer totals of one op over the kept (layer, head, octave) groups, sorted by layer,
 * with the head holding the largest error. Returns the number of layers (<= max). */
typedef struct mpb_layer_stat {
  int layer, worst_head;
  uint64_t n;
  double max_abs, sum_err2;
} mpb_layer_stat;
int mpb_trace_layer_stats(const mpb_metrics *m, mpb_op_kind op, mpb_layer_stat *out, int max);

#ifdef __cplusplus
}
#endif
#endif /* MPB_REPORT_TRACE_H */
