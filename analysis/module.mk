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
