/* trace.c — the workload trace format from Python (traces/trace.h, traces/replay.h):
 * TraceWriter and TraceReader objects over libtraces' streaming writer and reader, the
 * header as a dict, record fields as NumPy arrays, and replay through the golden model
 * with its statistics, action counts, JSON report and per-record values. */
#include <stdlib.h>
#include <string.h>

#include "counts.h"
#include "replay.h"
#include "trace.h"

/* ---- header <-> dict: one table of trace_header's fields ------------------------- */
typedef enum { H_STR, H_U32, H_F64, H_U64 } hkind;
typedef struct {
  const char *name;
  hkind kind;
  size_t off;
} hfield;
#define HF(n, k) {#n, k, offsetof(trace_header, n)}
static const hfield hfields[] = {
    HF(model, H_STR),      HF(source, H_STR),    HF(arch, H_U32),     HF(n_layers, H_U32),
    HF(n_heads, H_U32),    HF(n_kv_heads, H_U32), HF(head_dim, H_U32), HF(rope_base, H_F64),
    HF(pairing, H_U32),    HF(quant, H_U32),     HF(d_model, H_U32),  HF(d_state, H_U32),
    HF(d_conv, H_U32),     HF(window, H_U32),    HF(n_experts, H_U32), HF(top_k, H_U32),
    HF(n_tokens, H_U32),   HF(max_pos, H_U32),   HF(seed, H_U64)};
#define NHF (sizeof hfields / sizeof hfields[0])

static PyObject *header_to_dict(const trace_header *h) {
  PyObject *d = PyDict_New();
  for (size_t i = 0; d && i < NHF; i++) {
    const char *p = (const char *)h + hfields[i].off;
    PyObject *v = hfields[i].kind == H_STR   ? PyUnicode_DecodeUTF8(p, (Py_ssize_t)strnlen(p, TRACE_NAME_MAX), "replace")
                  : hfields[i].kind == H_U32 ? PyLong_FromUnsignedLong(*(const uint32_t *)p)
                  : hfields[i].kind == H_F64 ? PyFloat_FromDouble(*(const double *)p)
                                             : PyLong_FromUnsignedLongLong(*(const uint64_t *)p);
    if (!v || PyDict_SetItemString(d, hfields[i].name, v) < 0) Py_CLEAR(d);
    Py_XDECREF(v);
  }
  return d;
}

static int header_from_dict(PyObject *d, trace_header *h) {
  trace_header_init(h);
  if (!PyDict_Check(d)) {
    PyErr_SetString(PyExc_TypeError, "trace header must be a dict");
    return -1;
  }
  PyObject *key, *val;
  Py_ssize_t pos = 0;
  while (PyDict_Next(d, &pos, &key, &val)) {
    const char *name = PyUnicode_AsUTF8(key);
    if (!name) return -1;
    const hfield *f = NULL;
    for (size_t i = 0; i < NHF; i++)
      if (!strcmp(hfields[i].name, name)) f = &hfields[i];
    if (!f) {
      PyErr_Format(PyExc_ValueError, "trace header has no field '%s'", name);
      return -1;
    }
    char *p = (char *)h + f->off;
    if (f->kind == H_STR) {
      Py_ssize_t n;
      const char *s = PyUnicode_AsUTF8AndSize(val, &n);
      if (!s) return -1;
      if (n >= TRACE_NAME_MAX) {
        PyErr_Format(PyExc_ValueError, "trace header field %s is longer than %d bytes", name, TRACE_NAME_MAX - 1);
        return -1;
      }
      memcpy(p, s, (size_t)n + 1);
    } else if (f->kind == H_F64) {
      double v = PyFloat_AsDouble(val);
      if (v == -1.0 && PyErr_Occurred()) return -1;
      *(double *)p = v;
    } else {
      unsigned long long v = PyLong_AsUnsignedLongLong(val);
      if (PyErr_Occurred()) return -1;
      if (f->kind == H_U32 && v > UINT32_MAX) {
        PyErr_Format(PyExc_ValueError, "trace header field %s = %llu does not fit 32 bits", name, v);
        return -1;
      }
      if (f->kind == H_U32) *(uint32_t *)p = (uint32_t)v;
      else *(uint64_t *)p = v;
    }
  }
  return 0;
}

static PyObject *header_default(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  trace_header h;
  trace_header_init(&h);
  return header_to_dict(&h);
}

