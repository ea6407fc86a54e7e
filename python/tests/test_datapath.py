"""test_datapath.py — bit-exactness of the batched calls on NumPy arrays against libmpb's
per-operation functional path (mpb_rope_eval, mpb_exp_eval, mpb_dot_eval), for every
shipped configuration and variants, on every instruction set this CPU runs; GEMM also
against exact integer products where the accumulator cannot overflow."""
import numpy as np
import pytest

import mpbsim
from conftest import CONFIG_FILES

VARIANTS = [dict(x_bits=16, rot_frac_bits=12), dict(rounding="trunc"), dict(rounding="even"),
            dict(horner_order=2, cs_table_bits=8), dict(acc_bits=18, acc_overflow="sat"),
            dict(acc_bits=17, acc_overflow="wrap", promote_interval=4, mac_lanes=4)]
CONFIGS = [pytest.param(p, {}, id=p.stem) for p in CONFIG_FILES] + \
          [pytest.param(p, v, id=f"{p.stem}-{'-'.join(f'{k}={x}' for k, x in v.items())}")
           for p in CONFIG_FILES for v in VARIANTS]
ISAS = mpbsim.isa_info()["supported"]
N = 20000


def model_of(path, variant, **geo):
    return mpbsim.Model(mpbsim.Config(file=path, **variant), **geo)


def rope_inputs(rng, model, n=N):
    c = model.config
    xm = 2 ** (c.x_bits - 1)
    # positions: uniform over the pin range plus every power of two and its neighbours
    m = rng.integers(0, 2 ** c.pos_bits, n, dtype=np.uint32)
    edges = np.array([0, 1] + [v for b in range(1, c.pos_bits) for v in (2 ** b - 1, 2 ** b)] + [2 ** c.pos_bits - 1])
    m[:edges.size] = edges
    j = rng.integers(0, model.head_dim // 2, n, dtype=np.uint32)
    x = rng.integers(-xm, xm, n, dtype=np.int32)
    y = rng.integers(-xm, xm, n, dtype=np.int32)
    x[:4], y[:4] = [-xm, xm - 1, -xm, xm - 1], [-xm, -xm, xm - 1, xm - 1]
    return m, j, x, y


@pytest.mark.parametrize("path,variant", CONFIGS)
def test_rope_bit_exact(path, variant, rng):
    for geo in (dict(geometry="llama3"), dict(geometry="smollm2", pairing="interleaved")):
        model = model_of(path, variant, **geo)
        m, j, x, y = rope_inputs(rng, model)
        ref = model._rope_ref(m, j, x, y)
        for isa in ISAS:
            got = model.rope(m, j, x, y, isa=isa)
            for name, g, r in zip(("cos", "sin", "xr", "yr"), got, ref):
                assert np.array_equal(g, r), f"{path.name} {variant} {geo} isa {isa}: {name} differs"
        cs = model.rope_cossin(m, j)
        assert np.array_equal(cs.cos, ref[0]) and np.array_equal(cs.sin, ref[1])


@pytest.mark.parametrize("path,variant", CONFIGS)
def test_exp2_bit_exact(path, variant, rng):
    model = model_of(path, variant)
    lim = 2 ** 23
    u = np.concatenate([rng.integers(-lim, lim, N, dtype=np.int32),
                        np.arange(-2 ** 17, 2 ** 17, 37, dtype=np.int32), [-lim, lim - 1, 0, -1, 1]])
    e_ref, mant_ref = model._exp2_ref(u)
    for isa in ISAS:
        r = model.exp2(u, isa=isa)
        assert np.array_equal(r.e, e_ref) and np.array_equal(r.mant, mant_ref), f"isa {isa}"
    # value = mant * 2^(e-15) and within the unit's precision of 2^u
    v = r.value
    assert np.all((r.mant >= 2 ** 15) & (r.mant < 2 ** 16))
    assert np.max(np.abs(v / np.exp2(u / 65536.0) - 1)) < 2e-4


@pytest.mark.parametrize("path,variant", CONFIGS)
def test_dot_and_gemm_bit_exact(path, variant, rng):
    model = model_of(path, variant)
    for M, N, K in ((7, 5, 1), (3, 9, 64), (4, 4, 300), (1, 1, 0), (2, 3, 1031)):
        A = rng.integers(-128, 128, (M, K), dtype=np.int8)
        B = rng.integers(-128, 128, (K, N), dtype=np.int8)
        A[0, :] = -128  # the extreme products
        B[:, 0] = -128
        d = model.dot(A[:, None, :], B.T[None, :, :])  # mpb_dot_eval per pair
        for isa in ISAS:
            g = model.gemm(A, B, isa=isa)
            assert np.array_equal(g.C, d.sum), f"M,N,K={M},{N},{K} isa {isa}"
            assert np.array_equal(g.events, d.events)
        exact = A.astype(np.int64) @ B.astype(np.int64)
        c = model.config
        if c.acc_bits >= 32 and c.promote_interval == 0:
            assert np.array_equal(g.C, exact)  # no overflow possible at these lengths
            assert not g.events.any()


def test_gemm_overflow_rules(rng):
    """A narrow accumulator wraps or saturates: the events count, the sums differ from the
    exact products, and saturated sums stay within the accumulator's range."""
    K = 4096
    A = np.full((2, K), 127, np.int8)
    B = np.full((K, 3), 127, np.int8)
    exact = A.astype(np.int64) @ B.astype(np.int64)
    for mode in ("wrap", "sat"):
        model = mpbsim.Model(mpbsim.Config(acc_bits=20, acc_overflow=mode))
        g = model.gemm(A, B)
        assert g.events.min() > 0 and not np.array_equal(g.C, exact)
        d = model.dot(A[:, None, :], B.T[None])
        assert np.array_equal(g.C, d.sum)
        assert (d.sat_events.sum() > 0) == (mode == "sat") and (d.wrap_events.sum() > 0) == (mode == "wrap")


def test_module_functions_use_default_model():
    assert mpbsim.rope_cossin(0, 0).cos == 2 ** 15 - 1
    assert mpbsim.exp2(65536).value == 2.0
    assert mpbsim.gemm(np.ones((1, 3), np.int8), np.ones((3, 1), np.int8)).C[0, 0] == 3
    assert mpbsim.dot([1, 2], [3, 4]).sum == 11


def test_isa_names():
    info = mpbsim.isa_info()
    assert "scalar" in info["supported"] and info["best"] in info["supported"]
    with pytest.raises(ValueError, match="unknown ISA 'mmx'"):
        mpbsim.Model().exp2(0, isa="mmx")
