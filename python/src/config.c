/* config.c — mpbsim._mpb.Config: the datapath configuration (mpb_config) as a Python
 * object. Values are read and written as text through libmpb's parameter table
 * (mpb_config_set / mpb_param_format), so ranges, enum names and messages are libmpb's. */
#include "ext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const mpb_config *config_of(PyObject *o) {
  if (!PyObject_TypeCheck(o, &Config_Type)) {
    PyErr_Format(PyExc_TypeError, "expected an mpbsim.Config, got %s", Py_TYPE(o)->tp_name);
    return NULL;
  }
  return &((ConfigObject *)o)->cfg;
}

static PyObject *Config_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
  (void)args, (void)kw;
  ConfigObject *self = (ConfigObject *)type->tp_alloc(type, 0);
  if (self) mpb_config_default(&self->cfg);
  return (PyObject *)self;
}

static int param_index(const char *name) {
  for (size_t i = 0; i < mpb_param_count(); i++)
    if (!strcmp(mpb_param_get(i)->name, name)) return (int)i;
  return -1;
}

/* _preset(name): "default" or "patent" (the presets of the CLI's --preset). */
static PyObject *Config_preset(ConfigObject *self, PyObject *arg) {
  const char *name = PyUnicode_AsUTF8(arg);
  if (!name) return NULL;
  if (!strcmp(name, "default"))
    mpb_config_default(&self->cfg);
  else if (!strcmp(name, "patent"))
    mpb_config_patent_literal(&self->cfg);
  else
    return PyErr_Format(mpbsim_ConfigError, "preset '%s' is not one of {default, patent}", name);
  Py_RETURN_NONE;
}

static PyObject *Config_load(ConfigObject *self, PyObject *arg) {
  PyObject *bytes;
  if (!PyUnicode_FSConverter(arg, &bytes)) return NULL;
  char err[512];
  mpb_config c = self->cfg;
  mpb_status st;
  Py_BEGIN_ALLOW_THREADS
  st = mpb_config_load(&c, PyBytes_AS_STRING(bytes), err, sizeof err);
  Py_END_ALLOW_THREADS
  Py_DECREF(bytes);
  if (st != MPB_OK) return PyErr_Format(st == MPB_EIO ? PyExc_OSError : mpbsim_ConfigError, "%s", err);
  self->cfg = c;
  Py_RETURN_NONE;
}

/* _set(name, text): one parameter, validated by libmpb. */
static PyObject *Config_set(ConfigObject *self, PyObject *args) {
  const char *name, *value;
  if (!PyArg_ParseTuple(args, "ss", &name, &value)) return NULL;
  char err[512];
  if (mpb_config_set(&self->cfg, name, value, err, sizeof err) != MPB_OK)
    return PyErr_Format(mpbsim_ConfigError, "%s", err);
  Py_RETURN_NONE;
}

static PyObject *Config_get(ConfigObject *self, PyObject *arg) {
  const char *name = PyUnicode_AsUTF8(arg);
  if (!name) return NULL;
  int i = param_index(name);
  if (i < 0) return PyErr_Format(PyExc_AttributeError, "no datapath parameter '%s'", name);
  char buf[128];
  mpb_param_format(&self->cfg, (size_t)i, buf, sizeof buf);
  return PyUnicode_FromString(buf);
}

static PyObject *Config_validate(ConfigObject *self, PyObject *unused) {
  (void)unused;
  char err[512];
  if (mpb_config_validate(&self->cfg, err, sizeof err) != MPB_OK)
    return PyErr_Format(mpbsim_ConfigError, "%s", err);
  Py_RETURN_NONE;
}

/* to_text(): the resolved configuration in libconfig syntax (mpb_config_write). */
static PyObject *Config_text(ConfigObject *self, PyObject *unused) {
  (void)unused;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return PyErr_NoMemory();
  mpb_config_write(&self->cfg, f);
  fclose(f);
  PyObject *s = PyUnicode_FromStringAndSize(buf, (Py_ssize_t)len);
  free(buf);
  return s;
}

static PyObject *Config_copy_from(ConfigObject *self, PyObject *arg) {
  const mpb_config *c = config_of(arg);
  if (!c) return NULL;
  self->cfg = *c;
  Py_RETURN_NONE;
}

static PyMethodDef Config_methods[] = {
    {"_preset", (PyCFunction)Config_preset, METH_O, "reset to a preset: default | patent"},
    {"_load", (PyCFunction)Config_load, METH_O, "read a libconfig file (mpb_config_load)"},
    {"_set", (PyCFunction)Config_set, METH_VARARGS, "set one parameter from text"},
    {"_get", (PyCFunction)Config_get, METH_O, "one parameter as text"},
    {"_copy_from", (PyCFunction)Config_copy_from, METH_O, "copy another Config's values"},
    {"validate", (PyCFunction)Config_validate, METH_NOARGS,
     "check every range and constraint; raises ConfigError with libmpb's message"},
    {"to_text", (PyCFunction)Config_text, METH_NOARGS,
     "the configuration in libconfig syntax, as configs/*.cfg"},
    {NULL, NULL, 0, NULL}};

PyTypeObject Config_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "mpbsim._mpb.Config",
    .tp_basicsize = sizeof(ConfigObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "datapath configuration (mpb_config); use mpbsim.Config",
    .tp_new = Config_new,
    .tp_methods = Config_methods,
};

/* param_info() -> list of (name, doc, lo, hi, default, choices or None). */
static PyObject *param_info(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  PyObject *list = PyList_New(0);
  for (size_t i = 0; list && i < mpb_param_count(); i++) {
    const mpb_param_info *p = mpb_param_get(i);
    PyObject *choices = Py_None;
    Py_INCREF(Py_None);
    if (p->choices) {
      Py_DECREF(Py_None);
      choices = PyTuple_New(0);
      for (int k = 0; choices && p->choices[k]; k++) {
        PyObject *s = PyUnicode_FromString(p->choices[k]);
        if (!s || _PyTuple_Resize(&choices, k + 1) < 0) {
          Py_XDECREF(s);
          Py_CLEAR(choices);
          break;
        }
        PyTuple_SET_ITEM(choices, k, s);
      }
    }
    PyObject *t = choices ? Py_BuildValue("(sslllN)", p->name, p->doc, p->lo, p->hi, p->def, choices) : NULL;
    if (!t || PyList_Append(list, t) < 0) Py_CLEAR(list);
    Py_XDECREF(t);
  }
  return list;
}

static PyMethodDef config_functions[] = {
    {"param_info", param_info, METH_NOARGS,
     "libmpb's parameter table: (name, doc, lo, hi, default, choices) per parameter"},
    {NULL, NULL, 0, NULL}};

int init_config(PyObject *m) {
  if (PyType_Ready(&Config_Type) < 0) return -1;
  Py_INCREF(&Config_Type);
  if (PyModule_AddObject(m, "Config", (PyObject *)&Config_Type) < 0) return -1;
  return PyModule_AddFunctions(m, config_functions);
}
