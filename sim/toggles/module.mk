# sim/toggles/: per-block toggle counts of the Verilated RTL on the energy model's
# reference stimulus (docs/report-schema.md "RTL toggles"), for the report's RTL activity
# cross-check. The signals that form each block's buses are listed once, in
# sim/toggles/sites.tsv; from it a Verilator configuration file marks exactly those
# signals public_flat_rd, and the harness binds them through Verilator's scope table and
# counts popcount(previous ^ current) per clock edge (toggle_counter.cpp).
# The Verilated model is built from the co-simulation's "default" configuration and
# tables ($(B)/cosim/default/, sim/cosim/module.mk) with the co-simulation's Verilator
# flags minus FST tracing; it is small (no trace code) and builds in seconds.
TOGGLES_DIR := $(B)/toggles
TOGGLES_SITES := sim/toggles/sites.tsv
TOGGLES_SRCS := $(wildcard sim/toggles/*.cpp)
TOGGLES_HDRS := $(wildcard sim/toggles/*.h)
TOGGLES_VFLAGS = $(filter-out --trace-fst,$(COSIM_VFLAGS)) --vpi
TOGGLES_RUNTIME := verilated.o verilated_dpi.o verilated_vpi.o verilated_threads.o
TOGGLES_CXXFLAGS = -std=c++17 $(OPT) -g $(WARN) $(SANFLAGS) -Icmodel -Ianalysis -Isim/toggles \
  -I$(TOGGLES_DIR)/obj -isystem $(VERILATOR_ROOT_INC) -isystem $(VERILATOR_ROOT_INC)/vltstd
TOGGLES_OBJS := $(TOGGLES_SRCS:sim/toggles/%.cpp=$(TOGGLES_DIR)/%.o)
TOGGLES_BIN := $(TOGGLES_DIR)/toggles

# public_flat_rd for every (module, signal) of the site table
$(TOGGLES_DIR)/sites.vlt: $(TOGGLES_SITES) sim/toggles/module.mk
	@mkdir -p $(dir $@)
	{ echo '`verilator_config'; awk '!/^#/ && NF >= 6 { n = split($$6, v, ","); \
	  for (i = 1; i <= n; i++) printf "public_flat_rd -module \"%s\" -var \"%s\"\n", $$4, v[i] }' \
	  $< | sort -u; } > $@.tmp && mv $@.tmp $@
$(TOGGLES_DIR)/obj/Vmpb_top__ALL.a: $(RTL_SRCS) rtl/lint.vlt rtl/cfg2vparams.sh \
    $(B)/cosim/default/tables/.stamp $(TOGGLES_DIR)/sites.vlt
	rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(VERILATOR) $(TOGGLES_VFLAGS) -Irtl rtl/lint.vlt $(TOGGLES_DIR)/sites.vlt rtl/mpb_top.v \
	  $$(rtl/cfg2vparams.sh $(B)/cosim/default/config.cfg) \
	  -GTABLE_DIR='"$(abspath $(B)/cosim/default/tables)"' --Mdir $(dir $@) \
	  > $(dir $@)verilator.log 2>&1 || { tail -30 $(dir $@)verilator.log; exit 1; }
# Verilator's runtime objects, by its own makefile rules (no sanitizers: not our code)
$(TOGGLES_DIR)/obj/verilated.o: $(TOGGLES_DIR)/obj/Vmpb_top__ALL.a
	$(MAKE) --no-print-directory -C $(dir $@) -f Vmpb_top.mk $(TOGGLES_RUNTIME) \
	  >> $(dir $@)verilator.log 2>&1 || { tail -30 $(dir $@)verilator.log; exit 1; }
$(TOGGLES_DIR)/%.o: sim/toggles/%.cpp $(TOGGLES_HDRS) cmodel/mpb.h analysis/energy.h \
    $(TOGGLES_DIR)/obj/Vmpb_top__ALL.a
	$(CXX) $(TOGGLES_CXXFLAGS) -c $< -o $@
$(TOGGLES_BIN): $(TOGGLES_OBJS) $(TOGGLES_DIR)/obj/verilated.o $(LIBANALYSIS) $(LIBMPB)
	$(CXX) $(LDFLAGS) -o $@ $(TOGGLES_OBJS) $(TOGGLES_DIR)/obj/Vmpb_top__ALL.a \
	  $(TOGGLES_RUNTIME:%=$(TOGGLES_DIR)/obj/%) $(LIBANALYSIS) $(LIBMPB) $(PKG_LDLIBS) -lpthread $(LDLIBS)

# The report's RTL toggle files (variables in analysis/module.mk): all three units in one
# run of the harness (each file written atomically).
$(RTL_TOGGLES_ALL) &: $(TOGGLES_BIN) $(TOGGLES_SITES) $(B)/cosim/default/tables/.stamp
	@mkdir -p $(RTL_TOGGLES_DIR)
	$(TOGGLES_BIN) --config $(B)/cosim/default/config.cfg $(COSIM_GEO_DEFAULT) \
	  -n $(RTL_TOGGLES_N) --seed $(RTL_TOGGLES_SEED) --sites $(TOGGLES_SITES) --out $(RTL_TOGGLES_DIR)
