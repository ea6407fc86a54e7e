# traces/: libtraces.a, linked into mpbsim and the tests. Sources: traces/*.c except fuzz_*.c.
TRACES_SRCS := $(filter-out traces/fuzz_%.c,$(wildcard traces/*.c))
TRACES_OBJS := $(TRACES_SRCS:%.c=$(B)/%.o)
LIBTRACES := $(B)/libtraces.a

$(B)/traces/%.o: traces/%.c $(wildcard traces/*.h) cmodel/*.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(LIBTRACES): $(TRACES_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

ALL_TARGETS += $(LIBTRACES)
-include traces/models.mk
