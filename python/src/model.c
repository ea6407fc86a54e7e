/* model.c — mpbsim._mpb.Model: a libmpb model (configuration + geometry + tables) and the
 * datapath on NumPy arrays: rope, rope_cossin, exp2 through the batched calls
 * (mpb_rope_batch_isa, mpb_exp_batch_isa) on broadcast operands, dot and gemm through
 * the dot unit (mpb_dot_eval, mpb_gemm_i8_isa), plus the per-operation reference paths
 * (mpb_rope_eval, mpb_exp_eval) the tests compare the batched ones against. */
#include "ext.h"

#include <stdlib.h>
#include <string.h>

int isa_of(PyObject *o, mpb_isa *isa) {
  if (!o || o == Py_None) {
    *isa = mpb_isa_default();
    return 0;
  }
  const char *s = PyUnicode_AsUTF8(o);
  char err[256];
  if (!s) return -1;
  if (mpb_isa_parse(s, isa, err, sizeof err) != MPB_OK) {
    PyErr_SetString(PyExc_ValueError, err);
    return -1;
  }
  return 0;
}

static PyObject *Model_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"config", "head_dim", "base", "pairing", NULL};
  PyObject *cfgo;
  int head_dim, pairing;
  double base;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "Oidi", kwlist, &cfgo, &head_dim, &base, &pairing))
    return NULL;
  const mpb_config *cfg = config_of(cfgo);
  if (!cfg) return NULL;
  ModelObject *self = (ModelObject *)type->tp_alloc(type, 0);
  if (!self) return NULL;
  self->cfg = *cfg;
  self->geo = (mpb_geometry){head_dim, base, (mpb_pairing)pairing};
  char err[512];
  if (mpb_config_validate(&self->cfg, err, sizeof err) != MPB_OK ||
      mpb_geometry_validate(&self->geo, &self->cfg, err, sizeof err) != MPB_OK ||
      !(self->mdl = mpb_model_new(&self->cfg, &self->geo, err, sizeof err))) {
    Py_DECREF(self);
    return PyErr_Format(mpbsim_ConfigError, "%s", err);
  }
  return (PyObject *)self;
}

static void Model_dealloc(ModelObject *self) {
  mpb_model_free(self->mdl);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

/* ---- rope ------------------------------------------------------------------------ */
typedef struct {
  const mpb_model *mdl;
  mpb_isa isa;
} op_ctx;

static void k_rope(void *c, size_t n, const void *const *in, void *const *out) {
  op_ctx *x = c;
  mpb_rope_batch_isa(x->isa, x->mdl, n, in[0], in[1], in[2], in[3], out[0], out[1], out[2], out[3]);
}
static void k_cossin(void *c, size_t n, const void *const *in, void *const *out) {
  op_ctx *x = c;
  mpb_rope_batch_isa(x->isa, x->mdl, n, in[0], in[1], NULL, NULL, out[0], out[1], NULL, NULL);
}
static void k_rope_ref(void *c, size_t n, const void *const *in, void *const *out) {
  op_ctx *x = c;
  for (size_t i = 0; i < n; i++) {
    mpb_rope_req rq = {((const uint32_t *)in[0])[i], ((const uint32_t *)in[1])[i],
                       ((const int32_t *)in[2])[i], ((const int32_t *)in[3])[i]};
    mpb_rope_resp r;
    mpb_rope_eval(x->mdl, &rq, &r, NULL);
    ((int32_t *)out[0])[i] = r.cos, ((int32_t *)out[1])[i] = r.sin;
    ((int32_t *)out[2])[i] = r.xr, ((int32_t *)out[3])[i] = r.yr;
  }
}

/* The accepted ranges of the rope operands, for this model; check = 0 accepts any value
 * (the unit then cuts it to its pin width, as the C API does). */
static void rope_specs(const ModelObject *self, ew_in *s, char (*why)[48], int check) {
  snprintf(why[0], 48, "pos_bits = %d", self->cfg.pos_bits);
  snprintf(why[1], 48, "head_dim = %d", self->geo.head_dim);
  snprintf(why[2], 48, "x_bits = %d", self->cfg.x_bits);
  int64_t xmax = ((int64_t)1 << (self->cfg.x_bits - 1)) - 1;
  s[0] = (ew_in){"m", EW_U32, 0, ((int64_t)1 << self->cfg.pos_bits) - 1, why[0]};
  s[1] = (ew_in){"j", EW_U32, 0, self->geo.head_dim / 2 - 1, why[1]};
  s[2] = (ew_in){"x", EW_I32, -xmax - 1, xmax, why[2]};
  s[3] = (ew_in){"y", EW_I32, -xmax - 1, xmax, why[2]};
  for (int i = 0; i < 4 && !check; i++) s[i].lo = INT64_MIN, s[i].hi = INT64_MAX;
}

static PyObject *rope_common(ModelObject *self, PyObject *args, PyObject *kw, int ref) {
  static char *kwlist[] = {"m", "j", "x", "y", "isa", "out", "check", NULL};
  PyObject *in[4], *isao = NULL, *out = NULL;
  int check = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "OOOO|OOp", kwlist, &in[0], &in[1], &in[2], &in[3], &isao, &out, &check))
    return NULL;
  op_ctx c = {self->mdl, MPB_ISA_SCALAR};
  if (isa_of(isao, &c.isa) < 0) return NULL;
  ew_in spec[4];
  char why[3][48];
  rope_specs(self, spec, why, check);
  const ew_type outs[4] = {EW_I32, EW_I32, EW_I32, EW_I32};
  return ew_run("rope", 4, in, spec, 4, outs, ref ? k_rope_ref : k_rope, &c, out);
}
static PyObject *Model_rope(ModelObject *self, PyObject *args, PyObject *kw) {
  return rope_common(self, args, kw, 0);
}
static PyObject *Model_rope_ref(ModelObject *self, PyObject *args, PyObject *kw) {
  return rope_common(self, args, kw, 1);
}

