# SPDX-License-Identifier: LGPL-2.1-or-later
# Reserved physical memory reached from a device: the range run.sh reserves at boot
# (memmap=4M$0x0c000000) is no System RAM in /proc/iomem; libvfiox maps it through
# /dev/mem into edu's container (vfiox-physmap), edu's DMA engine reads and writes it
# through the real IOMMU at a chosen IOVA and at IOVA = its physical address, an IOVA just
# past it stays blocked, type1 charges none of it to the memory lock, and System RAM is
# refused. Leaves edu on the driver the kernel picks.
. /tests/tap.sh
. /tests/sysfs.sh

PHYS=0x0c000000
SIZE=0x400000
diag "/proc/iomem around the range:" "$(grep -E -B1 -A1 '^ *0c000000-' /proc/iomem)"
is "$(grep -E '^ *0c000000-' /proc/iomem)" "0c000000-0c3fffff : Reserved" \
	"/proc/iomem: the range reserved at boot is one top-level Reserved entry"
is "$(grep -E '^ *0c[0-3]' /proc/iomem | grep -c 'System RAM')" 0 \
	"/proc/iomem: no System RAM inside 0c000000-0c3fffff"
like "$(grep 'System RAM' /proc/iomem | tr '\n' ' ')" \
	"0bffffff : System RAM .*0c400000-[0-9a-f]+ : System RAM" \
	"/proc/iomem: System RAM ends right below the range and starts again right after it"

edu=$(edu_alone)
bind_to vfio-pci "$edu"
is "$(sys_driver "$edu")" vfio-pci "edu $edu on vfio-pci"

out=$(vfiox-physmap "$edu" chosen $PHYS $SIZE 2>&1)
diag "$out"
like "$out" "chosen iova 0x[0-9a-f]+ \(!= phys\) below 0x10000000: yes" \
	"a library-chosen IOVA, not the physical address, below edu's 28-bit mask"
like "$out" "chosen view ok" \
	"2 KiB written through /dev/mem go range -> edu -> other half of the range, unchanged, nothing more"
like "$out" "chosen /dev/mem ok" "the bytes edu wrote are in physical memory (pread of /dev/mem)"
like "$out" "chosen entries 1" "one DMA entry for the 4 MiB range"
like "$out" "chosen after free: entries 0" "vfiox_physmap_free unmaps it from the container"

out=$(vfiox-physmap "$edu" fixed $PHYS $SIZE 2>&1)
diag "$out"
like "$out" "fixed iova 0xc000000 \(= phys\)" "VFIOX_DMA_FIXED: the range at IOVA = its physical address"
like "$out" "fixed view ok" "edu round-trips 2 KiB through the range at IOVA = phys"
like "$out" "fixed /dev/mem ok" "and physical memory holds what edu wrote"

out=$(vfiox-physmap "$edu" blocked $PHYS $SIZE 2>&1)
diag "$out"
like "$out" "past the range untouched" \
	"edu writing to the IOVA just past a mapped half: the IOMMU blocks it, the memory there keeps its bytes"
like "$out" "below the range untouched" "edu writing to the IOVA just below the range: blocked too"
like "$out" "mapped written" "the same write once that half is mapped lands (the checks above can tell)"

out=$(vfiox-physmap "$edu" vmlck $PHYS $SIZE 2>&1)
diag "$out"
like "$out" "physmap 4096 KiB: VmLck \+0 kB" "4 MiB of /dev/mem mapped for DMA: type1 charges nothing to VmLck"
like "$out" "buffer 4096 KiB: VmLck \+4096 kB" "4 MiB of ordinary memory: charged (the check above can tell)"

out=$(vfiox-physmap "$edu" ram 0x01000000 0x100000 2>&1)
diag "$out"
like "$out" "refused EPERM: physical range 0x1000000-0x10fffff overlaps System RAM 0x[0-9a-f]+-0x[0-9a-f]+ .*never mapped through /dev/mem" \
	"System RAM is refused (EPERM), naming the range, the RAM entry and why"
like "$out" "mappings 0" "nothing was mapped for the refused range"
out=$(vfiox-physmap "$edu" ram 0x0bfff000 0x2000 2>&1)
diag "$out"
like "$out" "refused EPERM: physical range 0xbfff000-0xc000fff overlaps System RAM" \
	"a range reaching one page into the RAM below the reserved one is refused"
out=$(vfiox-physmap "$edu" hidden $PHYS $SIZE 2>&1)
diag "$out"
like "$out" "refused EACCES: .*every address as 0.*root" \
	"as uid 65534 /proc/iomem hides its addresses: refused with EACCES, root needed"

reprobe "$edu"
is "$(sys_driver "$edu")" null "edu handed back (no driver claims it in this guest)"
