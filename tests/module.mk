# tests/: GoogleTest suites. Every tests/<suite>_*.cc joins the binary $(B)/tests/<suite>,
# for the suites listed in TEST_SUITES; each links every project library, so a suite
# only needs its sources here. Areas that need extra objects or flags (Verilator,
# SystemC) add their own test binaries to TEST_BINS in their own module.mk.
GTEST_LIBS := $(shell pkg-config --libs gtest_main 2>/dev/null || echo -lgtest_main -lgtest) -lpthread
# Listed slowest first: make starts test jobs in this order (mk/test.mk).
TEST_SUITES := sweep lm analysis traces cmodel
TEST_SHARDS_sweep := 2
TEST_SHARDS_lm := 2
# Extra libraries of one suite: lm uses libsentencepiece as an independent tokenizer oracle.
TEST_LIBS_lm := $(shell pkg-config --libs sentencepiece 2>/dev/null || echo -lsentencepiece)

$(B)/tests/%.o: tests/%.cc $(wildcard tests/*.h) cmodel/*.h $(wildcard lm/*.h traces/*.h analysis/*.h) | deps
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(PKG_CFLAGS) -c $< -o $@

define test_suite
$(1)_TEST_SRCS := $$(wildcard tests/$(1)_*.cc)
ifneq ($$($(1)_TEST_SRCS),)
$(1)_TEST_OBJS := $$($(1)_TEST_SRCS:%.cc=$$(B)/%.o)
$$(B)/tests/$(1): $$($(1)_TEST_OBJS) $$(LIBANALYSIS) $$(LIBTRACES) $$(LIBLM) $$(LIBMPB)
	$$(CXX) $$(LDFLAGS) -o $$@ $$($(1)_TEST_OBJS) $$(LIBANALYSIS) $$(LIBTRACES) $$(LIBLM) $$(LIBMPB) $$(PKG_LDLIBS) $$(TEST_LIBS_$(1)) $$(GTEST_LIBS) $$(LDLIBS)
TEST_BINS += $$(B)/tests/$(1)
endif
endef
$(foreach s,$(TEST_SUITES),$(eval $(call test_suite,$(s))))

# Tests run with the repository root as working directory and may call the CLI.
TEST_DEPS += $(MPBSIM)
