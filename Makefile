# SPDX-License-Identifier: GPL-2.0
#
# vprime: out-of-tree kernel modules (cenalloc, vprime), userspace library
# and tools, IGT-style tests, and the QEMU runner that tests them on
# Debian's Linux 6.1.
#
#   make            modules, userspace and tests
#   make check      install what is missing, build, run every test (host + VM)
#   make demo       the demo in the VM
#   make clean
#
# KDIR defaults to the running kernel's headers when they exist, else to the
# newest Debian 6.1 amd64 headers (scripts/common.sh: vprime_kdir).

KDIR ?= $(shell bash -c '. scripts/common.sh && vprime_kdir')
BUILD := $(CURDIR)/build

CC ?= cc
DRM_CFLAGS := $(shell pkg-config --cflags libdrm 2>/dev/null)
DRM_LIBS := $(shell pkg-config --libs libdrm 2>/dev/null)
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 \
	-Wno-clobbered \
	-Iinclude/uapi -Iigt-tests/lib -Iuserspace/lib $(DRM_CFLAGS)

IGT_LIB_SRC := $(wildcard igt-tests/lib/*.c)
IGT_LIB_HDR := $(wildcard igt-tests/lib/*.h)
IGT_COMMON_SRC := $(wildcard igt-tests/common/*.c)
IGT_COMMON_HDR := $(wildcard igt-tests/common/*.h)
IGT_TESTS := $(patsubst igt-tests/%.c,$(BUILD)/igt/%,$(wildcard igt-tests/*.c))
HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(wildcard tests/host/*.c))
UAPI_HDR := $(wildcard include/uapi/*/*.h)

.PHONY: all modules userspace tests clean check demo bench help
all: modules tests

help:
	@sed -n '3,13s/^# \{0,1\}//p' Makefile

modules:
	@test -n "$(KDIR)" || { echo "no kernel headers: run scripts/setup-deps build" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tests: $(IGT_TESTS) $(HOST_TESTS)

$(BUILD)/igt/%: igt-tests/%.c $(IGT_LIB_SRC) $(IGT_LIB_HDR) $(IGT_COMMON_SRC) $(IGT_COMMON_HDR) $(UAPI_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Iigt-tests/common -o $@ $< $(IGT_LIB_SRC) $(IGT_COMMON_SRC) $(DRM_LIBS)

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

# Not "make -C $(KDIR) M=$(CURDIR) clean": kbuild would delete every *.ko
# under build/, including the guest kernel's modules.
MODULE_DIRS := drivers/dma-buf/cenalloc drivers/gpu/drm/vprime
clean:
	find $(MODULE_DIRS) -type f \( -name '*.[aios]' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' \
		-o -name '.*.d' -o -name 'modules.order' \) -delete
	rm -f Module.symvers modules.order .modules.order.cmd .Module.symvers.cmd
	rm -rf $(BUILD)/igt $(BUILD)/host $(BUILD)/check $(BUILD)/vm
