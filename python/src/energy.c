/* energy.c — mpbsim._mpb.EnergyTable: the per-action energy model of libanalysis
 * (analysis/energy.h): load a table (default: the embedded configs/energy-45nm.cfg),
 * price action counts per block, baseline pipelines per operation, reference counts. */
#include "counts.h"
#include "energy.h"

typedef struct {
  PyObject_HEAD
  mpb_energy_table *t;
} TableObject;

static PyObject *Table_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"path", NULL};
  PyObject *patho = Py_None, *bytes = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "|O", kwlist, &patho)) return NULL;
  if (patho != Py_None && !PyUnicode_FSConverter(patho, &bytes)) return NULL;
  char err[512];
  mpb_energy_table *t = mpb_energy_load(bytes ? PyBytes_AS_STRING(bytes) : NULL, err, sizeof err);
  Py_XDECREF(bytes);
  if (!t) return PyErr_Format(mpbsim_ConfigError, "%s", err);
  TableObject *self = (TableObject *)type->tp_alloc(type, 0);
  if (!self) {
    mpb_energy_free(t);
    return NULL;
  }
  self->t = t;
  return (PyObject *)self;
}

static void Table_dealloc(TableObject *self) {
  mpb_energy_free(self->t);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *block_dict(const mpb_energy_block *b) {
  return Py_BuildValue("{s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d}", "mul_pj", b->mul_pj, "add_pj",
                       b->add_pj, "rom_pj", b->rom_pj, "reg_pj", b->reg_pj, "clock_pj",
                       b->clock_pj, "leak_pj", b->leak_pj, "total_pj", b->total_pj, "activity",
                       b->activity, "total_act_pj", b->total_act_pj);
}

/* price(config, blocks, totals, ref_blocks=None, ref_totals=None, model=None, unit=-1)
 * -> dict. With a model and a unit (mpb_unit) the clock and leakage of that unit's
 * hardware over the counted cycles are added (mpb_energy_add_static), as `mpbsim energy`
 * prices a unit; without, the dynamic classes only. */
static PyObject *Table_price(TableObject *self, PyObject *args) {
  PyObject *cfgo, *blocks, *totals, *rb = Py_None, *rt = Py_None, *mo = Py_None;
  int unit = -1;
  if (!PyArg_ParseTuple(args, "OOO|OOOi", &cfgo, &blocks, &totals, &rb, &rt, &mo, &unit))
    return NULL;
  const mpb_config *cfg = config_of(cfgo);
  if (!cfg) return NULL;
  if (mo != Py_None && (!PyObject_TypeCheck(mo, &Model_Type) || unit < 0 || unit > MPB_UNIT_DOT))
    return PyErr_Format(PyExc_ValueError, "price: model must be an mpbsim.Model with a unit "
                        "(rope, exp, dot)");
  mpb_counts *c = PyMem_Calloc(2, sizeof *c);
  if (!c) return PyErr_NoMemory();
  PyObject *res = NULL;
  mpb_energy_breakdown out;
  int has_ref = rb != Py_None;
  if (counts_from_py(blocks, totals, &c[0]) < 0 || (has_ref && counts_from_py(rb, rt, &c[1]) < 0))
    goto done;
  if (mpb_energy_price_activity(self->t, cfg, &c[0], has_ref ? &c[1] : NULL, &out) != 0) {
    PyErr_SetString(mpbsim_Error, "energy: the counts or the configuration are invalid");
    goto done;
  }
  if (mo != Py_None) {
    mpb_energy_unit_hw hw;
    mpb_energy_unit_hw_of(((ModelObject *)mo)->mdl, (mpb_unit)unit, &hw);
    mpb_energy_add_static(self->t, cfg, &hw, mpb_energy_unit_cycles(cfg, (mpb_unit)unit, &c[0]),
                          &out);
  }
  PyObject *blk = PyDict_New();
  for (int b = 0; blk && b < MPB_NBLK; b++) {
    PyObject *d = block_dict(&out.blk[b]);
    if (!d || PyDict_SetItemString(blk, mpb_block_name((mpb_block)b), d) < 0) Py_CLEAR(blk);
    Py_XDECREF(d);
  }
  if (blk)
    res = Py_BuildValue("{s:N,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:O}", "blocks", blk,
                        "total_pj", out.total_pj, "total_act_pj", out.total_act_pj, "dynamic_pj",
                        out.dynamic_pj, "clock_pj", out.clock_pj, "leak_pj", out.leak_pj,
                        "per_op_pj", out.per_op_pj, "per_op_act_pj", out.per_op_act_pj, "cycles",
                        out.cycles, "seconds", out.seconds, "power_w", out.power_w,
                        "has_activity", out.has_activity ? Py_True : Py_False);
done:
  PyMem_Free(c);
  return res;
}

/* baseline_cost(pipe, op, model=None): one operation of a side (pipe: bridge, fp32, bf16,
 * fp16 or int8; op: rotation, exp, mac, cossin or rotate) priced by cost class at the
 * model's clock (mpb_energy_bridge_cost / mpb_energy_baseline_cost: the baselines' rotate
 * step and INT8 MAC are the bridge's own actions, so they need a model; None = the default
 * configuration and geometry). Returns a dict of pJ: arith, rom, reg, clock, leak, total. */
static PyObject *Table_baseline_cost(TableObject *self, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"pipe", "op", "model", NULL};
  const char *pipe, *op;
  PyObject *mo = Py_None, *own = NULL, *res = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "ss|O", kwlist, &pipe, &op, &mo)) return NULL;
  int p = -2, o = -1;
  if (!strcmp(pipe, "bridge")) p = -1;
  for (int i = 0; i < MPB_NEPIPE; i++)
    if (!strcmp(pipe, mpb_energy_pipe_name((mpb_energy_pipe)i))) p = i;
  for (int i = 0; i < MPB_NEOP; i++)
    if (!strcmp(op, mpb_energy_op_name((mpb_energy_op)i))) o = i;
  if (p < -1 || o < 0)
    return PyErr_Format(PyExc_ValueError, "baseline_cost: unknown pipe '%s' (bridge, fp32, bf16, "
                        "fp16, int8) or op '%s' (rotation, exp, mac, cossin, rotate)", pipe, op);
  (void)own;
  if (!PyObject_TypeCheck(mo, &Model_Type)) {
    PyErr_SetString(PyExc_TypeError, "baseline_cost: model must be an mpbsim.Model (the Python "
                    "EnergyTable supplies the default)");
    goto done;
  }
  ModelObject *m = (ModelObject *)mo;
  mpb_energy_bridge br;
  mpb_energy_cost c;
  mpb_energy_bridge_ops(m->mdl, &br);
  if (p < 0)
    mpb_energy_bridge_cost(self->t, &br, (mpb_energy_op)o, m->cfg.clock_mhz, &c);
  else if (mpb_energy_baseline_cost(self->t, (mpb_energy_pipe)p, (mpb_energy_op)o, &br,
                                    m->cfg.clock_mhz, &c)) {
    PyErr_Format(mpbsim_Error, "baseline_cost: %s %s cannot be priced", pipe, op);
    goto done;
  }
  res = Py_BuildValue("{s:d,s:d,s:d,s:d,s:d,s:d}", "arith", c.arith_pj, "rom", c.rom_pj, "reg",
                      c.reg_pj, "clock", c.clock_pj, "leak", c.leak_pj, "total", c.total_pj);
