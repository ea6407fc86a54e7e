# cmodel/: the golden model library libmpb.a (C11; depends on libconfig for config files).
CMODEL_SRCS := $(wildcard cmodel/*.c)
CMODEL_OBJS := $(CMODEL_SRCS:%.c=$(B)/%.o)
LIBMPB := $(B)/libmpb.a

$(B)/cmodel/%.o: cmodel/%.c cmodel/*.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(LIBMPB): $(CMODEL_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

ALL_TARGETS += $(LIBMPB)
