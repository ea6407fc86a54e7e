# mpbsim — top-level Makefile.
# The two set-up commands of the README are `make run` and `make test`; both depend on
# `make deps`, which installs missing Debian packages (or prints the one command to run).
# Each area of the tree contributes its own rules in <area>/module.mk; this file only
# wires them together. Build products go under $(B) (build/ or build-san/), results
# under out/, downloaded model files under models/ (all git-ignored).

.DEFAULT_GOAL := help
include mk/config.mk
include mk/deps.mk
include mk/fuzz.mk

include cmodel/module.mk
include lm/module.mk
include traces/module.mk
include analysis/module.mk
include sim/module.mk
include rtl/module.mk
include tests/module.mk
include bench/module.mk
include python/module.mk
include lm/models.mk
include lm/eval.mk
include lm/ssm.mk
include mk/test.mk

.PHONY: help all run eval regress bench fuzz clean
help:
	@echo "mpbsim make targets:"
	@echo "  make run      main job on the embedded default (writes out/)"
	@echo "  make test     test suite, plain and ASan+UBSan builds, on every core"
	@echo "  make regress  long RTL regressions (seeds x configurations)"
	@echo "  make bench    benchmarks, ratios measured side by side"
	@echo "  make eval     closed-loop precision, full grids: Llama (docs/model-eval.md), SSM"
	@echo "                and the Bit-Axon hybrid at 64k steps (docs/workloads.md)"
	@echo "  make eval-long  passkey retrieval grid, Gemma 3 1k..32k (docs/models.md; hours)"
	@echo "  make fuzz     longer fuzzing of every parser"
	@echo "  make python   the mpbsim Python package in build/venv (docs/python.md)"
	@echo "  make deps     install missing Debian packages"

all: deps $(ALL_TARGETS)

# `make test` = the whole suite twice, a plain build and an ASan+UBSan build, on every
# core: mk/test.mk.

# Each area adds phony targets to these lists in its module.mk; they run in list order,
# except that `make run` always ends with the report (run-report) and where it is.
run: deps
	@for t in $(filter-out run-report,$(RUN_TARGETS)) $(filter run-report,$(RUN_TARGETS)); do \
	  $(MAKE) --no-print-directory $$t || exit 1; done

regress: deps
	@for t in $(REGRESS_TARGETS); do $(MAKE) --no-print-directory $$t || exit 1; done

bench: deps
	@for t in $(BENCH_TARGETS); do $(MAKE) --no-print-directory $$t || exit 1; done

# `make eval`: the long closed-loop evaluations (lm/eval.mk, lm/ssm.mk), then their report
# (eval-report, always last).
eval: deps
	@for t in $(filter-out eval-report,$(EVAL_TARGETS)) $(filter eval-report,$(EVAL_TARGETS)); do \
	  $(MAKE) --no-print-directory $$t || exit 1; done

fuzz: deps
	@for t in $(FUZZ_TARGETS); do $(MAKE) --no-print-directory $$t || exit 1; done

clean:
	rm -rf build build-san out
