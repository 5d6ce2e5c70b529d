# SPDX-License-Identifier: LGPL-2.1-or-later
# make demo: vfioctl on an emulated VFIO host.
. /tests/sysfs.sh
heading() { printf '\n==== %s\n\n' "$*"; }

for a in $(find_ids 1234 11e8); do
	[ "$(ls $IOMMU_GROUPS/$(sys_group $a)/devices | wc -l)" = 1 ] && edu=$a
done
nvme=$(find_ids 1b36 0010 | head -n 1)
bridged=$(sys_group "$(find_ids 1b36 000e)")

heading "Bind $edu (an edu device) to vfio-pci with plain sysfs writes"
echo "# echo vfio-pci > $PCI/$edu/driver_override"
echo "# echo $edu > /sys/bus/pci/drivers_probe"
bind_to vfio-pci $edu

heading "vfioctl list"
vfioctl list

heading "vfioctl show $edu   (edu, on vfio-pci)"
vfioctl show $edu

heading "vfioctl show $nvme   (NVMe, on the host driver)"
vfioctl show $nvme

heading "vfioctl show $bridged   (a PCIe-to-PCI bridge and two edu devices: one group)"
vfioctl show $bridged

heading "vfioctl show --json $edu | jq .group"
vfioctl show --json $edu | jq -M .group

heading "Bind $nvme (NVMe) to vfio-pci too, then: vfioctl show $nvme"
bind_to vfio-pci $nvme
vfioctl show $nvme

heading "vfioctl irq-test --vectors 8 $nvme   (MSI-X loopback, one eventfd per vector)"
vfioctl irq-test --vectors 8 $nvme

heading "vfioctl reset --plan $nvme, then vfioctl reset $nvme"
vfioctl reset --plan $nvme
vfioctl reset $nvme
