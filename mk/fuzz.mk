# mk/fuzz.mk — the libFuzzer machinery shared by every area with a parser (traces/, lm/).
# libFuzzer targets (clang): one per parser. `make fuzz` runs each for FUZZ_SECONDS;
# `make test` (plain build only) runs every FUZZ_TARGETS entry for FUZZ_SMOKE_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_CFLAGS := -std=c11 -O1 -g -D_DEFAULT_SOURCE -Itraces -Ilm -Icmodel \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# parser_fuzzer(name, dir): $(B)/fuzz/fuzz_NAME from DIR/fuzz_NAME.c plus FUZZ_NAME_SRCS,
# linked with FUZZ_NAME_LIBS, seeded from $(B)/fuzz/corpus-NAME/.seeded (a rule of the area).
define parser_fuzzer
$$(B)/fuzz/fuzz_$(1): $(2)/fuzz_$(1).c $$(FUZZ_$(1)_SRCS) $$(wildcard $(2)/*.h cmodel/*.h) | deps
	@mkdir -p $$(dir $$@)
	clang $$(FUZZ_CFLAGS) -o $$@ $(2)/fuzz_$(1).c $$(FUZZ_$(1)_SRCS) $$(FUZZ_$(1)_LIBS)
.PHONY: fuzz-$(1)
fuzz-$(1): $$(B)/fuzz/fuzz_$(1) $$(B)/fuzz/corpus-$(1)/.seeded
	$$(B)/fuzz/fuzz_$(1) -max_total_time=$$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=1024 \
	  -artifact_prefix=$$(B)/fuzz/crash-$(1)- \
	  -print_final_stats=0 $$(B)/fuzz/corpus-$(1)
FUZZ_TARGETS += fuzz-$(1)
endef
