/* elementwise.c — the chunked elementwise engine of the extension (ext.h): NumPy's
 * iterator broadcasts the operands, and each inner loop is cut into chunks that reach
 * the kernel as contiguous arrays of its type, range-checked. */
#include "ext.h"

#include <string.h>

/* What went wrong inside the GIL-free loop, raised after it. */
typedef struct {
  int arg;          /* input index, or -1 */
  int is_unsigned;  /* bad value is an unsigned 64-bit one */
  int64_t sval;
  uint64_t uval;
} ew_fault;

/* Source dtype classes the chunk fetcher reads. */
typedef enum { SRC_I8, SRC_I16, SRC_I32, SRC_I64, SRC_U8, SRC_U16, SRC_U32, SRC_U64,
               SRC_F16, SRC_F32, SRC_F64, SRC_BAD } src_class;

static src_class classify(PyArrayObject *a) {
  int size = (int)PyArray_ITEMSIZE(a);
  if (PyArray_ISSIGNED(a))
    return size == 1 ? SRC_I8 : size == 2 ? SRC_I16 : size == 4 ? SRC_I32 : size == 8 ? SRC_I64 : SRC_BAD;
  if (PyArray_ISUNSIGNED(a))
    return size == 1 ? SRC_U8 : size == 2 ? SRC_U16 : size == 4 ? SRC_U32 : size == 8 ? SRC_U64 : SRC_BAD;
  if (PyArray_TYPE(a) == NPY_HALF) return SRC_F16;
  if (PyArray_TYPE(a) == NPY_FLOAT) return SRC_F32;
  if (PyArray_TYPE(a) == NPY_DOUBLE) return SRC_F64;
  return SRC_BAD;
}

static int is_float_src(src_class c) { return c == SRC_F16 || c == SRC_F32 || c == SRC_F64; }

/* Range of the integer source classes. */
static void src_range(src_class c, int64_t *lo, uint64_t *hi) {
  switch (c) {
  case SRC_I8: *lo = INT8_MIN; *hi = INT8_MAX; break;
  case SRC_I16: *lo = INT16_MIN; *hi = INT16_MAX; break;
  case SRC_I32: *lo = INT32_MIN; *hi = INT32_MAX; break;
  case SRC_I64: *lo = INT64_MIN; *hi = INT64_MAX; break;
  case SRC_U8: *lo = 0; *hi = UINT8_MAX; break;
  case SRC_U16: *lo = 0; *hi = UINT16_MAX; break;
  case SRC_U32: *lo = 0; *hi = UINT32_MAX; break;
  default: *lo = 0; *hi = UINT64_MAX; break;
  }
}

static size_t type_size(ew_type t) { return t == EW_F64 ? 8 : 4; }
static int type_num(ew_type t) {
  return t == EW_I32 ? NPY_INT32 : t == EW_U32 ? NPY_UINT32 : t == EW_F32 ? NPY_FLOAT32 : NPY_FLOAT64;
}

/* Integer chunk: n elements at p (byte stride st) of class c into 32-bit words, checked
 * against [lo, hi] unless check is 0. Returns the pointer the kernel reads: p itself when
 * the source is contiguous 32-bit (the words are equal for in-range values), else buf. */
#define FETCH_INT(T)                                                                       \
  for (npy_intp i = 0; i < n; i++) {                                                       \
    T v = *(const T *)(p + i * st);                                                        \
    if (check && ((int64_t)v < lo || (int64_t)v > hi)) {                                   \
      f->sval = (int64_t)v, f->is_unsigned = 0;                                            \
      return NULL;                                                                         \
    }                                                                                      \
    buf[i] = (uint32_t)(int64_t)v;                                                         \
  }                                                                                        \
  return buf;
#define FETCH_UINT(T)                                                                      \
  for (npy_intp i = 0; i < n; i++) {                                                       \
    T v = *(const T *)(p + i * st);                                                        \
    if (check && (uint64_t)v > (uint64_t)hi) {                                             \
      f->uval = (uint64_t)v, f->is_unsigned = 1;                                           \
      return NULL;                                                                         \
    }                                                                                      \
    buf[i] = (uint32_t)v;                                                                  \
  }                                                                                        \
  return buf;

/* 1 if any of the n 32-bit words at p is outside [lo, hi] (read as class c): a min/max
 * reduction the compiler vectorizes, cloned per instruction set (chosen at load time). */
