# SPDX-License-Identifier: LGPL-2.1-or-later
# vfiox-udev: yes
# With Debian's systemd-udevd running, as on a host (/init starts it for this file):
# monitor passes on udevd's events with what udevd added to them; bind returns only once
# udevd has left the group node as its rules want it (a rule that gives the node to nobody
# and takes two seconds to do so: nobody opens it the moment bind returns, where a plain
# sysfs bind shows the node still root's); a udevd stuck past bind --timeout is reported;
# grant's rule, run by udevd, gives a re-created node to its user; a bind --persist rule
# brings the nvme back on vfio-pci after a remove and rescan with no vfioctl running, and
# after restore it comes back on nvme. Leaves the devices and /etc/udev as it found them.
. /tests/tap.sh
. /tests/sysfs.sh

# wait_for FILE ERE: until a line of FILE matches (at most about 30 s)
wait_for() {
	_i=0
	while ! grep -qE "$2" "$1" 2> /dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 300 ] && return 1
		sleep 0.1
	done
	return 0
}
owner() {
	stat -c '%u %a' "$1" 2>&1
}
rules=/etc/udev/rules.d
test_rule=$rules/70-t88-test.rules
put_rule() {
	printf '%s\n' "$@" > $test_rule
	udevadm control --reload
}
drop_rule() {
	rm -f $test_rule
	udevadm control --reload
}

udevadm control --ping > /dev/null 2>&1 || skip_file "systemd-udevd does not answer (see /tmp/udevd.log)"
edu=$(edu_alone | head -n 1)
nvme=$(nvme_plain | head -n 1)
[ -n "$edu" ] || skip_file "no edu device in a group of its own"
g=$(sys_group "$edu")
diag "udevd $(udevadm --version), edu $edu (group $g), nvme $nvme"
[ "$(sys_driver "$edu")" = null ] || unbind "$edu"
export VFIOX_STATE_DIR=/tmp/t88-state
rm -rf $VFIOX_STATE_DIR

# ---------------------------------------------------------------- monitor
put_rule "SUBSYSTEM==\"vfio\", KERNEL==\"$g\", ENV{VFIOX_T88}=\"seen by a rule\""
vfioctl monitor --json --count 4 --timeout 60 > /tmp/t88-udev.json 2> /tmp/t88-udev.err &
mon_u=$!
vfioctl monitor --json --kernel --count 4 --timeout 60 > /tmp/t88-kern.json 2> /tmp/t88-kern.err &
mon_k=$!
check "monitor picks udevd's events when udevd runs, and says so" \
	wait_for /tmp/t88-udev.err "listening to udev events"
check "monitor --kernel listens to the kernel meanwhile" wait_for /tmp/t88-kern.err "listening to kernel events"
bind_to vfio-pci "$edu"
udevadm settle
unbind "$edu"
wait $mon_u
is "$?" 0 "monitor (udevd's events) got its 4 events and exited 0"
wait $mon_k
is "$?" 0 "monitor --kernel got its 4 events and exited 0"
# udevd handles events of different devices (the PCI device, the group node) in parallel
# and passes each on when done, so across devices its order may differ from the kernel's;
# the sets are the same.
seq4="bind $edu vfio-pci $g;group-add /dev/vfio/$g - $g;group-remove /dev/vfio/$g - $g;unbind $edu vfio-pci $g;"
events() {
	jq -r '"\(.event) \(.address // .node) \(.driver // "-") \(.iommu_group)"' "$1" | sort | tr '\n' ';'
}
is "$(events /tmp/t88-udev.json)" "$seq4" "udevd's events: group-add, bind, group-remove, unbind, as from the kernel"
is "$(events /tmp/t88-kern.json)" "$seq4" "the kernel's events: the same four"
is "$(jq -r 'select(.address) | .event' /tmp/t88-udev.json | tr '\n' ' ')" "bind unbind " \
	"udevd's events of the PCI device come in the kernel's order (bind, then unbind)"
is "$(jq -r '.udev' /tmp/t88-kern.json | sort -u)" "null" "the kernel's events carry udev: null"
is "$(jq -r 'select(.event == "group-add") | .udev.VFIOX_T88' /tmp/t88-udev.json)" "seen by a rule" \
	"udevd's group-add carries the property a rule set (ENV{VFIOX_T88})"
is "$(jq -r 'select(.subsystem == "pci") | .udev.ID_PATH' /tmp/t88-udev.json | sort -u)" "pci-$edu" \
	"udevd's PCI events carry ID_PATH from its path_id builtin"
is "$(jq -r '[.[] | .udev | has("USEC_INITIALIZED") ] | all' -s /tmp/t88-udev.json)" "true" \
	"every event from udevd says when udevd first saw the device (USEC_INITIALIZED)"
is "$(jq -r '[.[] | .udev | keys[] | select(. == "ACTION" or . == "DEVPATH" or . == "PCI_ID")] | length' -s /tmp/t88-udev.json)" "0" \
	"udev's part holds only what udevd added (no ACTION, DEVPATH, PCI_ID)"
diag "$(head -n 2 /tmp/t88-udev.json)"
vfioctl monitor --count 1 --timeout 60 > /tmp/t88-human.out 2> /tmp/t88-human.err &
mon_u=$!
wait_for /tmp/t88-human.err "listening to udev events"
bind_to vfio-pci "$edu"
wait $mon_u
udevadm settle
unbind "$edu"
like "$(cat /tmp/t88-human.out)" "^    udev: .*VFIOX_T88=seen by a rule" \
	"monitor (text): udevd's additions on an indented 'udev:' line after the event"
