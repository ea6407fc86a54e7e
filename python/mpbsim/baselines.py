"""baselines.py — cos/sin the way frameworks compute them (docs/baselines.md), through
libmpb's recipes (mpb_baseline_cossin), and rounding to binary float formats
(mpb_round_float)."""
from . import _mpb
from .model import PAIRINGS

BASELINES = tuple(_mpb.baseline_names())  # fp64, fp32, bf16, fp16, int8
# (p, emin, emax) of the formats the recipes round to (cmodel/baseline.c, mpb.h)
FORMATS = {"fp32": (24, -126, 127), "bf16": (8, -126, 127), "fp16": (11, -14, 15)}


def baseline_cossin(kind, m, j, head_dim=128, base=500000.0, pairing="half"):
    """(cos, sin) float64 arrays of positions m and pairs j (broadcast) by a recipe."""
    if kind not in BASELINES:
        raise ValueError(f"baseline '{kind}' is not one of {{{', '.join(BASELINES)}}}")
    return _mpb.baseline_cossin(BASELINES.index(kind), m, j, int(head_dim), float(base), PAIRINGS.index(pairing))


def round_float(x, fmt):
    """Round x to a format: 'fp32' | 'bf16' | 'fp16' or (p, emin, emax); float64 result
    (round to nearest even, subnormals, overflow to inf)."""
    p, emin, emax = FORMATS[fmt] if isinstance(fmt, str) else fmt
    (out,) = _mpb.round_float(x, p, emin, emax)
    return out
