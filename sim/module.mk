# sim/: the mpbsim CLI driver (C). Verilator/SystemC harnesses add their own rules below
# or in sim/cosim/module.mk.
SIM_SRCS := sim/mpbsim.c $(wildcard sim/cli*.c sim/cmd_*.c)
SIM_OBJS := $(SIM_SRCS:%.c=$(B)/%.o)
MPBSIM := $(B)/mpbsim

$(B)/sim/%.o: sim/%.c sim/*.h cmodel/*.h $(wildcard traces/*.h analysis/*.h) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# Library order: analysis and traces use libmpb.
$(MPBSIM): $(SIM_OBJS) $(LIBANALYSIS) $(LIBTRACES) $(LIBMPB)
	$(CC) $(LDFLAGS) -o $@ $(SIM_OBJS) $(LIBANALYSIS) $(LIBTRACES) $(LIBMPB) $(PKG_LDLIBS) $(LDLIBS)

ALL_TARGETS += $(MPBSIM)
-include $(wildcard sim/*/module.mk)
