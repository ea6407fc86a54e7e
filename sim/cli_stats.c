/* cli_stats.c — the shared error accumulator of the evaluation commands. */
#include "cli_stats.h"

#include <math.h>
#include <stdio.h>

void err_acc_add(err_acc *a, double e, double at, int j) {
  if (!isfinite(e)) {
    a->nonfinite++;
    a->max = INFINITY;
    return;
  }
  a->n++;
  a->sumsq += e * e;
  if (e > a->max) {
    a->max = e;
    a->worst_at = at;
    a->worst_j = j;
  }
}

double err_acc_rms(const err_acc *a) { return a->n ? sqrt(a->sumsq / (double)a->n) : 0.0; }

double err_acc_rms_shown(const err_acc *a) { return a->nonfinite ? INFINITY : err_acc_rms(a); }

void err_print_cell(double v) {
  if (isinf(v))
    printf(" %9s", "nan/inf");
  else
    printf(" %9.2e", v);
}
