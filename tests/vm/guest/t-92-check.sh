# SPDX-License-Identifier: LGPL-2.1-or-later
# "In use" detection and the host doctor (vfioctl check) on the real kernel: the e1000e
# is in use exactly while its interface is up or addressed (asked over rtnetlink), the
# NVMe controller while its namespace is swap or a mounted vfat, the boot VGA device
# while the VGA console is bound to it; the host findings (IOMMU, interrupt remapping, modules, /dev/vfio,
# memlock) agree with what sysfs and /proc say; the ICH9 group names ahci as what must
# be unbound; vfioctl bind refuses what is in use, naming device, reason and fix, and
# changes nothing; the IOMMU backends (iommufd, vfio_cdev, device.backend) as this kernel
# has them. Leaves every device as it found it (eth0 down and flushed, no swap).
. /tests/tap.sh
. /tests/sysfs.sh

W=/tmp/t92
rm -rf "$W"
mkdir -p "$W"

# check ARGS...: vfioctl check --json into $W/out.json, exit status into $rc
check_json() {
	vfioctl check --json "$@" > "$W/out.json" 2> "$W/err"
	rc=$?
}
# finding ID [SUBJECT]: "status|summary|fix" of the first finding with that id (and subject)
finding() {
	jq -r --arg id "$1" --arg s "${2:-}" \
		'[.findings[] | select(.id == $id and ($s == "" or .subject == $s))][0] |
		"\(.status)|\(.summary)|\(.fix)"' "$W/out.json"
}
count_fail() {
	jq -r --arg id "$1" '[.findings[] | select(.id == $id and .status == "fail")] | length' \
		"$W/out.json"
}

# ---------------------------------------------------------------- host findings vs reality
check_json
is "$rc" "$([ "$(jq -r .counts.fail "$W/out.json")" = 0 ] && echo 0 || echo 1)" \
	"check: exit status 0 exactly when no finding fails"
ngroups=$(ls /sys/kernel/iommu_groups | wc -l)
like "$(finding iommu.groups)" "^ok\|the IOMMU is on: $ngroups IOMMU groups\|" \
	"check: iommu.groups ok, counts the $ngroups groups of /sys/kernel/iommu_groups"
if [ -e /sys/firmware/acpi/tables/DMAR ]; then
	like "$(finding iommu.firmware)" "^ok\|.*ACPI DMAR table present" \
		"check: iommu.firmware finds the DMAR table sysfs shows"
else
	not_ok "check: iommu.firmware: the emulated host has no DMAR table"
fi
like "$(finding iommu.cmdline)" "^ok\|IOMMU parameters: intel_iommu=on" \
	"check: iommu.cmdline quotes intel_iommu=on from /proc/cmdline"
nir=$(grep -c ' IR-' /proc/interrupts)
if [ "$nir" -gt 0 ]; then
	like "$(finding irq_remapping)" "^ok\|interrupt remapping is on \(certain: $nir interrupts" \
		"check: irq_remapping on, counting the $nir IR- lines of /proc/interrupts"
else
	like "$(finding irq_remapping)" "^fail\|interrupt remapping is off" \
		"check: irq_remapping off as /proc/interrupts shows no IR- line"
fi
like "$(finding irq_remapping)" "1 of 1 VT-d units support it \(ecap IR bit\)" \
	"check: irq_remapping reads the IR bit of dmar0's ecap ($(cat /sys/class/iommu/dmar0/intel-iommu/ecap))"
like "$(finding modules)" "^ok\|vfio, vfio_iommu_type1 and vfio_pci are loaded.*vfio-pci driver is registered" \
	"check: modules ok: /sys/module has vfio, vfio_iommu_type1, vfio_pci"
nnodes=$(ls /dev/vfio | grep -c '^[0-9]')
if [ "$nnodes" -gt 0 ]; then
	like "$(finding dev_vfio)" "^ok\|the caller may open /dev/vfio/vfio and all $nnodes group nodes" \
		"check: dev_vfio ok for root, counting the $nnodes group nodes of /dev/vfio"
else
	like "$(finding dev_vfio)" "^ok\|the caller may open /dev/vfio/vfio; there is no group node yet" \
		"check: dev_vfio ok for root, and says /dev/vfio has no group node yet"
fi
like "$(finding memlock)" "^ok\|the caller has CAP_IPC_LOCK" "check: memlock ok for root (CAP_IPC_LOCK)"

# The backends, against what this kernel has (Debian's 6.12: no iommufd; the iommufd
# kernel: /dev/iommu and cdevs): absent is information, never a failure.
if [ -e /dev/iommu ]; then
	like "$(finding iommufd)" "^ok\|iommufd is there: the caller may open /dev/iommu \(mode 0$(stat -c %a /dev/iommu), owner $(stat -c %u:%g /dev/iommu)\)" \
		"check: iommufd ok: /dev/iommu with its mode and owner from stat"
