# vlt_runtime.mk — extra target for a Verilator-generated makefile: build only the
# runtime objects (verilated.o, verilated_fst_c.o, ...) the model needs, and archive them
# as libverilated.a. The caller passes VM_USER_CFLAGS= so that the runtime is built without
# the sanitizer flags given to the model (the vendored FST writer trips UBSan). Used as: make -C OBJDIR -f Vmpb_top.mk -f vlt_runtime.mk vlt_runtime
.PHONY: vlt_runtime
vlt_runtime: libverilated.a
libverilated.a: $(VK_GLOBAL_OBJS)
	$(AR) -rcs $@ $^