__attribute__((target_clones("avx2", "default"))) static int any_out32(const char *p, npy_intp n,
                                                                       src_class c, int64_t lo,
                                                                       int64_t hi) {
  if (c == SRC_I32) {
    const int32_t *q = (const int32_t *)p;
    int32_t mn = INT32_MAX, mx = INT32_MIN;
    for (npy_intp i = 0; i < n; i++) {
      mn = q[i] < mn ? q[i] : mn;
      mx = q[i] > mx ? q[i] : mx;
    }
    return mn < lo || mx > hi;
  }
  const uint32_t *q = (const uint32_t *)p;
  uint32_t mn = UINT32_MAX, mx = 0;
  for (npy_intp i = 0; i < n; i++) {
    mn = q[i] < mn ? q[i] : mn;
    mx = q[i] > mx ? q[i] : mx;
  }
  return (int64_t)mn < lo || (int64_t)mx > hi;
}

/* Record the first word of p outside [lo, hi] in f. */
static void find_out32(const char *p, npy_intp n, src_class c, int64_t lo, int64_t hi, ew_fault *f) {
  for (npy_intp i = 0; i < n; i++) {
    int64_t v = c == SRC_I32 ? ((const int32_t *)p)[i] : (int64_t)((const uint32_t *)p)[i];
    if (v < lo || v > hi) {
      f->sval = v, f->is_unsigned = 0;
      return;
    }
  }
}

/* *defer is set when p is passed through unchecked: the caller checks the chunk with
 * any_out32 after the kernel has read it (then it is in cache; checking first would add
 * a pass over memory the kernel overlaps with its arithmetic). */
static const void *fetch_int(const char *p, npy_intp st, npy_intp n, src_class c, int check,
                             int64_t lo, int64_t hi, uint32_t *buf, ew_fault *f, int *defer) {
  *defer = 0;
  if ((c == SRC_I32 || c == SRC_U32) && st == 4) {
    *defer = check;
    return p;
  }
  switch (c) {
  case SRC_I8: { FETCH_INT(int8_t) }
  case SRC_I16: { FETCH_INT(int16_t) }
  case SRC_I32: { FETCH_INT(int32_t) }
  case SRC_I64: { FETCH_INT(int64_t) }
  case SRC_U8: { FETCH_UINT(uint8_t) }
  case SRC_U16: { FETCH_UINT(uint16_t) }
  case SRC_U32: { FETCH_UINT(uint32_t) }
  default: { FETCH_UINT(uint64_t) }
  }
}

/* Float chunk into float or double. */
#define FETCH_FLT(T, CONV)                                                                 \
  for (npy_intp i = 0; i < n; i++) out[i] = (T)(CONV);                                     \
  return out;
static const void *fetch_f32(const char *p, npy_intp st, npy_intp n, src_class c, float *out) {
  if (c == SRC_F32 && st == 4) return p;
  switch (c) {
  case SRC_F32: { FETCH_FLT(float, *(const float *)(p + i * st)) }
  case SRC_F64: { FETCH_FLT(float, *(const double *)(p + i * st)) }
  case SRC_I8: { FETCH_FLT(float, *(const int8_t *)(p + i * st)) }
  case SRC_I16: { FETCH_FLT(float, *(const int16_t *)(p + i * st)) }
  case SRC_I32: { FETCH_FLT(float, *(const int32_t *)(p + i * st)) }
  case SRC_I64: { FETCH_FLT(float, *(const int64_t *)(p + i * st)) }
  case SRC_U8: { FETCH_FLT(float, *(const uint8_t *)(p + i * st)) }
  case SRC_U16: { FETCH_FLT(float, *(const uint16_t *)(p + i * st)) }
  case SRC_U32: { FETCH_FLT(float, *(const uint32_t *)(p + i * st)) }
  default: { FETCH_FLT(float, *(const uint64_t *)(p + i * st)) }
  }
}
static const void *fetch_f64(const char *p, npy_intp st, npy_intp n, src_class c, double *out) {
  if (c == SRC_F64 && st == 8) return p;
  switch (c) {
  case SRC_F32: { FETCH_FLT(double, *(const float *)(p + i * st)) }
  case SRC_F64: { FETCH_FLT(double, *(const double *)(p + i * st)) }
  case SRC_I8: { FETCH_FLT(double, *(const int8_t *)(p + i * st)) }
  case SRC_I16: { FETCH_FLT(double, *(const int16_t *)(p + i * st)) }
  case SRC_I32: { FETCH_FLT(double, *(const int32_t *)(p + i * st)) }
  case SRC_I64: { FETCH_FLT(double, *(const int64_t *)(p + i * st)) }
  case SRC_U8: { FETCH_FLT(double, *(const uint8_t *)(p + i * st)) }
  case SRC_U16: { FETCH_FLT(double, *(const uint16_t *)(p + i * st)) }
  case SRC_U32: { FETCH_FLT(double, *(const uint32_t *)(p + i * st)) }
  default: { FETCH_FLT(double, *(const uint64_t *)(p + i * st)) }
  }
}

