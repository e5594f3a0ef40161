# SPDX-License-Identifier: GPL-2.0
#
# vprime: out-of-tree kernel modules (cenalloc, vprime), userspace library
# and tools, IGT-style tests, and the QEMU runner that tests them on
# Debian's Linux 6.1.
#
#   make            modules, userspace and tests
#   make check      install what is missing, build, run every test (host + VM)
#   make demo       the demo in the VM
#   make bench      vprime and cenalloc against vgem, same VM run (out/bench)
#   make fuzz       the fuzzer in the VM (SECONDS=600 SEED= FAULTS=1 KASAN=1 KVER=6.12)
#   make install    libvprime, its headers and pkg-config file, the tools
#                   (PREFIX=/usr/local, LIBDIR=PREFIX/lib, DESTDIR)
#   make dkms-install   module sources to /usr/src/vprime-VERSION, then
#                   dkms builds and installs them (DKMS_KVER=, DKMS_ARGS=)
#   make dkms-remove    dkms removes them, and the sources go
#   make deb        Debian packages in out/deb (dpkg-buildpackage)
#   make clean
#
# KDIR defaults to the running kernel's headers when they exist, else to the
# newest Debian 6.1 amd64 headers (scripts/common.sh: vprime_kdir).

KDIR ?= $(shell bash -c '. scripts/common.sh && vprime_kdir')
BUILD := $(CURDIR)/build
# The project's version: libvprime.pc, dkms.conf and debian/changelog carry
# it too (scripts/check-packages checks that they agree).
VERSION := 1.1.0

CC ?= cc
DRM_CFLAGS := $(shell pkg-config --cflags libdrm 2>/dev/null)
DRM_LIBS := $(shell pkg-config --libs libdrm 2>/dev/null)
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 \
	-Wno-clobbered \
	-Iinclude/uapi -Iigt-tests/lib -Iuserspace/lib $(DRM_CFLAGS) \
	$(CPPFLAGS) $(CFLAGS)

IGT_LIB_SRC := $(wildcard igt-tests/lib/*.c)
IGT_LIB_HDR := $(wildcard igt-tests/lib/*.h)
IGT_COMMON_SRC := $(wildcard igt-tests/common/*.c)
IGT_COMMON_HDR := $(wildcard igt-tests/common/*.h)
IGT_TESTS := $(patsubst igt-tests/%.c,$(BUILD)/igt/%,$(wildcard igt-tests/*.c))
HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(wildcard tests/host/*.c))
# Helpers that let real clients run in the guest (scripts/kms-clients).
CLIENT_HELPERS := $(patsubst tests/clients/%.c,$(BUILD)/clients/%,$(wildcard tests/clients/*.c))
UAPI_HDR := $(wildcard include/uapi/*/*.h)
PNG_CFLAGS := $(shell pkg-config --cflags libpng 2>/dev/null)
PNG_LIBS := $(shell pkg-config --libs libpng 2>/dev/null)

