"""test_config.py — Config from presets, files and keywords; every rejection raises
ConfigError (a ValueError) with libmpb's message."""
import numpy as np
import pytest

import mpbsim
from conftest import CONFIG_FILES


def test_presets_and_files_agree():
    assert mpbsim.Config() == mpbsim.Config(file=[p for p in CONFIG_FILES if p.stem == "default"][0])
    assert mpbsim.Config("patent") == mpbsim.Config.load([p for p in CONFIG_FILES if p.stem == "patent-literal"][0])
    assert mpbsim.Config("patent").phi_mode == "logadd" and mpbsim.Config().phi_mode == "exact"


def test_keywords_and_types():
    c = mpbsim.Config(horner_order=4, rounding="trunc", clock_mhz=1500.5)
    assert (c.horner_order, c.rounding, c.clock_mhz) == (4, "trunc", 1500.5)
    assert isinstance(c.pos_bits, int) and isinstance(c.clock_mhz, float)
    assert repr(c) == "Config(horner_order=4, rounding='trunc', clock_mhz=1500.5)"
    assert set(c.to_dict()) == {p[0] for p in mpbsim.PARAMS}
    d = c.replace(x_bits=16)
    assert d.x_bits == 16 and c.x_bits == 8


def test_text_round_trip(tmp_path):
    c = mpbsim.Config("patent", horner_order=2, acc_overflow="sat")
    p = tmp_path / "c.cfg"
    p.write_text(c.to_text())
    assert mpbsim.Config(file=p) == c


@pytest.mark.parametrize("kw,message", [
    (dict(horner_order=99), r"^parameter horner_order = 99 is out of range \[1, 8\]$"),
    (dict(rounding="up"), r"rounding"),
    (dict(no_such=1), r"unknown parameter 'no_such'"),
])
def test_bad_parameters(kw, message):
    with pytest.raises(mpbsim.ConfigError, match=message):
        mpbsim.Config(**kw)
    with pytest.raises(ValueError):  # ConfigError is a ValueError too
        mpbsim.Config(**kw)


def test_cross_constraint_message_is_the_library_one():
    with pytest.raises(mpbsim.ConfigError, match=r"^horner_width = 17 must be >= cs_bits \+ 1 = 21$"):
        mpbsim.Config(horner_width=17, cs_bits=20)


def test_bad_files(tmp_path):
    p = tmp_path / "bad.cfg"
    p.write_text('horner_order = 3;\nno_such_key = 5;\n')
    with pytest.raises(mpbsim.ConfigError, match=r"bad\.cfg:2.*no_such_key"):
        mpbsim.Config(file=p)
    p.write_text('horner_order = "three";\n')
    with pytest.raises(mpbsim.ConfigError, match=r"bad\.cfg:1"):
        mpbsim.Config(file=p)
    p.write_text('horner_order = 3\n pos_bits = ;;;\n')
    with pytest.raises(mpbsim.ConfigError, match=r"bad\.cfg"):
        mpbsim.Config(file=p)
    with pytest.raises((OSError, mpbsim.ConfigError), match=r"missing\.cfg"):
        mpbsim.Config(file=tmp_path / "missing.cfg")


def test_bad_geometry_and_presets():
    with pytest.raises(mpbsim.ConfigError, match="head_dim = 7 must be even"):
        mpbsim.Model(head_dim=7)
    with pytest.raises(mpbsim.ConfigError, match="pair_bits = 5"):
        mpbsim.Model(mpbsim.Config(pair_bits=5), head_dim=128)
    with pytest.raises(mpbsim.ConfigError, match=r"preset 'fast' is not one of \{default, patent\}"):
        mpbsim.Config("fast")
    with pytest.raises(ValueError, match="geometry 'gpt2'"):
        mpbsim.Model(geometry="gpt2")
    with pytest.raises(TypeError):
        mpbsim.Config(horner_order=[3])


def test_tables():
    model = mpbsim.Model()
    cos = model.table("cs_cos")
    assert cos.dtype == np.int64 and cos.size == 2 ** model.config.cs_table_bits
    assert cos[0] > 0 and np.all(np.diff(cos) <= 0)  # cos falls over the quarter turn
    with pytest.raises(ValueError, match="no table 'nope'"):
        model.table("nope")
