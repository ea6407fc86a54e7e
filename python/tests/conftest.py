"""conftest.py — shared fixtures of the mpbsim pytest suite: the repository root, the
shipped datapath configurations, and a seeded random generator whose seed is printed
(MPBSIM_TEST_SEED overrides it)."""
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
# every shipped datapath configuration (configs/energy-*.cfg are energy tables)
CONFIG_FILES = sorted(p for p in (ROOT / "configs").glob("*.cfg") if not p.name.startswith("energy-"))
SEED = int(os.environ.get("MPBSIM_TEST_SEED", "20261201"))


def _describe():
    return f"mpbsim tests: seed {SEED} (MPBSIM_TEST_SEED), configs {[p.name for p in CONFIG_FILES]}"


def pytest_report_header(config):
    return _describe()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(_describe())  # also under -q, which hides the header


@pytest.fixture
def rng(request):
    # one stream per test, derived from the printed seed and the test's name
    return np.random.default_rng([SEED, *request.node.nodeid.encode()])


@pytest.fixture
def root():
    return ROOT


def mpbsim_cli():
    """The CLI binary when the tree is built (make test builds it), else None."""
    exe = ROOT / os.environ.get("MPB_BUILD_DIR", "build") / "mpbsim"
    return exe if exe.exists() else None
