# sim/systemc/: SystemC top (Verilated RTL with --sc beside the C model as an sc_module,
# with a scoreboard) and the TLM-2.0 target wrapper of the C model; one test binary,
# $(B)/systemc/sc_test, built for the default co-simulation configuration (its tables
# and resolved configuration come from $(B)/cosim/default).
export SYSTEMC_INCLUDE ?= /usr/include
export SYSTEMC_LIBDIR ?= /usr/lib/x86_64-linux-gnu
SC_DIR := $(B)/systemc
SC_SRCS := sim/systemc/sc_main.cpp sim/systemc/sc_cmodel.cpp sim/systemc/sc_tlm_target.cpp
SC_OBJS := $(SC_SRCS:sim/systemc/%.cpp=$(SC_DIR)/%.o) $(SC_DIR)/stimulus.o

$(SC_DIR)/obj/Vmpb_top__ALL.a: $(RTL_SRCS) rtl/lint.vlt rtl/cfg2vparams.sh $(B)/cosim/default/tables/.stamp
	rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(VERILATOR) --sc --build -j 1 -O3 -Wall --top-module mpb_top -MAKEFLAGS "OPT_FAST=$(VLT_OPT)" \
	  -Irtl rtl/lint.vlt rtl/mpb_top.v $$(rtl/cfg2vparams.sh $(B)/cosim/default/config.cfg) \
	  -GTABLE_DIR='"$(abspath $(B)/cosim/default/tables)"' \
	  $(if $(SANFLAGS),-CFLAGS "$(SANFLAGS) -fno-sanitize=alignment") --Mdir $(dir $@) > $(dir $@)verilator.log 2>&1 \
	  || { tail -30 $(dir $@)verilator.log; exit 1; }
$(SC_DIR)/obj/libverilated.a: $(SC_DIR)/obj/Vmpb_top__ALL.a sim/cosim/vlt_runtime.mk
	rm -f $(dir $@)verilated*.o $@
	$(MAKE) --no-print-directory -C $(dir $@) -f Vmpb_top.mk -f $(CURDIR)/sim/cosim/vlt_runtime.mk \
	  OPT_FAST=$(VLT_OPT) VM_USER_CFLAGS= vlt_runtime >> $(dir $@)verilator.log 2>&1

$(SC_DIR)/%.o: sim/systemc/%.cpp $(wildcard sim/systemc/*.h) $(COSIM_HDRS) cmodel/mpb.h \
    $(SC_DIR)/obj/Vmpb_top__ALL.a $(B)/cosim/default/cosim_config.h
	$(CXX) $(COSIM_CXXFLAGS) -I$(SC_DIR)/obj -I$(B)/cosim/default -c $< -o $@
$(SC_DIR)/stimulus.o: sim/cosim/stimulus.cpp $(COSIM_HDRS) cmodel/mpb.h
	@mkdir -p $(dir $@)
	$(CXX) $(COSIM_CXXFLAGS) -c $< -o $@
$(SC_DIR)/sc_test: $(SC_OBJS) $(SC_DIR)/obj/libverilated.a $(LIBMPB)
	$(CXX) $(LDFLAGS) -o $@ $(SC_OBJS) $(SC_DIR)/obj/Vmpb_top__ALL.a $(SC_DIR)/obj/libverilated.a \
	  $(LIBMPB) -L$(SYSTEMC_LIBDIR) -lsystemc $(PKG_LDLIBS) -lpthread $(LDLIBS)

TEST_DEPS += $(SC_DIR)/sc_test
