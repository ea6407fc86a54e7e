# sim/sweep/module.mk — build hooks of the what-if sweeps (docs/sweeps.md): the example
# sweep for `make run`, the throughput benchmark for `make bench`, and the Slurm
# end-to-end test (`make test-slurm`, also run by `make regress`). The sweep library is
# analysis/sweep*.c (in libanalysis), the CLI is sim/cmd_sweep.c, the tests are
# tests/sweep_*.cc (suite "sweep").

# `make run`: the shipped precision-vs-energy sweep (>= 200 points) -> out/sweep-precision-energy/
.PHONY: run-sweep
run-sweep: $(MPBSIM)
	$(MPBSIM) sweep examples/precision-energy.cfg -j 2
RUN_TARGETS += run-sweep

# `make bench`: sweep throughput with 1 and 2 worker processes, side by side.
$(B)/bench/bench_sweep: bench/bench_sweep.c $(LIBANALYSIS) $(LIBTRACES) $(LIBMPB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIBANALYSIS) $(LIBTRACES) $(LIBMPB) $(PKG_LDLIBS) $(LDLIBS)

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
