# make bench (in the VM): device access and interrupt costs, side by side in one run.
. /tests/tap.sh >/dev/null
. /tests/sysfs.sh
edu=$(edu_alone)
nvme=$(nvme_plain)
for a in $edu $nvme; do bind_to vfio-pci "$a"; done
echo "bench: in the VM (QEMU TCG: every MMIO access exits to the device model), edu $edu, nvme $nvme"
vfiox-bench "$edu" "$nvme"
