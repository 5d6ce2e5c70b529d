# vfioctl list --json equals the guest's sysfs: groups, members, drivers, ids.
. /tests/tap.sh

# check_list_matches_sysfs LABEL: every fact list --json gives, compared with sysfs
check_list_matches_sysfs() {
	label=$1
	J=/tmp/list.json
	vfioctl list --json > $J
	is "$?" 0 "$label: list --json exits 0"
	is "$(jq -r .iommu $J)" true "$label: list --json says the IOMMU is on"

	want=$(ls /sys/kernel/iommu_groups | sort -n | tr '\n' ' ')
	got=$(jq -r '.groups[].group' $J | tr '\n' ' ')
	is "$got" "$want" "$label: the groups are those of /sys/kernel/iommu_groups, in order"

	bad=""
	for g in $(ls /sys/kernel/iommu_groups); do
		want=$(ls /sys/kernel/iommu_groups/$g/devices | sort | tr '\n' ' ')
		got=$(jq -r --argjson g "$g" '.groups[] | select(.group == $g) | .devices[].address' $J | tr '\n' ' ')
		[ "$got" = "$want" ] || bad="$bad group $g: got '$got' want '$want';"
	done
	is "$bad" "" "$label: each group's members are its devices/ directory"

	bad=""
	n=0
	for d in /sys/bus/pci/devices/*; do
		a=${d##*/}
		n=$((n + 1))
		want="$(sys_driver $a) $(sys_hex $a vendor) $(sys_hex $a device) $(sys_hex $a subsystem_vendor) $(sys_hex $a subsystem_device) $(sys_hex $a class) $(sys_group $a)"
		got=$(jq -r --arg a "$a" '[.groups[].devices[], .ungrouped[]] | map(select(.address == $a))[0] |
			"\(.driver // "null") \(.vendor_id) \(.device_id) \(.subsystem_vendor_id) \(.subsystem_device_id) \(.class) \(.iommu_group // "null")"' $J)
		[ "$got" = "$want" ] || bad="$bad $a: got '$got' want '$want';"
	done
	is "$bad" "" "$label: driver, ids, class and group of all $n devices equal sysfs"

	# viability: blockers are exactly the members bound to a driver other than
	# vfio-pci/pci-stub/pcieport
	bad=""
	for g in $(ls /sys/kernel/iommu_groups); do
		want=""
		for m in $(ls /sys/kernel/iommu_groups/$g/devices | sort); do
			case $(sys_driver $m) in null|vfio-pci|pci-stub|pcieport) ;; *) want="$want$m " ;; esac
		done
		got=$(jq -r --argjson g "$g" '.groups[] | select(.group == $g) | .blockers[]' $J | tr '\n' ' ')
		v=$(jq -r --argjson g "$g" '.groups[] | select(.group == $g) | .viable' $J)
		[ "$got" = "$want" ] || bad="$bad group $g blockers: got '$got' want '$want';"
		[ "$v" = "$([ -z "$want" ] && echo true || echo false)" ] || bad="$bad group $g viable=$v;"
	done
	is "$bad" "" "$label: viability and blockers follow the drivers in sysfs"
}

check_list_matches_sysfs "at boot"

# The group of three: a PCIe-to-PCI bridge and two edu devices.
J=/tmp/list.json
bridged=$(jq -r '.groups[] | select(any(.devices[]; .bridge and .device_id == "000e")) | .group' $J)
is "$(jq -r --argjson g "${bridged:-0}" '.groups[] | select(.group == $g) | [.devices[] | "\(.vendor_id):\(.device_id)"] | join(" ")' $J)" \
	"1b36:000e 1234:11e8 1234:11e8" "the bridged group holds the bridge and both edu devices"

# Non-viable groups name their blocker: ahci in the ICH9 group, nvme alone.
is "$(jq -r '.groups[] | select(any(.devices[]; .address == "0000:00:1f.2")) | "\(.viable) \(.blockers | join(","))"' $J)" \
	"false 0000:00:1f.2" "the ICH9 group is not viable and names 00:1f.2 (ahci)"
like "$(vfioctl list)" "NOT viable \(0000:00:1f\.2 bound to ahci\)" "human list names the ahci blocker"
nvme=$(find_ids 1b36 0010 | head -n 1)
is "$(jq -r --arg a "$nvme" '.groups[] | select(any(.devices[]; .address == $a)) | .blockers | join(",")' $J)" \
	"$nvme" "the nvme group names the nvme controller as blocker"

# Filters
is "$(vfioctl list --json --class 0108 | jq -r '[.groups[].devices[].address] | join(" ")')" \
	"$(find_ids 1b36 0010 | sort | tr '\n' ' ' | sed 's/ $//')" "--class 0108 lists the NVMe controllers"
is "$(vfioctl list --json --driver e1000e | jq -r '[.groups[].devices[].address] | join(" ")')" \
	"$(find_ids 8086 10d3)" "--driver e1000e lists the e1000e"
is "$(vfioctl list --json --group "$bridged" | jq -r '[.groups[].group] | join(" ")')" \
	"$bridged" "--group N lists only group N"

# Bind with plain sysfs writes and look again.
edus=$(find_ids 1234 11e8)
for a in $edus; do bind_vfio "$a"; done
is "$(for a in $edus; do sys_driver $a; done | sort -u)" vfio-pci "the edu devices are bound to vfio-pci (sysfs)"
check_list_matches_sysfs "after binding the edu devices"
is "$(vfioctl list --json --group "$bridged" | jq -r '.groups[0].viable')" true \
	"the bridged group is viable with both edu on vfio-pci and the bridge unbound"
check "/dev/vfio/$bridged exists" test -c "/dev/vfio/$bridged"

# Unbind one again: still viable (no driver is fine).
a=$(echo $edus | cut -d' ' -f1)
echo "$a" > "/sys/bus/pci/devices/$a/driver/unbind"
is "$(vfioctl list --json | jq -r --arg a "$a" '.groups[].devices[] | select(.address == $a) | .driver')" null \
	"an unbound device lists with driver null"
check_list_matches_sysfs "after unbinding one edu"
