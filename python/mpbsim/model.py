"""model.py — Model: a libmpb model (configuration + RoPE geometry + tables) and the
bit-exact datapath on NumPy arrays. Every call is one C call over the whole broadcast
shape (libmpb's batched API); results are raw integers as the hardware produces them,
with the real values one property away."""
import numpy as np

from . import _fmt, _mpb
from .config import as_config

PAIRINGS = ("interleaved", "half")
GEOMETRIES = {"llama3": (128, 500000.0), "smollm2": (64, 100000.0)}  # as the CLI's --geometry


class RopeResult:
    """Rotation results: cos/sin signed Q1.(cs_bits-1); xr/yr with rot_frac_bits fraction bits."""

    def __init__(self, cos, sin, xr, yr, config):
        self.cos, self.sin, self.xr, self.yr = cos, sin, xr, yr
        self._cs = 2.0 ** (1 - config.cs_bits)
        self._of = 2.0 ** -config.rot_frac_bits

    @property
    def cos_value(self):
        return self.cos * self._cs

    @property
    def sin_value(self):
        return self.sin * self._cs

    @property
    def xr_value(self):
        return self.xr * self._of

    @property
    def yr_value(self):
        return self.yr * self._of

    def __iter__(self):
        return iter((self.cos, self.sin, self.xr, self.yr))

    def __repr__(self):
        return (f"RopeResult(cos={_fmt.arr(self.cos)}, sin={_fmt.arr(self.sin)}, "
                f"xr={_fmt.arr(self.xr)}, yr={_fmt.arr(self.yr)})")


class CosSin:
    """cos/sin of the rope unit: raw signed Q1.(cs_bits-1) integers and their values."""

    def __init__(self, cos, sin, config):
        self.cos, self.sin = cos, sin
        self._cs = 2.0 ** (1 - config.cs_bits)

    @property
    def cos_value(self):
        return self.cos * self._cs

    @property
    def sin_value(self):
        return self.sin * self._cs

    def __iter__(self):
        return iter((self.cos, self.sin))

    def __repr__(self):
        return f"CosSin(cos={_fmt.arr(self.cos)}, sin={_fmt.arr(self.sin)}, scale=2**{round(np.log2(self._cs))})"


class Exp2Result:
    """2^u = mant * 2^(e - 15), mant UQ1.15 in [2^15, 2^16)."""

    def __init__(self, e, mant):
        self.e, self.mant = e, mant

    @property
    def value(self):
        return np.ldexp(self.mant.astype(np.float64), self.e - _mpb.MPB_EXP_MANT_FRAC)

    def __iter__(self):
        return iter((self.e, self.mant))

    def __repr__(self):
        return f"Exp2Result(e={_fmt.arr(self.e)}, mant={_fmt.arr(self.mant)}, value={_fmt.arr(self.value)})"


class DotResult:
    """Dot products through the dot unit: sums and accumulator overflow events."""

    def __init__(self, sum, sat_events, wrap_events):
        self.sum, self.sat_events, self.wrap_events = sum, sat_events, wrap_events

    @property
    def events(self):
        return self.sat_events + self.wrap_events

    def __repr__(self):
        return (f"DotResult(sum={_fmt.arr(self.sum)}, sat_events={int(self.sat_events.sum())}, "
                f"wrap_events={int(self.wrap_events.sum())})")


class GemmResult:
    """C = A @ B through the dot unit, and per element the overflow events (sat + wrap)."""

    def __init__(self, C, events):
        self.C, self.events = C, events

    def __iter__(self):
        return iter((self.C, self.events))

    def __repr__(self):
        return f"GemmResult(C={_fmt.arr(self.C)}, events={int(self.events.sum())})"


def _int8(a, name):
    """An int8 array of a's values; TypeError for non-integers, ValueError outside int8."""
    a = np.asarray(a)
    if a.dtype == np.int8:
        return a
    if a.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array, got dtype {a.dtype}")
    if a.size and (a.min() < -128 or a.max() > 127):
        bad = a[(a < -128) | (a > 127)].flat[0]
        raise ValueError(f"{name} = {bad} is out of range [-128, 127] (int8 operands of the dot unit)")
    return a.astype(np.int8)


