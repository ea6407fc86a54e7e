# sim/sweep/module.mk — build hooks of the what-if sweeps (docs/sweeps.md): the example
# sweep for `make run`, the RTL-in-the-loop example (`make sweep-rtl`), the throughput
# benchmark for `make bench`, and the Slurm end-to-end test (`make test-slurm`, also run
# by `make regress`). The sweep library is
# analysis/sweep*.c (in libanalysis), the CLI is sim/cmd_sweep.c, the tests are
# tests/sweep_*.cc (suite "sweep").

# rtl_check (docs/sweeps.md): the sweep runs tools/cosim-build.sh of the source tree it
# was built from (MPB_SOURCE_DIR in the environment overrides it).
$(B)/sim/cmd_sweep.o: CFLAGS += -DMPB_SOURCE_DIR='"$(CURDIR)"'
$(B)/sim/cmd_sweep.o: sim/sweep/module.mk

# `make run`: the shipped precision-vs-energy sweep (>= 200 points) -> out/sweep-precision-energy/
# (from scratch: stored points are keyed by the spec, not by the build of the model)
.PHONY: run-sweep
run-sweep: $(MPBSIM)
	rm -rf out/sweep-precision-energy
	$(MPBSIM) sweep examples/precision-energy.cfg -j 2
RUN_TARGETS += run-sweep

# `make sweep-rtl`: RTL in the loop (examples/rtl-check.cfg): every point co-simulated
# against the Verilated RTL; the builds are cached in build/cosim-cache/ (tools/cosim-build.sh).
# Not part of `make run` (first run ~1 min for its 8 Verilator builds, then ~7 s).
.PHONY: sweep-rtl
sweep-rtl: $(MPBSIM)
	rm -rf out/sweep-rtl-check
	$(MPBSIM) sweep examples/rtl-check.cfg -j 2

# `make bench`: sweep throughput with 1 and 2 worker processes, side by side.
$(B)/bench/bench_sweep: bench/bench_sweep.c $(LIBANALYSIS) $(LIBTRACES) $(LIBLM) $(LIBMPB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIBANALYSIS) $(LIBTRACES) $(LIBLM) $(LIBMPB) $(PKG_LDLIBS) $(LDLIBS)

.PHONY: bench-sweep
bench-sweep: $(B)/bench/bench_sweep
	$(B)/bench/bench_sweep examples/bench-sweep.cfg
BENCH_TARGETS += bench-sweep

# Slurm end to end: single-node Slurm on localhost, the sweep as a job array, merged
# results compared byte for byte with a local run. Skips (exit 0, with the reason) where
# Slurm cannot be started.
.PHONY: test-slurm
test-slurm: $(MPBSIM)
	tools/slurm-test.sh $(MPBSIM) examples/slurm-small.cfg
REGRESS_TARGETS += test-slurm

# `make fuzz` (and the fuzz smoke run of `make test`): libFuzzer on the sweep spec parser
# and planner, seeded with the shipped example specs.
# libmpb's SIMD kernels need their instruction-set flags (cmodel/module.mk): they are
# compiled alone with them, the rest in one command.
FUZZ_SWEEP_SIMD := $(filter cmodel/%_avx2.c cmodel/%_avx512.c,$(CMODEL_SRCS))
FUZZ_sweep_SRCS := analysis/fuzz_sweep.c analysis/sweep_spec.c analysis/sweep_points.c \
  analysis/energy.c analysis/energy_node.c analysis/energy_default.c lm/numerics_spec.c lm/ssm_synth.c \
  $(filter-out $(FUZZ_SWEEP_SIMD),$(CMODEL_SRCS))
FUZZ_SWEEP_CC := clang -std=c11 -O1 -g -D_DEFAULT_SOURCE -Icmodel -Ilm -Ianalysis \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(B)/fuzz/simd/%.o: cmodel/%.c cmodel/*.h | deps
	@mkdir -p $(dir $@)
	$(FUZZ_SWEEP_CC) $(if $(findstring avx512,$*),$(AVX512_FLAGS),$(AVX2_FLAGS)) -c $< -o $@
$(B)/fuzz/fuzz_sweep: $(FUZZ_sweep_SRCS) $(FUZZ_SWEEP_SIMD:cmodel/%.c=$(B)/fuzz/simd/%.o) \
    analysis/sweep.h cmodel/mpb.h configs/energy-45nm.cfg | deps
	@mkdir -p $(dir $@)
	$(FUZZ_SWEEP_CC) -o $@ $(FUZZ_sweep_SRCS) $(FUZZ_SWEEP_SIMD:cmodel/%.c=$(B)/fuzz/simd/%.o) \
	  -lconfig -lm
$(B)/fuzz/corpus-sweep/.seeded: $(wildcard examples/*.cfg)
	@mkdir -p $(dir $@)
	cp examples/*.cfg $(dir $@)
	@touch $@
FUZZ_sweep_MAXLEN := 8192
FUZZ_sweep_FLAGS := -timeout=10
$(eval $(call fuzz_target,sweep))
