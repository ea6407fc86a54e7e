# sim/: the mpbsim CLI driver (C). Verilator/SystemC harnesses add their own rules below
# or in sim/cosim/module.mk.
SIM_SRCS := sim/mpbsim.c $(wildcard sim/cli*.c sim/cmd_*.c)
SIM_OBJS := $(SIM_SRCS:%.c=$(B)/%.o)
MPBSIM := $(B)/mpbsim

$(B)/sim/%.o: sim/%.c sim/*.h cmodel/*.h $(wildcard lm/*.h traces/*.h analysis/*.h) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# Library order: analysis and traces use libmpb.
$(MPBSIM): $(SIM_OBJS) $(LIBANALYSIS) $(LIBTRACES) $(LIBLM) $(LIBMPB)
	$(CC) $(LDFLAGS) -o $@ $(SIM_OBJS) $(LIBANALYSIS) $(LIBTRACES) $(LIBLM) $(LIBMPB) $(PKG_LDLIBS) $(LDLIBS)

ALL_TARGETS += $(MPBSIM)
-include $(wildcard sim/*/module.mk)

# `make run`, first step: the precision table of the default and patent-literal designs
# against the framework baselines, for both geometries, positions 0..131071, every pair.
GOAL_2_15 := 3.0517578125e-05
.PHONY: run-rope
run-rope: $(MPBSIM)
	@mkdir -p out
	$(MPBSIM) rope --preset default --preset patent --geometry llama3 --goal $(GOAL_2_15) \
	  --csv out/rope-llama3.csv --json out/rope-llama3.json
	$(MPBSIM) rope --preset default --preset patent --geometry smollm2 --goal $(GOAL_2_15) \
	  --csv out/rope-smollm2.csv --json out/rope-smollm2.json
RUN_TARGETS := run-rope $(RUN_TARGETS)
