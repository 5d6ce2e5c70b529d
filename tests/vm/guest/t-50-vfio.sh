# The VFIO view against the real vfio-pci driver: regions and interrupts as the kernel
# reports them, IOVA ranges, several groups in one container, and the refusals.
. /tests/tap.sh
. /tests/sysfs.sh

edus=$(find_ids 1234 11e8)
edu=$(edu_alone)
bridged=$(bridged_group)
nvme=$(nvme_plain)
for a in $edus $nvme; do bind_to vfio-pci "$a"; done
is "$(for a in $edus $nvme; do sys_driver $a; done | sort -u)" vfio-pci "edu x3 and nvme bound to vfio-pci"

# edu: BAR0 1 MiB, INTx and MSI, no MSI-X
S=/tmp/edu.json
vfioctl show --json "$edu" > $S
is "$(jq -r '.vfio_unavailable' $S)" null "edu: the VFIO view is there"
is "$(jq -r '.vfio.regions[] | select(.name == "BAR0") | "\(.size) \(.flags | join(","))"' $S)" \
	"1048576 read,write,mmap" "edu: BAR0 is 1 MiB, read/write/mmap"
is "$(jq -r '[.vfio.irqs[] | "\(.name)=\(.count)"] | join(" ")' $S)" \
	"INTx=1 MSI=1 MSI-X=0 REQ=1" "edu: INTx and MSI, no MSI-X, REQ; no ERR (not PCIe)"
is "$(jq -r '.vfio.device | "\(.pci) \(.num_regions) \(.num_irqs)"' $S)" "true 9 5" \
	"edu: a PCI device with 9 regions and 5 interrupt indexes"
is "$(jq -r '.vfio.regions[] | select(.name == "CONFIG") | .size' $S)" 256 \
	"edu: config region is 256 bytes (conventional PCI)"

# nvme: BAR0 16 KiB, MSI-X mappable, 65 MSI-X vectors
S=/tmp/nvme.json
vfioctl show --json "$nvme" > $S
is "$(jq -r '.vfio.regions[] | select(.name == "BAR0") | "\(.size) \(.msix_mappable)"' $S)" \
	"16384 true" "nvme: BAR0 is 16 KiB and MSI-X mappable"
is "$(jq -r '.vfio.irqs[] | select(.name == "MSI-X") | .count' $S)" 65 "nvme: 65 MSI-X vectors"
is "$(jq -r '.vfio.regions[] | select(.name == "CONFIG") | .size' $S)" 4096 \
	"nvme: config region is 4 KiB (PCI Express)"
is "$(jq -r '[.vfio.irqs[].name] | join(" ")' $S)" "INTx MSI MSI-X ERR REQ" "nvme (PCIe): all five interrupt indexes, ERR included"

# The kernel's numbers, read independently: region sizes against sysfs resource.
want=$(awk 'NR == 1 { printf "%d", strtonum($2) - strtonum($1) + 1 }' /sys/bus/pci/devices/$nvme/resource 2>/dev/null)
[ -n "$want" ] || want=$(( $(cut -d' ' -f2 /sys/bus/pci/devices/$nvme/resource | head -n 1) - $(cut -d' ' -f1 /sys/bus/pci/devices/$nvme/resource | head -n 1) + 1 ))
is "$(jq -r '.vfio.regions[0].size' $S)" "$want" "nvme: BAR0 size equals sysfs resource"

# IOVA ranges: reported, and none overlaps the MSI window 0xfee00000-0xfeefffff.
n=$(jq -r '.vfio.iommu.iova_ranges | length' $S)
check "IOVA ranges are reported ($n)" test "$n" -ge 2
bad=$(jq -r '.vfio.iommu.iova_ranges[] | select((.start | ltrimstr("0x") | explode | length) > 0) |
	"\(.start) \(.end)"' $S | while read s e; do
	[ $((s)) -le $((0xfeefffff)) ] && [ $((e)) -ge $((0xfee00000)) ] && echo "$s-$e"; done)
is "$bad" "" "no IOVA range overlaps the MSI window 0xfee00000-0xfeefffff"
is "$(jq -r '.vfio.iommu.model' $S)" type1v2 "the container uses type1v2"
check "DMA mappings available are reported" test "$(jq -r '.vfio.iommu.dma_avail' $S)" -gt 0

# The bridged group: both edu on vfio-pci; the group view has the IOMMU info.
G=$(vfioctl show --json "$bridged")
is "$(echo "$G" | jq -r '"\(.viable) \(.iommu.model) \(.vfio_unavailable)"')" "true type1v2 null" \
	"the bridged group opens: viable, IOMMU info shown"

got=""
for a in $edus; do
	[ "$(sys_group $a)" = "$bridged" ] || continue
	got="$got$(vfioctl show --json "$a" | jq -r '"\(.vfio.regions[] | select(.name == "BAR0") | .size) \([.vfio.irqs[] | "\(.name)=\(.count)"] | join(","))"') "
done
is "$got" "1048576 INTx=1,MSI=1,MSI-X=0,REQ=1 1048576 INTx=1,MSI=1,MSI-X=0,REQ=1 " \
	"both edu behind the bridge: BAR0 1 MiB, INTx and MSI, through the shared group"

# Two groups in one container.
out=$(vfiox-probe "$(sys_group $edu)" "$bridged" 2>&1)
like "$out" "^attached 2 groups, model type1v2" "two groups attach to one container"

# A non-viable group is refused with the member named: SMBus on vfio-pci, SATA on ahci.
bind_to vfio-pci 0000:00:1f.3
out=$(vfioctl show 0000:00:1f.3)
like "$out" "VFIO: +unavailable: IOMMU group [0-9]+ is not viable: 0000:00:1f.2 \(bound to ahci\)" \
	"a non-viable group is refused, naming 00:1f.2 and ahci"
out=$(vfiox-probe "$(sys_group 0000:00:1f.3)" 2>&1); rc=$?
is "$rc" 1 "the library refuses to open the non-viable group"
like "$out" "0000:00:1f.2 \(bound to ahci\)" "the library's message names the blocker"

# A device not on vfio-pci: the view says why and how.
out=$(vfioctl show 0000:00:1f.2)
like "$out" "VFIO: +unavailable: 0000:00:1f.2 is bound to ahci, not to vfio-pci" \
	"a device on a host driver: the view says so"

# Not root: a clear permission message.
out=$(su -s /bin/sh nobody -c "vfioctl show $edu" 2>&1)
like "$out" "no permission to open /dev/vfio/$(sys_group $edu)" "a non-root user is told about permissions"

# Busy: another process holds the group.
g=$(sys_group $edu)
sh -c "exec 3<>/dev/vfio/$g; echo held > /tmp/held; exec sleep 30" &
holder=$!
i=0; while [ ! -e /tmp/held ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
out=$(vfioctl show "$edu")
like "$out" "IOMMU group $g .*is in use by pid $holder \(sleep\)" "a busy group names the holder: pid and command"
kill $holder; wait $holder 2>/dev/null
out=$(vfioctl show --json "$edu" | jq -r .vfio_unavailable)
is "$out" null "after the holder exits the group opens again"

reprobe $edus $nvme 0000:00:1f.3