done:
  Py_XDECREF(own);
  return res;
}

/* baseline_pj(pipe, op, model=None): the total of baseline_cost. */
static PyObject *Table_baseline_pj(TableObject *self, PyObject *args, PyObject *kw) {
  PyObject *d = Table_baseline_cost(self, args, kw);
  if (!d) return NULL;
  PyObject *t = PyDict_GetItemString(d, "total");
  Py_XINCREF(t);
  Py_DECREF(d);
  return t;
}

static PyObject *Table_source(TableObject *self, PyObject *unused) {
  (void)unused;
  return PyUnicode_FromString(mpb_energy_source(self->t));
}

static PyMethodDef Table_methods[] = {
    {"price", (PyCFunction)Table_price, METH_VARARGS, "mpb_energy_price_activity"},
    {"baseline_cost", (PyCFunction)(void (*)(void))Table_baseline_cost, METH_VARARGS | METH_KEYWORDS,
     "baseline_cost(pipe, op, model=None): pJ by cost class (mpb_energy_baseline_cost)"},
    {"baseline_pj", (PyCFunction)(void (*)(void))Table_baseline_pj, METH_VARARGS | METH_KEYWORDS,
     "baseline_pj(pipe, op, model=None): total pJ of baseline_cost"},
    {"source", (PyCFunction)Table_source, METH_NOARGS, "the table's name/source line"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject Table_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mpbsim._mpb.EnergyTable",
    .tp_basicsize = sizeof(TableObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "energy table (mpb_energy_table); EnergyTable(path=None) loads the default",
    .tp_new = Table_new,
    .tp_dealloc = (destructor)Table_dealloc,
    .tp_methods = Table_methods,
};

/* reference_counts(model, unit, n, seed) -> (blocks, totals) (mpb_energy_reference). */
static PyObject *reference_counts(PyObject *self, PyObject *args) {
  (void)self;
  PyObject *mo;
  int unit;
  Py_ssize_t n;
  unsigned long long seed;
  if (!PyArg_ParseTuple(args, "O!inK", &Model_Type, &mo, &unit, &n, &seed)) return NULL;
  if (unit < 0 || unit > MPB_UNIT_DOT || n < 0)
    return PyErr_Format(PyExc_ValueError, "reference_counts: unit %d or n %zd out of range", unit, n);
  mpb_counts *c = PyMem_Calloc(1, sizeof *c);
  if (!c) return PyErr_NoMemory();
  Py_BEGIN_ALLOW_THREADS
  mpb_energy_reference(((ModelObject *)mo)->mdl, (mpb_unit)unit, (size_t)n, seed, c);
  Py_END_ALLOW_THREADS
  PyObject *r = counts_to_py(c);
  PyMem_Free(c);
  return r;
}

static PyObject *count_names(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  PyObject *blocks = PyTuple_New(MPB_NBLK), *fields = PyTuple_New(COUNT_NFIELDS);
  for (int b = 0; blocks && b < MPB_NBLK; b++)
    PyTuple_SET_ITEM(blocks, b, PyUnicode_FromString(mpb_block_name((mpb_block)b)));
  for (int f = 0; fields && f < COUNT_NFIELDS; f++)
    PyTuple_SET_ITEM(fields, f, PyUnicode_FromString(count_fields[f]));
  return Py_BuildValue("(NN)", blocks, fields);
}

PyMethodDef energy_methods[] = {
    {"reference_counts", reference_counts, METH_VARARGS,
     "counts of n operations of a unit on seeded random inputs (mpb_energy_reference)"},
    {"count_names", count_names, METH_NOARGS, "(block names, count field names)"},
    {NULL, NULL, 0, NULL}};

int init_energy(PyObject *m) {
  if (PyType_Ready(&Table_Type) < 0) return -1;
  Py_INCREF(&Table_Type);
  if (PyModule_AddObject(m, "EnergyTable", (PyObject *)&Table_Type) < 0) return -1;
  return PyModule_AddFunctions(m, energy_methods);
}
