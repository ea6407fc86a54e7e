# python/: the mpbsim Python package (docs/python.md), a CPython extension built by
# setuptools over libmpb, libtraces and libanalysis, and its pytest suite.
#
# The extension links position-independent copies of the three libraries: libmpb from the
# PIC objects cmodel/module.mk builds for the shared library ($(CMODEL_PIC_OBJS)), libtraces
# and libanalysis built here from the same sources with the same flags plus -fPIC:
# $(PY_PIC)/lib*.a. The package is a plain-build (SAN=0) product. python/setup.py asks make for them
# (target $(PY_PIC)/link.txt, which also records the link flags), so `pip install ./python`
# and `make python` build the same thing.
#
# `make python` creates the venv $(VENV) once (Debian's python3 + python3-venv; NumPy,
# pytest and the build requirements from PyPI) and installs the package into it again
# whenever a source of the package or of the libraries changes. `make test` runs the pytest suite as one test
# binary ($(B)/tests/pytest, python/pytest.sh) in the plain build only: the ASan+UBSan
# build (SAN=1) skips it, since the sanitizer runtime would have to be preloaded into the
# Python interpreter. `make test-torch` adds torch and safetensors to the venv (a 540 MB
# wheel plus its CUDA dependencies from PyPI, so not by default) and runs the PyTorch tests.
PYTHON3 ?= /usr/bin/python3
PY_PIC := build/pic
VENV := build/venv
VENV_PY := $(VENV)/bin/python
PY_LIB_DIRS := traces analysis
PY_PIC_OBJS := $(foreach d,$(PY_LIB_DIRS),$(patsubst %.c,$(PY_PIC)/%.o,$(filter-out $(d)/fuzz_%.c,$(wildcard $(d)/*.c))))
PY_PIC_LIBS := $(PY_PIC)/libmpb.a $(PY_PIC)/libtraces.a $(PY_PIC)/libanalysis.a
PY_PIC_CFLAGS = $(filter-out $(SANFLAGS),$(CFLAGS)) -fPIC

$(PY_PIC)/%.o: %.c cmodel/*.h $(wildcard traces/*.h analysis/*.h lm/*.h) | deps
	@mkdir -p $(dir $@)
	$(CC) $(PY_PIC_CFLAGS) $(PKG_CFLAGS) -c $< -o $@
$(PY_PIC)/analysis/energy_default.o: configs/energy-45nm.cfg

$(PY_PIC)/libmpb.a: $(CMODEL_PIC_OBJS)
$(PY_PIC)/libtraces.a: $(filter $(PY_PIC)/traces/%,$(PY_PIC_OBJS))
$(PY_PIC)/libanalysis.a: $(filter $(PY_PIC)/analysis/%,$(PY_PIC_OBJS))
$(PY_PIC_LIBS):
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
# What setup.py links: the archives (in dependency order) and the libraries they need.
$(PY_PIC)/link.txt: $(PY_PIC_LIBS) mk/config.mk python/module.mk
	@echo "$(abspath $(PY_PIC)/libanalysis.a) $(abspath $(PY_PIC)/libtraces.a) $(abspath $(PY_PIC)/libmpb.a) $(PKG_LDLIBS) $(LDLIBS)" > $@

PY_SRCS := python/setup.py python/pyproject.toml $(wildcard python/src/*.[ch] python/mpbsim/*.py)
$(VENV)/.created: | deps
	rm -rf $(VENV)
	$(PYTHON3) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --upgrade pip
	@touch $@
$(VENV)/.installed: $(VENV)/.created $(PY_SRCS) $(PY_PIC)/link.txt
	$(VENV_PY) -m pip install --quiet './python[test]'
	@touch $@

.PHONY: python test-torch
python: $(VENV)/.installed

ifeq ($(SAN),0)
$(B)/tests/pytest: python/pytest.sh
	@mkdir -p $(dir $@)
	cp $< $@ && chmod +x $@
TEST_BINS += $(B)/tests/pytest
TEST_DEPS += $(VENV)/.installed
endif

test-torch: $(VENV)/.installed
	$(VENV_PY) -m pip install --quiet './python[torch]'
	$(VENV_PY) -m pytest -q -p no:cacheprovider python/tests/test_torch.py

# `make bench`: Python call overhead against the batched C API on 1M elements.
.PHONY: bench-python
bench-python: $(VENV)/.installed
	$(VENV_PY) bench/bench_python.py
BENCH_TARGETS += bench-python