/* ---- writer ---------------------------------------------------------------------- */
typedef struct {
  PyObject_HEAD
  trace_writer *w;
} WriterObject;

static PyObject *Writer_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"path", "header", NULL};
  PyObject *patho, *hd, *bytes;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "OO", kwlist, &patho, &hd)) return NULL;
  trace_header h;
  if (header_from_dict(hd, &h) < 0 || !PyUnicode_FSConverter(patho, &bytes)) return NULL;
  char err[512];
  trace_writer *w = trace_writer_open(PyBytes_AS_STRING(bytes), &h, err, sizeof err);
  Py_DECREF(bytes);
  if (!w) return PyErr_Format(mpbsim_TraceError, "%s", err);
  WriterObject *self = (WriterObject *)type->tp_alloc(type, 0);
  if (!self) {
    trace_writer_abort(w);
    return NULL;
  }
  self->w = w;
  return (PyObject *)self;
}

static void Writer_dealloc(WriterObject *self) {
  if (self->w) trace_writer_abort(self->w); /* never closed: the file stays invalid */
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static int need_open(WriterObject *self) {
  if (self->w) return 0;
  PyErr_SetString(PyExc_ValueError, "trace writer is closed");
  return -1;
}

/* Borrow the data of an optional contiguous array of type tn with n elements. */
static int field_data(PyObject *o, const char *name, int tn, npy_intp n, const void **p) {
  *p = NULL;
  if (o == Py_None) return 0;
  if (!PyArray_Check(o) || PyArray_TYPE((PyArrayObject *)o) != tn ||
      !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)o) || PyArray_SIZE((PyArrayObject *)o) != n) {
    PyErr_Format(PyExc_ValueError, "record field %s: expected a contiguous array of %zd elements of the right dtype", name, (Py_ssize_t)n);
    return -1;
  }
  *p = PyArray_DATA((PyArrayObject *)o);
  return 0;
}

/* _write(kind, op, flags, layer, head, tok0, ntok, width, cols, pos, x, scale, f32, b, b_scale) */
static PyObject *Writer_write(WriterObject *self, PyObject *args) {
  trace_record r;
  memset(&r, 0, sizeof r);
  PyObject *pos, *x, *scale, *f32, *b, *bs;
  if (!PyArg_ParseTuple(args, "IIIIIIIIIOOOOOO", &r.kind, &r.op, &r.flags, &r.layer, &r.head, &r.tok0,
                        &r.ntok, &r.width, &r.cols, &pos, &x, &scale, &f32, &b, &bs))
    return NULL;
  if (need_open(self) < 0) return NULL;
  npy_intp nt = r.ntok, nw = (npy_intp)r.ntok * r.width, nb = (npy_intp)r.cols * r.width;
  if (field_data(pos, "pos", NPY_UINT32, nt, (const void **)&r.pos) < 0 ||
      field_data(x, "x", NPY_INT8, nw, (const void **)&r.x) < 0 ||
      field_data(scale, "scale", NPY_FLOAT32, nt, (const void **)&r.scale) < 0 ||
      field_data(f32, "f32", NPY_FLOAT32, nw, (const void **)&r.f32) < 0 ||
      field_data(b, "b", NPY_INT8, nb, (const void **)&r.b) < 0 ||
      field_data(bs, "b_scale", NPY_FLOAT32, (npy_intp)r.cols, (const void **)&r.b_scale) < 0)
    return NULL;
  char err[512];
  if (trace_write(self->w, &r, err, sizeof err) != 0) return PyErr_Format(mpbsim_TraceError, "%s", err);
  Py_RETURN_NONE;
}

static PyObject *Writer_close(WriterObject *self, PyObject *unused) {
  (void)unused;
  if (!self->w) Py_RETURN_NONE;
  char err[512];
  int rc = trace_writer_close(self->w, err, sizeof err);
  self->w = NULL;
  if (rc != 0) return PyErr_Format(mpbsim_TraceError, "%s", err);
  Py_RETURN_NONE;
}

static PyObject *Writer_abort(WriterObject *self, PyObject *unused) {
  (void)unused;
  if (self->w) trace_writer_abort(self->w);
  self->w = NULL;
  Py_RETURN_NONE;
}

static PyObject *Writer_records(WriterObject *self, PyObject *unused) {
  (void)unused;
  if (need_open(self) < 0) return NULL;
  return PyLong_FromUnsignedLongLong(trace_writer_records(self->w));
}

