# rtl/: the Verilog-2005 RTL of the three units (rtl/*.v, top rtl/mpb_top.v), its lint
# waivers (rtl/lint.vlt), the parameter bridge from a configuration file
# (rtl/cfg2vparams.sh), the mutant list (rtl/mutants.tsv) and the Icarus testbench
# (rtl/tb/). Verilator builds live in sim/cosim/module.mk and sim/systemc/module.mk.

IVERILOG ?= iverilog
VVP ?= vvp
RTL_V := $(filter-out rtl/tb/%,$(wildcard rtl/*.v))

# Lint: Verilator --lint-only -Wall and Icarus -g2005 on every co-simulation
# configuration; re-run only when the RTL or a configuration changes.
$(B)/rtl/lint.stamp: $(RTL_V) rtl/lint.vlt rtl/cfg2vparams.sh $(COSIM_CONFIGS:%=$(B)/cosim/%/tables/.stamp)
	@mkdir -p $(dir $@)
	@for c in $(COSIM_CONFIGS); do \
	  $(VERILATOR) --lint-only -Wall -Irtl rtl/lint.vlt rtl/mpb_top.v --top-module mpb_top \
	    $$(rtl/cfg2vparams.sh $(B)/cosim/$$c/config.cfg) || exit 1; \
	  $(IVERILOG) -g2005 -o /dev/null -s mpb_top $(RTL_V) \
	    $$(rtl/cfg2vparams.sh $(B)/cosim/$$c/config.cfg -Pmpb_top.) || exit 1; \
	  echo "rtl lint ok: $$c (verilator -Wall, iverilog -g2005)"; \
	done
	@touch $@

# Icarus testbench per configuration (and per mutant: <cfg>-mut<k> with +define+MUTANT_k).
# icarus_build(name, cfg, defines)
define icarus_build
$(B)/icarus/$(1)/tb.vvp: $(RTL_V) rtl/tb/tb_mpb_top.v rtl/tb/mpb_top_params.vh $(B)/cosim/$(2)/tables/.stamp
	@mkdir -p $$(dir $$@)
	$(IVERILOG) -g2005 -Irtl/tb -o $$@ -s tb_mpb_top $(3) $(RTL_V) rtl/tb/tb_mpb_top.v \
	  $$$$(rtl/cfg2vparams.sh $(B)/cosim/$(2)/config.cfg -Ptb_mpb_top.) \
	  -Ptb_mpb_top.TABLE_DIR='"$$(abspath $(B)/cosim/$(2)/tables)"'
endef
ICARUS_CONFIGS := default patent
$(foreach c,$(ICARUS_CONFIGS),$(eval $(call icarus_build,$(c),$(c),)))
$(eval $(call icarus_build,default-mut2,default,-DMUTANT_2))
ICARUS_BINS := $(ICARUS_CONFIGS:%=$(B)/icarus/%/tb.vvp) $(B)/icarus/default-mut2/tb.vvp

TEST_DEPS += $(B)/rtl/lint.stamp $(ICARUS_BINS)

# The gate-level energy check (yosys + OpenSTA on the OSU 0.18 um library): rtl/gate/.
include rtl/gate/module.mk
