# Compiler flags and the build variant. SAN=1 selects the ASan+UBSan build in build-san/.
SAN ?= 0
ifeq ($(SAN),1)
B := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# -O1, as the sanitizers' documentation advises: it halves the compile time of this tree
# (37 s -> 18 s for tests/analysis_report_test.cc; the tree is make test's critical path)
# and keeps stack traces exact.
OPT ?= -O1
# Verilator's generated C++ likewise (34 s -> 17 s per sanitized model, 9 models in the tree)
VLT_OPT := -O1
else
B := build
SANFLAGS :=
endif

VLT_OPT ?= -O2
CC  ?= gcc
CXX ?= g++
OPT ?= -O2
WARN := -Wall -Wextra -Werror
CFLAGS   := -std=c11 $(OPT) -g $(WARN) $(SANFLAGS) -D_DEFAULT_SOURCE -Icmodel -Ilm -Itraces -Ianalysis -Isim
CXXFLAGS := -std=c++17 $(OPT) -g $(WARN) $(SANFLAGS) -Icmodel -Ilm -Itraces -Ianalysis -Isim
LDFLAGS  := $(SANFLAGS)

# ICU: Unicode properties and the regex engine of the tokenizers' pre-tokenizers (lm/).
ICU_PKGS := icu-i18n icu-uc
# openblas before gsl: gsl's flags pull in libgslcblas, whose cblas_sgemm is a plain loop
# ~15x slower; the first library on the link line provides the symbol.
PKG_LIBS := libconfig jansson openblas gsl libzstd zlib mpfr $(ICU_PKGS)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKG_LIBS) 2>/dev/null)
PKG_LDLIBS = $(shell pkg-config --libs $(PKG_LIBS) 2>/dev/null)
LDLIBS := -lm

# Targets contributed by the module.mk files.
ALL_TARGETS :=
# Tests (mk/test.mk): GoogleTest binaries, what they need built, and the result files of
# the test jobs that are not GoogleTest binaries (written into TEST_RES).
TEST_RES := $(B)/test-res
TEST_RESULTS :=
TEST_BINS :=
TEST_DEPS :=
# Phony targets run in order by `make run`, `make eval`, `make regress`, `make bench`,
# `make fuzz`.
RUN_TARGETS :=
EVAL_TARGETS :=
REGRESS_TARGETS :=
BENCH_TARGETS :=
FUZZ_TARGETS :=
