# SPDX-License-Identifier: LGPL-2.1-or-later
# sysfs.sh - the guest kernel's own account of PCI devices and IOMMU groups, read straight
# from sysfs, and comparisons of vfioctl's JSON against it. Source after tap.sh.
#
#   sys_driver ADDR / sys_group ADDR   bound driver / IOMMU group number, or "null"
#   sys_hex ADDR ATTR                  an id file without its 0x ("1234")
#   find_ids VENDOR DEVICE             addresses of the devices with these ids
#   bind_to DRIVER ADDR                driver_override + drivers_probe (unbinds first)
#   unbind ADDR                        unbind and clear driver_override
#   iommu_kind                         intel, amd, virtio or none (the guest's IOMMU)
#   cdev_of ADDR                       /dev/vfio/devices/vfioN per sysfs, or null
#   keeps_viable DRIVER                true for "null" and drivers that set driver_managed_dma
#   list_matches_sysfs LABEL           6 checks: list --json equals sysfs in every field
#   show_matches_sysfs LABEL           2 checks: show --json of every device and group

PCI=/sys/bus/pci/devices
IOMMU_GROUPS=/sys/kernel/iommu_groups

sys_driver() {
	_l=$(readlink "$PCI/$1/driver") && echo "${_l##*/}" || echo null
}
sys_group() {
	_l=$(readlink "$PCI/$1/iommu_group") && echo "${_l##*/}" || echo null
}
sys_hex() {
	read -r _v < "$PCI/$1/$2" && echo "${_v#0x}"
}
find_ids() {
	for _d in "$PCI"/*; do
		read -r _ven < "$_d/vendor"
		read -r _dev < "$_d/device"
		[ "$_ven:$_dev" = "0x$1:0x$2" ] && echo "${_d##*/}"
	done
	return 0
}
bind_to() {
	echo "$1" > "$PCI/$2/driver_override"
	[ -e "$PCI/$2/driver" ] && echo "$2" > "$PCI/$2/driver/unbind"
	echo "$2" > /sys/bus/pci/drivers_probe
}
# reprobe ADDR...: back to whatever driver the kernel picks by itself (override cleared);
# every test file ends with the devices it bound handed back this way
reprobe() {
	for _a in "$@"; do
		unbind "$_a"
		echo "$_a" > /sys/bus/pci/drivers_probe
	done
}
unbind() {
	[ -e "$PCI/$1/driver" ] && echo "$1" > "$PCI/$1/driver/unbind"
	echo > "$PCI/$1/driver_override"
}
# The kernel lets a group be used through VFIO only when every bound driver manages DMA
# itself (driver_managed_dma): these are the ones this guest has.
keeps_viable() {
	case $1 in null | vfio-pci | pci-stub | pcieport) return 0 ;; esac
	return 1
}

# sysfs_tables DIR: groups, members, devices and viability as sorted text tables
sysfs_tables() {
	ls "$IOMMU_GROUPS" | sort -n > "$1/groups"
	: > "$1/members"
	: > "$1/viability"
	for _g in $(cat "$1/groups"); do
		_b=""
		for _m in $(ls "$IOMMU_GROUPS/$_g/devices"); do
			echo "$_g $_m" >> "$1/members"
			keeps_viable "$(sys_driver "$_m")" || _b="$_b,$_m"
		done
		_b=${_b#,}
		echo "$_g $([ -z "$_b" ] && echo true || echo false) [$_b]" >> "$1/viability"
	done
	sort -o "$1/members" "$1/members"
	sort -o "$1/viability" "$1/viability"
	for _d in "$PCI"/*; do
		_a=${_d##*/}
		read -r _cls < "$_d/class"
		case $_cls in 0x0604* | 0x0609*) _br=true ;; *) _br=false ;; esac
		echo "$_a $(sys_driver "$_a") $(sys_hex "$_a" vendor) $(sys_hex "$_a" device)" \
			"$(sys_hex "$_a" subsystem_vendor) $(sys_hex "$_a" subsystem_device)" \
			"${_cls#0x} $(sys_group "$_a") bridge=$_br"
	done | sort > "$1/devices"
}

# json_tables LIST_JSON DIR: the same tables from vfioctl list --json (one jq: it takes
# about 0.4 s to start under TCG)
json_tables() {
	jq -r '"meta \(.iommu) \(.ungrouped | length)",
		(.groups[] | "groups \(.group)"),
		(.groups[] | .group as $g | .devices[] | "members \($g) \(.address)"),
		(.groups[] | "viability \(.group) \(.viable) [\(.blockers | sort | join(","))]"),
		([.groups[].devices[], .ungrouped[]][] |
			"devices \(.address) \(.driver // "null") \(.vendor_id) \(.device_id)" +
			" \(.subsystem_vendor_id) \(.subsystem_device_id) \(.class)" +
			" \(.iommu_group // "null") bridge=\(.bridge)")' "$1" > "$2/all"
	for _t in meta groups members viability devices; do
		sed -n "s/^$_t //p" "$2/all" > "$2/$_t"
	done
	sort -n -o "$2/groups" "$2/groups"
	for _t in members viability devices; do sort -o "$2/$_t" "$2/$_t"; done
}

