"""test_docs.py — docs/python.md's examples (the quick start and every other `>>>` line)
run as a doctest, and the quick start stays within ten lines of code."""
import doctest
import re

from conftest import ROOT

DOC = ROOT / "docs" / "python.md"


def test_python_md_examples_run():
    r = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False)
    assert r.attempted >= 10 and r.failed == 0, f"{r.failed} of {r.attempted} examples failed"


def test_quick_start_is_ten_lines():
    text = DOC.read_text()
    quick = re.search(r"## Quick start\n\n```pycon\n(.*?)```", text, re.S).group(1)
    assert 5 <= sum(line.startswith(">>> ") for line in quick.splitlines()) <= 10
