# SPDX-License-Identifier: LGPL-2.1-or-later
# The IOVA ranges the kernel reserves for a device (its group's reserved_regions: the MSI
# window of each IOMMU, AMD's HyperTransport hole, virtio-iommu's MSI doorbell) are read
# straight from sysfs and checked against what the library does: its usable ranges leave
# each out, a fixed mapping inside one is refused, and an allocation asked for just below
# one lands past it (edu DMA through it where the 28-bit mask reaches). Run on the kernel
# with iommufd under intel-iommu, amd-iommu and virtio-iommu, over both backends.
# vfiox-backends: all
. /tests/tap.sh
. /tests/sysfs.sh

edu=$(edu_alone)
# virtio-iommu (QEMU 7.2, VIOT) puts a device in a group only when a driver probes it:
# then the edu on the root bus, which binding to vfio-pci gives its group.
[ -n "$edu" ] || edu=$(find_ids 1234 11e8 | grep '^0000:00:' | head -n 1)
bind_to vfio-pci "$edu"
grp=$(sys_group "$edu")
iommu=$(ls /sys/class/iommu 2>/dev/null | head -n 1)
diag "IOMMU ${iommu:-none}; group $grp reserved_regions:" "$(cat "$IOMMU_GROUPS/$grp/reserved_regions")"

n=0
while read -r lo hi type; do
	# Direct-mapped (RMRR) ranges are for the device's own use; the rest is kept out.
	case $type in direct | direct-relaxable) continue ;; esac
	n=$((n + 1))
	out=$(vfiox-dma "$edu" reserved "$lo" "$hi" 2>&1)
	what="$type range $lo-$hi"
	like "$out" "usable ranges leave it out: yes" "$what: outside every usable range the library was given"
	like "$out" "fixed at its start: refused" "$what: a fixed mapping at its first page is refused"
	like "$out" "fixed at its end: refused" "$what: a fixed mapping at its last page is refused"
	like "$out" "pool past it: yes" "$what: a pool wanted just below it is placed past it"
	like "$out" "edu through it: (ok|beyond the 28-bit mask)" "$what: edu DMA through that pool (where the mask reaches)"
done < "$IOMMU_GROUPS/$grp/reserved_regions"
[ "$n" -gt 0 ] && ok "the group has $n reserved IOVA range(s) to check" ||
	not_ok "the group has reserved IOVA ranges to check" "every IOMMU reserves at least an MSI window"
is "$(vfiox-dma "$edu" ranges 100 2>&1)" \
	"100/100 inside the kernel's ranges, 100/100 below 0x10000000, entries 100" \
	"100 allocated IOVAs: all inside the usable ranges and under edu's mask"
reprobe "$edu"
