# make demo: what vfioctl shows on an emulated VFIO host.
. /tests/tap.sh
banner() { printf '\n==== %s\n\n' "$*"; }

edus=$(find_ids 1234 11e8)
# The edu device alone in its group: the one whose group has a single member.
for a in $edus; do
	g=$(sys_group "$a")
	[ "$(ls /sys/kernel/iommu_groups/$g/devices | wc -l)" = 1 ] && edu_alone=$a
done
nvme=$(find_ids 1b36 0010 | head -n 1)
# The group of three: the edu devices behind the PCIe-to-PCI bridge.
for a in $edus; do
	g=$(sys_group "$a")
	[ "$(ls /sys/kernel/iommu_groups/$g/devices | wc -l)" = 3 ] && bridged=$g
done

banner "vfioctl list   (all IOMMU groups, drivers, viability)"
vfioctl list

banner "echo vfio-pci > driver_override; drivers_probe   ($edu_alone to vfio-pci)"
bind_vfio "$edu_alone"
vfioctl list --group "$(sys_group "$edu_alone")"

banner "vfioctl show $edu_alone"
vfioctl show "$edu_alone"

banner "vfioctl show $nvme"
vfioctl show "$nvme"

banner "vfioctl show $bridged   (a PCIe-to-PCI bridge and two edu devices: one group)"
vfioctl show "$bridged"

banner "vfioctl list --class 0108 --json   (NVMe controllers, as JSON)"
vfioctl list --class 0108 --json | head -n 40
