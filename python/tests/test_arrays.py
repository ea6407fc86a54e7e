"""test_arrays.py — the NumPy rules of the datapath calls: broadcasting, memory layouts,
accepted dtypes, range errors, empty arrays, NaN and huge inputs."""
import numpy as np
import pytest

import mpbsim


@pytest.fixture(scope="module")
def model():
    return mpbsim.Model()


def test_broadcast_shapes_equal_explicit(model, rng):
    m = rng.integers(0, 2 ** 20, (6, 1, 1))
    j = np.arange(64).reshape(1, 64, 1)
    x = rng.integers(-128, 128, (1, 1, 5))
    y = np.int8(-7)
    r = model.rope(m, j, x, y)
    assert r.cos.shape == (6, 64, 5) and r.xr.dtype == np.int32
    full = np.broadcast_arrays(m, j, x, y)
    ref = model._rope_ref(*[np.ascontiguousarray(a).ravel() for a in full])
    for g, e in zip(r, ref):
        assert np.array_equal(g.ravel(), e)
    with pytest.raises(ValueError, match="broadcast"):
        model.rope(np.zeros(3, int), np.zeros(4, int), 0, 0)


def test_layouts(model, rng):
    """Strided, reversed, Fortran-ordered and byte-swapped inputs give the same values."""
    m = rng.integers(0, 2 ** 20, (40, 30))
    j = rng.integers(0, 64, (40, 30))
    x = rng.integers(-128, 128, (40, 30))
    base = model.rope(m, j, x, x)
    assert np.array_equal(model.rope(m[::-1, ::2], j[::-1, ::2], x[::-1, ::2], x[::-1, ::2]).xr, base.xr[::-1, ::2])
    assert np.array_equal(model.rope(np.asfortranarray(m), j.T.copy().T, x, x).yr, base.yr)
    swapped = m.astype(m.dtype.newbyteorder(">"))
    assert np.array_equal(model.rope(swapped, j, x, x).cos, base.cos)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64])
def test_integer_dtypes(model, dtype, rng):
    x = rng.integers(0, 100, 1000).astype(dtype)
    ref = model.rope(x.astype(np.int64), x.astype(np.int64) % 64, x.astype(np.int64), 0)
    got = model.rope(x, x % dtype(64), x, 0)
    assert np.array_equal(got.xr, ref.xr) and np.array_equal(got.cos, ref.cos)
    assert np.array_equal(model.exp2(x).mant, model.exp2(x.astype(np.int64)).mant)


@pytest.mark.parametrize("bad", [np.float32(1.0), np.array([1.5]), np.array([True]), np.array(["a"]),
                                 np.array([1 + 2j]), np.array([None], dtype=object)])
def test_non_integer_inputs_are_type_errors(model, bad):
    with pytest.raises(TypeError, match="must be an integer array"):
        model.rope(bad, 0, 0, 0)
    with pytest.raises(TypeError):
        model.exp2(bad)
    with pytest.raises(TypeError):
        model.gemm(np.ones((2, 2)), np.ones((2, 2)))


@pytest.mark.parametrize("args,message", [
    ((2 ** 20, 0, 0, 0), r"m = 1048576 is out of range \[0, 1048575\] \(pos_bits = 20\)"),
    ((-1, 0, 0, 0), r"m = -1 is out of range"),
    ((0, 64, 0, 0), r"j = 64 is out of range \[0, 63\] \(head_dim = 128\)"),
    ((0, 0, 128, 0), r"x = 128 is out of range \[-128, 127\] \(x_bits = 8\)"),
    ((0, 0, 0, np.array([0, -129])), r"y = -129 is out of range"),
    ((np.uint64(2 ** 64 - 1), 0, 0, 0), r"m = 18446744073709551615 is out of range"),
    ((np.int64(-2 ** 63), 0, 0, 0), r"m = -9223372036854775808 is out of range"),
])
def test_out_of_range_is_value_error(model, args, message):
    with pytest.raises(ValueError, match=message):
        model.rope(*args)


def test_range_error_deep_in_a_large_array(model):
    m = np.zeros(100000, np.int32)
    m[77777] = 1 << 21
    with pytest.raises(ValueError, match="m = 2097152"):
        model.rope_cossin(m, 0)
    u = np.zeros(50000, np.int64)
    u[-1] = 2 ** 23
    with pytest.raises(ValueError, match=r"u = 8388608 is out of range \[-8388608, 8388607\]"):
        model.exp2(u)


