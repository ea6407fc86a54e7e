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

# OpenBLAS picks its kernels for the CPU when it loads (Cooperlake, AVX-512, on the Zen 5
# development machine) unless OPENBLAS_CORETYPE names a set; an environment that forces
# an older one (this workplace sets Haswell: AVX2, half the sgemm speed) would make the
# baseline a strawman, so the bench lets OpenBLAS choose. Compare with
# `OPENBLAS_CORETYPE=Haswell build/bench/bench_batch`.
.PHONY: bench-batch
bench-batch: $(B)/bench/bench_batch
	env -u OPENBLAS_CORETYPE $(B)/bench/bench_batch
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

# bench_passkey: Gemma 3 270M prefill on a passkey prompt at 4k and 32k tokens, the FP32
# reference and the bridge side by side (tokens/s, bridge/ref ratio; docs/models.md).
# Not in BENCH_TARGETS: a 32k prefill takes minutes (run `make bench-passkey`). Skipped
# without `make models`.
$(B)/bench/bench_passkey: bench/bench_passkey.c $(LIBLM) $(LIBMPB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ bench/bench_passkey.c $(LIBLM) $(LIBMPB) $(PKG_LDLIBS) $(LDLIBS)

.PHONY: bench-passkey
bench-passkey: $(B)/bench/bench_passkey models-try
	OPENBLAS_NUM_THREADS=1 $(B)/bench/bench_passkey $(BENCH_PASSKEY_LENGTHS)
