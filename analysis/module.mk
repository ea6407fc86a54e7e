# analysis/: libanalysis.a, linked into mpbsim and the tests. Sources: analysis/*.c except fuzz_*.c.
ANALYSIS_SRCS := $(filter-out analysis/fuzz_%.c,$(wildcard analysis/*.c))
ANALYSIS_OBJS := $(ANALYSIS_SRCS:%.c=$(B)/%.o)
LIBANALYSIS := $(B)/libanalysis.a

$(B)/analysis/%.o: analysis/%.c $(wildcard analysis/*.h traces/*.h lm/*.h) cmodel/*.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(LIBANALYSIS): $(ANALYSIS_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

ALL_TARGETS += $(LIBANALYSIS)

# The energy table is embedded (.incbin) into energy_default.o: rebuild it when it changes.
# (configs/energy-osu018.cfg, the OSU 0.18 um table of the gate-level check, is read from
# the file by `mpbsim gate run --table`.)
$(B)/analysis/energy_default.o: configs/energy-45nm.cfg

# The analysis tests decode the headless-browser screenshot of a report with libpng.
$(B)/tests/analysis: LDLIBS += $(shell pkg-config --libs libpng 2>/dev/null || echo -lpng16)

# RTL activity cross-check: the Verilated RTL counts every block's operand-bus toggles
# (sim/toggles/, signals listed in sim/toggles/sites.tsv) on the energy model's reference
# stimulus (mpb_energy_reference, RTL_TOGGLES_N operations per unit, seed
# RTL_TOGGLES_SEED) with the resolved configuration and tables of each co-simulation
# configuration in RTL_TOGGLES_CONFIGS (default: EXACT mode; patent: LOG-ADD), one JSON
# per unit in $(B)/rtl-toggles/<config>/; `make run-report` gives the report the three
# files of the default configuration (--rtl-toggles once per unit), which compares them
# with the model's counters. tests/analysis_report_test.cc expects
# equality on every block of all three units, both configurations.
# The recipes are in sim/toggles/module.mk (included later: it needs the Verilator rules).
RTL_TOGGLES_DIR := $(B)/rtl-toggles
RTL_TOGGLES_CONFIGS := default patent
RTL_TOGGLES := $(foreach u,rope exp dot,$(RTL_TOGGLES_DIR)/default/$(u).json)
RTL_TOGGLES_ALL := $(foreach c,$(RTL_TOGGLES_CONFIGS),$(foreach u,rope exp dot,$(RTL_TOGGLES_DIR)/$(c)/$(u).json))
RTL_TOGGLES_N := 2000
RTL_TOGGLES_SEED := 7
TEST_DEPS += $(RTL_TOGGLES_ALL)

# `make run`: the report of the default design on the Llama 3 geometry, positions up to
# 131072, with the bundled Llama 3 RoPE trace replayed (after run-replay, which
# RUN_TARGETS lists earlier: traces/module.mk is included first).
# The gate-level results present (rtl/gate/module.mk makes run-report depend on the
# default configuration's) go to the report too.
.PHONY: run-report
run-report: $(B)/mpbsim $(DEFAULT_TRACE) $(RTL_TOGGLES)
	@mkdir -p out/report
	$(MPBSIM) report --preset default --trace $(DEFAULT_TRACE) --positions 131072 \
	  $(RTL_TOGGLES:%=--rtl-toggles %) $(if $(wildcard out/lm-eval.json),--lm-eval out/lm-eval.json) \
	  $(if $(wildcard out/ssm-eval.json),--ssm-eval out/ssm-eval.json) \
	  $(if $(wildcard out/hybrid-eval.json),--hybrid-eval out/hybrid-eval.json) \
	  $(addprefix --gate ,$(wildcard $(GATE_JSON))) --out out/report
	@echo "run-report: open out/report/report.html (also report.csv, report.json)"
RUN_TARGETS += run-report

# `make eval` ends with the report of the long runs that exist (lm/eval.mk, lm/ssm.mk).
.PHONY: eval-report
eval-report: $(B)/mpbsim
	@mkdir -p out/report-eval
	$(MPBSIM) report --preset default --positions 131072 \
	  $(if $(wildcard out/lm-eval-full.json),--lm-eval out/lm-eval-full.json) \
	  $(if $(wildcard out/ssm-eval-64k.json),--ssm-eval out/ssm-eval-64k.json) \
	  $(if $(wildcard out/hybrid-eval-64k.json),--hybrid-eval out/hybrid-eval-64k.json) \
	  --out out/report-eval
	@echo "eval-report: open out/report-eval/report.html"
EVAL_TARGETS += eval-report

# Second simulator: the Icarus testbench rtl/tb/tb_toggles.v counts the rope unit's mac8,
# horner and rotate buses on the same stimulus (written by `mpbsim energy --stimulus`);
# the test expects it to equal the Verilator counts of those blocks.
RTL_TOGGLES_ICARUS := $(RTL_TOGGLES_DIR)/default/icarus-rope.json
$(RTL_TOGGLES_DIR)/default/tb.vvp: rtl/tb/tb_toggles.v rtl/tb/mpb_top_params.vh $(filter-out rtl/tb/%,$(wildcard rtl/*.v)) \
    $(B)/cosim/default/tables/.stamp
	@mkdir -p $(dir $@)
	iverilog -g2005 -Irtl/tb -o $@ -s tb_toggles $(filter-out rtl/tb/%,$(wildcard rtl/*.v)) \
	  rtl/tb/tb_toggles.v $$(rtl/cfg2vparams.sh $(B)/cosim/default/config.cfg -Ptb_toggles.) \
	  -Ptb_toggles.TABLE_DIR='"$(abspath $(B)/cosim/default/tables)"' 2>&1 | grep -v -i 'warning\|padding' || true
	@test -f $@
$(RTL_TOGGLES_ICARUS): $(RTL_TOGGLES_DIR)/default/tb.vvp $(B)/mpbsim
	$(B)/mpbsim energy --config $(B)/cosim/default/config.cfg --head-dim 128 --base 500000 \
	  --stimulus $(RTL_TOGGLES_DIR)/default/stim.hex -n $(RTL_TOGGLES_N) --seed $(RTL_TOGGLES_SEED)
	vvp -n $(RTL_TOGGLES_DIR)/default/tb.vvp +stim=$(RTL_TOGGLES_DIR)/default/stim.hex +n=$(RTL_TOGGLES_N) \
	  +seed=$(RTL_TOGGLES_SEED) +out=$@.tmp | grep -q 'TOGGLES DONE' && mv $@.tmp $@
TEST_DEPS += $(RTL_TOGGLES_ICARUS)

# README screenshot of the default report: `make docs-images` (headless Chromium).
.PHONY: docs-images
docs-images: run-report
	@mkdir -p docs/img
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1350 \
	  --screenshot=docs/img/report.png file://$(abspath out/report/report.html) 2>/dev/null
	@echo "docs-images: docs/img/report.png"
