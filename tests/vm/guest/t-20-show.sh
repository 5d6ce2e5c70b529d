# SPDX-License-Identifier: LGPL-2.1-or-later
# vfioctl show DEVICE|GROUP against the kernel's sysfs; bad input is refused by name.
. /tests/tap.sh
. /tests/sysfs.sh

show_matches_sysfs "at boot"

# show GROUP --json for every group equals the group's directory and its drivers.
: > /tmp/want-groups
: > /tmp/groups.json
for g in $(ls $IOMMU_GROUPS); do
	vfioctl show --json "$g" >> /tmp/groups.json
	mem=""
	blk=""
	for m in $(ls $IOMMU_GROUPS/$g/devices); do
		mem="$mem $m=$(sys_driver $m)"
		keeps_viable "$(sys_driver $m)" || blk="$blk $m"
	done
	echo "$g $([ -z "$blk" ] && echo true || echo false) [$blk ]$mem" >> /tmp/want-groups
done
jq -r '"\(.group) \(.viable) [" + (.blockers | sort | map(" " + .) | add // "") + " ]" +
	(.devices | sort_by(.address) | map(" \(.address)=\(.driver // "null")") | add // "")' \
	/tmp/groups.json > /tmp/got-groups
same "show GROUP --json of every group: number, viable, blockers, members and their drivers equal sysfs" \
	/tmp/got-groups /tmp/want-groups

nvme=$(find_ids 1b36 0010 | head -n 1)
S=$(vfioctl show --json "$nvme")
is "$(echo "$S" | jq -r '.msix | "\(.table_size) \(.table_bir)"')" "65 0" "nvme: MSI-X with 65 vectors, table in BAR0"
is "$(echo "$S" | jq -r '[.capabilities[].name] | index("MSI-X") != null')" true "nvme: the capability list has MSI-X"
is "$(echo "$S" | jq -c '[.group.viable, .group.blockers]')" "[false,[\"$nvme\"]]" \
	"show $nvme: its group is NOT viable, blocked by itself (nvme)"
edu=$(find_ids 1234 11e8 | head -n 1)
is "$(vfioctl show --json "$edu" | jq -r '"\(.msi.vectors) \(.msix)"')" "1 null" "edu: MSI with 1 vector, no MSI-X"
like "$(vfioctl show "$(sys_group 0000:00:1f.2)")" "0000:00:1f.2 is bound to ahci" \
	"show GROUP (human) names the member that breaks viability"

# A driver_override written by hand shows up, and clearing it too.
echo pci-stub > $PCI/$edu/driver_override
is "$(vfioctl show --json "$edu" | jq -r .driver_override)" pci-stub "driver_override written in sysfs is shown"
echo > $PCI/$edu/driver_override
is "$(vfioctl show --json "$edu" | jq -r .driver_override)" null "a cleared driver_override is null"

# Bad input: exit status and a message that names what was asked for.
out=$(vfioctl show 0000:ff:1f.7 2>&1)
is "$?" 1 "show of an absent device exits 1"
like "$out" "^vfioctl: .*0000:ff:1f\.7" "show of an absent device names it"
out=$(vfioctl show zz:zz 2>&1)
rc=$?
case $rc in 1 | 2) ok "show of a garbage address exits 1 or 2 ($rc)" ;;
*) not_ok "show of a garbage address exits 1 or 2" "got exit $rc" ;; esac
like "$out" "^vfioctl: .*zz:zz" "show of a garbage address names it"
out=$(vfioctl show 4242 2>&1)
is "$?" 1 "show of an absent group exits 1"
like "$out" "^vfioctl: .*4242" "show of an absent group names it"
vfioctl list --class zz > /dev/null 2>&1
is "$?" 2 "list --class zz is a usage error (2)"