static PyMethodDef Writer_methods[] = {
    {"_write", (PyCFunction)Writer_write, METH_VARARGS, "append one record (trace_write)"},
    {"close", (PyCFunction)Writer_close, METH_NOARGS, "finish the file (trace_writer_close)"},
    {"abort", (PyCFunction)Writer_abort, METH_NOARGS, "stop without finishing the file"},
    {"_records", (PyCFunction)Writer_records, METH_NOARGS, "records written so far"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject Writer_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mpbsim._mpb.TraceWriter",
    .tp_basicsize = sizeof(WriterObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "trace writer (trace_writer); use mpbsim.TraceWriter",
    .tp_new = Writer_new,
    .tp_dealloc = (destructor)Writer_dealloc,
    .tp_methods = Writer_methods,
};

/* ---- reader ---------------------------------------------------------------------- */
typedef struct {
  PyObject_HEAD
  trace_reader *r;
} ReaderObject;

static PyObject *Reader_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"path", NULL};
  PyObject *patho, *bytes;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O", kwlist, &patho)) return NULL;
  if (!PyUnicode_FSConverter(patho, &bytes)) return NULL;
  char err[512];
  trace_reader *r;
  Py_BEGIN_ALLOW_THREADS
  r = trace_reader_open(PyBytes_AS_STRING(bytes), err, sizeof err);
  Py_END_ALLOW_THREADS
  Py_DECREF(bytes);
  if (!r) return PyErr_Format(mpbsim_TraceError, "%s", err);
  ReaderObject *self = (ReaderObject *)type->tp_alloc(type, 0);
  if (!self) {
    trace_reader_close(r);
    return NULL;
  }
  self->r = r;
  return (PyObject *)self;
}

