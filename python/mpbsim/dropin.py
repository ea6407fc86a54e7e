"""dropin.py — PyTorch drop-in: the bridge's RoPE and softmax numerics inside a
Hugging-Face-style model (docs/python.md "PyTorch").

    handle = mpbsim.dropin.patch(model, config=None, rope="datapath", softmax=True)
    ... model(...) ...          # now runs on the bridge's numerics
    handle.remove()             # or: with mpbsim.dropin.patch(model): ...

What it patches (the Hugging Face layout: a rotary module with an `inv_freq` buffer whose
forward(x, position_ids) returns (cos, sin) for rotate_half pairing, an
`apply_rotary_pos_emb(q, k, cos, sin, ...)` function in the attention's module, and eager
attention calling torch.nn.functional.softmax):
  rope="cossin"    the rotary modules return the rope unit's cos/sin (mpb rope_cossin of
                   the position and pair) instead of the float ones; the rotation stays
                   the model's own float arithmetic.
  rope="datapath"  (default) the whole rope unit: apply_rotary_pos_emb quantizes every
                   head vector of q and k to x_bits with its own scale, rotates it
                   through the datapath and scales back (mpbsim.numerics.rope_float).
  softmax=True     while the patched model's forward runs, torch.nn.functional.softmax
                   (and torch.softmax / Tensor.softmax) take exp() through the exp unit
                   (mpbsim.numerics.softmax_float); a model config with
                   `_attn_implementation` is switched to "eager" so that attention calls it.
The frequencies must be the plain geometric ones, inv_freq[j] = base^(-2j/d) (a scaled
rope_type is refused: the bridge's geometry does not describe it). Values go through NumPy
on the CPU, so this is for evaluation, not speed; gradients pass straight through (the
bridge's values forward, the float function's gradient backward).
"""
import sys
import threading

import numpy as np

from .config import as_config
from .model import Model
from .numerics import rope_float, softmax_float

_state = threading.local()  # .models: stack of bridge Models of the running patched forwards


def _torch():
    import torch
    return torch


def _geometry(inv_freq, base=None):
    """(head_dim, base) of an HF inv_freq buffer, or ValueError if it is not base^(-2j/d).
    Without an explicit base (patch(base=) or the module's config.rope_theta), the base is
    estimated from the float32 buffer and rounded to 5 significant digits (10000, 500000)."""
    f = inv_freq.detach().double().cpu().numpy()
    d = 2 * f.size
    if f.size < 2 or f[0] != 1.0:
        raise ValueError("rotary embedding: inv_freq must start at 1 and have >= 2 entries")
    if base is None:
        j = np.arange(1, f.size)
        base = float(f"{float(np.exp(np.mean(-np.log(f[1:]) * d / (2 * j)))):.5g}")
    want = float(base) ** (-2.0 * np.arange(f.size) / d)
    if not np.allclose(f, want, rtol=1e-4, atol=0):
        raise ValueError(f"rotary embedding: inv_freq is not base^(-2j/d) for base {base:g} (a scaled "
                         "rope_type?); the bridge's RoPE geometry cannot represent it")
    return d, float(base)


def _straight_through(bridge, ref):
    torch = _torch()
    if torch.is_grad_enabled() and ref.requires_grad:
        return ref + (bridge - ref).detach()
    return bridge


class Handle:
    """What patch() changed; remove() restores it (also as a context manager)."""

    def __init__(self):
        self._undo = []

    def remove(self):
        while self._undo:
            self._undo.pop()()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    def __repr__(self):
        return f"Handle({len(self._undo)} patches{'' if self._undo else ', removed'})"


def _bridge_softmax(input, dim, dtype, ref_fn):
    """softmax through the exp unit if a patched forward is running, else ref_fn()."""
    torch = _torch()
    models = getattr(_state, "models", None)
    if not models or not input.is_floating_point():
        return ref_fn()
    ref = ref_fn()
    p = softmax_float(input.detach().float().cpu().numpy(), axis=-1 if dim is None else dim, model=models[-1])
    return _straight_through(torch.from_numpy(p).to(device=input.device, dtype=ref.dtype), ref)


_SOFTMAX_LOCK = threading.Lock()
_softmax_users = 0
_softmax_saved = None


def _install_softmax():
    """Route torch's softmax entry points through the bridge while a patched forward runs."""
    global _softmax_users, _softmax_saved
    torch = _torch()
    with _SOFTMAX_LOCK:
        if _softmax_users == 0:
            F = torch.nn.functional
            _softmax_saved = saved = (F.softmax, torch.softmax, torch.Tensor.softmax)

            def f_softmax(input, dim=None, _stacklevel=3, dtype=None):
                return _bridge_softmax(input, dim, dtype, lambda: saved[0](input, dim, _stacklevel, dtype))

            def t_softmax(input, dim, dtype=None):
                return _bridge_softmax(input, dim, dtype, lambda: saved[1](input, dim, dtype=dtype))

            def m_softmax(self, dim, dtype=None):
                return _bridge_softmax(self, dim, dtype, lambda: saved[2](self, dim, dtype=dtype))

            F.softmax, torch.softmax, torch.Tensor.softmax = f_softmax, t_softmax, m_softmax
        _softmax_users += 1

    def uninstall():
        global _softmax_users
        with _SOFTMAX_LOCK:
            _softmax_users -= 1
            if _softmax_users == 0:
                torch.nn.functional.softmax, torch.softmax, torch.Tensor.softmax = _softmax_saved
    return uninstall


