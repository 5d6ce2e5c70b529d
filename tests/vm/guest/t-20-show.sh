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
