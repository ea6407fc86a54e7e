# cmodel/: the golden model library libmpb (C11; depends on libconfig for config files):
# the static library $(B)/libmpb.a that the project links, and for others the shared
# library $(B)/libmpb.so.<version> (position-independent objects of their own, in
# $(B)/cmodel/pic/, so the static library and the sanitizer tree are unaffected), the
# pkg-config file and `make install` (docs/install.md).
# Per-file flags: CMODEL_CFLAGS_<name> applies to cmodel/<name>.c in both builds, e.g.
#   CMODEL_CFLAGS_batch_avx2 := -mavx2
CMODEL_SRCS := $(wildcard cmodel/*.c)
CMODEL_OBJS := $(CMODEL_SRCS:%.c=$(B)/%.o)
CMODEL_PIC_OBJS := $(CMODEL_SRCS:cmodel/%.c=$(B)/cmodel/pic/%.o)
LIBMPB := $(B)/libmpb.a

$(B)/cmodel/%.o: cmodel/%.c cmodel/*.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CMODEL_CFLAGS_$*) $(PKG_CFLAGS) -c $< -o $@

$(LIBMPB): $(CMODEL_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

ALL_TARGETS += $(LIBMPB)

# SIMD kernels: only these files get instruction-set flags (CMODEL_CFLAGS_<name>, in both
# the static and the PIC build); libmpb calls into them only after cpuid
# (mpb_isa_supported) says the CPU has the instructions, so the library runs on any x86-64
# (and the scalar path everywhere).
AVX2_FLAGS := -mavx2
AVX512_FLAGS := -mavx2 -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni
CMODEL_CFLAGS_batch_avx2 := $(AVX2_FLAGS)
CMODEL_CFLAGS_gemm_avx2 := $(AVX2_FLAGS)
CMODEL_CFLAGS_batch_avx512 := $(AVX512_FLAGS)
CMODEL_CFLAGS_gemm_avx512 := $(AVX512_FLAGS)

# ---- the shared library, pkg-config file and `make install` --------------------------
# The version has one source: MPB_VERSION in cmodel/mpb.h. The soname carries the major
# number (libmpb.so.0 for 0.x.y); the file is libmpb.so.<version>.
MPB_VERSION := $(shell sed -n 's/^\#define MPB_VERSION "\(.*\)"/\1/p' cmodel/mpb.h)
MPB_SOVERSION := $(firstword $(subst ., ,$(MPB_VERSION)))
LIBMPB_SO := $(B)/libmpb.so.$(MPB_VERSION)
LIBMPB_SONAME := libmpb.so.$(MPB_SOVERSION)
MPB_PC := $(B)/mpb.pc
# What libmpb needs at link time beside itself (Requires.private / Libs.private).
MPB_PC_REQUIRES := libconfig
MPB_PC_LIBS := -lm

$(B)/cmodel/pic/%.o: cmodel/%.c cmodel/*.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CMODEL_CFLAGS_$*) -fPIC $(PKG_CFLAGS) -c $< -o $@

$(LIBMPB_SO): $(CMODEL_PIC_OBJS)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(LIBMPB_SONAME) -o $@ $^ \
	  $(shell pkg-config --libs $(MPB_PC_REQUIRES) 2>/dev/null) $(MPB_PC_LIBS)

# prefix etc. are filled in by `make install` (sed on @PREFIX@)
$(MPB_PC): cmodel/module.mk cmodel/mpb.h
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=@PREFIX@' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: mpb' 'Description: bit-exact model of the mixed-precision bridge datapath (RoPE, exp, dot)' \
	  'Version: $(MPB_VERSION)' 'Requires.private: $(MPB_PC_REQUIRES)' \
	  'Libs: -L$${libdir} -lmpb' 'Libs.private: $(MPB_PC_LIBS)' \
	  'Cflags: -I$${includedir}' > $@.tmp && mv $@.tmp $@

ifeq ($(SAN),0)
ALL_TARGETS += $(LIBMPB_SO) $(MPB_PC)
endif

# make install [PREFIX=/usr/local] [DESTDIR=]: lib/libmpb.a, lib/libmpb.so.<version> with
# the soname and development links, include/mpb.h, lib/pkgconfig/mpb.pc. Plain build only.
PREFIX ?= /usr/local
.PHONY: install
install: $(LIBMPB) $(LIBMPB_SO) $(MPB_PC)
	@if [ "$(SAN)" != 0 ]; then echo "make install: the plain build only (SAN=0)" >&2; exit 2; fi
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 644 $(LIBMPB) $(DESTDIR)$(PREFIX)/lib/libmpb.a
	install -m 755 $(LIBMPB_SO) $(DESTDIR)$(PREFIX)/lib/$(notdir $(LIBMPB_SO))
	ln -sf $(notdir $(LIBMPB_SO)) $(DESTDIR)$(PREFIX)/lib/$(LIBMPB_SONAME)
	ln -sf $(LIBMPB_SONAME) $(DESTDIR)$(PREFIX)/lib/libmpb.so
	install -m 644 cmodel/mpb.h $(DESTDIR)$(PREFIX)/include/mpb.h
	sed 's|@PREFIX@|$(PREFIX)|' $(MPB_PC) > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mpb.pc
	@echo "installed libmpb $(MPB_VERSION) under $(DESTDIR)$(PREFIX)"

# `make test` (plain tree): install into a scratch prefix, build a small program against it
# with `pkg-config --cflags --libs mpb`, run it linked both ways (tools/install-test.sh).
ifeq ($(SAN),0)
$(TEST_RES)/install.res: $(LIBMPB) $(LIBMPB_SO) $(MPB_PC) tools/install-test.sh FORCE
	@tools/run-check.sh $@ "make install + pkg-config (shared and static)" \
	  tools/install-test.sh $(B)/install-test
TEST_RESULTS += $(TEST_RES)/install.res
endif