static PyObject *Model_rope_cossin(ModelObject *self, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"m", "j", "isa", "out", "check", NULL};
  PyObject *in[2], *isao = NULL, *out = NULL;
  int check = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|OOp", kwlist, &in[0], &in[1], &isao, &out, &check)) return NULL;
  op_ctx c = {self->mdl, MPB_ISA_SCALAR};
  if (isa_of(isao, &c.isa) < 0) return NULL;
  ew_in spec[4];
  char why[3][48];
  rope_specs(self, spec, why, check);
  const ew_type outs[2] = {EW_I32, EW_I32};
  return ew_run("rope_cossin", 2, in, spec, 2, outs, k_cossin, &c, out);
}

/* ---- exp2 ------------------------------------------------------------------------ */
static void k_exp(void *c, size_t n, const void *const *in, void *const *out) {
  op_ctx *x = c;
  mpb_exp_batch_isa(x->isa, x->mdl, n, in[0], out[0], out[1]);
}
static void k_exp_ref(void *c, size_t n, const void *const *in, void *const *out) {
  op_ctx *x = c;
  for (size_t i = 0; i < n; i++) {
    mpb_exp_req rq = {((const int32_t *)in[0])[i]};
    mpb_exp_resp r;
    mpb_exp_eval(x->mdl, &rq, &r, NULL);
    ((int32_t *)out[0])[i] = r.e, ((uint32_t *)out[1])[i] = r.mant;
  }
}
static PyObject *exp_common(ModelObject *self, PyObject *args, PyObject *kw, int ref) {
  static char *kwlist[] = {"u", "isa", "out", "check", NULL};
  PyObject *in[1], *isao = NULL, *out = NULL;
  int check = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOp", kwlist, &in[0], &isao, &out, &check)) return NULL;
  op_ctx c = {self->mdl, MPB_ISA_SCALAR};
  if (isa_of(isao, &c.isa) < 0) return NULL;
  const int64_t lim = (int64_t)1 << (MPB_EXP_IN_FRAC + 7);
  const ew_in spec[1] = {{"u", EW_I32, check ? -lim : INT64_MIN, check ? lim - 1 : INT64_MAX,
                          "u is signed Q8.16, 24 bits"}};
  const ew_type outs[2] = {EW_I32, EW_U32};
  return ew_run("exp2", 1, in, spec, 2, outs, ref ? k_exp_ref : k_exp, &c, out);
}
static PyObject *Model_exp2(ModelObject *self, PyObject *args, PyObject *kw) {
  return exp_common(self, args, kw, 0);
}
static PyObject *Model_exp2_ref(ModelObject *self, PyObject *args, PyObject *kw) {
  return exp_common(self, args, kw, 1);
}