list_matches_sysfs() {
	_w=/tmp/cmp
	rm -rf "$_w"
	mkdir -p "$_w/want" "$_w/got"
	vfioctl list --json > "$_w/list.json" 2> "$_w/stderr"
	_rc=$?
	is "$_rc" 0 "$1: list --json exits 0"
	is "$(cat "$_w/stderr")" "" "$1: list --json warns about nothing"
	sysfs_tables "$_w/want"
	json_tables "$_w/list.json" "$_w/got"
	is "$(cat "$_w/got/meta")" "true 0" "$1: list --json: the IOMMU is on and every device has a group"
	same "$1: the groups are /sys/kernel/iommu_groups/*" "$_w/got/groups" "$_w/want/groups"
	same "$1: each group's devices are its devices/ directory" \
		"$_w/got/members" "$_w/want/members"
	same "$1: address, driver, ids, class, group, bridge of all $(wc -l < "$_w/want/devices") devices equal sysfs" \
		"$_w/got/devices" "$_w/want/devices"
	same "$1: viable and blockers follow the drivers bound in sysfs" \
		"$_w/got/viability" "$_w/want/viability"
}

show_matches_sysfs() {
	_w=/tmp/cmp-show
	rm -rf "$_w"
	mkdir -p "$_w"
	_fail=""
	: > "$_w/want"
	for _d in "$PCI"/*; do
		_a=${_d##*/}
		vfioctl show --json "$_a" >> "$_w/show.json" || _fail="$_fail $_a"
		read -r _ov < "$_d/driver_override"
		[ "$_ov" = "(null)" ] && _ov=null
		# no numa_node at all on a kernel without CONFIG_NUMA (the iommufd kernel)
		_numa=null
		[ -e "$_d/numa_node" ] && read -r _numa < "$_d/numa_node"
		[ "$_numa" = -1 ] && _numa=null
		_rm=null
		[ -e "$_d/reset_method" ] && read -r _rm < "$_d/reset_method"
		_sr=null
		[ -e "$_d/sriov_totalvfs" ] && _sr="$(cat "$_d/sriov_totalvfs")/$(cat "$_d/sriov_numvfs")"
		_pf=null
		[ -e "$_d/physfn" ] && _pf=$(basename "$(readlink "$_d/physfn")")
		_g=$(sys_group "$_a")
		_mem=null
		[ "$_g" != null ] && _mem=$(ls "$IOMMU_GROUPS/$_g/devices" | tr '\n' ',')
		echo "$_a drv=$(sys_driver "$_a") override=$_ov numa=$_numa reset=[$_rm]" \
			"rev=$(sys_hex "$_a" revision) sriov=$_sr physfn=$_pf group=$_g members=${_mem%,}" \
			>> "$_w/want"
	done
	is "$_fail" "" "$1: show --json exits 0 for every device"
	jq -r '"\(.address) drv=\(.driver // "null") override=\(.driver_override // "null")" +
		" numa=\(.numa_node // "null")" +
		" reset=[\(if .reset_method then (.reset_method | join(" ")) else "null" end)]" +
		" rev=\(.revision) sriov=\(if .sriov then "\(.sriov.totalvfs)/\(.sriov.numvfs)" else "null" end)" +
		" physfn=\(.physfn // "null") group=\(.iommu_group // "null")" +
		" members=\(if .group then (.group.devices | sort | join(",")) else "null" end)"' \
		"$_w/show.json" > "$_w/got"
	same "$1: show --json of every device: driver, override, NUMA node, reset methods, revision, SR-IOV, PF, group members equal sysfs" \
		"$_w/got" "$_w/want"
}

# The standard devices of devices.sh, by role:
#   edu_alone       the edu device in a group of its own
#   edu_bridged     the two edu devices behind the PCIe-to-PCI bridge
#   bridged_group   their IOMMU group (bridge + both edu)
#   nvme_plain      the NVMe controller without SR-IOV
#   nvme_pf         the NVMe controller with SR-IOV
group_size() {
	# "null": a device in no group (virtio-iommu leaves devices no driver probed so)
	[ "$1" = null ] && { echo 0; return 0; }
	ls "$IOMMU_GROUPS/$1/devices" | wc -l
}
# cdev_of ADDR: the device's VFIO cdev node, or null: a vfio-dev/vfioN with a device number
# (every VFIO device has the directory since 6.1; only CONFIG_VFIO_DEVICE_CDEV gives it dev)
cdev_of() {
	for _c in $PCI/$1/vfio-dev/vfio*; do
		[ -e "$_c/dev" ] && echo "/dev/vfio/devices/${_c##*/}" && return 0
	done
	echo null
}
# iommu_kind: intel (dmarN), amd (ivhdN) or virtio (a virtio_iommu device), else none
iommu_kind() {
	for _i in /sys/class/iommu/*; do
		case ${_i##*/} in dmar*) echo intel; return 0 ;; ivhd*) echo amd; return 0 ;; esac
	done
	for _i in /sys/bus/virtio/drivers/virtio_iommu/virtio*; do
		[ -e "$_i" ] && { echo virtio; return 0; }
	done
	echo none
}
edu_alone() {
	for _a in $(find_ids 1234 11e8); do
		[ "$(group_size "$(sys_group "$_a")")" = 1 ] && echo "$_a"
	done
	return 0
}
edu_bridged() {
	for _a in $(find_ids 1234 11e8); do
		[ "$(group_size "$(sys_group "$_a")")" = 3 ] && echo "$_a"
	done
	return 0
}
bridged_group() {
	sys_group "$(edu_bridged | head -n 1)"
}
nvme_plain() {
	for _a in $(find_ids 1b36 0010); do [ -e "$PCI/$_a/sriov_totalvfs" ] || echo "$_a"; done
	return 0
}
nvme_pf() {
	for _a in $(find_ids 1b36 0010); do [ -e "$PCI/$_a/sriov_totalvfs" ] && echo "$_a"; done
	return 0
}