def test_x_bits_16_accepts_int16(rng):
    model = mpbsim.Model(mpbsim.Config(x_bits=16))
    x = rng.integers(-2 ** 15, 2 ** 15, 100, dtype=np.int16)
    assert model.rope(0, 0, x, x).xr.shape == (100,)
    with pytest.raises(ValueError, match="x_bits = 16"):
        model.rope(0, 0, 2 ** 15, 0)


def test_empty_and_scalar(model):
    r = model.rope(np.zeros((0, 3), int), 0, 0, 0)
    assert r.xr.shape == (0, 3)
    assert model.exp2(np.array([], np.int32)).value.shape == (0,)
    assert model.gemm(np.zeros((0, 4), np.int8), np.zeros((4, 2), np.int8)).C.shape == (0, 2)
    assert model.gemm(np.zeros((3, 0), np.int8), np.zeros((0, 2), np.int8)).C.tolist() == [[0, 0]] * 3
    assert model.dot(np.zeros((2, 0), np.int8), np.zeros(0, np.int8)).sum.tolist() == [0, 0]
    assert mpbsim.exp_input(np.array([], np.float32))[0].shape == (0,)
    assert mpbsim.softmax_float(np.zeros((0, 5))).shape == (0, 5)
    c = model.rope_cossin(5, 3)
    assert c.cos.shape == () and "CosSin(cos=int32" in repr(c)


def test_nan_inf_and_huge_floats():
    v = np.array([np.nan, -np.inf, np.inf, -1e30, 1e30, 0.0, -200.0], np.float32)
    u, sat = mpbsim.exp_input(v)
    lo, hi = -2 ** 23, 2 ** 23 - 1
    assert u.tolist() == [lo, lo, hi, lo, hi, 0, lo] and sat.tolist() == [1, 1, 1, 1, 1, 0, 1]
    assert np.all(np.isfinite(mpbsim.Model().exp(v)))
    assert np.isnan(mpbsim.round_float(np.array([np.nan]), "bf16")[0])
    assert mpbsim.round_float(np.array([1e6]), "fp16")[0] == np.inf
    assert mpbsim.exp_input(np.float16(1.0))[0] == round(np.log2(np.e) * 65536)


def test_gemm_shapes_and_broadcasting(model, rng):
    A = rng.integers(-128, 128, (2, 1, 3, 8), dtype=np.int8)
    B = rng.integers(-128, 128, (4, 8, 5), dtype=np.int8)
    g = model.gemm(A, B)
    assert g.C.shape == (2, 4, 3, 5) and g.C.dtype == np.int64 and g.events.dtype == np.uint32
    assert np.array_equal(g.C, A.astype(np.int64) @ B.astype(np.int64))
    W = rng.integers(-128, 128, (5, 8), dtype=np.int8)  # weight rows: x @ W.T without a copy
    assert np.array_equal(model.gemm(A[0, 0], W.T).C, A[0, 0].astype(np.int64) @ W.T.astype(np.int64))
    assert np.array_equal(model.gemm(A[0, 0, :, ::2], W[::-1, ::2].T).C,
                          A[0, 0, :, ::2].astype(np.int64) @ W[::-1, ::2].T.astype(np.int64))
    with pytest.raises(ValueError, match="A is 3x8 but B is 7x5"):
        model.gemm(A, np.zeros((7, 5), np.int8))
    with pytest.raises(ValueError, match="two dimensions"):
        model.gemm(np.zeros(3, np.int8), np.zeros((3, 1), np.int8))
    with pytest.raises(ValueError, match=r"A = 200 is out of range \[-128, 127\]"):
        model.gemm(np.array([[200]]), np.array([[1]]))
    assert np.array_equal(model.gemm([[1, 2]], [[3], [4]]).C, [[11]])  # int64 lists in range


def test_dot_broadcast(model, rng):
    a = rng.integers(-128, 128, (3, 1, 16), dtype=np.int8)
    b = rng.integers(-128, 128, (4, 16), dtype=np.int8)
    d = model.dot(a, b)
    assert d.sum.shape == (3, 4)
    assert np.array_equal(d.sum, np.einsum("ijk,jk->ij", a.astype(np.int64), b.astype(np.int64)))
    with pytest.raises(ValueError, match="lengths differ"):
        model.dot(a, b[:, :3])


