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
run-report: $(B)/mpbsim $(DEFAULT_TRACE) $(B)/rtl-toggles/default.json
	@mkdir -p out/report
	$(MPBSIM) report --preset default --trace $(DEFAULT_TRACE) --positions 131072 \
	  --rtl-toggles $(B)/rtl-toggles/default.json --out out/report
	@echo "run-report: open out/report/report.html (also report.csv, report.json)"
RUN_TARGETS += run-report

# RTL activity cross-check: the Icarus testbench rtl/tb/tb_toggles.v counts the
# operand-bus toggles of the RTL rope unit (co-simulation "default" configuration and
# tables) on the C model's reference stimulus; `mpbsim report --rtl-toggles` compares
# them with the model's counters (tests/analysis_report_test.cc expects equality).
RTL_TOGGLES := $(B)/rtl-toggles/default.json
RTL_TOGGLES_N := 2000
RTL_TOGGLES_SEED := 7
$(B)/rtl-toggles/tb.vvp: rtl/tb/tb_toggles.v rtl/tb/mpb_top_params.vh $(filter-out rtl/tb/%,$(wildcard rtl/*.v)) \
    $(B)/cosim/default/tables/.stamp
	@mkdir -p $(dir $@)
	iverilog -g2005 -Irtl/tb -o $@ -s tb_toggles $(filter-out rtl/tb/%,$(wildcard rtl/*.v)) \
	  rtl/tb/tb_toggles.v $$(rtl/cfg2vparams.sh $(B)/cosim/default/config.cfg -Ptb_toggles.) \
	  -Ptb_toggles.TABLE_DIR='"$(abspath $(B)/cosim/default/tables)"' 2>&1 | grep -v -i 'warning\|padding' || true
	@test -f $@
$(RTL_TOGGLES): $(B)/rtl-toggles/tb.vvp $(B)/mpbsim
	$(B)/mpbsim energy --config $(B)/cosim/default/config.cfg --head-dim 128 --base 500000 \
	  --stimulus $(B)/rtl-toggles/stim.hex -n $(RTL_TOGGLES_N) --seed $(RTL_TOGGLES_SEED)
	vvp -n $(B)/rtl-toggles/tb.vvp +stim=$(B)/rtl-toggles/stim.hex +n=$(RTL_TOGGLES_N) \
	  +seed=$(RTL_TOGGLES_SEED) +out=$@.tmp | grep -q 'TOGGLES DONE' && mv $@.tmp $@
TEST_DEPS += $(RTL_TOGGLES)

# README screenshot of the default report: `make docs-images` (headless Chromium).
.PHONY: docs-images
docs-images: run-report
	@mkdir -p docs/img
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1350 \
	  --screenshot=docs/img/report.png file://$(abspath out/report/report.html) 2>/dev/null
	@echo "docs-images: docs/img/report.png"
