/* counts.h — mpb_counts <-> Python: a (MPB_NBLK, 8) uint64 array of the per-block action
 * counts (fields in COUNT_FIELDS order) plus a dict of the totals. Shared by trace.c
 * (replay results) and energy.c (pricing). */
#ifndef MPBSIM_COUNTS_H
#define MPBSIM_COUNTS_H

#include "ext.h"

#define COUNT_NFIELDS 8
/* Field names of mpb_block_counts, in struct order. */
extern const char *const count_fields[COUNT_NFIELDS];
/* (blocks array, totals dict) of c; NULL on error. */
PyObject *counts_to_py(const mpb_counts *c);
/* From the pair above; 0 or -1 with an exception. */
int counts_from_py(PyObject *blocks, PyObject *totals, mpb_counts *c);

#endif