else
	like "$(finding iommufd)" "^info\|/dev/iommu does not exist: this kernel has no iommufd.*which is all VFIO needs\|null$" \
		"check: no /dev/iommu is information (type1 serves), with no fix"
fi
nvfio=$(ls /sys/class/vfio-dev 2>/dev/null | wc -l)
ncdev=$(ls /sys/class/vfio-dev/*/dev 2>/dev/null | wc -l)
diag "class/vfio-dev: $nvfio entries, $ncdev with a device number"
if [ "$ncdev" -gt 0 ]; then
	like "$(finding vfio_cdev)" "^ok\|the kernel has VFIO cdevs \(CONFIG_VFIO_DEVICE_CDEV\): the caller may open all $ncdev nodes" \
		"check: vfio_cdev ok, counting the $ncdev cdevs of /sys/class/vfio-dev"
elif [ "$nvfio" -gt 0 ]; then
	like "$(finding vfio_cdev)" "^info\|the kernel has no VFIO cdevs: none of the $nvfio devices" \
		"check: vfio_cdev: vfio-dev entries without a device number are no cdevs (information)"
elif [ -e /dev/iommu ]; then
	like "$(finding vfio_cdev)" "^info\|VFIO cdevs: cannot tell yet" "check: vfio_cdev: no device on vfio-pci to tell by"
else
	like "$(finding vfio_cdev)" "^info\|VFIO cdevs: none, as they need iommufd" \
		"check: vfio_cdev: none without iommufd (information)"
fi
is "$(jq -r '[.findings[] | select((.id == "iommufd" or .id == "vfio_cdev") and .status == "fail")] | length' "$W/out.json")" 0 \
	"check: neither backend finding fails on this host"
like "$(finding hugepages)" "^info\|2048kB: 0 reserved" "check: hugepages: none reserved, info only"

# --user reads passwd and limits under the etc root
mkdir -p "$W/etc/security/limits.d"
echo "alice:x:1000:1000::/home/alice:/bin/sh" > "$W/etc/passwd"
echo "kvm:x:999:alice" > "$W/etc/group"
echo "@kvm - memlock 4194304" > "$W/etc/security/limits.d/90-vfio.conf"
VFIOX_ETC_ROOT=$W/etc vfioctl check --json --user alice > "$W/out.json" 2> "$W/err"
like "$(finding memlock alice)" "^warn\|a login of alice gets memlock soft 4 GiB \(limits.d/90-vfio.conf:1\), hard 4 GiB" \
	"check --user alice: memlock from the @kvm line of limits.d under VFIOX_ETC_ROOT"
like "$(finding dev_vfio alice)" "alice may" "check --user alice: /dev/vfio judged for alice"
if [ -e /dev/iommu ] && [ "$(stat -c %a /dev/iommu | cut -c3)" != 6 ]; then
	like "$(finding iommufd alice)" "^warn\|alice may not open /dev/iommu .*\(type1 may still serve\)\|.*KERNEL==\"iommu\"" \
		"check --user alice: /dev/iommu is closed to alice (mode $(stat -c %a /dev/iommu)), type1 remains; the udev fix"
elif [ -e /dev/iommu ]; then
	like "$(finding iommufd alice)" "^ok\|iommufd is there: alice may open" "check --user alice: /dev/iommu open to all"
else
	like "$(finding iommufd alice)" "^info\|" "check --user alice: no /dev/iommu, information for alice too"
fi
VFIOX_ETC_ROOT=$W/etc vfioctl check --user nobody-here > /dev/null 2> "$W/err"
rc=$?
is "$rc" 1 "check --user of an unknown user exits 1"
like "$(cat "$W/err")" "no user nobody-here in $W/etc/passwd" "check --user: the message names the user and the file"

# ---------------------------------------------------------------- bad input
vfioctl check 0000:ff:1f.7 > /dev/null 2> "$W/err"
rc=$?
is "$rc" 1 "check of an absent device exits 1"
like "$(cat "$W/err")" "no PCI device 0000:ff:1f.7" "check of an absent device names it"
vfioctl check not-an-address > /dev/null 2> "$W/err"
is "$?" 2 "check of a malformed address is a usage error (2)"

# ---------------------------------------------------------------- e1000e: netdev
nic=$(find_ids 8086 10d3 | head -n 1)
ifc=$(ls "$PCI/$nic/net" 2>/dev/null | head -n 1)
if [ -z "$nic" ] || [ -z "$ifc" ]; then
	not_ok "the e1000e and its interface are there" "nic=$nic ifc=$ifc"
else
	ip addr flush dev "$ifc"
	ip link set dev "$ifc" down
	check_json "$nic"
	like "$(finding device.in_use "$nic")" "^ok\|the host uses nothing" \
		"e1000e $nic: down and flushed, $ifc is not in use"
	is "$rc" 0 "check $nic exits 0 while nothing fails"

	ip link set dev "$ifc" up
	ip addr add 10.0.2.15/24 dev "$ifc"
	check_json "$nic"
	like "$(finding device.in_use "$nic")" \
		"^fail\|network interface $ifc of $nic is up, has addresses 10.0.2.15/24 and routes 10.0.2.0/24; .*\|ip addr flush dev $ifc && ip link set dev $ifc down" \
		"e1000e $nic: up with 10.0.2.15/24, in use: reason from rtnetlink and the fix"
	is "$rc" 1 "check $nic exits 1 while its interface is in use"
	diag "vfioctl check $nic, as the operator sees it:" "$(vfioctl check "$nic" 2>&1)"

	if vfioctl help bind > /dev/null 2>&1; then
		before=$(sys_driver "$nic"):$(cat "$PCI/$nic/driver_override")
		vfioctl bind "$nic" > "$W/bind.out" 2> "$W/bind.err"
		rc=$?
		is "$rc" 1 "bind $nic refuses while $ifc is up with an address"
		like "$(cat "$W/bind.err")" "refusing to bind $nic: network interface $ifc of $nic is up, has addresses 10.0.2.15/24.*first: ip addr flush dev $ifc" \
			"bind $nic: the refusal names the device, the reason and the fix"
		is "$(sys_driver "$nic"):$(cat "$PCI/$nic/driver_override")" "$before" \
			"bind $nic refused: driver and driver_override unchanged ($before)"
		is "$(ip -o addr show dev "$ifc" | grep -c 10.0.2.15)" 1 "bind $nic refused: $ifc keeps its address"
	else
		skip "vfioctl bind is not there yet: refusal not checked"
	fi

	# the address alone (link down) still counts
	ip link set dev "$ifc" down
	check_json "$nic"
	like "$(finding device.in_use "$nic")" "^fail\|network interface $ifc of $nic is down and has addresses 10.0.2.15/24;" \
		"e1000e $nic: down but addressed is still in use"
	ip addr flush dev "$ifc"
	check_json "$nic"
	like "$(finding device.in_use "$nic")" "^ok\|" "e1000e $nic: flushed and down, not in use again"
fi

# ---------------------------------------------------------------- nvme: swap
nv=$(nvme_plain | head -n 1)
ns=""
for b in /sys/class/block/*; do
	case $(readlink "$b") in */"$nv"/nvme/*) ns=${b##*/}; break ;; esac
