# vfioctl / libvfiox
#
#   make            build the library, the CLI and the pkg-config file into $(BUILD)
#   make check      every test layer: unit (+ASan/UBSan, valgrind), fuzz, docs, VM
#   make demo       boot the emulated VFIO host and run vfioctl there
#   make install    PREFIX=/usr/local DESTDIR=

VERSION   := 0.1.0
SOVERSION := 0
BUILD     ?= build
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

CC      ?= cc
CLANG   ?= clang
PKGS    := libpci libudev libnl-3.0 libnl-route-3.0
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude -DVFIOX_VERSION='"$(VERSION)"' \
	     $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDFLAGS ?=

LIB_SRCS := $(sort $(wildcard libvfiox/*.c))
CLI_SRCS := $(sort $(wildcard vfioctl/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
HEADERS  := $(wildcard include/vfiox/*.h)

SONAME   := libvfiox.so.$(SOVERSION)
LIB_SO   := $(BUILD)/libvfiox.so.$(VERSION)
LIB_A    := $(BUILD)/libvfiox.a
VFIOCTL  := $(BUILD)/vfioctl
LIBVFIOX_SO := $(BUILD)/$(SONAME)

.PHONY: all check check-unit check-asan check-valgrind check-fuzz check-docs check-headers \
	check-host check-vm bench demo deps install uninstall clean

all: $(LIB_SO) $(LIB_A) $(VFIOCTL) $(BUILD)/libvfiox.pc

$(BUILD)/obj/%.o: %.c $(HEADERS) $(wildcard libvfiox/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -MMD -c $< -o $@

$(LIB_SO): $(LIB_OBJS) libvfiox/libvfiox.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=libvfiox/libvfiox.map \
		-Wl,-z,defs -Wl,--as-needed $(LDFLAGS) -o $@ $(LIB_OBJS) $(PKG_LIBS)
	ln -sf libvfiox.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libvfiox.so

$(LIB_A): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(VFIOCTL): $(CLI_OBJS) $(LIB_SO)
	$(CC) $(LDFLAGS) -Wl,--as-needed -o $@ $(CLI_OBJS) -L$(BUILD) -lvfiox \
		-Wl,-rpath,'$$ORIGIN'

$(BUILD)/libvfiox.pc: libvfiox/libvfiox.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|; s|@VERSION@|$(VERSION)|' $< > $@

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

# ---------------------------------------------------------------- dependencies
# Debian packages for building, testing and the VM; `make deps` installs what is missing.
DEB_BUILD := build-essential pkg-config libpci-dev libudev-dev libnl-3-dev libnl-route-3-dev \
	     pciutils pci.ids
DEB_TEST  := libcmocka-dev clang libclang-rt-14-dev valgrind jq groff-base man-db bash-completion zsh fish \
	     hyperfine python3-jsonschema podman meson ninja-build libjson-c-dev
DEB_VM    := qemu-system-x86 busybox-static cpio xz-utils kmod gzip
DEB_ALL   := $(DEB_BUILD) $(DEB_TEST) $(DEB_VM)

deps:
	@missing=$$(for p in $(DEB_ALL); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	echo "deps: installing:" $$missing; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "deps: not root; run: sudo apt-get install $$missing" >&2; exit 1; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing

# ---------------------------------------------------------------- tests
UNIT_SRCS  := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
ASAN_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/asan/%)
FIXTURE    := tests/unit/fixture.c
TEST_HDRS  := tests/unit/fixture.h tests/unit/testutil.h tests/unit/fake-kernel.h tests/unit/igd-dumps.h
TEST_LIBS   = $(PKG_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null)
SAN_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# Tests that substitute kernel replies at libvfiox/sys.c name the functions they wrap.
WRAP_test-syscalls := -Wl,--wrap=vfiox_sys_openat -Wl,--wrap=vfiox_sys_getdents
WRAP_test-reset := -Wl,--wrap=vfiox_sys_ioctl -Wl,--wrap=vfiox_sys_close
WRAP_test-irq := -Wl,--wrap=vfiox_sys_ioctl -Wl,--wrap=vfiox_sys_close
WRAP_test-bar-access := -Wl,--wrap=vfiox_sys_ioctl -Wl,--wrap=vfiox_sys_close \
	-Wl,--wrap=vfiox_sys_pread -Wl,--wrap=vfiox_sys_pwrite -Wl,--wrap=vfiox_sys_mmap \
	-Wl,--wrap=vfiox_sys_munmap
WRAP_test-dma := -Wl,--wrap=vfiox_sys_ioctl -Wl,--wrap=vfiox_sys_close -Wl,--wrap=vfiox_sys_getrlimit
WRAP_test-iommufd := -Wl,--wrap=vfiox_sys_openat -Wl,--wrap=vfiox_sys_close -Wl,--wrap=vfiox_sys_ioctl \
	-Wl,--wrap=vfiox_sys_set_cloexec -Wl,--wrap=vfiox_sys_getrlimit -Wl,--wrap=vfiox_sys_mmap \
	-Wl,--wrap=vfiox_sys_munmap
WRAP_test-vfio := -Wl,--wrap=vfiox_sys_openat -Wl,--wrap=vfiox_sys_close -Wl,--wrap=vfiox_sys_ioctl -Wl,--wrap=vfiox_sys_set_cloexec
WRAP_test-igd-vfio := -Wl,--wrap=vfiox_sys_openat -Wl,--wrap=vfiox_sys_close -Wl,--wrap=vfiox_sys_ioctl -Wl,--wrap=vfiox_sys_set_cloexec -Wl,--wrap=vfiox_sys_pread -Wl,--wrap=vfiox_sys_pwrite
WRAP_test-bind := -Wl,--wrap=vfiox_sys_openat -Wl,--wrap=vfiox_sys_write -Wl,--wrap=vfiox_sys_close
WRAP_test-physmap := -Wl,--wrap=vfiox_sys_openat -Wl,--wrap=vfiox_sys_close -Wl,--wrap=vfiox_sys_ioctl \
	-Wl,--wrap=vfiox_sys_getrlimit -Wl,--wrap=vfiox_sys_mmap -Wl,--wrap=vfiox_sys_munmap
# The rtnetlink answers about an interface (libvfiox/netdev.c), as one function.
WRAP_test-inuse := -Wl,--wrap=vfiox__netdev_facts -Wl,--wrap=vfiox_sys_openat
WRAP_test-check := -Wl,--wrap=vfiox_sys_getrlimit
WRAP_test-monitor := -Wl,--wrap=udev_monitor_receive_device -Wl,--wrap=udev_device_unref \
	-Wl,--wrap=udev_device_get_properties_list_entry -Wl,--wrap=udev_list_entry_get_next \
	-Wl,--wrap=udev_list_entry_get_name -Wl,--wrap=udev_list_entry_get_value
WRAP_test-handover := -Wl,--wrap=vfiox_sys_openat -Wl,--wrap=vfiox_sys_close \
	-Wl,--wrap=vfiox_sys_ioctl -Wl,--wrap=vfiox_sys_set_cloexec -Wl,--wrap=vfiox_sys_fstatat \
	-Wl,--wrap=vfiox_sys_readlinkat -Wl,--wrap=vfiox_sys_sendmsg -Wl,--wrap=vfiox_sys_recvmsg \
	-Wl,--wrap=vfiox_sys_poll -Wl,--wrap=vfiox_sys_getsockopt -Wl,--wrap=vfiox_sys_getpid \
	-Wl,--wrap=vfiox_sys_pidfd_open -Wl,--wrap=vfiox_sys_pidfd_getfd
WRAP_test-sriov := -Wl,--wrap=vfiox_sys_pwrite -Wl,--wrap=vfiox_sys_getrandom \
	-Wl,--wrap=vfiox_sys_ioctl -Wl,--wrap=vfiox_sys_close
WRAP_test-vfnet := -Wl,--wrap=vfiox_sys_netlink_transact
WRAP_test-igd-zero := -Wl,--wrap=vfiox_physmap_new -Wl,--wrap=vfiox_physmap_free -Wl,--wrap=vfiox_device_region -Wl,--wrap=vfiox_sys_pread -Wl,--wrap=vfiox_sys_pwrite -Wl,--wrap=vfiox_sys_ioctl -Wl,--wrap=vfiox_bar_open -Wl,--wrap=vfiox_bar_ptr -Wl,--wrap=vfiox_bar_close -Wl,--wrap=vfiox_device_config_read -Wl,--wrap=vfiox_device_config_write -Wl,--wrap=clock_gettime

# The CLI's pure files a test or fuzz target takes along (the CLI is not a library).
CLI_PURE_test-qmp-msg := vfioctl/qmp-msg.c
CLI_PURE_fuzz-qmp := vfioctl/qmp-msg.c
CLI_PURE_test-qmp := vfioctl/qmp.c vfioctl/qmp-msg.c
# The host test runs vfioctl qmp itself on a fake host (mkfixture) against the real QEMU.
$(BUILD)/tests/host/test-qmp: | $(VFIOCTL) $(BUILD)/tests/mkfixture

$(BUILD)/tests/unit/%: tests/unit/%.c $(FIXTURE) $(TEST_HDRS) $(LIB_A) $(wildcard vfioctl/qmp*)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -Ilibvfiox -Ivfioctl -o $@ $< $(CLI_PURE_$*) $(FIXTURE) \
		$(LIB_A) $(TEST_LIBS) $(WRAP_$*)

# The library once with the sanitizers, as an archive the ASan tests link like LIB_A.
ASAN_OBJS := $(LIB_SRCS:%.c=$(BUILD)/asan-obj/%.o)
ASAN_LIB  := $(BUILD)/asan/libvfiox-asan.a

$(BUILD)/asan-obj/%.o: %.c $(HEADERS) $(wildcard libvfiox/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(ASAN_LIB): $(ASAN_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/asan/%: tests/unit/%.c $(FIXTURE) $(TEST_HDRS) $(ASAN_LIB) $(wildcard vfioctl/qmp*)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests/unit -Ilibvfiox -Ivfioctl -o $@ $< $(CLI_PURE_$*) \
		$(FIXTURE) $(ASAN_LIB) $(TEST_LIBS) $(WRAP_$*)

$(BUILD)/tests/mkfixture: tests/unit/mkfixture.c $(FIXTURE) tests/unit/fixture.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(FIXTURE)

check-unit: all $(UNIT_BINS) $(BUILD)/tests/mkfixture
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done
	@for t in tests/unit/test-*.sh; do [ -e "$$t" ] || continue; echo "== $$t"; \
		BUILD=$(BUILD) bash $$t || exit 1; done

check-asan: $(ASAN_BINS)
	@set -e; for t in $(ASAN_BINS); do echo "== $$t (ASan/UBSan)"; \
		ASAN_OPTIONS=detect_leaks=1 $$t; done

check-valgrind: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t (valgrind)"; \
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			--child-silent-after-fork=yes $$t >/dev/null; done; echo "valgrind: clean"

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 15

# The library once with the fuzzer's instrumentation, as an archive every target links
# (compiling it into each of them took most of check-fuzz's time).
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -g -O1 -Iinclude -Ilibvfiox -Ivfioctl
FUZZ_OBJS := $(LIB_SRCS:%.c=$(BUILD)/fuzz-obj/%.o)
FUZZ_LIB  := $(BUILD)/fuzz-obj/libvfiox-fuzz.a

$(BUILD)/fuzz-obj/%.o: %.c $(HEADERS) $(wildcard libvfiox/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
		$(shell pkg-config --cflags $(PKGS)) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(HEADERS) $(wildcard vfioctl/qmp*)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		$(shell pkg-config --cflags $(PKGS)) -o $@ $< $(CLI_PURE_$*) $(FUZZ_LIB) $(PKG_LIBS)

check-fuzz: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do echo "== $$f ($(FUZZ_SECONDS) s)"; \
		mkdir -p $(BUILD)/fuzz/corpus-$$(basename $$f); \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 \
			$(BUILD)/fuzz/corpus-$$(basename $$f) tests/fuzz/seeds-$$(basename $$f) \
			2>$(BUILD)/fuzz/$$(basename $$f).log || \
			{ tail -40 $(BUILD)/fuzz/$$(basename $$f).log; exit 1; }; \
		grep -E '^#[0-9]+.*DONE' $(BUILD)/fuzz/$$(basename $$f).log | tail -1; done

# Host tests: the real thing where this machine has it (KVM irqfd on /dev/kvm); each
# skips with a printed reason where it is absent.
HOST_SRCS := $(sort $(wildcard tests/host/test-*.c))
HOST_BINS := $(HOST_SRCS:tests/host/%.c=$(BUILD)/tests/host/%)

$(BUILD)/tests/host/%: tests/host/%.c $(wildcard tests/host/*.h) $(LIB_A) $(HEADERS) \
		       $(wildcard vfioctl/qmp*)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ivfioctl -o $@ $< $(CLI_PURE_$*) $(LIB_A) $(PKG_LIBS)

# Programs the host scripts run (not tests themselves): the vfio-user probe of
# test-vfio-user-peer.sh, built by the rule above.
HOST_TOOLS := $(BUILD)/tests/host/vfiox-user-probe

check-host: all $(HOST_BINS) $(HOST_TOOLS)
	@set -e; for t in $(HOST_BINS); do echo "== $$t"; $$t; done
	@for t in tests/host/test-*.sh; do [ -e "$$t" ] || continue; echo "== $$t"; \
		BUILD=$(BUILD) bash $$t || exit 1; done

check-headers: $(HEADERS)
	@mkdir -p $(BUILD)/hdr
	@set -e; for h in $(HEADERS); do \
		n=$${h#include/}; \
		echo "#include <$$n>" > $(BUILD)/hdr/t.c; \
		$(CC) -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude -c $(BUILD)/hdr/t.c -o /dev/null; \
		cp $(BUILD)/hdr/t.c $(BUILD)/hdr/t.cc; \
		c++ -std=c++11 -Wall -Wextra -Werror -Iinclude -c $(BUILD)/hdr/t.cc -o /dev/null; \
	done; echo "headers: each compiles alone in C99 and C++11"

check-docs:
	@[ ! -e man/check-man.sh ] || bash man/check-man.sh
	@[ ! -e tests/completion/test-bash-completion.sh ] || bash tests/completion/test-bash-completion.sh

check: deps all check-headers check-unit check-asan check-valgrind check-fuzz check-docs \
	check-host check-vm

-include tests/vm/vm.mk

bench: all $(BUILD)/tests/gen-sysfs
	@[ ! -e tests/bench/bench-list.sh ] || bash tests/bench/bench-list.sh $(BUILD)
	@$(MAKE) --no-print-directory $(BUILD)/tests/bench-iova
	@$(BUILD)/tests/bench-iova || [ $$? = 1 ] # 1: target missed (printed), 2: error
	@$(MAKE) --no-print-directory $(BUILD)/tests/bench-igd
	@$(BUILD)/tests/bench-igd || [ $$? = 1 ]
	@$(MAKE) --no-print-directory bench-vm

$(BUILD)/tests/bench-iova: tests/bench/bench-iova.c libvfiox/iova.c libvfiox/iova.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -O2 -Ilibvfiox -o $@ tests/bench/bench-iova.c libvfiox/iova.c

# The IGD model stands in for the device and the physical mapping (see bench-igd.c).
BENCH_IGD_WRAP := $(foreach f,vfiox_physmap_new vfiox_physmap_free vfiox_device_region \
	vfiox_sys_pread vfiox_sys_pwrite vfiox_sys_ioctl vfiox_bar_open vfiox_bar_ptr \
	vfiox_bar_close vfiox_device_config_read vfiox_device_config_write,-Wl,--wrap=$(f))

$(BUILD)/tests/bench-igd: tests/bench/bench-igd.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $< $(LIB_A) $(PKG_LIBS) $(BENCH_IGD_WRAP)

$(BUILD)/tests/gen-sysfs: tests/bench/gen-sysfs.c $(FIXTURE) tests/unit/fixture.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -O2 -Itests/unit -o $@ $< $(FIXTURE)

# ---------------------------------------------------------------- install
$(BUILD)/install/vfioctl: $(CLI_OBJS) $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -Wl,--as-needed -o $@ $(CLI_OBJS) -L$(BUILD) -lvfiox

install: all $(BUILD)/install/vfioctl
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)/vfiox \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8
	install -m 755 $(BUILD)/install/vfioctl $(DESTDIR)$(BINDIR)/vfioctl
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libvfiox.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libvfiox.so
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(HEADERS) $(DESTDIR)$(INCDIR)/vfiox/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|; s|@VERSION@|$(VERSION)|' \
		libvfiox/libvfiox.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libvfiox.pc
	for m in man/*.3; do [ -e "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man3/ || true; done
	for m in man/*.7; do [ -e "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/ || true; done
	for m in man/*.8; do [ -e "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man8/ || true; done
	install -d $(DESTDIR)$(DATADIR)/vfioctl/schemas
	for s in man/schemas/*.json; do [ -e "$$s" ] && install -m 644 $$s $(DESTDIR)$(DATADIR)/vfioctl/schemas/ || true; done
	install -d $(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/vendor-completions $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	[ ! -e completions/vfioctl.bash ] || install -m 644 completions/vfioctl.bash \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/vfioctl
	[ ! -e completions/_vfioctl ] || install -m 644 completions/_vfioctl \
		$(DESTDIR)$(DATADIR)/zsh/vendor-completions/_vfioctl
	[ ! -e completions/vfioctl.fish ] || install -m 644 completions/vfioctl.fish \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/vfioctl.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vfioctl $(DESTDIR)$(LIBDIR)/libvfiox.* \
		$(DESTDIR)$(PKGCONFIGDIR)/libvfiox.pc
	rm -rf $(DESTDIR)$(INCDIR)/vfiox $(DESTDIR)$(DATADIR)/vfioctl

clean:
	rm -rf $(BUILD)