#define EW_MAX 8

PyObject *ew_run(const char *fname, int nin, PyObject *const *in_objs, const ew_in *spec,
                 int nout, const ew_type *out_types, ew_kernel kernel, void *ctx, PyObject *out) {
  PyArrayObject *ops[EW_MAX] = {0};
  PyArray_Descr *dtypes[EW_MAX] = {0};
  npy_uint32 op_flags[EW_MAX];
  src_class cls[EW_MAX];
  int check[EW_MAX];
  PyObject *result = NULL;
  NpyIter *it = NULL;
  int nop = nin + nout;

  for (int i = 0; i < nin; i++) {
    /* aligned, else a copy; the dtype is kept */
    ops[i] = (PyArrayObject *)PyArray_FromAny(in_objs[i], NULL, 0, 0, NPY_ARRAY_ALIGNED, NULL);
    if (!ops[i]) goto done;
    if (PyArray_ISBYTESWAPPED(ops[i])) { /* same values in native byte order */
      PyArray_Descr *nd = PyArray_DescrNewByteorder(PyArray_DESCR(ops[i]), NPY_NATIVE);
      PyArrayObject *w = nd ? (PyArrayObject *)PyArray_CastToType(ops[i], nd, 0) : NULL;
      Py_SETREF(ops[i], w);
      if (!w) goto done;
    }
    cls[i] = classify(ops[i]);
    int want_float = spec[i].type == EW_F32 || spec[i].type == EW_F64;
    if (cls[i] == SRC_BAD || (!want_float && is_float_src(cls[i]))) {
      PyErr_Format(PyExc_TypeError, "%s: %s must be an %s array, got dtype %S", fname,
                   spec[i].name, want_float ? "integer or floating-point" : "integer",
                   (PyObject *)PyArray_DESCR(ops[i]));
      goto done;
    }
    if (cls[i] == SRC_F16) { /* half: NumPy widens it (exactly) to float32 first */
      PyArrayObject *w = (PyArrayObject *)PyArray_Cast(ops[i], NPY_FLOAT32);
      Py_SETREF(ops[i], w);
      if (!w) goto done;
      cls[i] = SRC_F32;
    }
    check[i] = 0;
    if (!want_float) {
      int64_t slo;
      uint64_t shi;
      src_range(cls[i], &slo, &shi);
      check[i] = slo < spec[i].lo || (spec[i].hi != INT64_MAX && shi > (uint64_t)spec[i].hi);
    }
    op_flags[i] = NPY_ITER_READONLY;
  }
  if (out && out != Py_None && (!PyTuple_Check(out) || PyTuple_GET_SIZE(out) != nout)) {
    PyErr_Format(PyExc_TypeError, "%s: out must be a tuple of %d arrays", fname, nout);
    goto done;
  }
  for (int k = 0; k < nout; k++) {
    dtypes[nin + k] = PyArray_DescrFromType(type_num(out_types[k]));
    op_flags[nin + k] = NPY_ITER_WRITEONLY | NPY_ITER_ALLOCATE;
    if (out && out != Py_None) {
      PyObject *o = PyTuple_GET_ITEM(out, k);
      if (!PyArray_Check(o) || PyArray_TYPE((PyArrayObject *)o) != type_num(out_types[k]) ||
          !PyArray_ISWRITEABLE((PyArrayObject *)o) || !PyArray_ISALIGNED((PyArrayObject *)o)) {
        PyErr_Format(PyExc_TypeError, "%s: out[%d] must be a writeable %S array", fname, k,
                     (PyObject *)dtypes[nin + k]);
        goto done;
      }
      Py_INCREF(o);
      ops[nin + k] = (PyArrayObject *)o;
      op_flags[nin + k] = NPY_ITER_WRITEONLY | NPY_ITER_NO_BROADCAST;
    }
  }
  it = NpyIter_MultiNew(nop, ops, NPY_ITER_EXTERNAL_LOOP | NPY_ITER_ZEROSIZE_OK,
                        NPY_KEEPORDER, NPY_NO_CASTING, op_flags, dtypes);
  if (!it) goto done;

  ew_fault fault = {-1, 0, 0, 0};
  if (NpyIter_GetIterSize(it) > 0) {
    NpyIter_IterNextFunc *next = NpyIter_GetIterNext(it, NULL);
    if (!next) goto done;
    char **data = NpyIter_GetDataPtrArray(it);
    npy_intp *strides = NpyIter_GetInnerStrideArray(it);
    npy_intp *sizep = NpyIter_GetInnerLoopSizePtr(it);
    void *bufs = PyMem_RawMalloc((size_t)nop * EW_CHUNK * 8);
    if (!bufs) {
      PyErr_NoMemory();
      goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    do {
      npy_intp len = *sizep;
      for (npy_intp off = 0; off < len && fault.arg < 0; off += EW_CHUNK) {
        npy_intp n = len - off < EW_CHUNK ? len - off : EW_CHUNK;
        const void *in[EW_MAX];
        void *out[EW_MAX];
        int defer[EW_MAX] = {0};
        for (int i = 0; i < nin && fault.arg < 0; i++) {
          const char *p = data[i] + off * strides[i];
          void *buf = (char *)bufs + (size_t)i * EW_CHUNK * 8;
          if (spec[i].type == EW_F32)
            in[i] = fetch_f32(p, strides[i], n, cls[i], buf);
          else if (spec[i].type == EW_F64)
            in[i] = fetch_f64(p, strides[i], n, cls[i], buf);
          else if (!(in[i] = fetch_int(p, strides[i], n, cls[i], check[i], spec[i].lo,
                                       spec[i].hi, buf, &fault, &defer[i])))
            fault.arg = i;
        }
        if (fault.arg >= 0) break;
        for (int k = 0; k < nout; k++) {
          size_t sz = type_size(out_types[k]);
          char *p = data[nin + k] + off * strides[nin + k];
          out[k] = strides[nin + k] == (npy_intp)sz ? (void *)p
                                                   : (char *)bufs + (size_t)(nin + k) * EW_CHUNK * 8;
        }
        kernel(ctx, (size_t)n, in, out);
        for (int i = 0; i < nin && fault.arg < 0; i++) {
          if (!defer[i] || !any_out32(in[i], n, cls[i], spec[i].lo, spec[i].hi)) continue;
          find_out32(in[i], n, cls[i], spec[i].lo, spec[i].hi, &fault); /* outputs are discarded */
          fault.arg = i;
        }
        if (fault.arg >= 0) break;
        for (int k = 0; k < nout; k++) { /* scatter outputs the iterator laid out strided */
          size_t sz = type_size(out_types[k]);
          npy_intp st = strides[nin + k];
          if (st == (npy_intp)sz) continue;
          char *p = data[nin + k] + off * st;
          for (npy_intp e = 0; e < n; e++) memcpy(p + e * st, (char *)out[k] + e * sz, sz);
        }
      }
    } while (fault.arg < 0 && next(it));
    Py_END_ALLOW_THREADS
    PyMem_RawFree(bufs);
  }
  if (fault.arg >= 0) {
    const ew_in *s = &spec[fault.arg];
    if (fault.is_unsigned)
      PyErr_Format(PyExc_ValueError, "%s: %s = %llu is out of range [%lld, %lld] (%s)", fname,
                   s->name, (unsigned long long)fault.uval, (long long)s->lo, (long long)s->hi,
                   s->why);
    else
      PyErr_Format(PyExc_ValueError, "%s: %s = %lld is out of range [%lld, %lld] (%s)", fname,
                   s->name, (long long)fault.sval, (long long)s->lo, (long long)s->hi, s->why);
    goto done;
  }
  result = PyTuple_New(nout);
  if (!result) goto done;
  PyArrayObject **arrs = NpyIter_GetOperandArray(it);
  for (int k = 0; k < nout; k++) {
    Py_INCREF(arrs[nin + k]);
    PyTuple_SET_ITEM(result, k, (PyObject *)arrs[nin + k]);
  }
done:
  if (it) NpyIter_Deallocate(it);
  for (int i = 0; i < nop; i++) {
    Py_XDECREF(ops[i]);
    Py_XDECREF(dtypes[i]);
  }
  return result;
}

PyObject *array_copy(int tn, const void *data, npy_intp n) {
  PyObject *a = PyArray_SimpleNew(1, &n, tn);
  if (a && n > 0) memcpy(PyArray_DATA((PyArrayObject *)a), data, (size_t)n * PyArray_ITEMSIZE((PyArrayObject *)a));
  return a;
}
