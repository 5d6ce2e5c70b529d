# SPDX-License-Identifier: LGPL-2.1-or-later
# Bind and unbind with plain sysfs writes; list and show follow the kernel each time.
. /tests/tap.sh
. /tests/sysfs.sh

# group_json G: "[viable,[blockers],[address=driver...]]" from show G --json
group_json() {
	vfioctl show --json "$1" |
		jq -c '[.viable, (.blockers | sort), [.devices[] | "\(.address)=\(.driver // "null")"]]'
}

edus=$(find_ids 1234 11e8)
bridged=$(sys_group "$(find_ids 1b36 000e)")
bridge=$(find_ids 1b36 000e)
for a in $edus; do
	[ "$(ls $IOMMU_GROUPS/$(sys_group $a)/devices | wc -l)" = 1 ] && lone=$a
done
lg=$(sys_group $lone)

# One edu alone in its group.
bind_to vfio-pci $lone
is "$(sys_driver $lone)" vfio-pci "sysfs: $lone is now bound to vfio-pci"
check "/dev/vfio/$lg appeared" test -c /dev/vfio/$lg
is "$(vfioctl show --json $lone | jq -c '[.driver, .driver_override, .group.group, .group.viable, .group.blockers]')" \
	"[\"vfio-pci\",\"vfio-pci\",$lg,true,[]]" "show $lone: driver and override vfio-pci, group $lg viable"
is "$(vfioctl list --json --driver vfio-pci | jq -c '[.groups[] | [.group, .viable, [.devices[].address]]]')" \
	"[[$lg,true,[\"$lone\"]]]" "list --driver vfio-pci: only $lone, in viable group $lg"
list_matches_sysfs "one edu on vfio-pci"

# Both edu devices behind the bridge: the bridge stays without a driver.
set -- $(ls $IOMMU_GROUPS/$bridged/devices | grep -v "$bridge")
e1=$1
e2=$2
bind_to vfio-pci $e1
bind_to vfio-pci $e2
is "$(group_json $bridged)" "[true,[],[\"$bridge=null\",\"$e1=vfio-pci\",\"$e2=vfio-pci\"]]" \
	"show $bridged: viable, the bridge unbound and both edu on vfio-pci"
check "/dev/vfio/$bridged appeared" test -c /dev/vfio/$bridged
unbind $e1
is "$(group_json $bridged)" "[true,[],[\"$bridge=null\",\"$e1=null\",\"$e2=vfio-pci\"]]" \
	"show $bridged: still viable with $e1 unbound"
bind_to pci-stub $e1
is "$(group_json $bridged)" "[true,[],[\"$bridge=null\",\"$e1=pci-stub\",\"$e2=vfio-pci\"]]" \
	"show $bridged: still viable with $e1 on pci-stub"

# vfio-pci on one member does not make up for a host driver on another.
ich9=$(sys_group 0000:00:1f.2)
bind_to vfio-pci 0000:00:1f.3
is "$(group_json $ich9)" \
	'[false,["0000:00:1f.2"],["0000:00:1f.0=null","0000:00:1f.2=ahci","0000:00:1f.3=vfio-pci"]]' \
	"ICH9 group with 00:1f.3 on vfio-pci: NOT viable, blocker 00:1f.2 (ahci) only"
like "$(vfioctl list --group $ich9)" "NOT viable \(0000:00:1f\.2 bound to ahci\)" \
	"list --group $ich9 names the ahci blocker"

# The nvme controller: from nvme to vfio-pci and back.
nvme=$(find_ids 1b36 0010 | head -n 1)
ng=$(sys_group $nvme)
bind_to vfio-pci $nvme
is "$(group_json $ng)" "[true,[],[\"$nvme=vfio-pci\"]]" "$nvme moved to vfio-pci: its group is viable"
list_matches_sysfs "edu, nvme, SMBus on vfio-pci, an edu on pci-stub"
show_matches_sysfs "edu, nvme, SMBus on vfio-pci, an edu on pci-stub"
reprobe $nvme
is "$(sys_driver $nvme)" nvme "sysfs: $nvme is back on nvme"
is "$(group_json $ng)" "[false,[\"$nvme\"],[\"$nvme=nvme\"]]" "$nvme back on nvme: NOT viable, blocker $nvme"
is "$(vfioctl show --json $nvme | jq -c '[.driver, .driver_override]')" '["nvme",null]' \
	"show $nvme: driver nvme, no override"

reprobe 0000:00:1f.3
for a in $edus; do reprobe $a; done
list_matches_sysfs "everything unbound again"
