# lm/eval.mk — the closed-loop evaluation (docs/model-eval.md): SmolLM2-135M through the
# forward pass with each numerics backend at each position offset, against the FP32
# reference at offset 0.
#   make run   includes run-lm-eval: 2 windows of 128 tokens (126 scored), the six
#              backends plus the bridge's RoPE-only and KV-only attribution (the
#              claims rows use them), offsets 0 .. 2^20-n; prints the table, writes
#              out/lm-eval.{json,csv,txt}; run-report then reads out/lm-eval.json.
#   make eval  includes eval-lm: the full grid: 4 windows of 256 tokens (508 scored),
#              every backend x attribution group (rope, exp, gemm, kv, all) x offset
#              (out/lm-eval-full.*); eval-report then reads out/lm-eval-full.json.
# Text: GPL-3 as Debian's base-files ships it (/usr/share/common-licenses, 7656 tokens),
# tokenized with the model's BPE merges; skipped with a message without the model.
EVAL_TEXT := /usr/share/common-licenses/GPL-3
EVAL_TOKENS := $(B)/eval/gpl3.tokens
LM_EVAL_RUN := --ctx 128 --chunks 2 --backends ref,fp32,bf16,fp16,bridge,int8,bridge:rope,bridge:kv
LM_EVAL_FULL := --ctx 256 --chunks 4 --backends ref,fp32,bf16,fp16,bridge,int8 \
  --attr rope,exp,gemm,kv,all

$(EVAL_TOKENS): $(EVAL_TEXT) $(B)/mpbsim | $(SMOLLM2_GGUF)
	@mkdir -p $(dir $@)
	$(B)/mpbsim lm tokenize --text $(EVAL_TEXT) -o $@

.PHONY: run-lm-eval eval-lm
run-lm-eval: $(B)/mpbsim models-try
	@mkdir -p out
	@if [ -f $(SMOLLM2_GGUF) ]; then \
	  $(MAKE) --no-print-directory $(EVAL_TOKENS) && \
	  $(B)/mpbsim lm eval --tokens $(EVAL_TOKENS) $(LM_EVAL_RUN) --json out/lm-eval.json \
	    --csv out/lm-eval.csv | tee out/lm-eval.txt; \
	else echo "run-lm-eval: skipped, $(SMOLLM2_GGUF) is absent (make models)"; fi
RUN_TARGETS += run-lm-eval

eval-lm: deps $(B)/mpbsim models
	@mkdir -p out
	$(MAKE) --no-print-directory $(EVAL_TOKENS)
	$(B)/mpbsim lm eval --tokens $(EVAL_TOKENS) $(LM_EVAL_FULL) --json out/lm-eval-full.json \
	  --csv out/lm-eval-full.csv | tee out/lm-eval-full.txt
	@echo "eval-lm: out/lm-eval-full.txt"
EVAL_TARGETS += eval-lm
