# SPDX-License-Identifier: LGPL-2.1-or-later
# The VFIO view against the real vfio-pci driver: regions and interrupts as the kernel
# reports them, IOVA ranges, several groups in one container, and the refusals; over
# each backend (VFIOX_BACKEND): the backend shown and why, the cdev, the IOAS and the
# IOMMU hardware of iommufd against sysfs, and each refusal in that backend's words.
# vfiox-backends: all
. /tests/tap.sh
. /tests/sysfs.sh

edus=$(find_ids 1234 11e8)
edu=$(edu_alone)
bridged=$(bridged_group)
nvme=$(nvme_plain)
for a in $edus $nvme; do bind_to vfio-pci "$a"; done
is "$(for a in $edus $nvme; do sys_driver $a; done | sort -u)" vfio-pci "edu x3 and nvme bound to vfio-pci"

edu_cdev=$(cdev_of "$edu")
case ${VFIOX_BACKEND:-auto} in
type1 | iommufd) backend=$VFIOX_BACKEND ;;
*) if [ -e /dev/iommu ] && [ "$edu_cdev" != null ]; then backend=iommufd; else backend=type1; fi ;;
esac
diag "backend $backend (VFIOX_BACKEND=${VFIOX_BACKEND:-}), /dev/iommu $([ -e /dev/iommu ] && echo there || echo absent), cdev of $edu: $edu_cdev"

if [ "$backend" = iommufd ] && [ ! -e /dev/iommu ]; then
	# A kernel without iommufd (Debian's 6.12): forcing it is refused with the reason.
	S=$(vfioctl show --json "$edu")
	is "$(echo "$S" | jq -r '"\(.vfio) \(.vfio_unavailable)"')" \
		"null the iommufd backend needs /dev/iommu, which does not exist (a kernel without CONFIG_IOMMUFD)" \
		"iommufd forced without /dev/iommu: the VFIO view is unavailable, the library says why"
	out=$(vfioctl irq-test "$nvme" 2>&1); rc=$?
	like "$rc $out" "^1 vfioctl: cannot test the interrupts of $nvme: the iommufd backend needs /dev/iommu" \
		"irq-test over a forced iommufd without /dev/iommu exits 1 with the library's message"
	is "$(vfioctl show --json --backend type1 "$edu" | jq -r .vfio.iommu.backend)" type1 \
		"--backend type1 wins over VFIOX_BACKEND=iommufd"
	reprobe $edus $nvme
	skip_file "no /dev/iommu: the iommufd backend has nothing more to show on this kernel"
fi

# edu: BAR0 1 MiB, INTx and MSI, no MSI-X
S=/tmp/edu.json
vfioctl show --json "$edu" > $S
is "$(jq -r '.vfio_unavailable' $S)" null "edu: the VFIO view is there"
is "$(jq -r '.vfio_cdev' $S)" "$edu_cdev" "edu: vfio_cdev is what sysfs gives (a device number in vfio-dev/vfioN)"
if [ -n "${VFIOX_BACKEND:-}" ]; then
	is "$(jq -r '.vfio.iommu | "\(.backend): \(.backend_reason)"' $S)" \
		"$backend: asked for with VFIOX_BACKEND=$VFIOX_BACKEND" "edu: the view used $backend, as VFIOX_BACKEND asked"
	like "$(vfioctl show "$edu")" "VFIO backend: +$backend, asked for with VFIOX_BACKEND=$VFIOX_BACKEND" \
		"show (human): the backend and why"
fi
a=$(vfioctl show --json --backend auto "$edu" | jq -r '.vfio.iommu | "\(.backend): \(.backend_reason)"')
if [ -e /dev/iommu ] && [ "$edu_cdev" != null ]; then
	is "$a" "iommufd: /dev/iommu and the cdev $edu_cdev are there" \
		"--backend auto: iommufd, as /dev/iommu and the cdev are there"
elif [ -e /dev/iommu ]; then
	like "$a" "^type1: .*no VFIO cdev" "--backend auto: type1, as $edu has no cdev"