done
if [ -z "$ns" ]; then
	not_ok "the NVMe controller $nv has a namespace in /sys/class/block"
elif ! mkswap "/dev/$ns" > /dev/null 2>&1 || ! swapon "/dev/$ns"; then
	not_ok "mkswap + swapon /dev/$ns"
else
	check_json "$nv"
	like "$(finding device.in_use "$nv")" \
		"^fail\|/dev/$ns, a disk of $nv, is in use as swap; .*\|swapoff /dev/$ns" \
		"nvme $nv: /dev/$ns as swap makes it in use (from /proc/swaps)"
	if vfioctl help bind > /dev/null 2>&1; then
		before=$(sys_driver "$nv"):$(cat "$PCI/$nv/driver_override")
		vfioctl bind "$nv" > "$W/bind.out" 2> "$W/bind.err"
		rc=$?
		is "$rc" 1 "bind $nv refuses while /dev/$ns is swap"
		like "$(cat "$W/bind.err")" "refusing to bind $nv: /dev/$ns, a disk of $nv, is in use as swap.*first: swapoff /dev/$ns" \
			"bind $nv: the refusal names the device, the swap and swapoff"
		is "$(sys_driver "$nv"):$(cat "$PCI/$nv/driver_override")" "$before" \
			"bind $nv refused: driver and driver_override unchanged ($before)"
		like "$(cat /proc/swaps)" "/dev/$ns" "bind $nv refused: /dev/$ns is still swap"
	else
		skip "vfioctl bind is not there yet: refusal not checked"
	fi
	swapoff "/dev/$ns"
	check_json "$nv"
	like "$(finding device.in_use "$nv")" "^ok\|" "nvme $nv: after swapoff, not in use"

	# ---------------------------------------------------------------- nvme: mounted
	mkdir -p /mnt/t92
	if ! mkdosfs "/dev/$ns" > /dev/null 2>&1 || ! mount -t vfat "/dev/$ns" /mnt/t92; then
		not_ok "mkdosfs + mount -t vfat /dev/$ns /mnt/t92"
	else
		check_json "$nv"
		like "$(finding device.in_use "$nv")" "^fail\|.*/dev/$ns.*mounted on /mnt/t92.*\|.*umount" \
			"nvme $nv: /dev/$ns mounted on /mnt/t92 makes it in use (from mountinfo), fix: umount"
		before=$(sys_driver "$nv"):$(cat "$PCI/$nv/driver_override")
		vfioctl bind "$nv" > "$W/bind.out" 2> "$W/bind.err"
		is "$?" 1 "bind $nv refuses while /dev/$ns is mounted"
		is "$(sys_driver "$nv"):$(cat "$PCI/$nv/driver_override")" "$before" \
			"bind $nv refused: driver and driver_override unchanged"
		umount /mnt/t92
		check_json "$nv"
		like "$(finding device.in_use "$nv")" "^ok\|" "nvme $nv: after umount, not in use"
	fi
	rmdir /mnt/t92
