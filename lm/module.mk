# lm/: liblm.a, the language-model runtimes — GGUF reader and dequantization, tokenizers,
# the batched Llama forward pass (GGUF or seeded synthetic weights) with substitutable
# numerics (numerics*.c, linear.c, kv.c) and the closed-loop evaluation (kld.c, eval.c).
# It depends on libmpb and OpenBLAS only; traces/ (capture), analysis/ and the CLI sit
# above it. Sources: lm/*.c except fuzz_*.c. `make models` and the GGUF fuzzer are in
# lm/models.mk, `make eval` and run-lm-eval in lm/eval.mk.
LM_SRCS := $(filter-out lm/fuzz_%.c,$(wildcard lm/*.c))
LM_OBJS := $(LM_SRCS:%.c=$(B)/%.o)
LIBLM := $(B)/liblm.a

$(B)/lm/%.o: lm/%.c $(wildcard lm/*.h) cmodel/*.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(LIBLM): $(LM_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

ALL_TARGETS += $(LIBLM)
