# bench/: benchmarks. Each prints ratios measured side by side in one run; none asserts
# a speed. `make bench` runs the targets in BENCH_TARGETS.
$(B)/bench/%: bench/%.c $(LIBMPB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIBMPB) $(PKG_LDLIBS) $(LDLIBS)

.PHONY: bench-cmodel
bench-cmodel: $(B)/bench/bench_cmodel
	$(B)/bench/bench_cmodel
BENCH_TARGETS := bench-cmodel $(BENCH_TARGETS)

# `make bench`: reading hostile configuration files at the size limit (cmodel/cfg_read.c).
.PHONY: bench-config
bench-config: $(B)/bench/bench_config
	$(B)/bench/bench_config
BENCH_TARGETS += bench-config
