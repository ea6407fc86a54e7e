/* module.c — mpbsim._mpb: module definition, exception types and init of each part. */
#define MPBSIM_MAIN_UNIT
#include "ext.h"

PyObject *mpbsim_Error, *mpbsim_ConfigError, *mpbsim_TraceError;

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_mpb",
    "libmpb, libtraces and libanalysis for Python (the C side of the mpbsim package)", -1,
    ops_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__mpb(void) {
  import_array();
  PyObject *m = PyModule_Create(&module);
  if (!m) return NULL;
  mpbsim_Error = PyErr_NewExceptionWithDoc("mpbsim.MpbError", "an error reported by libmpb", NULL, NULL);
  PyObject *bases = mpbsim_Error ? PyTuple_Pack(2, mpbsim_Error, PyExc_ValueError) : NULL;
  mpbsim_ConfigError = bases ? PyErr_NewExceptionWithDoc("mpbsim.ConfigError",
      "a configuration, geometry or table the library rejects (its message)", bases, NULL) : NULL;
  mpbsim_TraceError = bases ? PyErr_NewExceptionWithDoc("mpbsim.TraceError",
      "a trace the library rejects, or a failed trace operation (its message)", bases, NULL) : NULL;
  Py_XDECREF(bases);
  if (!mpbsim_TraceError || PyModule_AddObjectRef(m, "MpbError", mpbsim_Error) < 0 ||
      PyModule_AddObjectRef(m, "ConfigError", mpbsim_ConfigError) < 0 ||
      PyModule_AddObjectRef(m, "TraceError", mpbsim_TraceError) < 0 ||
      PyModule_AddStringConstant(m, "MPB_VERSION", MPB_VERSION) < 0 ||
      PyModule_AddIntConstant(m, "MPB_EXP_IN_FRAC", MPB_EXP_IN_FRAC) < 0 ||
      PyModule_AddIntConstant(m, "MPB_EXP_MANT_FRAC", MPB_EXP_MANT_FRAC) < 0 ||
      init_config(m) < 0 || init_model(m) < 0 || init_trace(m) < 0 || init_energy(m) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