def patch(model, config=None, rope="datapath", softmax=True, base=None):
    """Run `model` (a torch.nn.Module) on the bridge's numerics; returns a Handle.
    config: a Config, preset name or file (default: the default preset); base: the RoPE
    base if neither the argument nor the rotary module's config.rope_theta gives it."""
    torch = _torch()
    if rope not in ("datapath", "cossin", None):
        raise ValueError(f"rope must be 'datapath', 'cossin' or None, got {rope!r}")
    cfg = as_config(config)
    h = Handle()
    models = {}
    try:
        if rope:
            rotaries = [m for m in model.modules() if isinstance(getattr(m, "inv_freq", None), torch.Tensor)]
            if not rotaries:
                raise ValueError("patch: the model has no rotary embedding module (a module with an inv_freq buffer)")
            for mod in rotaries:
                theta = base if base is not None else getattr(getattr(mod, "config", None), "rope_theta", None)
                d, b = _geometry(mod.inv_freq, theta)
                if float(getattr(mod, "attention_scaling", 1.0)) != 1.0:
                    raise ValueError("patch: rotary attention_scaling != 1 is not a plain RoPE")
                if (d, b) not in models:
                    models[(d, b)] = Model(cfg, head_dim=d, base=b, pairing="half")
                _patch_rotary(h, mod, models[(d, b)], rope == "datapath")
            if rope == "datapath":
                _patch_apply(h, model)
        bridge = next(iter(models.values()), None) or Model(cfg)
        _patch_forward(h, model, bridge, softmax)
    except BaseException:
        h.remove()
        raise
    return h


def _patch_rotary(h, mod, bmodel, tag):
    torch = _torch()
    half = np.arange(bmodel.head_dim // 2)

    def forward(x, position_ids, *args, **kw):
        pos = position_ids.detach().cpu().numpy()
        cs = bmodel.rope_cossin(pos[..., None], half)
        c = np.concatenate([cs.cos_value, cs.cos_value], axis=-1)
        s = np.concatenate([cs.sin_value, cs.sin_value], axis=-1)
        cos = torch.from_numpy(c).to(device=x.device, dtype=x.dtype)
        sin = torch.from_numpy(s).to(device=x.device, dtype=x.dtype)
        if tag:
            cos._mpbsim = (bmodel, pos)
        return cos, sin

    mod.forward = forward
    h._undo.append(lambda: vars(mod).pop("forward", None))


def _patch_apply(h, model):
    done = set()
    for m in model.modules():
        mod = sys.modules.get(type(m).__module__)
        fn = getattr(mod, "apply_rotary_pos_emb", None)
        if mod is None or fn is None or mod.__name__ in done:
            continue
        done.add(mod.__name__)
        mod.apply_rotary_pos_emb = _bridge_apply(fn)
        h._undo.append(lambda mod=mod, fn=fn: setattr(mod, "apply_rotary_pos_emb", fn))
    if not done:
        raise ValueError("patch: no apply_rotary_pos_emb function next to the model's modules "
                         "(use rope='cossin' for bridge cos/sin only)")


def _bridge_apply(orig):
    torch = _torch()

    def apply_rotary_pos_emb(q, k, cos, sin, *args, **kw):
        info = getattr(cos, "_mpbsim", None)
        if info is None:
            return orig(q, k, cos, sin, *args, **kw)
        bmodel, pos = info
        ref_q, ref_k = orig(q, k, cos, sin, *args, **kw)
        p = pos[:, None, :] if q.dim() == 4 else pos  # (batch, heads, seq, d) layout
        out = []
        for t, ref in ((q, ref_q), (k, ref_k)):
            r = rope_float(t.detach().float().cpu().numpy(), p, bmodel)
            out.append(_straight_through(torch.from_numpy(r).to(device=t.device, dtype=ref.dtype), ref))
        return tuple(out)
    return apply_rotary_pos_emb


def _patch_forward(h, model, bmodel, softmax):
    orig = model.forward
    uninstall = _install_softmax() if softmax else None
    if uninstall:
        h._undo.append(uninstall)
    conf = getattr(model, "config", None)
    if softmax and conf is not None and hasattr(conf, "_attn_implementation"):
        saved = conf._attn_implementation
        conf._attn_implementation = "eager"
        h._undo.append(lambda: setattr(conf, "_attn_implementation", saved))

    def forward(*args, **kw):
        stack = getattr(_state, "models", None)
        if stack is None:
            stack = _state.models = []
        if softmax:
            stack.append(bmodel)
        try:
            return orig(*args, **kw)
        finally:
            if softmax:
                stack.pop()

    model.forward = forward
    h._undo.append(lambda: vars(model).pop("forward", None))
