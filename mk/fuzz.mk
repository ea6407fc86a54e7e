# mk/fuzz.mk — the libFuzzer machinery shared by every area with a parser (traces/, lm/,
# analysis/). libFuzzer targets (clang): one per parser, named in FUZZ_NAMES. `make fuzz`
# runs each for FUZZ_SECONDS; `make test` (plain build only) runs each for
# FUZZ_SMOKE_SECONDS as a test job of its own (mk/test.mk), in parallel with the others.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_NAMES :=
FUZZ_CFLAGS := -std=c11 -O1 -g -D_DEFAULT_SOURCE -Itraces -Ilm -Icmodel \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# fuzz_cmd(name, seconds): one run of $(B)/fuzz/fuzz_NAME on its corpus $(B)/fuzz/corpus-NAME
# (FUZZ_NAME_MAXLEN, default 65536, and FUZZ_NAME_FLAGS set per fuzzer).
fuzz_cmd = $(B)/fuzz/fuzz_$(1) -max_total_time=$(2) -max_len=$(or $(FUZZ_$(1)_MAXLEN),65536) \
  -rss_limit_mb=1024 -artifact_prefix=$(B)/fuzz/crash-$(1)- -print_final_stats=0 \
  $(FUZZ_$(1)_FLAGS) $(B)/fuzz/corpus-$(1)
# fuzz_target(name): `make fuzz-NAME` and the smoke-run test job of the plain tree. The
# fuzzer's build rule and its seeded corpus ($(B)/fuzz/corpus-NAME/.seeded) come from
# parser_fuzzer below or from the area's own rules.
define fuzz_target
.PHONY: fuzz-$(1)
fuzz-$(1): $$(B)/fuzz/fuzz_$(1) $$(B)/fuzz/corpus-$(1)/.seeded
	$$(call fuzz_cmd,$(1),$$(FUZZ_SECONDS))
FUZZ_TARGETS += fuzz-$(1)
FUZZ_NAMES += $(1)
ifeq ($$(SAN),0)
$$(TEST_RES)/fuzz-$(1).res: $$(B)/fuzz/fuzz_$(1) $$(B)/fuzz/corpus-$(1)/.seeded $$(TEST_DEPS) FORCE
	@tools/run-check.sh $$@ "fuzz-$(1) ($$(FUZZ_SMOKE_SECONDS) s, no crash)" \
	  $$(call fuzz_cmd,$(1),$$(FUZZ_SMOKE_SECONDS))
TEST_RESULTS += $$(TEST_RES)/fuzz-$(1).res
endif
endef
# parser_fuzzer(name, dir): $(B)/fuzz/fuzz_NAME from DIR/fuzz_NAME.c plus FUZZ_NAME_SRCS,
# linked with FUZZ_NAME_LIBS, seeded from $(B)/fuzz/corpus-NAME/.seeded (a rule of the area).
define parser_fuzzer
$$(B)/fuzz/fuzz_$(1): $(2)/fuzz_$(1).c $$(FUZZ_$(1)_SRCS) $$(wildcard $(2)/*.h cmodel/*.h) | deps
	@mkdir -p $$(dir $$@)
	clang $$(FUZZ_CFLAGS) -o $$@ $(2)/fuzz_$(1).c $$(FUZZ_$(1)_SRCS) $$(FUZZ_$(1)_LIBS)
$(call fuzz_target,$(1))
endef
