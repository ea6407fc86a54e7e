"""mpbsim — the mixed-precision bridge's bit-exact datapath (libmpb) on NumPy arrays.

    >>> import mpbsim
    >>> m = mpbsim.Model()                       # default config, Llama 3 geometry
    >>> m.rope_cossin(0, 0).cos                  # cos(0) in Q1.15
    array(32767, dtype=int32)

Everything is computed by the C libraries of the repository (libmpb, libtraces,
libanalysis) through the extension mpbsim._mpb; docs/python.md is the guide.
"""
from ._mpb import MPB_VERSION, ConfigError, MpbError, TraceError, isa_info
from .baselines import BASELINES, FORMATS, baseline_cossin, round_float
from .config import PARAMS, PRESETS, Config
from .energy import BLOCKS, COUNT_FIELDS, Counts, EnergyBreakdown, EnergyTable, energy
from .model import (CosSin, DotResult, Exp2Result, GemmResult, Model, RopeResult, default_model, dot, exp2,
                    gemm, rope, rope_cossin)
from .numerics import quantize_rows, rope_float, softmax_float
from .trace import (KINDS, OPS, Record, ReplayResult, TraceHeader, TraceReader, TraceWriter, quantize_row,
                    read_trace, replay)
from ._mpb import exp_input

__version__ = MPB_VERSION
__all__ = [
    "MPB_VERSION", "ConfigError", "MpbError", "TraceError", "isa_info", "BASELINES", "FORMATS",
    "baseline_cossin", "round_float", "PARAMS", "PRESETS", "Config", "BLOCKS", "COUNT_FIELDS", "Counts",
    "EnergyBreakdown", "EnergyTable", "energy", "CosSin", "DotResult", "Exp2Result", "GemmResult", "Model",
    "RopeResult", "default_model", "dot", "exp2", "gemm", "rope", "rope_cossin", "quantize_rows",
    "rope_float", "softmax_float", "KINDS", "OPS", "Record", "ReplayResult", "TraceHeader", "TraceReader",
    "TraceWriter", "quantize_row", "read_trace", "replay", "exp_input",
]
