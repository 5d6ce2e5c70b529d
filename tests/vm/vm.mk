# SPDX-License-Identifier: LGPL-2.1-or-later
# The emulated VFIO host: Debian's Linux 6.12 under QEMU TCG with an emulated Intel IOMMU,
# running vfioctl against the real vfio-pci driver. Included by the top Makefile, which
# defines BUILD, VFIOCTL, LIBVFIOX_SO and all.
#
#   make check-vm   boot once, run tests/vm/guest/t-*.sh, fail on any "not ok"
#   make demo       boot once and show what vfioctl says there (tests/vm/guest/demo.sh)
#   make vm-kernel  only download and unpack the kernel (cached in $(BUILD)/vm)
#
# Debian packages: qemu-system-x86 busybox-static cpio gzip xz-utils kmod jq pci.ids
# (apt and dpkg fetch the kernel package; nothing is installed on the host).
VM_DIR     := $(BUILD)/vm
VM_KERNEL  := $(VM_DIR)/kernel/version
VM_INITRD  := $(VM_DIR)/initramfs.gz
VM_SOURCES := tests/vm/init tests/vm/mkinitramfs.sh $(wildcard tests/vm/guest/*.sh)
# Test helpers: tests/vm/NAME.c becomes the guest command NAME, linked against libvfiox.
VM_HELPERS := $(patsubst tests/vm/%.c,$(VM_DIR)/bin/%,$(wildcard tests/vm/*.c))

.PHONY: vm-kernel check-vm demo bench-vm

vm-kernel: $(VM_KERNEL)

$(VM_KERNEL):
	@bash tests/vm/fetch-kernel.sh $(VM_DIR)

# $(VFIOCTL) is relinked whenever the library changes, so it stands for both.
$(VM_DIR)/bin/%: tests/vm/%.c tests/vm/helper.h $(VFIOCTL) $(wildcard include/vfiox/*.h)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -Iinclude -o $@ $< \
		-L$(BUILD) -lvfiox -Wl,-rpath,'$$ORIGIN'

$(VM_INITRD): $(VFIOCTL) $(VM_KERNEL) $(VM_SOURCES) $(VM_HELPERS)
	@bash tests/vm/mkinitramfs.sh $(VM_DIR) $(VFIOCTL) $(LIBVFIOX_SO) $(VM_HELPERS)

check-vm: all vm-kernel $(VM_INITRD)
	@bash tests/vm/run.sh test $(VM_DIR)

# The device benchmarks (BAR accessors, interrupt round trips) run in the guest.
bench-vm: all vm-kernel $(VM_INITRD)
	@VM_MEM=1024 bash tests/vm/run.sh bench $(VM_DIR)

demo: deps all vm-kernel $(VM_INITRD)
	@bash tests/vm/run.sh demo $(VM_DIR)
