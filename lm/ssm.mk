# lm/ssm.mk — the SSM and hybrid closed loop (docs/workloads.md §SSM closed loop):
#   make run    includes run-ssm: one mamba130m block, 8192 steps, fp32 / bf16 / bridge /
#               the bridge's exp(dt*A) alone against the FP64 reference; and the Bit-Axon
#               hybrid (reduced) for 1024 tokens on the bridge. Writes out/ssm-eval.* and
#               out/hybrid-eval.*; run-report reads the two JSON files.
#   make eval   includes eval-ssm: 65,536 steps with every backend, again with dt pushed
#               to [1e-5, 1e-3], and the hybrid for 65,536 tokens with the bridge's
#               attribution (KLD at 1k, 8k, 64k tokens), at nice 19 (eval-ssm sets
#               SSM_NICE; the machine is shared).
#   make bench  includes bench-ssm: the bridge scan's speed against the FP32 scan's.
# The CLI runs OpenBLAS on one thread (the matrices are small; its spinning threads cost
# more CPU than they save on this 2-core machine).
SSM_ENV := OPENBLAS_NUM_THREADS=1
comma := ,
SSM_RUN_VARIANTS := --numerics fp32 --numerics bf16 --numerics bridge \
  --numerics ref,exp.ssm_da=bridge

.PHONY: run-ssm eval-ssm bench-ssm
# $(call ssm_cmd,ARGS,TXT): run mpbsim with ARGS, its table into TXT and on stdout, its
# exit code kept.
ssm_cmd = $(SSM_ENV) $(SSM_NICE) $(B)/mpbsim $(1) > $(2); rc=$$?; cat $(2); exit $$rc

run-ssm: $(B)/mpbsim
	@mkdir -p out
	$(call ssm_cmd,ssm eval --steps 8192 $(SSM_RUN_VARIANTS) --json out/ssm-eval.json \
	  --csv out/ssm-eval.csv,out/ssm-eval.txt)
	$(call ssm_cmd,ssm hybrid --tokens 1024 --checkpoints 1024 --numerics bridge \
	  --json out/hybrid-eval.json --csv out/hybrid-eval.csv,out/hybrid-eval.txt)
RUN_TARGETS += run-ssm

eval-ssm: SSM_NICE := nice -n 19
eval-ssm: $(B)/mpbsim
	@mkdir -p out
	$(call ssm_cmd,ssm eval --steps 65536 --json out/ssm-eval-64k.json \
	  --csv out/ssm-eval-64k.csv,out/ssm-eval-64k.txt)
	$(call ssm_cmd,ssm eval --steps 65536 --dt-range 1e-5:1e-3 --numerics fp32 \
	  --numerics bridge --numerics ref$(comma)exp.ssm_da=bridge \
	  --json out/ssm-eval-64k-small-dt.json,out/ssm-eval-64k-small-dt.txt)
	$(call ssm_cmd,ssm hybrid --tokens 65536 --checkpoints 1024$(comma)8192$(comma)65536 \
	  --attr bridge --json out/hybrid-eval-64k.json --csv out/hybrid-eval-64k.csv,\
	  out/hybrid-eval-64k.txt)
EVAL_TARGETS += eval-ssm

$(B)/bench/bench_ssm: bench/bench_ssm.c $(LIBLM) $(LIBMPB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIBLM) $(LIBMPB) $(PKG_LDLIBS) $(LDLIBS)
bench-ssm: $(B)/bench/bench_ssm
	$(B)/bench/bench_ssm
BENCH_TARGETS += bench-ssm
