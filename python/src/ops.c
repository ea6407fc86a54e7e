/* ops.c — free functions of the extension over NumPy arrays: the framework baselines
 * (mpb_baseline_cossin, mpb_round_float), the exp unit's input quantization of a float
 * (replay_exp_input), and the instruction-set queries of the batched API. */
#include "ext.h"

#include "replay.h"

/* ---- baselines ------------------------------------------------------------------- */
typedef struct {
  mpb_baseline b;
  mpb_geometry g;
} base_ctx;

static void k_baseline(void *c, size_t n, const void *const *in, void *const *out) {
  base_ctx *x = c;
  const uint32_t *m = in[0], *j = in[1];
  double *co = out[0], *si = out[1];
  for (size_t i = 0; i < n; i++) mpb_baseline_cossin(x->b, &x->g, m[i], (int)j[i], &co[i], &si[i]);
}

/* baseline_cossin(kind, m, j, head_dim, base, pairing) -> (cos, sin) float64 */
static PyObject *baseline_cossin(PyObject *self, PyObject *args, PyObject *kw) {
  (void)self;
  static char *kwlist[] = {"kind", "m", "j", "head_dim", "base", "pairing", NULL};
  int kind, head_dim, pairing = 0;
  double base;
  PyObject *in[2];
  if (!PyArg_ParseTupleAndKeywords(args, kw, "iOOid|i", kwlist, &kind, &in[0], &in[1], &head_dim, &base, &pairing))
    return NULL;
  if (kind < 0 || kind >= MPB_NBASE) return PyErr_Format(PyExc_ValueError, "baseline %d out of range", kind);
  base_ctx c = {(mpb_baseline)kind, {head_dim, base, (mpb_pairing)pairing}};
  char err[256];
  if (mpb_geometry_validate(&c.g, NULL, err, sizeof err) != MPB_OK)
    return PyErr_Format(mpbsim_ConfigError, "%s", err);
  char why[48];
  snprintf(why, sizeof why, "head_dim = %d", head_dim);
  const ew_in spec[2] = {{"m", EW_U32, 0, UINT32_MAX, "32-bit positions"},
                         {"j", EW_U32, 0, head_dim / 2 - 1, why}};
  const ew_type outs[2] = {EW_F64, EW_F64};
  return ew_run("baseline_cossin", 2, in, spec, 2, outs, k_baseline, &c, NULL);
}

static PyObject *baseline_names(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  PyObject *t = PyTuple_New(MPB_NBASE);
  for (int b = 0; t && b < MPB_NBASE; b++)
    PyTuple_SET_ITEM(t, b, PyUnicode_FromString(mpb_baseline_name((mpb_baseline)b)));
  return t;
}

typedef struct {
  int p, emin, emax;
} round_ctx;
static void k_round(void *c, size_t n, const void *const *in, void *const *out) {
  round_ctx *x = c;
  const double *v = in[0];
  double *o = out[0];
  for (size_t i = 0; i < n; i++) o[i] = mpb_round_float(v[i], x->p, x->emin, x->emax);
}

/* round_float(x, p, emin, emax) -> float64 */
static PyObject *round_float(PyObject *self, PyObject *args) {
  (void)self;
  PyObject *in[1];
  round_ctx c;
  if (!PyArg_ParseTuple(args, "Oiii", &in[0], &c.p, &c.emin, &c.emax)) return NULL;
  if (c.p < 2 || c.p > 53 || c.emin > 0 || c.emax < 1 || c.emin < -1022 || c.emax > 1023)
    return PyErr_Format(PyExc_ValueError,
                        "round_float: format (p=%d, emin=%d, emax=%d) outside p in [2, 53], "
                        "emin in [-1022, 0], emax in [1, 1023]", c.p, c.emin, c.emax);
  const ew_in spec[1] = {{"x", EW_F64, 0, 0, ""}};
  const ew_type outs[1] = {EW_F64};
  return ew_run("round_float", 1, in, spec, 1, outs, k_round, &c, NULL);
}

/* ---- exp input ------------------------------------------------------------------- */
static void k_exp_input(void *c, size_t n, const void *const *in, void *const *out) {
  (void)c;
  const float *v = in[0];
  int32_t *u = out[0];
  uint32_t *sat = out[1];
  for (size_t i = 0; i < n; i++) {
    bool s;
    u[i] = replay_exp_input(v[i], &s);
    sat[i] = s;
  }
}

/* exp_input(v) -> (u int32 Q8.16, saturated uint32 0/1) */
static PyObject *exp_input(PyObject *self, PyObject *arg) {
  (void)self;
  PyObject *in[1] = {arg};
  const ew_in spec[1] = {{"v", EW_F32, 0, 0, ""}};
  const ew_type outs[2] = {EW_I32, EW_U32};
  return ew_run("exp_input", 1, in, spec, 2, outs, k_exp_input, NULL, NULL);
}

/* ---- instruction sets ------------------------------------------------------------ */
static PyObject *isa_info(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  PyObject *sup = PyList_New(0);
  for (int i = 0; sup && i < MPB_NISA; i++)
    if (mpb_isa_supported((mpb_isa)i)) {
      PyObject *s = PyUnicode_FromString(mpb_isa_name((mpb_isa)i));
      if (!s || PyList_Append(sup, s) < 0) Py_CLEAR(sup);
      Py_XDECREF(s);
    }
  if (!sup) return NULL;
  return Py_BuildValue("{s:s,s:s,s:N}", "default", mpb_isa_name(mpb_isa_default()), "best",
                       mpb_isa_name(mpb_isa_best()), "supported", sup);
}

PyMethodDef ops_methods[] = {
    {"baseline_cossin", (PyCFunction)(void (*)(void))baseline_cossin, METH_VARARGS | METH_KEYWORDS,
     "cos/sin the way frameworks compute them (mpb_baseline_cossin)"},
    {"baseline_names", baseline_names, METH_NOARGS, "names of mpb_baseline, in order"},
    {"round_float", round_float, METH_VARARGS,
     "round to a binary float format (mpb_round_float): x, p, emin, emax"},
    {"exp_input", exp_input, METH_O,
     "the exp unit's input for natural-log values v: (u Q8.16, saturated) (replay_exp_input)"},
    {"isa_info", isa_info, METH_NOARGS, "default, best and supported ISAs of the batched calls"},
    {NULL, NULL, 0, NULL}};