/* ---- dot and gemm ------------------------------------------------------------------
 * Operands arrive int8, already broadcast to one batch shape by the Python layer (views,
 * no copies); a matrix whose rows are not contiguous is packed here first. */

/* Odometer over the leading nd dimensions of a and b (same shape): visits byte offsets. */
typedef struct {
  int nd;
  npy_intp idx[NPY_MAXDIMS];
  const npy_intp *shape;
} odo;
static npy_intp odo_offset(const odo *o, const npy_intp *strides) {
  npy_intp off = 0;
  for (int d = 0; d < o->nd; d++) off += o->idx[d] * strides[d];
  return off;
}
static int odo_next(odo *o) {
  for (int d = o->nd - 1; d >= 0; d--) {
    if (++o->idx[d] < o->shape[d]) return 1;
    o->idx[d] = 0;
  }
  return 0;
}

/* Rows r < rows of length K at p with row stride rs (bytes): p itself if contiguous in K
 * with rs >= K, else a packed copy in *tmp (grown as needed). */
static const int8_t *rows_of(const char *p, npy_intp rows, npy_intp K, npy_intp rs,
                             npy_intp ks, int8_t **tmp, size_t *cap, npy_intp *ld) {
  static const int8_t none = 0;
  if (K == 0) { /* nothing to read: any valid pointer */
    *ld = 0;
    return &none;
  }
  if (ks == 1 && (rows <= 1 || rs >= K)) {
    *ld = rows <= 1 ? K : rs;
    return (const int8_t *)p;
  }
  size_t need = (size_t)(rows * K);
  if (need > *cap) {
    int8_t *t = realloc(*tmp, need ? need : 1);
    if (!t) return NULL;
    *tmp = t, *cap = need;
  }
  for (npy_intp r = 0; r < rows; r++)
    for (npy_intp k = 0; k < K; k++) (*tmp)[r * K + k] = *(const int8_t *)(p + r * rs + k * ks);
  *ld = K;
  return *tmp;
}

static int check_i8(PyObject *o, const char *name, int mind) {
  if (!PyArray_Check(o) || PyArray_TYPE((PyArrayObject *)o) != NPY_INT8 ||
      PyArray_NDIM((PyArrayObject *)o) < mind) {
    PyErr_Format(PyExc_TypeError, "%s must be an int8 array with >= %d dimensions", name, mind);
    return -1;
  }
  return 0;
}

/* _gemm(A, Bt, isa): A (..., M, K), Bt (..., N, K) int8 of one batch shape ->
 * (C (..., M, N) int64, events (..., M, N) uint32). */
