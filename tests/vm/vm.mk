# SPDX-License-Identifier: LGPL-2.1-or-later
# The emulated VFIO host: Linux 6.12 under QEMU TCG with an emulated IOMMU, running vfioctl
# against the real vfio-pci driver. Included by the top Makefile, which defines BUILD,
# VFIOCTL, LIBVFIOX_SO and all.
#
#   make check-vm   four boots, run tests/vm/guest/t-*.sh, fail on any "not ok" (below)
#   make demo       boot once and show what vfioctl says there (tests/vm/guest/demo.sh)
#   make vm-kernel  only download and unpack Debian's kernel (cached in $(BUILD)/vm)
#   make vm-udev    only download and unpack Debian's udev for the guest (the same)
#   make vm-kernel-iommufd   only the second kernel, in $(BUILD)/vm/kernel-iommufd: the
#                   prebuilt one when there, else built (build-kernel.sh, about 11 min)
#
# Debian packages: qemu-system-x86 busybox-static cpio gzip xz-utils kmod jq pci.ids
# (apt and dpkg fetch the kernel and udev packages; nothing is installed on the host); building the
# second kernel installs linux-source-6.12 bc bison flex libelf-dev libssl-dev on demand.
VM_DIR     := $(BUILD)/vm
VM_KERNEL_DEB := $(VM_DIR)/kernel/version
VM_KERNEL_IOMMUFD := $(VM_DIR)/kernel-iommufd/stamp
VM_UDEV    := $(VM_DIR)/udev/version
VM_INITRD  := $(VM_DIR)/initramfs.gz
VM_SOURCES := tests/vm/init tests/vm/mkinitramfs.sh $(wildcard tests/vm/guest/*.sh)
# Test helpers: tests/vm/NAME.c becomes the guest command NAME, linked against libvfiox.
VM_HELPERS := $(patsubst tests/vm/%.c,$(VM_DIR)/bin/%,$(wildcard tests/vm/*.c))

.PHONY: vm-kernel vm-kernel-iommufd vm-udev check-vm demo bench-vm

vm-kernel: $(VM_KERNEL_DEB)

$(VM_KERNEL_DEB):
	@bash tests/vm/fetch-kernel.sh $(VM_DIR)

vm-udev: $(VM_UDEV)

$(VM_UDEV): tests/vm/fetch-udev.sh
	@bash tests/vm/fetch-udev.sh $(VM_DIR)

vm-kernel-iommufd: $(VM_KERNEL_IOMMUFD)

# build-kernel.sh does nothing (but touch the stamp) when the kernel there is up to date.
$(VM_KERNEL_IOMMUFD): tests/vm/iommufd.config tests/vm/build-kernel.sh
	@bash tests/vm/build-kernel.sh $(VM_DIR)/kernel-iommufd

# $(VFIOCTL) is relinked whenever the library changes, so it stands for both.
$(VM_DIR)/bin/%: tests/vm/%.c tests/vm/helper.h $(VFIOCTL) $(wildcard include/vfiox/*.h)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -Iinclude -o $@ $< \
		-L$(BUILD) -lvfiox -Wl,-rpath,'$$ORIGIN'

$(VM_INITRD): $(VFIOCTL) $(VM_KERNEL_DEB) $(VM_UDEV) $(VM_SOURCES) $(VM_HELPERS)
	@bash tests/vm/mkinitramfs.sh $(VM_DIR) $(VFIOCTL) $(LIBVFIOX_SO) $(VM_HELPERS)

# check-vm: four boots of the same initramfs, two at a time (each TCG guest takes a core),
# each with its own console (VM_LABEL), their output printed in turn once both are done:
#   1 debian-intel    Debian's kernel (modules), intel-iommu: every file, type1 only
#   2 iommufd-intel   the iommufd kernel (built in), intel-iommu: the files marked
#                     "# vfiox-backends: all" once per backend, t-00 and t-92 once
#   3 iommufd-amd     the iommufd kernel, amd-iommu: the files named *iova*, both backends
#   4 iommufd-virtio  the iommufd kernel, virtio-iommu (no interrupt remapping): as 3
# VM_APPEND comes last on every boot's command line (vfiox.only=... there wins).
# Then the JSON documents t-93 framed on the consoles of boots 1 and 2 are validated
# against man/schemas (tests/vm/check-json.sh, python3-jsonschema on the host).
VM_HASH  := \#
VM_COMMA := ,
VM_EMPTY :=
VM_SPACE := $(VM_EMPTY) $(VM_EMPTY)
VM_MARKED := $(notdir $(shell grep -lx '$(VM_HASH) vfiox-backends: all' tests/vm/guest/t-*.sh 2>/dev/null))
VM_KIOMMUFD := $(VM_DIR)/kernel-iommufd/vmlinuz
VM_ARGS_2 := vfiox.backends=type1,iommufd \
	vfiox.only=$(subst $(VM_SPACE),$(VM_COMMA),$(strip t-92-check.sh t-95-vfnet.sh $(VM_MARKED)))
VM_ARGS_34 := vfiox.backends=type1,iommufd vfiox.only=iova
VM_WHAT_1 := Debian's kernel $$kdeb (modules), intel-iommu: every file, type1
VM_WHAT_2 := the iommufd kernel $$kio (built in), intel-iommu: t-00, t-92 and the files \
	marked vfiox-backends: all ($(or $(VM_MARKED),none yet)) with type1 and with iommufd
VM_WHAT_3 := the iommufd kernel $$kio, amd-iommu: t-00 and the *iova* files, type1 and iommufd
VM_WHAT_4 := the iommufd kernel $$kio, virtio-iommu-pci: t-00 and the *iova* files, type1 and iommufd
# $(call vm_boot,N,LABEL,KERNEL,IOMMU,KERNEL-ARGS,WHAT): boot N in the background; its
# output (under a heading) and exit status in $$out/N.out and $$out/N.rc
# (set -e holds in the background job too: the status is caught, not fallen over.)
vm_boot = { echo "==== check-vm boot $(1)/4, $(2): $(6)" > "$$out/$(1).out"; rc=0; \
	VM_LABEL=$(2) VM_KERNEL=$(3) VM_IOMMU=$(4) VM_APPEND="$(5) $${VM_APPEND:-}" \
	bash tests/vm/run.sh test $(VM_DIR) >> "$$out/$(1).out" 2>&1 || rc=$$?; \
	echo $$rc > "$$out/$(1).rc"; } &

check-vm: all vm-kernel vm-kernel-iommufd $(VM_INITRD)
	@set -e; out=$$(mktemp -d $(VM_DIR)/check-vm.XXXXXX); trap 'rm -rf "$$out"' EXIT; \
	start=$$(date +%s); kdeb=$$(cat $(VM_KERNEL_DEB)); kio=$$(cat $(VM_DIR)/kernel-iommufd/version); \
	echo "vm: check-vm: boots 1 and 2 of 4 at once"; \
	$(call vm_boot,1,debian-intel,$(VM_DIR)/kernel/vmlinuz,intel,,$(VM_WHAT_1)) \
	$(call vm_boot,2,iommufd-intel,$(VM_KIOMMUFD),intel,$(VM_ARGS_2),$(VM_WHAT_2)) \
	wait; cat "$$out/1.out"; echo; cat "$$out/2.out"; echo; \
	echo "vm: check-vm: boots 3 and 4 of 4 at once"; \
	$(call vm_boot,3,iommufd-amd,$(VM_KIOMMUFD),amd,$(VM_ARGS_34),$(VM_WHAT_3)) \
	$(call vm_boot,4,iommufd-virtio,$(VM_KIOMMUFD),virtio,$(VM_ARGS_34),$(VM_WHAT_4)) \
	wait; cat "$$out/3.out"; echo; cat "$$out/4.out"; echo; \
	fail=0; for b in 1:debian-intel 2:iommufd-intel 3:iommufd-amd 4:iommufd-virtio; do \
		n=$${b%%:*}; \
		if [ "$$(cat "$$out/$$n.rc")" = 0 ]; then r=ok; else r=FAILED; fail=1; fi; \
		echo "vm: check-vm boot $$n/4, $${b#*:}: $$r ($$(tail -n 1 "$$out/$$n.out"))"; \
	done; \
	for c in debian-intel iommufd-intel; do log=$(VM_DIR)/console-test-$$c.log; \
		grep -q VFIOX-JSON-BEGIN "$$log" 2>/dev/null || continue; \
		echo "vm: check-vm: the JSON documents of boot $$c (t-93) against man/schemas"; \
		bash tests/vm/check-json.sh "$$log" || fail=1; \
	done; \
	echo "vm: check-vm: 4 boots in $$(($$(date +%s) - start)) s"; [ $$fail = 0 ]

# The device benchmarks (BAR accessors, interrupt round trips) run in the guest: every
# part on Debian's kernel (type1), then the DMA mapping part again on the iommufd kernel,
# over both backends side by side (vfiox.bench=dma).
bench-vm: all vm-kernel vm-kernel-iommufd $(VM_INITRD)
	@VM_MEM=1024 bash tests/vm/run.sh bench $(VM_DIR)
	@echo "bench: the DMA mapping again on the iommufd kernel $$(cat $(VM_DIR)/kernel-iommufd/version)"
	@VM_MEM=1024 VM_LABEL=iommufd VM_KERNEL=$(VM_KIOMMUFD) VM_APPEND="vfiox.bench=dma $${VM_APPEND:-}" \
		bash tests/vm/run.sh bench $(VM_DIR)

demo: deps all vm-kernel $(VM_INITRD)
	@bash tests/vm/run.sh demo $(VM_DIR)
