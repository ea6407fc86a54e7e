"""test_energy.py — the energy model from Python (libanalysis): pricing of action counts,
the baselines, and agreement with `mpbsim energy` (same library, printed figures)."""
import re
import subprocess

import numpy as np
import pytest

import mpbsim
from conftest import mpbsim_cli


def test_breakdown_adds_up():
    model = mpbsim.Model()
    c = model.reference_counts("rope", 2000, seed=3)
    assert c.ops == 2000
    e = mpbsim.energy(c, model.config)
    assert e.total_pj == pytest.approx(sum(b["total_pj"] for b in e.blocks.values()), rel=1e-12)
    assert e.per_op_pj == pytest.approx(e.total_pj / 2000, rel=1e-12)
    same = mpbsim.energy(c, model.config, reference=c)  # activity against itself = 1
    assert same.has_activity and same.total_act_pj == pytest.approx(same.total_pj, rel=1e-9)
    doubled = mpbsim.energy(c + c, model.config)
    assert doubled.total_pj == pytest.approx(2 * e.total_pj, rel=1e-12)
    assert repr(e).startswith("EnergyBreakdown(total_pj=") and "mac8=" in repr(e)
    assert c.block("mac8")["mul_ops"] > 0 and "Counts(ops=2000" in repr(c)


def test_counts_from_arrays():
    c = mpbsim.Counts(np.zeros((len(mpbsim.BLOCKS), len(mpbsim.COUNT_FIELDS))), {"ops": 1})
    c.blocks[mpbsim.BLOCKS.index("mac8"), mpbsim.COUNT_FIELDS.index("mul_ops")] = 10
    c.blocks[mpbsim.BLOCKS.index("mac8"), mpbsim.COUNT_FIELDS.index("mul_bitprod")] = 640
    t = mpbsim.EnergyTable()
    assert mpbsim.energy(c, table=t).blocks["mac8"]["mul_pj"] > 0
    with pytest.raises(ValueError, match="shape"):
        mpbsim.Counts(np.zeros(3))


def test_tables_and_baselines(tmp_path, root):
    t = mpbsim.EnergyTable()
    assert "45" in t.source() and repr(t).startswith("EnergyTable(")
    assert mpbsim.EnergyTable(root / "configs" / "energy-45nm.cfg").source() == t.source()
    for pipe in ("bridge", "fp32", "bf16", "fp16", "int8"):
        assert t.baseline_pj(pipe, "rotation") > 0
        c = t.baseline_cost(pipe, "rotation")
        assert c["total"] == pytest.approx(c["arith"] + c["rom"] + c["reg"] + c["clock"] + c["leak"])
        # the rotate step is the same int8 x 16-bit arithmetic on every side
        assert t.baseline_pj(pipe, "rotate") == t.baseline_pj("bridge", "rotate")
    assert t.baseline_pj("fp32", "mac") > t.baseline_pj("int8", "mac")
    # INT8's MAC is the bridge's dot unit, priced the same way
    assert t.baseline_pj("int8", "mac") == t.baseline_pj("bridge", "mac", mpbsim.Model())
    bad = tmp_path / "bad-energy.cfg"
    bad.write_text("nothing = 1;\n")
    with pytest.raises(mpbsim.ConfigError, match="bad-energy.cfg"):
        mpbsim.EnergyTable(bad)
    with pytest.raises(ValueError, match="unknown pipe 'fp8'"):
        t.baseline_pj("fp8", "mac")


def test_agrees_with_cli():
    exe = mpbsim_cli()
    if exe is None:
        pytest.skip("the mpbsim CLI is not built (make builds build/mpbsim)")
    out = subprocess.run([str(exe), "energy", "--preset", "default"], capture_output=True, text=True,
                         check=True).stdout
    model = mpbsim.Model()  # the CLI's default geometry (llama3, half pairing)
    rope_total = float(re.search(r"rope unit.*?total ([0-9.]+) pJ", out, re.S).group(1))
    e = mpbsim.energy(model.reference_counts("rope", 4096, seed=1), model=model, unit="rope")
    assert round(e.per_op_pj, 3) == pytest.approx(rope_total, abs=1e-3)
    assert e.total_pj == pytest.approx(e.dynamic_pj + e.clock_pj + e.leak_pj)
    assert e.clock_pj > 0 and e.leak_pj > 0
    dyn = mpbsim.energy(model.reference_counts("rope", 4096, seed=1))  # data-dependent classes only
    assert dyn.total_pj == pytest.approx(e.dynamic_pj) and dyn.clock_pj == 0
    with pytest.raises(ValueError, match="together"):
        mpbsim.energy(model.reference_counts("rope", 16, seed=1), model=model)
    t = mpbsim.EnergyTable()
    for side in ("bridge", "fp32", "int8"):
        row = re.search(r"^  %s\s+rotation\s+.*\s([0-9.]+)$" % side, out, re.M)
        assert round(t.baseline_pj(side, "rotation"), 3) == pytest.approx(float(row.group(1)), abs=1e-3)