fi

# ---------------------------------------------------------------- ICH9: the ahci blocker
sata=$(find_ids 8086 2922 | head -n 1)
if [ -z "$sata" ]; then
	not_ok "the ICH9 SATA controller (8086:2922) is there"
else
	g=$(sys_group "$sata")
	check_json "$sata"
	like "$(finding device.group "$sata")" "^info\|$sata is in IOMMU group $g with $(group_size "$g") devices" \
		"ICH9 $sata: device.group counts the $(group_size "$g") members of group $g"
	like "$(finding device.unbind "$sata")" "^warn\|to give group $g to VFIO these must leave their host drivers: .*$sata \(ahci\)\|vfioctl bind --group $g" \
		"ICH9 $sata: device.unbind names $sata (ahci) and the way: bind --group $g"
fi

# ---------------------------------------------------------------- device.backend
edu=$(edu_alone)
bind_to vfio-pci "$edu"
cdev=null
for c in $PCI/$edu/vfio-dev/vfio*; do [ -e "$c/dev" ] && cdev=/dev/vfio/devices/${c##*/}; done
check_json "$edu"
if [ -e /dev/iommu ] && [ "$cdev" != null ]; then
	like "$(finding device.backend "$edu")" "^info\|$edu opens over iommufd: /dev/iommu and the cdev $cdev are there\|null$" \
		"check $edu on vfio-pci: device.backend iommufd, /dev/iommu and its cdev $cdev there"
elif [ -e /dev/iommu ]; then
	like "$(finding device.backend "$edu")" "^info\|$edu opens over type1: " \
		"check $edu on vfio-pci: device.backend type1, the device has no cdev"
else
	like "$(finding device.backend "$edu")" "^info\|$edu opens over type1: no /dev/iommu \(a kernel without CONFIG_IOMMUFD\)\|null$" \
		"check $edu on vfio-pci: device.backend type1, as this kernel has no /dev/iommu"
fi
vfioctl check "$edu" > "$W/human" 2>&1
like "$(cat "$W/human")" "^info  device.backend \[$edu\]: $edu opens over" "check $edu (human): the device.backend line"
reprobe "$edu"
check_json "$edu"
if [ -e /dev/iommu ]; then
	like "$(finding device.backend "$edu")" "^info\|$edu is not on vfio-pci yet(, so it has no cdev)?; there it would open over" \
		"check $edu on no driver: what it would open over once on vfio-pci"
else
	like "$(finding device.backend "$edu")" "^info\|$edu is not on vfio-pci yet; there it would open over type1: no /dev/iommu" \
		"check $edu on no driver: type1 once on vfio-pci, as there is no /dev/iommu"
fi

# ---------------------------------------------------------------- VGA: the console
vga=$(find_ids 1234 1111 | head -n 1)
if [ -n "$vga" ] && [ "$(cat "$PCI/$vga/boot_vga")" = 1 ]; then
	con=""
	for v in /sys/class/vtconsole/*; do
		case "$(cat "$v/name")" in *VGA*) [ "$(cat "$v/bind")" = 1 ] && con=${v##*/} ;; esac
	done
	check_json "$vga"
	if [ -n "$con" ]; then
		like "$(finding device.in_use "$vga")" "^fail\|$vga is the boot VGA device and the host's VGA text console \($con\).*\|echo 0 > /sys/class/vtconsole/$con/bind" \
			"VGA $vga: boot_vga=1 under the bound VGA console $con is in use"
	else
		like "$(finding device.in_use "$vga")" "^ok\|" "VGA $vga: no VGA console bound, not in use"
	fi
else
	skip "no boot VGA device 1234:1111"
fi

# ---------------------------------------------------------------- ACS above the NVMe PF
pf=$(nvme_pf | head -n 1)
rp=$(basename "$(dirname "$(readlink -f "$PCI/$pf")")")
check_json "$pf"
like "$(finding device.acs "$rp")" "^(ok|warn)\|$rp \(root port\)" \
	"nvme PF $pf: device.acs judges its root port $rp"
