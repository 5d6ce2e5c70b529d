# make bench (in the VM): device access and interrupt costs, side by side in one run.
. /tests/tap.sh >/dev/null
. /tests/sysfs.sh
edu=""
for a in $(find_ids 1234 11e8); do
	g=$(sys_group "$a")
	[ "$(ls /sys/kernel/iommu_groups/$g/devices | wc -l)" = 1 ] && edu=$a
done
nvme=""
for a in $(find_ids 1b36 0010); do [ -e /sys/bus/pci/devices/$a/sriov_totalvfs ] || nvme=$a; done
for a in $edu $nvme; do bind_to vfio-pci "$a"; done
echo "bench: in the VM (QEMU TCG: every MMIO access exits to the device model), edu $edu, nvme $nvme"
vfiox-bench "$edu" "$nvme"