static void Reader_dealloc(ReaderObject *self) {
  if (self->r) trace_reader_close(self->r);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Reader_header(ReaderObject *self, PyObject *unused) {
  (void)unused;
  if (!self->r) return PyErr_Format(PyExc_ValueError, "trace reader is closed");
  return header_to_dict(trace_reader_header(self->r));
}

static PyObject *opt_copy(const void *p, int tn, npy_intp n) {
  if (!p) Py_RETURN_NONE;
  return array_copy(tn, p, n);
}

/* _read() -> dict of the next record's fields (arrays copied), or None at the end. */
static PyObject *Reader_read(ReaderObject *self, PyObject *unused) {
  (void)unused;
  if (!self->r) return PyErr_Format(PyExc_ValueError, "trace reader is closed");
  trace_record r;
  char err[512];
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = trace_read(self->r, &r, err, sizeof err);
  Py_END_ALLOW_THREADS
  if (rc < 0) return PyErr_Format(mpbsim_TraceError, "%s", err);
  if (rc == 0) Py_RETURN_NONE;
  npy_intp nt = r.ntok, nw = (npy_intp)r.ntok * r.width, nb = (npy_intp)r.cols * r.width;
  return Py_BuildValue("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:K,s:N,s:N,s:N,s:N,s:N,s:N}",
                       "kind", r.kind, "op", r.op, "flags", r.flags, "layer", r.layer, "head", r.head,
                       "tok0", r.tok0, "ntok", r.ntok, "width", r.width, "cols", r.cols, "index",
                       (unsigned long long)trace_reader_record_index(self->r),
                       "pos", opt_copy(r.pos, NPY_UINT32, nt), "x", opt_copy(r.x, NPY_INT8, nw),
                       "scale", opt_copy(r.scale, NPY_FLOAT32, nt), "f32", opt_copy(r.f32, NPY_FLOAT32, nw),
                       "b", opt_copy(r.b, NPY_INT8, nb), "b_scale", opt_copy(r.b_scale, NPY_FLOAT32, (npy_intp)r.cols));
}

static PyObject *Reader_close(ReaderObject *self, PyObject *unused) {
  (void)unused;
  if (self->r) trace_reader_close(self->r);
  self->r = NULL;
  Py_RETURN_NONE;
}

static PyMethodDef Reader_methods[] = {
    {"header", (PyCFunction)Reader_header, METH_NOARGS, "the header as a dict"},
    {"_read", (PyCFunction)Reader_read, METH_NOARGS, "next record as a dict, None at the end"},
    {"close", (PyCFunction)Reader_close, METH_NOARGS, "close the file"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject Reader_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mpbsim._mpb.TraceReader",
    .tp_basicsize = sizeof(ReaderObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "trace reader (trace_reader); use mpbsim.TraceReader",
    .tp_new = Reader_new,
    .tp_dealloc = (destructor)Reader_dealloc,
    .tp_methods = Reader_methods,
};

/* ---- names ----------------------------------------------------------------------- */
/* trace_names() -> {kind name: (kind, (op names...))} */
static PyObject *trace_names(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  static const int nops[TRACE_NKIND] = {0, TRACE_NROPE_OP, TRACE_NEXP_OP, TRACE_NGEMM_OP};
  PyObject *d = PyDict_New();
  for (int k = 1; d && k < TRACE_NKIND; k++) {
    PyObject *ops = PyTuple_New(nops[k]);
    for (int o = 0; ops && o < nops[k]; o++)
      PyTuple_SET_ITEM(ops, o, PyUnicode_FromString(trace_op_name((uint32_t)k, (uint32_t)o)));
    PyObject *v = ops ? Py_BuildValue("(iN)", k, ops) : NULL;
    if (!v || PyDict_SetItemString(d, trace_kind_name((uint32_t)k), v) < 0) Py_CLEAR(d);
    Py_XDECREF(v);
  }
  return d;
}

/* quantize_row(x float32 1-D) -> (q int8, scale) (trace_quantize_row) */
static PyObject *quantize_row(PyObject *self, PyObject *arg) {
  (void)self;
  PyArrayObject *x = (PyArrayObject *)PyArray_FROMANY(arg, NPY_FLOAT32, 1, 1, NPY_ARRAY_CARRAY);
  if (!x) return NULL;
  npy_intp n = PyArray_DIM(x, 0);
  PyObject *q = PyArray_SimpleNew(1, &n, NPY_INT8);
  float scale = 1.0f;
  if (q) trace_quantize_row(PyArray_DATA(x), (size_t)n, PyArray_DATA((PyArrayObject *)q), &scale);
  Py_DECREF(x);
  return q ? Py_BuildValue("(Nd)", q, (double)scale) : NULL;
}

/* ---- replay ---------------------------------------------------------------------- */
typedef struct {
  PyObject *fn;     /* callable(index, kind, op, layer, head, got, ref) or NULL */
  int failed;       /* the callable raised: skip the rest, re-raise after       */
} hook_ctx;

static void py_hook(void *user, const trace_header *h, const trace_record *rec, const replay_rec_out *out) {
  (void)h;
  hook_ctx *c = user;
  if (c->failed) return;
  PyObject *got = array_copy(NPY_FLOAT64, out->got, (npy_intp)out->n);
  PyObject *ref = array_copy(NPY_FLOAT64, out->ref, (npy_intp)out->n);
  PyObject *r = got && ref ? PyObject_CallFunction(c->fn, "KIIIIOO", (unsigned long long)out->record_index,
                                                   rec->kind, rec->op, rec->layer, rec->head, got, ref)
                           : NULL;
  Py_XDECREF(got);
  Py_XDECREF(ref);
  if (!r) c->failed = 1;
  Py_XDECREF(r);
}

static PyObject *stat_tuple(const replay_stat *s) {
  return Py_BuildValue("(Kddd)", (unsigned long long)s->count, s->max_abs, replay_stat_rms(s), replay_stat_mean(s));
}

/* replay(path, config, kinds, cycle, no_counts, max_records, hook) -> dict */
static PyObject *replay(PyObject *self, PyObject *args, PyObject *kw) {
  (void)self;
  static char *kwlist[] = {"path", "config", "kinds", "cycle", "no_counts", "max_records", "hook", NULL};
  PyObject *patho, *cfgo, *hook = Py_None, *bytes;
  unsigned int kinds = 0;
  int cycle = 0, no_counts = 0;
  unsigned long long maxrec = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|IppKO", kwlist, &patho, &cfgo, &kinds, &cycle, &no_counts, &maxrec, &hook))
    return NULL;
  const mpb_config *cfg = config_of(cfgo);
  if (!cfg) return NULL;
  if (hook != Py_None && !PyCallable_Check(hook)) return PyErr_Format(PyExc_TypeError, "replay: hook must be callable");
  if (!PyUnicode_FSConverter(patho, &bytes)) return NULL;
  const char *path = PyBytes_AS_STRING(bytes);
  replay_opts o;
  replay_opts_init(&o);
  o.cycle = cycle, o.no_counts = no_counts, o.kinds = kinds, o.max_records = maxrec;
  hook_ctx hc = {hook, 0};
  if (hook != Py_None) o.hook = py_hook, o.hook_user = &hc;
  replay_result *res = PyMem_Calloc(1, sizeof *res);
  if (!res) {
    Py_DECREF(bytes);
    return PyErr_NoMemory();
  }
  char err[512];
  int rc;
  if (hook != Py_None) {
    rc = replay_run(path, cfg, &o, res, err, sizeof err); /* the hook needs the GIL */
  } else {
    Py_BEGIN_ALLOW_THREADS
    rc = replay_run(path, cfg, &o, res, err, sizeof err);
    Py_END_ALLOW_THREADS
  }
  PyObject *out = NULL;
  if (hc.failed) goto done;
  if (rc != 0) {
    PyErr_Format(mpbsim_TraceError, "%s", err);
    goto done;
  }
  char *json = NULL, *summary = NULL;
  size_t jlen = 0, slen = 0;
  FILE *f = open_memstream(&json, &jlen);
  int jrc = f ? replay_write_json(res, path, cfg, f, err, sizeof err) : -1;
  if (f) fclose(f);
  f = open_memstream(&summary, &slen);
  if (f) {
    replay_print_summary(res, f);
    fclose(f);
  }
  if (jrc != 0 || !summary) {
    PyErr_Format(mpbsim_Error, "replay: writing the report failed: %s", jrc ? err : "out of memory");
  } else {
    PyObject *kstats = PyDict_New(), *ops = PyDict_New();
    for (int k = 1; kstats && ops && k < TRACE_NKIND; k++) {
      PyObject *s = stat_tuple(&res->kind[k]), *n = PyLong_FromUnsignedLongLong(res->ops[k]);
      if (!s || !n || PyDict_SetItemString(kstats, trace_kind_name((uint32_t)k), s) < 0 ||
          PyDict_SetItemString(ops, trace_kind_name((uint32_t)k), n) < 0)
        Py_CLEAR(kstats);
      Py_XDECREF(s);
      Py_XDECREF(n);
    }
    PyObject *counts = kstats && ops ? counts_to_py(&res->counts) : NULL;
    if (counts)
      out = Py_BuildValue("{s:N,s:K,s:N,s:N,s:K,s:K,s:K,s:d,s:O,s:N,s:s#,s:s#}", "header",
                          header_to_dict(&res->header), "records", (unsigned long long)res->records, "ops", ops,
                          "stats", kstats, "exp_saturated", (unsigned long long)res->exp_saturated,
                          "dot_wrap_events", (unsigned long long)res->dot_wrap_events, "dot_sat_events",
                          (unsigned long long)res->dot_sat_events, "seconds", res->seconds, "cycle",
                          res->cycle ? Py_True : Py_False, "counts", counts, "json", json, (Py_ssize_t)jlen,
                          "summary", summary, (Py_ssize_t)slen);
    else {
      Py_XDECREF(kstats);
      Py_XDECREF(ops);
    }
  }
  free(json);
  free(summary);
done:
  replay_result_free(res);
  PyMem_Free(res);
  Py_DECREF(bytes);
  return out;
}

PyMethodDef trace_methods[] = {
    {"trace_header_default", header_default, METH_NOARGS, "trace_header_init() as a dict"},
    {"trace_names", trace_names, METH_NOARGS, "{kind: (number, op names)} of the trace format"},
    {"quantize_row", quantize_row, METH_O, "symmetric int8 quantization of a row (trace_quantize_row)"},
    {"replay", (PyCFunction)(void (*)(void))replay, METH_VARARGS | METH_KEYWORDS,
     "replay a trace through the golden model (replay_run)"},
    {NULL, NULL, 0, NULL}};

int init_trace(PyObject *m) {
  if (PyType_Ready(&Writer_Type) < 0 || PyType_Ready(&Reader_Type) < 0) return -1;
  Py_INCREF(&Writer_Type);
  Py_INCREF(&Reader_Type);
  if (PyModule_AddObject(m, "TraceWriter", (PyObject *)&Writer_Type) < 0 ||
      PyModule_AddObject(m, "TraceReader", (PyObject *)&Reader_Type) < 0)
    return -1;
  return PyModule_AddFunctions(m, trace_methods);
}
