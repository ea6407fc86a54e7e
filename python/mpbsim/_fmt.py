"""_fmt.py — the short array summaries every result type's repr uses."""
import numpy as np


def arr(a, edge=3):
    """'int32[2, 3] [1, 2, 3, ..., 9]' — dtype, shape and the first/last values."""
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{a.dtype} {_v(a[()])}"
    shape = ", ".join(str(d) for d in a.shape)
    flat = a.ravel()
    if flat.size <= 2 * edge:
        vals = ", ".join(_v(v) for v in flat)
    else:
        vals = ", ".join(_v(v) for v in flat[:edge]) + ", ..., " + ", ".join(_v(v) for v in flat[-edge:])
    return f"{a.dtype}[{shape}] [{vals}]"


def _v(v):
    if isinstance(v, (np.floating, float)):
        return f"{float(v):.6g}"
    return str(v)
