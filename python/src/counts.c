/* counts.c — conversion of libmpb's action counts (mpb_counts) to and from Python. */
#include "counts.h"

#include <string.h>

const char *const count_fields[COUNT_NFIELDS] = {"mul_ops", "mul_bitprod", "add_ops", "add_bits",
                                                 "rom_reads", "rom_bits", "reg_bits", "toggles"};

static uint64_t *field_ptr(mpb_block_counts *b, int f) {
  uint64_t *const p[COUNT_NFIELDS] = {&b->mul_ops, &b->mul_bitprod, &b->add_ops, &b->add_bits,
                                      &b->rom_reads, &b->rom_bits, &b->reg_bits, &b->toggles};
  return p[f];
}

#define TOTALS(X) X(ops) X(cycles) X(active_cycles) X(stall_cycles) X(idle_cycles)

PyObject *counts_to_py(const mpb_counts *c) {
  npy_intp dims[2] = {MPB_NBLK, COUNT_NFIELDS};
  PyObject *a = PyArray_SimpleNew(2, dims, NPY_UINT64);
  if (!a) return NULL;
  uint64_t *d = PyArray_DATA((PyArrayObject *)a);
  for (int b = 0; b < MPB_NBLK; b++)
    for (int f = 0; f < COUNT_NFIELDS; f++)
      d[b * COUNT_NFIELDS + f] = *field_ptr((mpb_block_counts *)&c->blk[b], f);
  PyObject *t = PyDict_New();
#define PUT(n)                                                                            \
  if (t) {                                                                                 \
    PyObject *v = PyLong_FromUnsignedLongLong(c->n);                                       \
    if (!v || PyDict_SetItemString(t, #n, v) < 0) Py_CLEAR(t);                             \
    Py_XDECREF(v);                                                                         \
  }
  TOTALS(PUT)
#undef PUT
  if (!t) {
    Py_DECREF(a);
    return NULL;
  }
  return Py_BuildValue("(NN)", a, t);
}

int counts_from_py(PyObject *blocks, PyObject *totals, mpb_counts *c) {
  memset(c, 0, sizeof *c);
  PyArrayObject *a = (PyArrayObject *)PyArray_FROMANY(blocks, NPY_UINT64, 2, 2, NPY_ARRAY_CARRAY);
  if (!a) return -1;
  if (PyArray_DIM(a, 0) != MPB_NBLK || PyArray_DIM(a, 1) != COUNT_NFIELDS) {
    Py_DECREF(a);
    PyErr_Format(PyExc_ValueError, "counts: blocks must have shape (%d, %d)", MPB_NBLK, COUNT_NFIELDS);
    return -1;
  }
  const uint64_t *d = PyArray_DATA(a);
  for (int b = 0; b < MPB_NBLK; b++)
    for (int f = 0; f < COUNT_NFIELDS; f++) *field_ptr(&c->blk[b], f) = d[b * COUNT_NFIELDS + f];
  Py_DECREF(a);
  if (!PyDict_Check(totals)) {
    PyErr_SetString(PyExc_TypeError, "counts: totals must be a dict");
    return -1;
  }
#define GET(n)                                                                            \
  {                                                                                        \
    PyObject *v = PyDict_GetItemString(totals, #n);                                        \
    if (v) {                                                                               \
      c->n = PyLong_AsUnsignedLongLong(v);                                                 \
      if (PyErr_Occurred()) return -1;                                                     \
    }                                                                                      \
  }
  TOTALS(GET)
#undef GET
  return 0;
}
