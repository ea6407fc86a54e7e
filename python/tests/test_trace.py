"""test_trace.py — traces from Python: a trace written here is read back by libtraces
(and by the CLI when built), replayed by the C library, and its per-record model values
equal the same operations computed here through the batched calls (Python -> C -> Python);
bad traces raise TraceError with the library's message."""
import subprocess

import numpy as np
import pytest

import mpbsim
from conftest import mpbsim_cli

HEADER = dict(model="pytest-tiny", source="python test", n_layers=2, n_heads=4, n_kv_heads=2, head_dim=64,
              rope_base=100000.0, pairing=1, n_tokens=5, max_pos=9000, seed=0)


def make_records(rng):
    ntok = 5
    pos = np.array([0, 1, 255, 4096, 9000], np.uint32)
    recs = []
    for layer, op, head in ((0, "q", 3), (1, "k", 1)):
        x = rng.integers(-127, 128, (ntok, 64), dtype=np.int8)
        recs.append(mpbsim.Record("rope", op, layer=layer, head=head, tok0=10, pos=pos, x=x,
                                  scale=rng.uniform(0.01, 1, ntok).astype(np.float32)))
    v = -rng.exponential(3.0, (ntok, 37)).astype(np.float32)
    v[0, 0] = -300.0  # saturates the Q8.16 input
    recs.append(mpbsim.Record("exp", "softmax", layer=1, head=2, pos=pos, f32=v))
    recs.append(mpbsim.Record("gemm", "ffn_up", layer=0, x=rng.integers(-127, 128, (ntok, 96), dtype=np.int8),
                              scale=np.ones(ntok, np.float32), b=rng.integers(-127, 128, (7, 96), dtype=np.int8),
                              b_scale=np.full(7, 0.5, np.float32)))
    return recs


@pytest.fixture
def trace(tmp_path, rng):
    path = tmp_path / "tiny.trace"
    recs = make_records(rng)
    with mpbsim.TraceWriter(path, mpbsim.TraceHeader(**HEADER)) as w:
        for r in recs:
            w.write(r)
        assert w.records == len(recs)
    return path, recs


def test_round_trip(trace):
    path, recs = trace
    header, back = mpbsim.read_trace(path)
    assert header == mpbsim.TraceHeader(**HEADER)
    assert len(back) == len(recs)
    for a, b in zip(recs, back):
        assert (a.kind, a.op, a.layer, a.head, a.tok0) == (b.kind, b.op, b.layer, b.head, b.tok0)
        for f in ("pos", "x", "scale", "f32", "b", "b_scale"):
            va, vb = getattr(a, f), getattr(b, f)
            assert (va is None) == (vb is None), f
            if va is not None:
                assert np.array_equal(va, vb), f
    assert repr(back[0]).startswith("Record(rope/q, layer=0, head=3, tok0=10, ntok=5, width=64, pos=uint32[5] [0, 1, 255")
    assert "TraceHeader(model='pytest-tiny'" in repr(header)


def test_cli_validates_python_trace(trace):
    exe = mpbsim_cli()
    if exe is None:
        pytest.skip("the mpbsim CLI is not built (make builds build/mpbsim)")
    r = subprocess.run([str(exe), "trace", "validate", str(trace[0])], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_replay_equals_python_datapath(trace):
    """replay_run's model values of every record = the batched calls on the same inputs."""
    path, recs = trace
    model = mpbsim.Model(head_dim=64, base=100000.0, pairing="half")
    seen = {}
    res = mpbsim.replay(path, model.config, on_record=lambda i, kind, op, layer, head, got, ref:
                        seen.__setitem__(i, (kind, got, ref)))
    assert sorted(seen) == [0, 1, 2, 3]
    k = 2.0 ** -model.config.rot_frac_bits
    for i, rec in enumerate(recs):
        kind, got, ref = seen[i]
        assert kind == rec.kind
        if kind == "rope":
            j = np.arange(32)
            r = model.rope(rec.pos[:, None], j, rec.x[:, j], rec.x[:, j + 32])
            want = np.empty((rec.ntok, 64))
            want[:, j], want[:, j + 32] = r.xr * k, r.yr * k
        elif kind == "exp":
            want = model.exp(rec.f32)
        else:
            want = model.gemm(rec.x, rec.b.T).C
        assert np.array_equal(got.reshape(want.shape), want), f"record {i} ({kind})"
        assert np.max(np.abs(got - ref)) < (1.0 if kind == "rope" else 1e-3 if kind == "exp" else 0.5)
    assert res.records == 4 and res.ops["rope"] == 2 * 5 * 32 and res.ops["gemm"] == 35
    assert res.exp_saturated == 1
    assert res.stats["rope"].count == 2 * 5 * 64
    assert res.report["schema"] == "mpbsim-replay-1"
    assert res.counts.ops > 0 and mpbsim.energy(res.counts).total_pj > 0
    assert "ReplayResult('pytest-tiny', 4 records; rope: 640" in repr(res)
    assert str(res).startswith("replay of pytest-tiny (functional): 4 records")
    only = mpbsim.replay(path, kinds=["gemm"], counts=False)
    assert only.stats["rope"].count == 0 and only.stats["gemm"].count == 35


def test_bad_traces(tmp_path, trace, rng):
    path, _ = trace
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    bad = tmp_path / "flipped.trace"
    bad.write_bytes(bytes(data))
    with pytest.raises(mpbsim.TraceError, match="flipped.trace"):
        mpbsim.read_trace(bad)
    with pytest.raises(mpbsim.TraceError, match="flipped.trace"):
        mpbsim.replay(bad)
    cut = tmp_path / "aborted.trace"
    with pytest.raises(RuntimeError):
        with mpbsim.TraceWriter(cut, HEADER) as w:
            w.write(make_records(rng)[0])
            raise RuntimeError("stop")
    with pytest.raises(mpbsim.TraceError, match="aborted.trace"):
        mpbsim.read_trace(cut)
    with pytest.raises(mpbsim.TraceError, match="layer"):
        with mpbsim.TraceWriter(tmp_path / "w.trace", HEADER) as w:
            w.write(mpbsim.Record("rope", "q", layer=7, pos=np.zeros(1, np.uint32), x=np.zeros((1, 64), np.int8),
                                  scale=np.ones(1, np.float32)))
    with pytest.raises(mpbsim.TraceError, match="n_layers"):
        mpbsim.TraceWriter(tmp_path / "h.trace", dict(HEADER, n_layers=0))
    with pytest.raises(ValueError, match="no field 'layers'"):
        mpbsim.TraceHeader(layers=3)
    with pytest.raises(ValueError, match="rope op 'v'"):
        mpbsim.TraceWriter(tmp_path / "o.trace", HEADER).write(mpbsim.Record("rope", "v"))
    with pytest.raises(mpbsim.TraceError, match="missing.trace"):
        mpbsim.TraceReader(tmp_path / "missing.trace")


def test_quantize_row_matches_numerics(rng):
    """The NumPy per-row quantization of mpbsim.numerics equals trace_quantize_row at 8 bits."""
    rows = rng.normal(0, 3, (200, 64)).astype(np.float32)
    rows[0] = 0
    rows[1, :5] = [0.5, -0.5, 1.5, -2.5, 127.0]
    q, s = mpbsim.quantize_rows(rows, 8)
    for r in range(rows.shape[0]):
        qc, sc = mpbsim.quantize_row(rows[r])
        assert np.array_equal(q[r], qc) and np.float32(sc) == s[r, 0], f"row {r}"
