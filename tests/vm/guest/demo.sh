# SPDX-License-Identifier: LGPL-2.1-or-later
# make demo: vfioctl's main job on an emulated VFIO host: check the host, hand devices to
# vfio-pci (journaled), look at them through VFIO, and put everything back.
. /tests/sysfs.sh
heading() { printf '\n==== %s\n\n' "$*"; }
run() {
	echo "# $*"
	"$@"
	echo "(exit $?)"
}

edu=$(edu_alone)
nvme=$(nvme_plain)
bridged=$(bridged_group)

heading "The host doctor"
run vfioctl check

heading "The IOMMU groups, their devices and drivers"
run vfioctl list

heading "What stands between the NVMe controller $nvme and VFIO"
run vfioctl check "$nvme"

heading "The plan for group $bridged (a PCIe-to-PCI bridge and two edu devices)"
run vfioctl bind --dry-run --group "$bridged"

heading "Bind it: the original state is journaled first, the bridge is left alone"
run vfioctl bind --group "$bridged"

heading "Bind an edu alone and the NVMe controller"
run vfioctl bind "$edu" "$nvme"

heading "The NVMe controller as VFIO sees it: IOMMU, DMA budget, BAR layout, interrupts"
run vfioctl show "$nvme"

heading "MSI-X loopback on 8 vectors, one eventfd each"
run vfioctl irq-test --vectors 8 "$nvme"

heading "What a reset of the NVMe controller touches, then the reset"
run vfioctl reset --plan "$nvme"
run vfioctl reset "$nvme"

heading "Everything back as it was, from the journal"
run vfioctl restore --all
run vfioctl list