static PyObject *Model_gemm(ModelObject *self, PyObject *args) {
  PyObject *ao, *bo, *isao = NULL, *outo = Py_None;
  if (!PyArg_ParseTuple(args, "OO|OO", &ao, &bo, &isao, &outo)) return NULL;
  if (check_i8(ao, "A", 2) < 0 || check_i8(bo, "B", 2) < 0) return NULL;
  PyArrayObject *A = (PyArrayObject *)ao, *B = (PyArrayObject *)bo;
  int nd = PyArray_NDIM(A);
  mpb_isa isa;
  if (isa_of(isao, &isa) < 0) return NULL;
  if (PyArray_NDIM(B) != nd || memcmp(PyArray_DIMS(A), PyArray_DIMS(B), (size_t)(nd - 2) * sizeof(npy_intp)) ||
      PyArray_DIM(A, nd - 1) != PyArray_DIM(B, nd - 1))
    return PyErr_Format(PyExc_ValueError, "_gemm: operands do not share batch shape and K");
  npy_intp M = PyArray_DIM(A, nd - 2), N = PyArray_DIM(B, nd - 2), K = PyArray_DIM(A, nd - 1);
  npy_intp dims[NPY_MAXDIMS];
  memcpy(dims, PyArray_DIMS(A), (size_t)(nd - 2) * sizeof(npy_intp));
  dims[nd - 2] = M, dims[nd - 1] = N;
  PyArrayObject *C = NULL, *E = NULL;
  if (outo != Py_None) { /* reuse the caller's C-contiguous (C int64, events uint32) */
    PyObject *c0, *e0;
    if (!PyArg_ParseTuple(outo, "O!O!", &PyArray_Type, &c0, &PyArray_Type, &e0)) return NULL;
    C = (PyArrayObject *)c0, E = (PyArrayObject *)e0;
    for (int k = 0; k < 2; k++) {
      PyArrayObject *o = k ? E : C;
      if (PyArray_TYPE(o) != (k ? NPY_UINT32 : NPY_INT64) || !PyArray_IS_C_CONTIGUOUS(o) ||
          !PyArray_ISWRITEABLE(o) || PyArray_NDIM(o) != nd ||
          memcmp(PyArray_DIMS(o), dims, (size_t)nd * sizeof(npy_intp)))
        return PyErr_Format(PyExc_ValueError, "gemm: out[%d] must be a writeable C-contiguous %s array of "
                            "the result's shape", k, k ? "uint32" : "int64");
    }
    Py_INCREF(C);
    Py_INCREF(E);
  } else {
    C = (PyArrayObject *)PyArray_SimpleNew(nd, dims, NPY_INT64);
    E = (PyArrayObject *)PyArray_SimpleNew(nd, dims, NPY_UINT32);
  }
  if (!C || !E) goto fail;
  if (PyArray_SIZE(C) > 0) {
    odo o = {nd - 2, {0}, PyArray_DIMS(A)};
    int8_t *ta = NULL, *tb = NULL;
    size_t ca = 0, cb = 0;
    int nomem = 0;
    int64_t *c = PyArray_DATA(C);
    uint32_t *e = PyArray_DATA(E);
    Py_BEGIN_ALLOW_THREADS
    do {
      npy_intp lda, ldb;
      const int8_t *a = rows_of((const char *)PyArray_DATA(A) + odo_offset(&o, PyArray_STRIDES(A)), M, K,
                                PyArray_STRIDE(A, nd - 2), PyArray_STRIDE(A, nd - 1), &ta, &ca, &lda);
      const int8_t *b = rows_of((const char *)PyArray_DATA(B) + odo_offset(&o, PyArray_STRIDES(B)), N, K,
                                PyArray_STRIDE(B, nd - 2), PyArray_STRIDE(B, nd - 1), &tb, &cb, &ldb);
      if (!a || !b) {
        nomem = 1;
        break;
      }
      mpb_gemm_i8_isa(isa, self->mdl, (size_t)M, (size_t)N, (size_t)K, a, (size_t)lda, b,
                      (size_t)ldb, c, (size_t)N, e);
      c += M * N, e += M * N;
    } while (odo_next(&o));
    Py_END_ALLOW_THREADS
    free(ta);
    free(tb);
    if (nomem) {
      PyErr_NoMemory();
      goto fail;
    }
  }
  return Py_BuildValue("(NN)", C, E);
fail:
  Py_XDECREF(C);
  Py_XDECREF(E);
  return NULL;
}

/* _dot(a, b): a, b (..., K) int8 of one batch shape -> (sum (...) int64, sat (...)
 * uint32, wrap (...) uint32), each through mpb_dot_eval. */
