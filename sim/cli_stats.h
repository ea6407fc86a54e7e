/* cli_stats.h — the error accumulator the evaluation commands share: max (with where),
 * RMS, count of non-finite results. */
#ifndef MPB_CLI_STATS_H
#define MPB_CLI_STATS_H

#include <stdint.h>

typedef struct err_acc {
  double max, sumsq, worst_at;
  int worst_j;
  uint64_t n, nonfinite;
} err_acc;

/* Add one error e observed at (at, j); a NaN/inf error counts as non-finite. */
void err_acc_add(err_acc *a, double e, double at, int j);
double err_acc_rms(const err_acc *a);
/* RMS as printed: inf when any result was non-finite. */
double err_acc_rms_shown(const err_acc *a);
/* Print one table cell: "%9.2e", or "nan/inf". */
void err_print_cell(double v);

#endif
