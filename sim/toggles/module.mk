# sim/toggles/: per-block toggle counts of the Verilated RTL on the energy model's
# reference stimulus (docs/report-schema.md "RTL toggles"), for the report's RTL activity
# cross-check. The signals that form each block's buses are listed once, in
# sim/toggles/sites.tsv; from it a Verilator configuration file marks exactly those
# signals public_flat_rd, and the harness binds them through Verilator's scope table and
# counts popcount(previous ^ current) per clock edge (toggle_counter.cpp).
# One build per co-simulation configuration in RTL_TOGGLES_CONFIGS (analysis/module.mk),
# from its resolved configuration and tables ($(B)/cosim/<name>/, sim/cosim/module.mk),
# with the co-simulation's Verilator flags minus FST tracing: no trace code and only the
# table's signals public, so a build takes seconds.
TOGGLES_DIR := $(B)/toggles
TOGGLES_SITES := sim/toggles/sites.tsv
TOGGLES_SRCS := $(wildcard sim/toggles/*.cpp)
TOGGLES_HDRS := $(wildcard sim/toggles/*.h)
TOGGLES_VFLAGS = $(filter-out --trace-fst,$(COSIM_VFLAGS)) --vpi
TOGGLES_RUNTIME := verilated.o verilated_dpi.o verilated_vpi.o verilated_threads.o
TOGGLES_CXXFLAGS = -std=c++17 $(OPT) -g $(WARN) $(SANFLAGS) -Icmodel -Ianalysis -Isim/toggles \
  -isystem $(VERILATOR_ROOT_INC) -isystem $(VERILATOR_ROOT_INC)/vltstd

# public_flat_rd for every (module, signal) of the site table
$(TOGGLES_DIR)/sites.vlt: $(TOGGLES_SITES) sim/toggles/module.mk
	@mkdir -p $(dir $@)
	{ echo '`verilator_config'; awk '!/^#/ && NF >= 6 { n = split($$6, v, ","); \
	  for (i = 1; i <= n; i++) printf "public_flat_rd -module \"%s\" -var \"%s\"\n", $$4, v[i] }' \
	  $< | sort -u; } > $@.tmp && mv $@.tmp $@

# toggles_build(name): $(TOGGLES_DIR)/<name>/toggles for the co-simulation configuration
# <name>, and its three JSON files $(RTL_TOGGLES_DIR)/<name>/{rope,exp,dot}.json.
define toggles_build
$(TOGGLES_DIR)/$(1)/obj/Vmpb_top__ALL.a: $(RTL_SRCS) rtl/lint.vlt rtl/cfg2vparams.sh \
    $(B)/cosim/$(1)/tables/.stamp $(TOGGLES_DIR)/sites.vlt
	rm -rf $$(dir $$@) && mkdir -p $$(dir $$@)
	$(VERILATOR) $$(TOGGLES_VFLAGS) -Irtl rtl/lint.vlt $(TOGGLES_DIR)/sites.vlt rtl/mpb_top.v \
	  $$$$(rtl/cfg2vparams.sh $(B)/cosim/$(1)/config.cfg) \
	  -GTABLE_DIR='"$$(abspath $(B)/cosim/$(1)/tables)"' --Mdir $$(dir $$@) \
	  > $$(dir $$@)verilator.log 2>&1 || { tail -30 $$(dir $$@)verilator.log; exit 1; }
# Verilator's runtime objects, by its own makefile rules (no sanitizers: not our code)
$(TOGGLES_DIR)/$(1)/obj/verilated.o: $(TOGGLES_DIR)/$(1)/obj/Vmpb_top__ALL.a
	$(MAKE) --no-print-directory -C $$(dir $$@) -f Vmpb_top.mk $(TOGGLES_RUNTIME) \
	  >> $$(dir $$@)verilator.log 2>&1 || { tail -30 $$(dir $$@)verilator.log; exit 1; }
$(TOGGLES_DIR)/$(1)/%.o: sim/toggles/%.cpp $(TOGGLES_HDRS) cmodel/mpb.h analysis/energy.h \
    $(TOGGLES_DIR)/$(1)/obj/Vmpb_top__ALL.a
	$(CXX) $$(TOGGLES_CXXFLAGS) -I$(TOGGLES_DIR)/$(1)/obj -c $$< -o $$@
$(TOGGLES_DIR)/$(1)/toggles: $(TOGGLES_SRCS:sim/toggles/%.cpp=$(TOGGLES_DIR)/$(1)/%.o) \
    $(TOGGLES_DIR)/$(1)/obj/verilated.o $(LIBANALYSIS) $(LIBMPB)
	$(CXX) $(LDFLAGS) -o $$@ $(TOGGLES_SRCS:sim/toggles/%.cpp=$(TOGGLES_DIR)/$(1)/%.o) \
	  $(TOGGLES_DIR)/$(1)/obj/Vmpb_top__ALL.a $(TOGGLES_RUNTIME:%=$(TOGGLES_DIR)/$(1)/obj/%) \
	  $(LIBANALYSIS) $(LIBMPB) $(PKG_LDLIBS) -lpthread $(LDLIBS)
# all three units in one run (each file written atomically)
$(RTL_TOGGLES_DIR)/$(1)/rope.json $(RTL_TOGGLES_DIR)/$(1)/exp.json $(RTL_TOGGLES_DIR)/$(1)/dot.json &: \
    $(TOGGLES_DIR)/$(1)/toggles $(TOGGLES_SITES)
	@mkdir -p $(RTL_TOGGLES_DIR)/$(1)
	$(TOGGLES_DIR)/$(1)/toggles --config $(B)/cosim/$(1)/config.cfg \
	  $$(or $$(COSIM_GEO_$(1)),$$(COSIM_GEO_DEFAULT)) -n $(RTL_TOGGLES_N) \
	  --seed $(RTL_TOGGLES_SEED) --sites $(TOGGLES_SITES) --out $(RTL_TOGGLES_DIR)/$(1)
endef
$(foreach c,$(RTL_TOGGLES_CONFIGS),$(eval $(call toggles_build,$(c))))
