# traces/: libtraces.a, linked into mpbsim and the tests. Sources: traces/*.c except fuzz_*.c.
TRACES_SRCS := $(filter-out traces/fuzz_%.c,$(wildcard traces/*.c))
TRACES_OBJS := $(TRACES_SRCS:%.c=$(B)/%.o)
LIBTRACES := $(B)/libtraces.a

$(B)/traces/%.o: traces/%.c $(wildcard traces/*.h lm/*.h) cmodel/*.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(LIBTRACES): $(TRACES_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

ALL_TARGETS += $(LIBTRACES)

# ---- workloads, replay, benchmarks and fuzzing of the trace area (traces/trace.h) -----
# The bundled default workloads, generated at build time (docs/workloads.md):
#  default.trace  RoPE-only Q/K, Llama 3 8B geometry, 12 windows of 64 tokens reaching
#                 position 131071 (every octave), 1 layer (40 heads)
#  smollm2.trace  Llama forward pass, SmolLM2-135M geometry, synthetic weights, 2 windows
#                 of 64 tokens reaching position 8191 (ROPE, softmax EXP, GEMM records)
WORKLOADS := $(B)/workloads
DEFAULT_TRACE := $(WORKLOADS)/default.trace
SMOLLM2_TRACE := $(WORKLOADS)/smollm2.trace
$(DEFAULT_TRACE): $(B)/mpbsim
	@mkdir -p $(dir $@)
	$(B)/mpbsim gen --preset rope-llama3 --tokens 64 --windows 12 --max-pos 131071 --seed 1 --out $@
$(SMOLLM2_TRACE): $(B)/mpbsim
	@mkdir -p $(dir $@)
	$(B)/mpbsim gen --preset smollm2-135m --tokens 64 --windows 2 --max-pos 8191 --seed 1 --out $@
ALL_TARGETS += $(DEFAULT_TRACE) $(SMOLLM2_TRACE)

# `make run`: replay the bundled workloads with the default configuration.
.PHONY: run-replay
run-replay: $(DEFAULT_TRACE) $(SMOLLM2_TRACE)
	@mkdir -p out
	$(B)/mpbsim replay --trace $(DEFAULT_TRACE) --config configs/default.cfg \
	  --json out/replay-default.json --csv out/replay-default.csv
	$(B)/mpbsim replay --trace $(SMOLLM2_TRACE) --config configs/default.cfg \
	  --json out/replay-smollm2.json --csv out/replay-smollm2.csv
RUN_TARGETS += run-replay

# `make bench`: replay throughput and peak RSS on a 2048-token SmolLM2-geometry trace
# (30 layers x 12 heads x 2048 tokens x 32 pairs = 23.6 M rotations).
BENCH_TRACE := $(WORKLOADS)/bench-smollm2-2048.trace
$(BENCH_TRACE): $(B)/mpbsim
	@mkdir -p $(dir $@)
	$(B)/mpbsim gen --preset rope-smollm2 --tokens 2048 --layers 30 --seed 7 --out $@
$(B)/bench/bench_replay: bench/bench_replay.c $(LIBTRACES) $(LIBLM) $(LIBMPB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIBTRACES) $(LIBLM) $(LIBMPB) $(PKG_LDLIBS) $(LDLIBS)
.PHONY: bench-replay
bench-replay: $(B)/bench/bench_replay $(BENCH_TRACE)
	$(B)/bench/bench_replay $(BENCH_TRACE) configs/default.cfg
BENCH_TARGETS += bench-replay

# libFuzzer targets of the trace area's parsers (rule: parser_fuzzer in mk/fuzz.mk).
FUZZ_trace_SRCS := traces/trace_io.c traces/trace_util.c
FUZZ_trace_LIBS := -lzstd -lz -lm
FUZZ_npy_SRCS := traces/tensor_file.c
FUZZ_npy_LIBS := -ljansson -lm
FUZZ_safetensors_SRCS := traces/tensor_file.c
FUZZ_safetensors_LIBS := -ljansson -lm
FUZZ_npz_SRCS := traces/tensor_file.c traces/tensor_npz.c
FUZZ_npz_LIBS := -ljansson -lz -lm
$(foreach f,trace npy npz safetensors,$(eval $(call parser_fuzzer,$(f),traces)))

# Seed corpora: a valid small file of each format.
$(B)/fuzz/corpus-trace/.seeded: $(B)/mpbsim
	@mkdir -p $(dir $@)
	$(B)/mpbsim gen --preset rope-smollm2 --tokens 2 --out $(dir $@)seed.tmp > /dev/null
	printf '\000' | cat - $(dir $@)seed.tmp > $(dir $@)seed-rope.trace  # mode byte: whole file
	rm -f $(dir $@)seed.tmp
	@touch $@
$(B)/fuzz/corpus-npy/.seeded: traces/fuzz_seeds/seed.npy
	@mkdir -p $(dir $@)
	cp $< $(dir $@)
	@touch $@
$(B)/fuzz/corpus-npz/.seeded: traces/fuzz_seeds/seed.npz
	@mkdir -p $(dir $@)
	cp $< $(dir $@)
	@touch $@
$(B)/fuzz/corpus-safetensors/.seeded: traces/fuzz_seeds/seed.safetensors
	@mkdir -p $(dir $@)
	cp $< $(dir $@)
	@touch $@

