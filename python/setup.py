"""setup.py — builds mpbsim._mpb, the CPython extension over libmpb (docs/python.md).

The C sources of the libraries stay in cmodel/, traces/ and analysis/ (never copied): make
compiles them position-independent into build/pic/ with the tree's own flags, and this
file links those archives. `make -C <repository> build/pic/link.txt` builds them (it is
already up to date when `make python` runs this) and writes the link line.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy
from setuptools import Extension, setup

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LINK = ROOT / "build" / "pic" / "link.txt"


def link_line():
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    r = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "build/pic/link.txt"],
                       env=env, stdout=sys.stderr)
    if r.returncode != 0:
        sys.exit("mpbsim: building the libraries failed (`make deps` installs what they need)")
    return LINK.read_text().split()


def version():
    m = re.search(r'#define MPB_VERSION "([^"]+)"', (ROOT / "cmodel" / "mpb.h").read_text())
    return m.group(1)


words = link_line()
ext = Extension(
    "mpbsim._mpb",
    sources=sorted(str(p.relative_to(HERE)) for p in (HERE / "src").glob("*.c")),
    depends=sorted(str(p.relative_to(HERE)) for p in (HERE / "src").glob("*.h")),
    include_dirs=[numpy.get_include(), str(ROOT / "cmodel"), str(ROOT / "traces"), str(ROOT / "analysis")],
    extra_compile_args=["-std=c11", "-O3", "-Wall", "-Wextra", "-Werror", "-D_DEFAULT_SOURCE",
                        "-Wno-missing-field-initializers", "-Wno-cast-function-type"],
    extra_objects=[w for w in words if w.endswith(".a")],
    extra_link_args=[w for w in words if not w.endswith(".a")],
)
setup(version=version(), ext_modules=[ext])
