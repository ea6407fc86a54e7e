# bench/: benchmarks. Each prints ratios measured side by side in one run; none asserts
# a speed. `make bench` runs the targets in BENCH_TARGETS.
$(B)/bench/%: bench/%.c $(LIBMPB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIBMPB) $(PKG_LDLIBS) $(LDLIBS)

.PHONY: bench-cmodel
bench-cmodel: $(B)/bench/bench_cmodel
	$(B)/bench/bench_cmodel
BENCH_TARGETS := bench-cmodel $(BENCH_TARGETS)

# bench_batch: the batched calls per ISA against the per-op paths, and the int8 GEMM
# against OpenBLAS sgemm next to the FP32 FMA peak (bench/fma_peak.c, reusable).
# OpenBLAS comes before PKG_LDLIBS: GSL's libgslcblas also defines cblas_sgemm (a
# reference loop ~50x slower), and the first library named wins.
OPENBLAS_CFLAGS = $(shell pkg-config --cflags openblas 2>/dev/null)
OPENBLAS_LIBS = $(shell pkg-config --libs openblas 2>/dev/null)
$(B)/bench/bench_batch: bench/bench_batch.c bench/fma_peak.c bench/fma_peak.h $(LIBMPB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(OPENBLAS_CFLAGS) -Ibench -o $@ bench/bench_batch.c \
	  bench/fma_peak.c $(LIBMPB) $(OPENBLAS_LIBS) $(PKG_LDLIBS) $(LDLIBS)

.PHONY: bench-batch
bench-batch: $(B)/bench/bench_batch
	$(B)/bench/bench_batch
BENCH_TARGETS += bench-batch

# bench_lm: the closed-loop evaluation's speed (docs/model-eval.md): the FP32 reference
# prefill against the machine's FMA peak (bench/fma_peak.c), and the bridge-everything
# eval's time over the reference eval's. Skipped without `make models`.
$(B)/bench/bench_lm: bench/bench_lm.c bench/fma_peak.c bench/fma_peak.h $(LIBLM) $(LIBMPB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Ibench -o $@ bench/bench_lm.c bench/fma_peak.c $(LIBLM) \
	  $(LIBMPB) $(PKG_LDLIBS) $(LDLIBS)

.PHONY: bench-lm
bench-lm: $(B)/bench/bench_lm models-try
	$(B)/bench/bench_lm
BENCH_TARGETS += bench-lm
