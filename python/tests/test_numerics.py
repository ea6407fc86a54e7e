"""test_numerics.py — the bridge on float tensors (mpbsim.numerics): rotation error within
the quantization step, softmax normalised and close to exact, and the baselines."""
import numpy as np
import pytest

import mpbsim


def exact_rope(x, pos, head_dim, base, pairing):
    j = np.arange(head_dim // 2)
    theta = base ** (-2.0 * j / head_dim)
    ang = np.asarray(pos, np.float64)[..., None] * theta
    c, s = np.cos(ang), np.sin(ang)
    ix, iy = (2 * j, 2 * j + 1) if pairing == "interleaved" else (j, j + head_dim // 2)
    out = np.array(x, np.float64)
    out[..., ix] = x[..., ix] * c - x[..., iy] * s
    out[..., iy] = x[..., ix] * s + x[..., iy] * c
    return out


@pytest.mark.parametrize("x_bits", [8, 16])
@pytest.mark.parametrize("pairing", ["half", "interleaved"])
def test_rope_float_error_bound(x_bits, pairing, rng):
    model = mpbsim.Model(mpbsim.Config(x_bits=x_bits, rot_frac_bits=7 if x_bits == 8 else 12),
                         geometry="smollm2", pairing=pairing)
    x = rng.normal(0, 2, (3, 10, 64)).astype(np.float32)
    pos = np.array([0, 1, 7, 100, 1000, 4095, 8191, 20000, 65535, 131071])
    got = mpbsim.rope_float(x, pos, model)
    ref = exact_rope(x.astype(np.float64), pos, 64, 1e5, pairing)
    scale = np.max(np.abs(x), axis=-1, keepdims=True) / (2 ** (x_bits - 1) - 1)
    # error per element: input quantization (half a step per operand, two operands) plus
    # the cos/sin error and output rounding: well inside 1.5 steps of the row's scale
    assert np.all(np.abs(got - ref) <= 1.5 * scale), np.max(np.abs(got - ref) / scale)
    assert got.dtype == np.float32 and got.shape == x.shape


def test_pair_index():
    m = mpbsim.Model(geometry="smollm2")
    ix, iy = m.pair_index("interleaved")
    assert ix.tolist() == list(range(0, 64, 2)) and iy.tolist() == list(range(1, 64, 2))
    ix, iy = m.pair_index()  # the model's: half
    assert ix.tolist() == list(range(32)) and iy.tolist() == list(range(32, 64))


def test_softmax_float(rng):
    x = rng.normal(0, 4, (6, 50)).astype(np.float32)
    x[0, :10] = -np.inf  # masked positions
    p = mpbsim.softmax_float(x)
    ex = np.exp(x.astype(np.float64) - x.max(-1, keepdims=True))
    ref = ex / ex.sum(-1, keepdims=True)
    assert np.allclose(p.sum(-1), 1, atol=1e-6)
    assert np.max(np.abs(p - ref)) < 1e-4
    assert np.all(p[0, :10] < 1e-30)
    assert mpbsim.softmax_float(x, axis=0).shape == x.shape


def test_baselines_documented_failure_modes():
    """docs/baselines.md: BF16 is off by more than 0.3 at m = 257; FP16 is NaN at m = 65520."""
    j = np.arange(64)
    c64, s64 = mpbsim.baseline_cossin("fp64", 257, j)
    cb, sb = mpbsim.baseline_cossin("bf16", 257, j)
    assert max(np.max(np.abs(cb - c64)), np.max(np.abs(sb - s64))) > 0.3
    ch, _ = mpbsim.baseline_cossin("fp16", 65520, j)
    assert np.isnan(ch).any()
    c32, _ = mpbsim.baseline_cossin("fp32", np.arange(256), j[:, None])
    c64, _ = mpbsim.baseline_cossin("fp64", np.arange(256), j[:, None])
    assert np.max(np.abs(c32 - c64)) < 2e-5
    assert mpbsim.round_float(np.array([1 + 2 ** -9, 3.0e38 * 10]), "bf16").tolist() == [1.0, np.inf]
    assert mpbsim.round_float(np.float64(1 + 2 ** -8), (8, -126, 127)) == 1.0  # ties to even
    with pytest.raises(ValueError, match="baseline 'fp8'"):
        mpbsim.baseline_cossin("fp8", 0, 0)
    with pytest.raises(ValueError, match=r"j = 64 is out of range \[0, 63\]"):
        mpbsim.baseline_cossin("fp32", 0, 64)
