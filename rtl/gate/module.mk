# rtl/gate/: the gate-level energy check (docs/energy.md §9). yosys synthesises mpb_top of
# each configuration in GATE_CONFIGS to the OSU 0.18 um library (rtl/gate/synth.sh),
# OpenSTA times it and reads the library's power tables at every pin (rtl/gate/sta.sh),
# and `mpbsim gate run` simulates the netlist on the reference stimulus and reconciles it
# with the action model (analysis/gate_*.c). The library's energy table for the action
# model comes from the characterisation circuits of rtl/gate/char.v (`make gate-table`
# regenerates $(GATE_DIR)/energy-osu018.cfg; configs/energy-osu018.cfg is its checked-in
# copy, which `make gate` compares). Tools: Debian's yosys, opensta, qflow-tech-osu018.
GATE_LIB ?= /usr/share/qflow/tech/osu018/osu018_stdcells.lib
GATE_DIR := $(B)/gate
GATE_CONFIGS := default patent
GATE_N := 500
GATE_DOT_N := 16
GATE_SEED := 7
GATE_CHAR_CYCLES := 2000
GATE_RTL := $(filter-out rtl/tb/%,$(wildcard rtl/*.v))
GATE_TOOLS := rtl/gate/synth.sh rtl/gate/sta.sh rtl/gate/sta.tcl
GATE_TABLE := configs/energy-osu018.cfg

# gate_unit(dir, top, cwd, params, files, keep): synthesis and timing into dir/
define gate_unit
$(1)/sta.stamp: $(5) $(GATE_TOOLS) $(GATE_LIB) $(3)/.stamp
	rtl/gate/synth.sh --lib $(GATE_LIB) --top $(2) --out $(1) --cwd $(3) $(4) $(6) $(5) > /dev/null
	rtl/gate/sta.sh --lib $(GATE_LIB) --dir $(1) --top $(2) > /dev/null
	@touch $$@
endef
gate_params = $$$$(rtl/cfg2vparams.sh $(B)/cosim/$(1)/config.cfg | sed 's/-G/--param /g')

# the configurations' mpb_top (the tables of their co-simulation builds)
$(foreach c,$(GATE_CONFIGS),$(eval $(call gate_unit,$(GATE_DIR)/$(c),mpb_top,$(B)/cosim/$(c)/tables,$(call gate_params,$(c)),$(GATE_RTL))))
# the short flow of `make test`: the dot unit of the default configuration alone
$(eval $(call gate_unit,$(GATE_DIR)/default-dot,mpb_top,$(B)/cosim/default/tables,$(call gate_params,default),$(GATE_RTL),--keep u_dot))

# characterisation circuits (analysis/gate_table.c names them)
GATE_CHAR := $(GATE_DIR)/char
$(eval $(call gate_unit,$(GATE_CHAR)/add8,gate_char_add,$(B)/cosim/default/tables,--param W=8,rtl/gate/char.v $(GATE_RTL)))
$(eval $(call gate_unit,$(GATE_CHAR)/add16,gate_char_add,$(B)/cosim/default/tables,--param W=16,rtl/gate/char.v $(GATE_RTL)))
$(eval $(call gate_unit,$(GATE_CHAR)/add32,gate_char_add,$(B)/cosim/default/tables,--param W=32,rtl/gate/char.v $(GATE_RTL)))
$(eval $(call gate_unit,$(GATE_CHAR)/mul8,gate_char_mul,$(B)/cosim/default/tables,--param W=8,rtl/gate/char.v $(GATE_RTL)))
$(eval $(call gate_unit,$(GATE_CHAR)/mul32,gate_char_mul,$(B)/cosim/default/tables,--param W=32,rtl/gate/char.v $(GATE_RTL)))
$(eval $(call gate_unit,$(GATE_CHAR)/reg32,mpb_pipe_reg,$(B)/cosim/default/tables,--param WIDTH=32,rtl/gate/char.v $(GATE_RTL)))
$(eval $(call gate_unit,$(GATE_CHAR)/rom,gate_char_rom,$(B)/cosim/default/tables,,rtl/gate/char.v $(GATE_RTL)))
GATE_CHAR_RUNS := add8 add16 add32 mul8 mul32 reg32 rom

$(GATE_DIR)/energy-osu018.cfg: $(GATE_CHAR_RUNS:%=$(GATE_CHAR)/%/sta.stamp) $(MPBSIM)
	$(MPBSIM) gate table --root $(GATE_CHAR) --library osu018_stdcells --node 180 --vdd 1.8 \
	  --cycles $(GATE_CHAR_CYCLES) --seed $(GATE_SEED) --out $@

# gate_run(config): the reconciliation JSON the report reads
define gate_run
$(GATE_DIR)/$(1)/gate.json: $(GATE_DIR)/$(1)/sta.stamp $(GATE_TABLE) rtl/gate/blocks.tsv $(MPBSIM)
	$(MPBSIM) gate run --dir $(GATE_DIR)/$(1) --config $(B)/cosim/$(1)/config.cfg \
	  $(or $(COSIM_GEO_$(1)),$(COSIM_GEO_DEFAULT)) --table $(GATE_TABLE) \
	  --blocks rtl/gate/blocks.tsv --name $(1) -n $(GATE_N) --dot-n $(GATE_DOT_N) \
	  --seed $(GATE_SEED) --out $$@
endef
$(foreach c,$(GATE_CONFIGS),$(eval $(call gate_run,$(c))))
GATE_JSON := $(GATE_CONFIGS:%=$(GATE_DIR)/%/gate.json)

# `make gate` (in `make regress`): both configurations, and the derived table regenerated
# and compared with the checked-in copy.
.PHONY: gate gate-table
gate: deps $(GATE_JSON) $(GATE_DIR)/energy-osu018.cfg
	@cmp -s $(GATE_DIR)/energy-osu018.cfg $(GATE_TABLE) || { \
	  echo "gate: $(GATE_TABLE) differs from the regenerated $(GATE_DIR)/energy-osu018.cfg" \
	       "(make gate-table copies it)"; diff $(GATE_TABLE) $(GATE_DIR)/energy-osu018.cfg; exit 1; }
	@for f in $(GATE_JSON); do echo "gate: $$f"; done
gate-table: $(GATE_DIR)/energy-osu018.cfg
	cp $< $(GATE_TABLE)
REGRESS_TARGETS += gate
# `make run`'s report shows the default configuration's reconciliation (about two minutes
# of synthesis and simulation on two cores, once).
run-report: $(GATE_DIR)/default/gate.json
