"""numerics.py — the bridge on floating-point tensors, the way a model uses it:
rope_float quantizes each head vector to x_bits with its own absmax scale, rotates the
pairs through the rope unit and scales back; softmax_float takes exp() through the exp
unit (u = round(v log2 e 2^16), Q8.16) and normalises in float64. The quantization is
the one lm/ applies for its bridge backend (per head vector, scale = max|x| / (2^(b-1) - 1),
round half away from zero, clamp); for x_bits = 8 it equals trace_quantize_row
(tests/test_numerics.py checks that). The PyTorch drop-in (mpbsim.dropin) calls these."""
import numpy as np

from . import _mpb
from .model import default_model


def quantize_rows(x, bits):
    """Per-row (last axis) symmetric quantization: (q int32, scale float32[..., 1])."""
    x = np.asarray(x, dtype=np.float32)
    lim = np.float32(2 ** (bits - 1) - 1)
    m = np.max(np.abs(x), axis=-1, keepdims=True) if x.shape[-1] else np.zeros(x.shape[:-1] + (1,), np.float32)
    s = np.where((m > 0) & np.isfinite(m), m / lim, np.float32(1)).astype(np.float32)
    v = (x / s).astype(np.float64)
    q = np.sign(v) * np.floor(np.abs(v) + 0.5)           # roundf: half away from zero
    q = np.where(np.isnan(q), -lim, np.clip(q, -lim, lim))
    return q.astype(np.int32), s


def rope_float(x, pos, model=None, pairing=None):
    """Rotate head vectors x[..., seq, head_dim] (float) at positions pos (broadcast
    against x[..., seq]) through the bridge; float32 result of x's shape."""
    model = model or default_model()
    x = np.asarray(x, dtype=np.float32)
    d = x.shape[-1]
    if d != model.head_dim:
        raise ValueError(f"rope_float: head vectors have {d} elements, the model's head_dim is {model.head_dim}")
    ix, iy = model.pair_index(pairing)
    q, s = quantize_rows(x, model.config.x_bits)
    pos = np.asarray(pos)
    r = model.rope(pos[..., None], np.arange(d // 2), q[..., ix], q[..., iy])
    out = np.empty(x.shape, np.float32)
    k = np.float32(2.0 ** -model.config.rot_frac_bits)
    out[..., ix] = r.xr * k * s
    out[..., iy] = r.yr * k * s
    return out


def softmax_float(x, axis=-1, model=None):
    """Softmax with exp() through the exp unit; float32 result."""
    model = model or default_model()
    x = np.asarray(x, dtype=np.float32)
    if x.size == 0:
        return x.copy()
    v = x - np.max(x, axis=axis, keepdims=True)
    u, _ = _mpb.exp_input(v)
    p = model.exp2(u).value
    return (p / np.sum(p, axis=axis, keepdims=True)).astype(np.float32)