# ---------------------------------------------------------------- VFIO cdev and backend
# The kernel's truth (cdev_of, sysfs.sh). Runs without VFIOX_BACKEND: what vfioctl
# chooses by itself.
is "$(vfioctl show --json "$edu" | jq -r .vfio_cdev)" null "edu on no VFIO driver: vfio_cdev null"
bind_to vfio-pci "$edu"
want=$(cdev_of "$edu")
diag "$edu on vfio-pci: vfio-dev $(ls $PCI/$edu/vfio-dev 2>&1), cdev $want, /dev/iommu $([ -e /dev/iommu ] && echo there || echo absent)"
S=$(vfioctl show --json "$edu")
is "$(echo "$S" | jq -r .vfio_cdev)" "$want" "show --json $edu on vfio-pci: vfio_cdev is what sysfs gives"
H=$(vfioctl show "$edu")
if [ "$want" = null ]; then
	like "$H" "VFIO cdev: +none: $edu has no VFIO cdev: its vfio-dev/vfio[0-9]+ has no device number" \
		"show: no cdev on this kernel, and why (vfio-dev without a device number)"
else
	like "$H" "VFIO cdev: +$want" "show: the cdev line"
	check "the node $want exists" test -c "$want"
fi
if [ -e /dev/iommu ] && [ "$want" != null ]; then
	is "$(echo "$S" | jq -r '.vfio.iommu | "\(.backend): \(.backend_reason)"')" \
		"iommufd: /dev/iommu and the cdev $want are there" "auto chooses iommufd, and says why"
	is "$(echo "$S" | jq -r '.vfio.iommu.hw_info.type')" \
		"$([ -e /sys/class/iommu/dmar0 ] && echo intel-vtd || echo none)" \
		"iommufd reports the IOMMU behind $edu: VT-d when sysfs has dmar0"
	like "$H" "IOMMU hardware: +" "show: the IOMMU hardware line"
else
	is "$(echo "$S" | jq -r '.vfio.iommu | "\(.backend) \(.hw_info) \(.ioas)"')" "type1 null null" \
		"auto chooses type1: no hardware info, no IOAS"
	if [ -e /dev/iommu ]; then
		like "$(echo "$S" | jq -r .vfio.iommu.backend_reason)" "no VFIO cdev" "auto says type1: the device has no cdev"
	else
		is "$(echo "$S" | jq -r .vfio.iommu.backend_reason)" "no /dev/iommu (a kernel without CONFIG_IOMMUFD)" \
			"auto says type1: this kernel has no /dev/iommu"
	fi
	like "$H" "VFIO backend: +type1: " "show: the backend line"
fi
out=$(vfioctl show --json --backend type1 "$edu" | jq -r '.vfio.iommu | "\(.backend): \(.backend_reason)"')
is "$out" "type1: asked for with --backend type1" "--backend type1 forces type1 and says so"
out=$(VFIOX_BACKEND=iommufd vfioctl show --json "$edu" | jq -r '"\(.vfio.iommu.backend) \(.vfio_unavailable)"')
if [ -e /dev/iommu ] && [ "$want" != null ]; then
	is "$out" "iommufd null" "VFIOX_BACKEND=iommufd: the view over iommufd"
elif [ -e /dev/iommu ]; then
	like "$out" "^null the iommufd backend: " "VFIOX_BACKEND=iommufd without a cdev: unavailable, the library says why"
else
	is "$out" "null the iommufd backend needs /dev/iommu, which does not exist (a kernel without CONFIG_IOMMUFD)" \
		"VFIOX_BACKEND=iommufd without /dev/iommu: unavailable, the library says why"
fi
VFIOX_BACKEND=bogus vfioctl show "$edu" > /dev/null 2> /tmp/t20.err
is "$?" 2 "VFIOX_BACKEND=bogus is a usage error (2)"
like "$(cat /tmp/t20.err)" "VFIOX_BACKEND 'bogus': the backend is auto, type1 or iommufd" \
	"... naming the variable and the allowed values"
reprobe "$edu"