static PyObject *Model_dot(ModelObject *self, PyObject *args) {
  PyObject *ao, *bo;
  if (!PyArg_ParseTuple(args, "OO", &ao, &bo)) return NULL;
  if (check_i8(ao, "a", 1) < 0 || check_i8(bo, "b", 1) < 0) return NULL;
  PyArrayObject *A = (PyArrayObject *)ao, *B = (PyArrayObject *)bo;
  int nd = PyArray_NDIM(A);
  if (PyArray_NDIM(B) != nd || memcmp(PyArray_DIMS(A), PyArray_DIMS(B), (size_t)nd * sizeof(npy_intp)))
    return PyErr_Format(PyExc_ValueError, "_dot: operands differ in shape");
  npy_intp K = PyArray_DIM(A, nd - 1);
  PyArrayObject *S = (PyArrayObject *)PyArray_SimpleNew(nd - 1, PyArray_DIMS(A), NPY_INT64);
  PyArrayObject *SE = (PyArrayObject *)PyArray_SimpleNew(nd - 1, PyArray_DIMS(A), NPY_UINT32);
  PyArrayObject *WE = (PyArrayObject *)PyArray_SimpleNew(nd - 1, PyArray_DIMS(A), NPY_UINT32);
  if (!S || !SE || !WE) goto fail;
  if (PyArray_SIZE(S) > 0) {
    odo o = {nd - 1, {0}, PyArray_DIMS(A)};
    int8_t *ta = NULL, *tb = NULL;
    size_t ca = 0, cb = 0;
    int nomem = 0;
    int64_t *s = PyArray_DATA(S);
    uint32_t *se = PyArray_DATA(SE), *we = PyArray_DATA(WE);
    Py_BEGIN_ALLOW_THREADS
    do {
      npy_intp ld;
      const int8_t *a = rows_of((const char *)PyArray_DATA(A) + odo_offset(&o, PyArray_STRIDES(A)), 1, K,
                                0, PyArray_STRIDE(A, nd - 1), &ta, &ca, &ld);
      const int8_t *b = rows_of((const char *)PyArray_DATA(B) + odo_offset(&o, PyArray_STRIDES(B)), 1, K,
                                0, PyArray_STRIDE(B, nd - 1), &tb, &cb, &ld);
      if (!a || !b) {
        nomem = 1;
        break;
      }
      mpb_dot_resp r;
      mpb_dot_eval(self->mdl, a, b, (size_t)K, &r, NULL);
      *s++ = r.sum, *se++ = r.sat_events, *we++ = r.wrap_events;
    } while (odo_next(&o));
    Py_END_ALLOW_THREADS
    free(ta);
    free(tb);
    if (nomem) {
      PyErr_NoMemory();
      goto fail;
    }
  }
  return Py_BuildValue("(NNN)", S, SE, WE);
fail:
  Py_XDECREF(S);
  Py_XDECREF(SE);
  Py_XDECREF(WE);
  return NULL;
}

/* ---- inspection ------------------------------------------------------------------ */
static PyObject *Model_table(ModelObject *self, PyObject *arg) {
  const char *name = PyUnicode_AsUTF8(arg);
  if (!name) return NULL;
  int width;
  size_t n = mpb_table_size(self->mdl, name, &width);
  if (n == 0)
    return PyErr_Format(PyExc_ValueError,
                        "no table '%s' (freq, log_freq, log_mant, exp, cs_cos, cs_sin, k_cs, k_exp)", name);
  npy_intp dim = (npy_intp)n;
  PyObject *a = PyArray_SimpleNew(1, &dim, NPY_INT64);
  if (!a) return NULL;
  int64_t *d = PyArray_DATA((PyArrayObject *)a);
  for (size_t i = 0; i < n; i++) d[i] = mpb_table_entry(self->mdl, name, i);
  return a;
}

static PyObject *Model_error_bound(ModelObject *self, PyObject *arg) {
  unsigned long m = PyLong_AsUnsignedLong(arg);
  if (PyErr_Occurred()) return NULL;
  return PyFloat_FromDouble(mpb_rope_error_bound(&self->cfg, (uint32_t)m));
}

/* _pair_index(pairing) -> (ix, iy) int64 arrays of every pair j (mpb_pair_index). */
static PyObject *Model_pair_index(ModelObject *self, PyObject *arg) {
  long pairing = PyLong_AsLong(arg);
  if (pairing == -1 && PyErr_Occurred()) return NULL;
  if (pairing != MPB_PAIR_INTERLEAVED && pairing != MPB_PAIR_HALF)
    return PyErr_Format(PyExc_ValueError, "pairing %ld is not 0 (interleaved) or 1 (half)", pairing);
  mpb_geometry g = self->geo;
  g.pairing = (mpb_pairing)pairing;
  npy_intp n = g.head_dim / 2;
  PyObject *ix = PyArray_SimpleNew(1, &n, NPY_INT64), *iy = PyArray_SimpleNew(1, &n, NPY_INT64);
  if (!ix || !iy) {
    Py_XDECREF(ix);
    Py_XDECREF(iy);
    return NULL;
  }
  for (int j = 0; j < (int)n; j++) {
    int a, b;
    mpb_pair_index(&g, j, &a, &b);
    ((int64_t *)PyArray_DATA((PyArrayObject *)ix))[j] = a;
    ((int64_t *)PyArray_DATA((PyArrayObject *)iy))[j] = b;
  }
  return Py_BuildValue("(NN)", ix, iy);
}

