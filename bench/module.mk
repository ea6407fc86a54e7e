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
