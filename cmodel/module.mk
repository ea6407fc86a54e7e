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

# SIMD kernels: only these files get instruction-set flags; libmpb calls into them only
# after cpuid (mpb_isa_supported) says the CPU has the instructions, so the library runs
# on any x86-64 (and the scalar path everywhere).
AVX2_FLAGS := -mavx2
AVX512_FLAGS := -mavx2 -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni
$(B)/cmodel/batch_avx2.o $(B)/cmodel/gemm_avx2.o: CFLAGS += $(AVX2_FLAGS)
$(B)/cmodel/batch_avx512.o $(B)/cmodel/gemm_avx512.o: CFLAGS += $(AVX512_FLAGS)
