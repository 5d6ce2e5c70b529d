# SPDX-License-Identifier: LGPL-2.1-or-later
# vfioctl monitor on the kernel's events (the guest has no udevd): bind and unbind of an
# edu with plain sysfs writes, and VFs created and removed, arrive as events in the order
# the kernel sends them. Leaves the devices as it found them.
. /tests/tap.sh
. /tests/sysfs.sh

# wait_for FILE ERE: until a line of FILE matches (at most about 30 s)
wait_for() {
	_i=0
	while ! grep -qE "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 300 ] && return 1
		sleep 0.1
	done
	return 0
}

edu=$(edu_alone)
g=$(sys_group "$edu")
drv0=$(sys_driver "$edu")
[ "$drv0" = null ] || unbind "$edu"

# ---- edu: bind to vfio-pci and unbind, as JSON lines
vfioctl monitor --json --count 4 --timeout 60 > /tmp/t96.json 2> /tmp/t96.err &
mon=$!
check "monitor says on stderr that it listens (to the kernel: no udevd here)" \
	wait_for /tmp/t96.err "listening to kernel events"
bind_to vfio-pci "$edu"
unbind "$edu"
wait $mon
is "$?" 0 "monitor --count 4 got its 4 events and exited 0"
is "$(jq -r '"\(.event) \(.address // .node) \(.driver // "-") \(.iommu_group)"' /tmp/t96.json | tr '\n' ';')" \
	"group-add /dev/vfio/$g - $g;bind $edu vfio-pci $g;group-remove /dev/vfio/$g - $g;unbind $edu vfio-pci $g;" \
	"bind then unbind of $edu: group-add, bind (vfio-pci), group-remove, unbind (naming vfio-pci)"
is "$(jq -r 'select(.subsystem == "pci") | "\(.vendor_id):\(.device_id) \(.class)"' /tmp/t96.json | sort -u)" \
	"1234:11e8 00ff00" "the PCI events carry the edu's ids and class"

# ---- the same in the human form, one line per event
# The stderr of the run before says "listening" too: start from no file, not a stale one.
rm -f /tmp/t96.err
vfioctl monitor --count 2 --timeout 60 > /tmp/t96.txt 2> /tmp/t96.err &
mon=$!
wait_for /tmp/t96.err listening
bind_to vfio-pci "$edu"
wait $mon
is "$?" 0 "monitor (human form) --count 2: exit 0"
like "$(sed -n 1p /tmp/t96.txt)" "^group-add +group $g +/dev/vfio/$g\$" "line 1: group-add, the group and its node"
like "$(sed -n 2p /tmp/t96.txt)" "^bind +$edu +1234:11e8 +driver vfio-pci +group $g\$" \
	"line 2: bind, the device, its ids, the driver and the group"
unbind "$edu"

# ---- VFs: created by vfioctl sriov (autoprobe off, bound to vfio-pci), then removed
pf=$(nvme_pf)
if [ -n "$pf" ]; then
	export VFIOX_STATE_DIR=/tmp/t96-state
	# From the PF on its host driver (a PF on vfio-pci makes vfio-pci take its VFs at
	# once), put back as found at the end.
	pf_found=$(sys_driver "$pf")
	unbind "$pf"
	echo "$pf" > /sys/bus/pci/drivers_probe
	rm -f /tmp/t96.err
	vfioctl monitor --json > /tmp/t96vf.json 2> /tmp/t96.err &
	mon=$!
	wait_for /tmp/t96.err listening
	vfioctl sriov --json "$pf" --vfs 1 > /tmp/t96-sriov.json 2>&1
	is "$?" 0 "sriov $pf --vfs 1 under the monitor: exit 0"
	vf=$(jq -r '.vfs[0].address' /tmp/t96-sriov.json)
	vg=$(jq -r '.vfs[0].iommu_group' /tmp/t96-sriov.json)
	vfioctl sriov "$pf" --vfs 0 > /dev/null 2>&1
	is "$?" 0 "sriov $pf --vfs 0 under the monitor: exit 0"
	# A last event of its own marks the end: everything before it has been printed.
	bind_to vfio-pci "$edu"
	check "the monitor saw the marker event" wait_for /tmp/t96vf.json "\"bind\".*\"$edu\""
	kill $mon
	wait $mon 2>/dev/null
	unbind "$edu"
	# The kernel also reports a "change" of the new VF (before any driver takes it): it
	# is shown, not compared.
	diag "$(jq -c --arg vf "$vf" 'select(.address == $vf and .event == "change")' /tmp/t96vf.json)"
	is "$(jq -r --arg vf "$vf" --argjson g "$vg" \
		'select((.address == $vf and .event != "change") or
			(.subsystem == "vfio" and .iommu_group == $g)) |
		 "\(.event) \(.driver // "-")"' /tmp/t96vf.json | tr '\n' ';')" \
		"add -;group-add -;bind vfio-pci;group-remove -;unbind vfio-pci;remove -;" \
		"VF $vf: add without a driver, group $vg added, bound to vfio-pci; then group removed, unbind, remove"
	is "$(jq -r --arg vf "$vf" 'select(.address == $vf and .event == "add") | "\(.vendor_id):\(.device_id)"' /tmp/t96vf.json)" \
		"1b36:0010" "the VF's add event carries its ids"
	case $pf_found in
	"$(sys_driver "$pf")") ;;
	null) unbind "$pf" ;;
	*) bind_to "$pf_found" "$pf" ;;
	esac
else
	skip "no SR-IOV PF: no VF events"
fi

# ---- bad input
out=$(vfioctl monitor --count 0 2>&1)
is "$?" 2 "monitor --count 0: usage error"
out=$(vfioctl monitor "$edu" 2>&1)
is "$?" 2 "monitor DEVICE: usage error (it shows all devices)"
out=$(vfioctl monitor --count 1 --timeout 0.3 2>&1)
rc=$?
is "$rc" 1 "monitor --count 1 --timeout 0.3 with no event: exit 1"
like "$out" "0 of the 1 events" "the timeout says how many events came"

[ "$drv0" = null ] || bind_to "$drv0" "$edu"