class Model(_mpb.Model):
    """A configured datapath with its tables for one RoPE geometry.

    Model()                                          default config, Llama 3 geometry
    Model(Config("patent"), head_dim=64, base=1e5)   any config / geometry
    Model("configs/default.cfg", geometry="smollm2")
    """

    def __new__(cls, config=None, head_dim=None, base=None, pairing="half", geometry="llama3"):
        config = as_config(config)
        if geometry not in GEOMETRIES:
            raise ValueError(f"geometry '{geometry}' is not one of {{{', '.join(GEOMETRIES)}}}")
        d, b = GEOMETRIES[geometry]
        if pairing not in PAIRINGS:
            raise ValueError(f"pairing '{pairing}' is not one of {{{', '.join(PAIRINGS)}}}")
        self = super().__new__(cls, config, int(d if head_dim is None else head_dim),
                               float(b if base is None else base), PAIRINGS.index(pairing))
        self.config = config.replace()
        return self

    def __init__(self, *args, **kw):
        pass

    @property
    def head_dim(self):
        return self._geometry()[0]

    @property
    def base(self):
        return self._geometry()[1]

    @property
    def pairing(self):
        return PAIRINGS[self._geometry()[2]]

    def pair_index(self, pairing=None):
        """Vector indices (ix, iy) of every pair j (mpb_pair_index): interleaved (2j, 2j+1),
        half (j, j + d/2); the model's pairing by default."""
        return self._pair_index(PAIRINGS.index(pairing or self.pairing))

    def rope(self, m, j, x, y, isa=None, out=None, check=True):
        """Rotate pairs (x, y) by position m, pair j: RopeResult, broadcast shape.
        out: four int32 arrays of that shape to write into (cos, sin, xr, yr).
        check=False skips the range checks: values are cut to the pin widths (C API)."""
        return RopeResult(*self._rope(m, j, x, y, isa, out, check), self.config)

    def rope_cossin(self, m, j, isa=None, out=None, check=True):
        """cos/sin of position m, pair j: CosSin, broadcast shape (out: two int32 arrays)."""
        return CosSin(*self._rope_cossin(m, j, isa, out, check), self.config)

    def exp2(self, u, isa=None, out=None, check=True):
        """2^(u / 2^16) for u signed Q8.16 (24 bits): Exp2Result (out: int32 e, uint32 mant)."""
        return Exp2Result(*self._exp2(u, isa, out, check))

    def exp(self, v, isa=None):
        """e^v through the exp unit (u = round(v log2 e 2^16), saturated): float64 values."""
        u, _ = _mpb.exp_input(v)
        return self.exp2(u, isa).value

    def dot(self, a, b):
        """Dot products over the last axis (int8 operands), leading axes broadcast: DotResult."""
        a, b = _int8(a, "a"), _int8(b, "b")
        if a.ndim < 1 or b.ndim < 1:
            raise ValueError("dot: a and b need at least one dimension")
        if a.shape[-1] != b.shape[-1]:
            raise ValueError(f"dot: lengths differ ({a.shape[-1]} and {b.shape[-1]})")
        lead = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
        k = a.shape[-1]
        return DotResult(*self._dot(np.broadcast_to(a, lead + (k,)), np.broadcast_to(b, lead + (k,))))

    def gemm(self, A, B, isa=None, out=None):
        """A @ B on int8 operands through the dot unit (matmul shapes and broadcasting):
        GemmResult with C int64 and per-element overflow events (out: C-contiguous int64
        and uint32 arrays of the result's shape to write into)."""
        A, B = _int8(A, "A"), _int8(B, "B")
        if A.ndim < 2 or B.ndim < 2:
            raise ValueError(f"gemm: A and B need two dimensions (got {A.ndim} and {B.ndim})")
        (M, K), (K2, N) = A.shape[-2:], B.shape[-2:]
        if K != K2:
            raise ValueError(f"gemm: A is {M}x{K} but B is {K2}x{N}")
        batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
        Bt = np.swapaxes(B, -1, -2)
        return GemmResult(*self._gemm(np.broadcast_to(A, batch + (M, K)),
                                      np.broadcast_to(Bt, batch + (N, K)), isa, out))

    def reference_counts(self, unit, n, seed=1):
        """Action counts of n operations of a unit (rope | exp | dot) on seeded random
        inputs (mpb_energy_reference): the 50%-toggle reference of the activity figure."""
        from .energy import Counts, UNITS
        return Counts(*_mpb.reference_counts(self, UNITS.index(unit), int(n), int(seed)))

    def __repr__(self):
        return f"Model({self.config!r}, head_dim={self.head_dim}, base={self.base:g}, pairing='{self.pairing}')"


_DEFAULT_MODEL = None


def default_model():
    """The model of the module-level functions: default config, Llama 3 geometry."""
    global _DEFAULT_MODEL
    if _DEFAULT_MODEL is None:
        _DEFAULT_MODEL = Model()
    return _DEFAULT_MODEL


def rope(m, j, x, y, model=None):
    return (model or default_model()).rope(m, j, x, y)


def rope_cossin(m, j, model=None):
    return (model or default_model()).rope_cossin(m, j)


def exp2(u, model=None):
    return (model or default_model()).exp2(u)


def dot(a, b, model=None):
    return (model or default_model()).dot(a, b)


def gemm(A, B, model=None):
    return (model or default_model()).gemm(A, B)