static PyObject *Model_geometry(ModelObject *self, PyObject *unused) {
  (void)unused;
  return Py_BuildValue("(idi)", self->geo.head_dim, self->geo.base, (int)self->geo.pairing);
}

static PyObject *Model_config_text(ModelObject *self, PyObject *unused) {
  (void)unused;
  ConfigObject *c = (ConfigObject *)Config_Type.tp_alloc(&Config_Type, 0);
  if (c) c->cfg = self->cfg;
  return (PyObject *)c;
}

/* The mpb_model pointer, for calling libmpb directly on the same model (bench/). */
static PyObject *Model_pointer(ModelObject *self, PyObject *unused) {
  (void)unused;
  return PyLong_FromVoidPtr(self->mdl);
}

static PyMethodDef Model_methods[] = {
    {"_pointer", (PyCFunction)Model_pointer, METH_NOARGS, "the mpb_model * as an int"},
    {"_rope", (PyCFunction)(void (*)(void))Model_rope, METH_VARARGS | METH_KEYWORDS,
     "rope(m, j, x, y, isa=None) -> (cos, sin, xr, yr) int32 (mpb_rope_batch)"},
    {"_rope_ref", (PyCFunction)(void (*)(void))Model_rope_ref, METH_VARARGS | METH_KEYWORDS,
     "the same through mpb_rope_eval, one operation at a time"},
    {"_rope_cossin", (PyCFunction)(void (*)(void))Model_rope_cossin, METH_VARARGS | METH_KEYWORDS,
     "rope_cossin(m, j, isa=None) -> (cos, sin) int32"},
    {"_exp2", (PyCFunction)(void (*)(void))Model_exp2, METH_VARARGS | METH_KEYWORDS,
     "exp2(u, isa=None) -> (e int32, mant uint32) (mpb_exp_batch)"},
    {"_exp2_ref", (PyCFunction)(void (*)(void))Model_exp2_ref, METH_VARARGS | METH_KEYWORDS,
     "the same through mpb_exp_eval"},
    {"_gemm", (PyCFunction)Model_gemm, METH_VARARGS, "_gemm(A, Bt, isa=None, out=None) (mpb_gemm_i8)"},
    {"_dot", (PyCFunction)Model_dot, METH_VARARGS, "_dot(a, b) (mpb_dot_eval)"},
    {"table", (PyCFunction)Model_table, METH_O, "a LOGLUT table's entries (mpb_table_entry)"},
    {"error_bound", (PyCFunction)Model_error_bound, METH_O,
     "bound on |cos/sin error| for positions < m_max (mpb_rope_error_bound)"},
    {"_geometry", (PyCFunction)Model_geometry, METH_NOARGS, "(head_dim, base, pairing)"},
    {"_pair_index", (PyCFunction)Model_pair_index, METH_O, "(ix, iy) of every pair (mpb_pair_index)"},
    {"_config", (PyCFunction)Model_config_text, METH_NOARGS, "a copy of the configuration"},
    {NULL, NULL, 0, NULL}};

PyTypeObject Model_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mpbsim._mpb.Model",
    .tp_basicsize = sizeof(ModelObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "libmpb model (configuration, geometry, tables); use mpbsim.Model",
    .tp_new = Model_new,
    .tp_dealloc = (destructor)Model_dealloc,
    .tp_methods = Model_methods,
};

int init_model(PyObject *m) {
  if (PyType_Ready(&Model_Type) < 0) return -1;
  Py_INCREF(&Model_Type);
  return PyModule_AddObject(m, "Model", (PyObject *)&Model_Type);
}