def test_reprs(model, rng):
    r = model.rope(np.arange(10), 1, 5, 5)
    assert repr(r).startswith("RopeResult(cos=int32[10] [32767, ")
    assert "value=float64[2] [1, 2]" in repr(model.exp2([0, 65536]))
    assert repr(model.gemm(np.ones((2, 2), np.int8), np.ones((2, 2), np.int8))).startswith("GemmResult(C=int64[2, 2] [2, 2, 2, 2]")
    assert repr(model.dot([1], [2])) == "DotResult(sum=int64 2, sat_events=0, wrap_events=0)"
    assert repr(model) == "Model(Config(), head_dim=128, base=500000, pairing='half')"
    assert repr(mpbsim.Model("patent", geometry="smollm2")) == \
        "Model(Config(phi_mode='logadd', log_word_bits=16), head_dim=64, base=100000, pairing='half')"


def test_values_match_analysis(model):
    """cos/sin values are within the documented error bound of the exact values."""
    m = np.arange(0, 2 ** 17, 97)
    j = np.arange(64)[:, None]
    c = model.rope_cossin(m, j)
    ref_c, ref_s = mpbsim.baseline_cossin("fp64", m, j)
    bound = model.error_bound(2 ** 17)
    assert np.max(np.abs(c.cos_value - ref_c)) <= bound
    assert np.max(np.abs(c.sin_value - ref_s)) <= bound


def test_out_arrays(model, rng):
    m = rng.integers(0, 2 ** 20, (3, 50))
    out = tuple(np.full((3, 50), -1, np.int32) for _ in range(4))
    r = model.rope(m, 7, 3, -3, out=out)
    assert r.cos is out[0] and np.array_equal(out[2], model.rope(m, 7, 3, -3).xr)
    e = (np.empty(5, np.int32), np.empty(5, np.uint32))
    assert model.exp2(np.arange(5), out=e).mant is e[1]
    with pytest.raises(TypeError, match=r"out\[1\] must be a writeable uint32 array"):
        model.exp2(np.arange(5), out=(e[0], e[0]))
    with pytest.raises(ValueError):  # shape of the broadcast result
        model.rope_cossin(m, 7, out=(np.empty(50, np.int32), np.empty(50, np.int32)))
    with pytest.raises(TypeError, match="tuple of 2 arrays"):
        model.rope_cossin(m, 7, out=[out[0], out[1]])
    ro = np.empty((3, 50), np.int32)
    ro.flags.writeable = False
    with pytest.raises(TypeError, match="writeable"):
        model.rope_cossin(m, 7, out=(ro, out[1]))
    A = rng.integers(-128, 128, (4, 9), dtype=np.int8)
    C, ev = np.empty((4, 4), np.int64), np.empty((4, 4), np.uint32)
    assert model.gemm(A, A.T, out=(C, ev)).C is C
    assert np.array_equal(C, A.astype(np.int64) @ A.T.astype(np.int64))
    with pytest.raises(ValueError, match="out"):
        model.gemm(A, A.T, out=(np.empty((4, 5), np.int64), ev))


def test_check_false_cuts_to_pin_widths(model, rng):
    """check=False: no ValueError; values are cut to the pins as the C API and the unit do."""
    m = rng.integers(0, 2 ** 32, 1000, dtype=np.uint32)
    x = rng.integers(-2 ** 31, 2 ** 31, 1000, dtype=np.int64)
    j = rng.integers(0, 64, 1000)
    got = model.rope(m, j, x, 5, check=False)
    ref = model._rope_ref(m, j, x, 5, check=False)  # mpb_rope_eval cuts them itself
    for g, r in zip(got, ref):
        assert np.array_equal(g, r)
    cut = model.rope(m & (2 ** 20 - 1), j, ((x + 128) % 256) - 128, 5)  # pos_bits 20, x_bits 8
    assert np.array_equal(got.xr, cut.xr) and np.array_equal(got.cos, cut.cos)
    u = np.array([2 ** 23, -2 ** 23 - 1, 2 ** 24 + 5])
    assert np.array_equal(model.exp2(u, check=False).mant, model._exp2_ref(u, check=False)[1])
