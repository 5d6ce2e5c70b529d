# The emulated VFIO host (included by the top Makefile).
#   make check-vm   boot once, run tests/vm/guest/t-*.sh, fail on any "not ok"
#   make demo       boot once and run tests/vm/guest/demo.sh
VM_DIR := $(BUILD)/vm

.PHONY: vm-kernel vm-initramfs

vm-kernel:
	@bash tests/vm/fetch-kernel.sh $(VM_DIR)

vm-initramfs: all vm-kernel
	@bash tests/vm/mkinitramfs.sh $(VM_DIR) $(BUILD)

check-vm: vm-initramfs
	@bash tests/vm/run.sh test $(VM_DIR)

demo: deps vm-initramfs
	@bash tests/vm/run.sh demo $(VM_DIR)