else
	is "$a" "type1: no /dev/iommu (a kernel without CONFIG_IOMMUFD)" \
		"--backend auto: type1, as this kernel has no /dev/iommu"
fi
out=$(vfioctl show --backend bogus "$edu" 2>&1); rc=$?
like "$rc $out" "^2 vfioctl show: --backend 'bogus': the backend is auto, type1 or iommufd" \
	"--backend bogus: a usage error naming the backends"
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
if [ "$backend" = iommufd ]; then
	is "$(jq -r '.vfio.iommu | "\(.model) \(.models | length) \(.ioas > 0) \(.dma_avail) \(.dma_budget.entry_limit) \(.dma_budget.memlock_accounting)"' $S)" \
		"iommufd 0 true null null user" \
		"iommufd: model iommufd, an IOAS, no entry budget, memlock charged per user"
	check "iommufd: the device has its iommufd device id" test "$(jq -r '.vfio.device.iommufd_devid' $S)" -gt 0
	out=$(vfioctl show "$nvme")
	like "$out" "DMA mappings: +no entry limit \(iommufd\)" "show (human): no entry limit (iommufd)"
	like "$out" "Memory lock: +limit .*; iommufd charges per user" "show (human): iommufd charges memlock per user"
	like "$out" "IOMMU model: +iommufd, IOAS [0-9]+, device id [0-9]+" "show (human): the IOAS and the device id"
	# The IOMMU hardware against sysfs: QEMU's intel-iommu is dmar0.
	if [ -e /sys/class/iommu/dmar0/intel-iommu/cap ]; then
		cap=$(cat /sys/class/iommu/dmar0/intel-iommu/cap)
		ecap=$(cat /sys/class/iommu/dmar0/intel-iommu/ecap)
		is "$(jq -r '.vfio.iommu.hw_info | "\(.type) \(.vtd.cap_reg) \(.vtd.ecap_reg)"' $S)" \
			"intel-vtd $(printf '%016x %016x' $((0x$cap)) $((0x$ecap)))" \
			"hw_info: intel-vtd with the cap and ecap registers of dmar0 in sysfs ($cap, $ecap)"
		like "$out" "VT-d registers: +cap 0x$(printf '%016x' $((0x$cap))), ecap 0x$(printf '%016x' $((0x$ecap)))" \
			"show (human): the VT-d registers"
	else
		like "$(jq -r '.vfio.iommu.hw_info.type' $S)" "^(none|arm-smmuv3|unknown)$" \
			"hw_info: no VT-d unit in sysfs, and no intel-vtd reported"
	fi
else
	is "$(jq -r '.vfio.iommu.model' $S)" type1v2 "the container uses type1v2"
	check "DMA mappings available are reported" test "$(jq -r '.vfio.iommu.dma_avail' $S)" -gt 0
	is "$(jq -r '.vfio.iommu | "\(.ioas) \(.hw_info) \(.dma_budget.memlock_accounting)"' $S)" \
		"null null process" "type1: no IOAS, no hardware info, memlock charged per process"
	is "$(jq -r '.vfio.device.iommufd_devid' $S)" null "type1: no iommufd device id"
fi

# The bridged group: both edu on vfio-pci; the group view has the IOMMU info.
G=$(vfioctl show --json "$bridged")
if [ "$backend" = iommufd ]; then
	first=$(edu_bridged | head -n 1)
	is "$(echo "$G" | jq -r '"\(.viable) \(.iommu.model) \(.vfio_unavailable)"')" "true iommufd null" \
		"the bridged group opens over iommufd: viable, IOMMU info of its IOAS shown"
	like "$(echo "$G" | jq -r .iommu.backend_reason)" "\(through its member $first\)$" \
		"iommufd sees the group through its first member on vfio-pci, $first"
else
	is "$(echo "$G" | jq -r '"\(.viable) \(.iommu.model) \(.vfio_unavailable)"')" "true type1v2 null" \
		"the bridged group opens: viable, IOMMU info shown"
fi