udevadm settle

# ---------------------------------------------------------------- bind waits for udevd
put_rule "SUBSYSTEM==\"vfio\", KERNEL==\"$g\", PROGRAM==\"/bin/sleep 2\", OWNER=\"nobody\", MODE=\"0600\""
bind_to vfio-pci "$edu"
is "$(owner /dev/vfio/$g)" "0 600" "a plain sysfs bind returns with the node still root's (udevd's rule is slow)"
udevadm settle
is "$(owner /dev/vfio/$g)" "65534 600" "udevd then gives the node to nobody"
unbind "$edu"
udevadm settle
start=$(cut -d' ' -f1 /proc/uptime)
vfioctl bind "$edu" > /tmp/t88.out 2>&1
rc=$?
after=$(owner /dev/vfio/$g)
took=$(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')
is "$rc" 0 "vfioctl bind $edu exits 0"
is "$after" "65534 600" "the moment vfioctl bind returns, the node is as udevd's rule leaves it (nobody's)"
su -s /bin/sh nobody -c "exec 3<> /dev/vfio/$g" > /tmp/t88-open.out 2>&1
is "$?:$(cat /tmp/t88-open.out)" "0:" "nobody opens /dev/vfio/$g right after bind returned"
diag "bind took $took s with a 2 s rule"
vfioctl restore "$edu" > /dev/null 2>&1
udevadm settle
put_rule "SUBSYSTEM==\"vfio\", KERNEL==\"$g\", PROGRAM==\"/bin/sleep 4\", OWNER=\"nobody\""
out=$(vfioctl bind --timeout 1 "$edu" 2>&1)
rc=$?
is "$rc" 1 "bind --timeout 1 with udevd busy for 4 s on the node exits 1"
like "$out" "udevd has not finished with /dev/vfio/$g within .* ms .*udevadm settle" \
	"it says udevd has not finished with the node, and what to run"
is "$(sys_driver "$edu")" vfio-pci "the bind itself is done (journaled): restore gives it back"
udevadm settle
vfioctl restore "$edu" > /dev/null 2>&1
is "$(sys_driver "$edu")" null "restore after the timeout puts $edu back"
drop_rule
udevadm settle

# ---------------------------------------------------------------- grant's rule under udevd
mkdir -p /etc/security/limits.d
vfioctl bind "$edu" > /dev/null 2>&1
out=$(vfioctl grant --user nobody --no-memlock "$edu" 2>&1)
is "$?" 0 "grant --user nobody $edu exits 0"
vfioctl restore "$edu" > /dev/null 2>&1
udevadm settle
vfioctl bind "$edu" > /tmp/t88.out 2>&1
is "$?:$(owner /dev/vfio/$g)" "0:65534 600" \
	"after restore and bind again, udevd ran grant's rule: the new node is nobody's when bind returns"
out=$(vfioctl grant --revoke "$edu" 2>&1)
is "$?" 0 "grant --revoke $edu exits 0"
vfioctl restore "$edu" > /dev/null 2>&1
udevadm settle
vfioctl bind "$edu" > /dev/null 2>&1
is "$(owner /dev/vfio/$g)" "0 600" "after --revoke, udevd leaves a new node root's"
vfioctl restore "$edu" > /dev/null 2>&1
udevadm settle

# ---------------------------------------------------------------- bind --persist
if [ -n "$nvme" ] && [ "$(sys_driver "$nvme")" = nvme ]; then
	prule=$rules/61-vfioctl-$nvme.rules
	out=$(vfioctl bind --persist "$nvme" 2>&1)
	is "$?:$(sys_driver "$nvme")" "0:vfio-pci" "bind --persist $nvme exits 0, on vfio-pci"
	check "bind --persist wrote $prule" test -e "$prule"
	udevadm settle
	echo 1 > "$PCI/$nvme/remove"
	udevadm settle
	check "$nvme is gone after remove" test ! -e "$PCI/$nvme"
	echo 1 > /sys/bus/pci/rescan
	udevadm settle
	is "$(sys_driver "$nvme")" vfio-pci "after remove and rescan, udevd's run of the --persist rule put $nvme on vfio-pci (no vfioctl ran)"
	ng=$(sys_group "$nvme")
	check "its group node /dev/vfio/$ng is there" test -c "/dev/vfio/$ng"
	out=$(vfioctl restore "$nvme" 2>&1)
	is "$?:$(sys_driver "$nvme")" "0:nvme" "restore $nvme puts it back on nvme"
	check "restore removed $prule" test ! -e "$prule"
	udevadm settle
	echo 1 > "$PCI/$nvme/remove"
	udevadm settle
	echo 1 > /sys/bus/pci/rescan
	udevadm settle
	is "$(sys_driver "$nvme")" nvme "after restore, a remove and rescan bring $nvme back on its own driver"
else
	skip "no nvme on the nvme driver for the --persist case"
fi

vfioctl restore --all > /dev/null 2>&1
is "$(ls $VFIOX_STATE_DIR/devices 2> /dev/null)" "" "nothing is left in the journal"
is "$(ls $rules)" "" "/etc/udev/rules.d is empty again"
is "$(sys_driver "$edu")" null "$edu is on no driver, as found"
