/* ext.h — shared declarations of the mpbsim._mpb CPython extension (the .c files beside it): the
 * exception types, the Config and Model object layouts, the chunked elementwise engine
 * that feeds NumPy arrays of any broadcastable shape to libmpb's batched calls, and the
 * init hooks of each file. The extension holds no numerics of its own: every value comes
 * from libmpb, libtraces or libanalysis (docs/python.md). */
#ifndef MPBSIM_EXT_H
#define MPBSIM_EXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef MPBSIM_MAIN_UNIT
#define NO_IMPORT_ARRAY
#endif
#define PY_ARRAY_UNIQUE_SYMBOL mpbsim_ARRAY_API
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include "mpb.h"

/* Exceptions (module attributes): MpbError, and ConfigError / TraceError, both also
 * ValueError subclasses. The message is the library's, unchanged. */
extern PyObject *mpbsim_Error, *mpbsim_ConfigError, *mpbsim_TraceError;

typedef struct {
  PyObject_HEAD
  mpb_config cfg;
} ConfigObject;
extern PyTypeObject Config_Type;

typedef struct {
  PyObject_HEAD
  mpb_model *mdl;
  mpb_config cfg;
  mpb_geometry geo;
} ModelObject;
extern PyTypeObject Model_Type;

/* Convert a Config object (or subclass) to its C struct; NULL + TypeError otherwise. */
const mpb_config *config_of(PyObject *o);
/* The ISA of a call: None = mpb_isa_default() (read once per call), or a name. */
int isa_of(PyObject *o, mpb_isa *isa);

/* ---- the elementwise engine (elementwise.c) ------------------------------------------
 * A call has nin inputs and nout outputs, broadcast together by NumPy's iterator (no
 * broadcast copy is made). Inputs are taken in their own dtype and fed to the kernel in
 * chunks of at most EW_CHUNK elements as contiguous arrays of the kernel's type: passed
 * through when dtype and stride already match, converted into a chunk buffer otherwise,
 * and range-checked on the way (ValueError naming the argument, the value and the range).
 * Integer kernel inputs accept integer dtypes only, float inputs integer or float dtypes;
 * anything else is a TypeError. The GIL is released while the kernels run. */
#define EW_CHUNK 2048
typedef enum { EW_I32, EW_U32, EW_F32, EW_F64 } ew_type;
typedef struct {
  const char *name;  /* argument name in messages                              */
  ew_type type;      /* what the kernel reads                                   */
  int64_t lo, hi;    /* integer inputs: accepted range (inclusive)              */
  const char *why;   /* what sets the range, e.g. "x_bits = 8"                  */
} ew_in;
typedef void (*ew_kernel)(void *ctx, size_t n, const void *const *in, void *const *out);
/* Returns a new tuple of the nout output arrays, or NULL with an exception set. out: NULL
 * or None to allocate the outputs, or a tuple of nout arrays of the output dtypes and the
 * broadcast shape to write into (reusing memory saves the first-touch page faults). */
PyObject *ew_run(const char *fname, int nin, PyObject *const *in_objs, const ew_in *spec,
                 int nout, const ew_type *out_types, ew_kernel kernel, void *ctx, PyObject *out);

/* Build a 1-D NumPy array copying n elements of the given type (for record fields). */
PyObject *array_copy(int type_num, const void *data, npy_intp n);

/* Init hooks: add the file's types and functions to the module; 0 or -1. */
int init_config(PyObject *m);
int init_model(PyObject *m);
int init_trace(PyObject *m);
int init_energy(PyObject *m);
extern PyMethodDef ops_methods[];     /* free functions of ops.c (baselines ...)   */
extern PyMethodDef trace_methods[];   /* free functions of trace.c (replay ...)    */
extern PyMethodDef energy_methods[];  /* free functions of energy.c                */

#endif