got=""
for a in $edus; do
	[ "$(sys_group $a)" = "$bridged" ] || continue
	got="$got$(vfioctl show --json "$a" | jq -r '"\(.vfio.regions[] | select(.name == "BAR0") | .size) \([.vfio.irqs[] | "\(.name)=\(.count)"] | join(","))"') "
done
is "$got" "1048576 INTx=1,MSI=1,MSI-X=0,REQ=1 1048576 INTx=1,MSI=1,MSI-X=0,REQ=1 " \
	"both edu behind the bridge: BAR0 1 MiB, INTx and MSI, through the shared group"

# Two groups in one container: type1 (vfiox-probe), which iommufd does not have.
if [ -e /dev/vfio/vfio ]; then
	out=$(vfiox-probe "$(sys_group $edu)" "$bridged" 2>&1)
	like "$out" "^attached 2 groups, model type1v2" "two groups attach to one type1 container"
else
	out=$(vfiox-probe "$(sys_group $edu)" 2>&1); rc=$?
	like "$rc $out" "^1 .*vfio/vfio" "no /dev/vfio/vfio: no type1 container, and the library says so"
fi

# A non-viable group is refused with the member named: SMBus on vfio-pci, SATA on ahci.
bind_to vfio-pci 0000:00:1f.3
out=$(vfioctl show 0000:00:1f.3)
like "$out" "VFIO: +unavailable: IOMMU group [0-9]+ is not viable: 0000:00:1f.2 \(bound to ahci\)" \
	"a non-viable group is refused, naming 00:1f.2 and ahci"
if [ "$backend" = iommufd ]; then
	# The kernel answers a bare EBUSY to the bind of such a cdev: vfioctl says why first.
	out=$(vfioctl irq-test 0000:00:1f.3 2>&1); rc=$?
	is "$rc" 1 "over iommufd a device of the non-viable group is not opened either"
	like "$out" "is not viable: 0000:00:1f.2 \(bound to ahci\); every member must be bound" \
		"... and the message names the blocker as type1's does"
else
	out=$(vfiox-probe "$(sys_group 0000:00:1f.3)" 2>&1); rc=$?
	is "$rc" 1 "the library refuses to open the non-viable group"
	like "$out" "0000:00:1f.2 \(bound to ahci\)" "the library's message names the blocker"
fi

# A device not on vfio-pci: the view says why and how.
out=$(vfioctl show 0000:00:1f.2)
like "$out" "VFIO: +unavailable: 0000:00:1f.2 is bound to ahci, not to vfio-pci" \
	"a device on a host driver: the view says so"

# Not root: a clear permission message, of the node the backend opens first.
out=$(su -s /bin/sh nobody -c "vfioctl show $edu" 2>&1)
if [ "$backend" = iommufd ]; then
	like "$out" "no permission to open /dev/iommu: run as root, or give your user access to it" \
		"a non-root user is told about permissions (/dev/iommu, $(stat -c %a /dev/iommu))"
else
	like "$out" "no permission to open /dev/vfio/$(sys_group $edu)" "a non-root user is told about permissions"
fi

# Busy: another process holds the group.
g=$(sys_group $edu)
sh -c "exec 3<>/dev/vfio/$g; echo held > /tmp/held; exec sleep 30" &
holder=$!
i=0; while [ ! -e /tmp/held ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
out=$(vfioctl show "$edu")
if [ "$backend" = iommufd ]; then
	like "$out" "cannot bind $edu to the iommufd: it is in use: its IOMMU group $g is open through /dev/vfio/$g by pid $holder \(sleep\)" \
		"a group open the type1 way keeps its device from iommufd: the holder named, pid and command"
else
	like "$out" "IOMMU group $g .*is in use by pid $holder \(sleep\)" "a busy group names the holder: pid and command"
fi
kill $holder; wait $holder 2>/dev/null
out=$(vfioctl show --json "$edu" | jq -r .vfio_unavailable)
is "$out" null "after the holder exits the group opens again"

reprobe $edus $nvme 0000:00:1f.3