# userspace/lib: libvprime, static and shared.
LIB_SRC := $(wildcard userspace/lib/*.c)
LIB_HDR := userspace/lib/vprime.h
LIB_PRIV_HDR := userspace/lib/internal.h
LIB_A := $(BUILD)/lib/libvprime.a
LIB_SO := $(BUILD)/lib/libvprime.so.1
TOOLS := $(patsubst userspace/tools/%.c,$(BUILD)/tools/%,$(wildcard userspace/tools/*.c))
DEMO_SRC := $(wildcard userspace/demo/*.c)
DEMO_HDR := $(wildcard userspace/demo/*.h)
DEMO := $(BUILD)/demo/vprime-demo
BENCH_SRC := $(wildcard userspace/bench/*.c)
BENCH := $(BUILD)/bench/vprime-bench
FUZZ := $(BUILD)/fuzz/vprime-fuzz
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib

.PHONY: all modules userspace tests fuzz clean check demo bench help install \
	dkms-source dkms-install dkms-remove deb
all: modules userspace tests

userspace: $(LIB_A) $(LIB_SO) $(TOOLS) $(DEMO) $(BENCH)

$(BUILD)/lib/%.o: userspace/lib/%.c $(LIB_HDR) $(LIB_PRIV_HDR) $(UAPI_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -fPIC -fvisibility=default -c -o $@ $<

$(LIB_A): $(patsubst userspace/lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRC))
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(patsubst userspace/lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRC))
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libvprime.so.1 -o $@ $^ $(DRM_LIBS)

$(BUILD)/tools/%: userspace/tools/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(DRM_LIBS)

$(DEMO): $(DEMO_SRC) $(DEMO_HDR) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(PNG_CFLAGS) $(LDFLAGS) -o $@ $(DEMO_SRC) $(LIB_A) \
		$(DRM_LIBS) $(PNG_LIBS)

$(BENCH): $(BENCH_SRC) userspace/bench/bench.h $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -o $@ $(BENCH_SRC) $(LIB_A) $(DRM_LIBS) -lm

install: $(LIB_A) $(LIB_SO) $(TOOLS)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/include/vprime/drm \
		$(DESTDIR)$(PREFIX)/include/vprime/linux
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libvprime.so.1 $(DESTDIR)$(LIBDIR)/libvprime.so
	install -m 644 $(LIB_HDR) $(DESTDIR)$(PREFIX)/include/vprime/
	install -m 644 include/uapi/drm/vprime_drm.h $(DESTDIR)$(PREFIX)/include/vprime/drm/
	install -m 644 include/uapi/linux/cenalloc.h $(DESTDIR)$(PREFIX)/include/vprime/linux/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
		-e 's|@VERSION@|$(VERSION)|' userspace/lib/libvprime.pc.in \
		>$(DESTDIR)$(LIBDIR)/pkgconfig/libvprime.pc
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/

# DKMS (dkms.conf): what kbuild reads, under DKMS_SRC/vprime-VERSION; dkms
# copies it to its own build directory.  dkms-install builds and installs
# for DKMS_KVER (default: the running kernel); DKMS_ARGS passes more dkms
# options (scripts/check-packages: scratch trees, another kernel tree).
DKMS_SRC ?= /usr/src
DKMS_KVER ?=
DKMS_ARGS ?=
DKMS_DIR = $(DESTDIR)$(DKMS_SRC)/vprime-$(VERSION)
DKMS_FILES = dkms.conf Kbuild $(sort $(shell find drivers include \
	\( -name '*.[ch]' -o -name Kbuild \) ! -name '*.mod.c'))

dkms-source:
	rm -rf $(DKMS_DIR)
	install -d $(DKMS_DIR)
	cp --parents $(DKMS_FILES) $(DKMS_DIR)/

dkms-install: dkms-source
	dkms install -m vprime -v $(VERSION) --sourcetree $(DKMS_SRC) \
		$(if $(DKMS_KVER),-k $(DKMS_KVER)) $(DKMS_ARGS)

dkms-remove:
	dkms remove -m vprime -v $(VERSION) \
		$(if $(DKMS_KVER),-k $(DKMS_KVER),--all) $(DKMS_ARGS)
	rm -rf $(DKMS_DIR)

# Debian packages (debian/): vprime-dkms, libvprime1, libvprime-dev,
# vprime-tools, built from a copy of the tracked files, into out/deb.
deb:
	scripts/build-deb

help:
	@sed -n '3,18s/^# \{0,1\}//p' Makefile

modules:
	@test -n "$(KDIR)" || { echo "no kernel headers: run scripts/setup-deps build" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tests: $(IGT_TESTS) $(HOST_TESTS) $(FUZZ) $(CLIENT_HELPERS)

# Tests of the userspace library link it; dmabuf_inspect runs the tool.
IGT_EXTRA_libvprime := $(LIB_A)
IGT_EXTRA_egl_dmabuf_import := -lEGL -lGLESv2 -lgbm
$(BUILD)/igt/libvprime: $(LIB_A)
$(BUILD)/igt/dmabuf_inspect: $(TOOLS)

$(BUILD)/igt/%: igt-tests/%.c $(IGT_LIB_SRC) $(IGT_LIB_HDR) $(IGT_COMMON_SRC) $(IGT_COMMON_HDR) $(UAPI_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Iigt-tests/common -o $@ $< $(IGT_LIB_SRC) $(IGT_COMMON_SRC) \
		$(IGT_EXTRA_$(*F)) $(DRM_LIBS)

# The seeded random-syscall fuzzer of vprime, cenalloc and dma-buf (run in a
# guest): make fuzz SECONDS=600 [SEED= THREADS= FAULTS=1 KASAN=1 KVER=6.12].
fuzz:
	SECONDS_TO_RUN=$(SECONDS) scripts/fuzz

$(FUZZ): tests/fuzz/vprime-fuzz.c $(UAPI_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< $(DRM_LIBS) -lpthread

$(BUILD)/clients/%: tests/clients/%.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $<

# Host unit tests build the kernel's pure-logic files with them.
HOST_EXTRA_test_constraints := drivers/dma-buf/cenalloc/cenalloc_constraints.c
$(BUILD)/host/test_constraints: $(HOST_EXTRA_test_constraints) include/linux/cenalloc_constraints.h

$(BUILD)/host/%: tests/host/%.c $(IGT_LIB_SRC) $(IGT_LIB_HDR) $(UAPI_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -fsanitize=address,undefined -Iinclude -o $@ $< \
		$(IGT_LIB_SRC) $(HOST_EXTRA_$(*F))

check:
	scripts/check

demo:
	scripts/demo

bench:
	scripts/bench

# Not "make -C $(KDIR) M=$(CURDIR) clean": kbuild would delete every *.ko
# under build/, including the guest kernel's modules.
MODULE_DIRS := drivers/dma-buf/cenalloc drivers/gpu/drm/vprime
clean:
	find $(MODULE_DIRS) -type f \( -name '*.[aios]' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' \
		-o -name '.*.d' -o -name 'modules.order' \) -delete
	rm -f Module.symvers modules.order .modules.order.cmd .Module.symvers.cmd
	rm -rf $(BUILD)/igt $(BUILD)/host $(BUILD)/check $(BUILD)/vm \
		$(BUILD)/lib $(BUILD)/tools $(BUILD)/demo $(BUILD)/bench \
		$(BUILD)/fuzz
