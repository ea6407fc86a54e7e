# analysis/: libanalysis.a, linked into mpbsim and the tests. Sources: analysis/*.c except fuzz_*.c.
ANALYSIS_SRCS := $(filter-out analysis/fuzz_%.c,$(wildcard analysis/*.c))
ANALYSIS_OBJS := $(ANALYSIS_SRCS:%.c=$(B)/%.o)
LIBANALYSIS := $(B)/libanalysis.a

$(B)/analysis/%.o: analysis/%.c $(wildcard analysis/*.h) cmodel/*.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(LIBANALYSIS): $(ANALYSIS_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

ALL_TARGETS += $(LIBANALYSIS)

# The energy table is embedded (.incbin) into energy_default.o: rebuild it when it changes.
$(B)/analysis/energy_default.o: configs/energy-45nm.cfg

# The analysis tests decode the headless-browser screenshot of a report with libpng.
$(B)/tests/analysis: LDLIBS += $(shell pkg-config --libs libpng 2>/dev/null || echo -lpng16)

# `make run`: the report of the default design on the Llama 3 geometry, positions up to
# 131072, with the bundled Llama 3 RoPE trace replayed (after run-replay, which
# RUN_TARGETS lists earlier: traces/module.mk is included first).
.PHONY: run-report
run-report: $(B)/mpbsim $(DEFAULT_TRACE)
	@mkdir -p out/report
	$(MPBSIM) report --preset default --trace $(DEFAULT_TRACE) --positions 131072 --out out/report
	@echo "run-report: open out/report/report.html (also report.csv, report.json)"
RUN_TARGETS += run-report
