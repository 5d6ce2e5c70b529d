# SPDX-License-Identifier: LGPL-2.1-or-later
# vfioctl list against the kernel's sysfs at boot: nothing bound to vfio-pci yet.
. /tests/tap.sh
. /tests/sysfs.sh

list_matches_sysfs "at boot"

J=/tmp/cmp/list.json
# The group of three: a PCIe-to-PCI bridge and two edu devices.
bridged=$(sys_group "$(find_ids 1b36 000e)")
is "$(jq -r --argjson g "$bridged" '.groups[] | select(.group == $g) |
	"\(.viable) " + ([.devices[] | "\(.vendor_id):\(.device_id):\(.bridge)"] | sort | join(" "))' $J)" \
	"true 1234:11e8:false 1234:11e8:false 1b36:000e:true" \
	"the bridged group: viable, the bridge and both edu devices, bridge flagged"

# Groups with a member bound to a host driver are not viable and name it.
is "$(jq -r '.groups[] | select(any(.devices[]; .address == "0000:00:1f.2")) | "\(.viable) \(.blockers)"' $J | tr -d ' \n')" \
	'false["0000:00:1f.2"]' "the ICH9 group is NOT viable, blocker 00:1f.2 (ahci) only"
for a in $(find_ids 1b36 0010); do
	is "$(jq -c --arg a "$a" '.groups[] | select(any(.devices[]; .address == $a)) | [.viable, .blockers]' $J)" \
		"[false,[\"$a\"]]" "the group of $a (bound to nvme) is NOT viable, blocker $a"
done
e1000e=$(find_ids 8086 10d3)
is "$(jq -c --arg a "$e1000e" '.groups[] | select(any(.devices[]; .address == $a)) | [.viable, .blockers]' $J)" \
	"[false,[\"$e1000e\"]]" "the group of the e1000e is NOT viable, blocker $e1000e"

# Human output says the same.
out=$(vfioctl list)
is "$?" 0 "list exits 0"
like "$out" "NOT viable \(0000:00:1f\.2 bound to ahci\)" "list names the ahci blocker"
like "$out" "[Gg]roup $bridged:? +\(?viable" "list shows the bridged group as viable"

# Filters
is "$(vfioctl list --json --class 0108 | jq -r '[.groups[].devices[].address] | join(" ")')" \
	"$(find_ids 1b36 0010 | tr '\n' ' ' | sed 's/ $//')" "--class 0108 lists the NVMe controllers only"
is "$(vfioctl list --json --driver e1000e | jq -r '[.groups[].devices[].address] | join(" ")')" \
	"$e1000e" "--driver e1000e lists the e1000e only"
is "$(vfioctl list --json --group "$bridged" | jq -r '[.groups[] | "\(.group):\(.devices | length)"] | join(" ")')" \
	"$bridged:3" "--group $bridged lists only that group, with its 3 devices"

# ---------------------------------------------------------------- VFIO cdevs
# At boot no device is on a VFIO driver: no device has a cdev.
is "$(jq -r '[.groups[].devices[], .ungrouped[] | select(.vfio_cdev != null)] | length' $J)" 0 \
	"list --json at boot: vfio_cdev is null for every device (none is on vfio-pci)"
# Bound to vfio-pci, a device has one when its vfio-dev/vfioN has a device number.
edu=$(find_ids 1234 11e8 | head -n 1)
bind_to vfio-pci "$edu"
want=$(cdev_of "$edu")
diag "$edu on vfio-pci: $(ls -d $PCI/$edu/vfio-dev/* 2>&1), cdev $want"
is "$(vfioctl list --json | jq -r --arg a "$edu" '.groups[].devices[] | select(.address == $a) | .vfio_cdev')" \
	"$want" "list --json: vfio_cdev of $edu on vfio-pci is what sysfs gives ($want)"
if [ "$want" = null ]; then
	like "$(vfioctl list)" "$edu  \[1234:11e8\]  vfio-pci  " "list: no cdev on this kernel, none shown"
else
	like "$(vfioctl list)" "$edu  \[1234:11e8\]  vfio-pci \($want\)" "list: the cdev next to the driver"
fi
reprobe "$edu"
