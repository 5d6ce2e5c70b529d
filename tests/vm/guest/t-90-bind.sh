# SPDX-License-Identifier: LGPL-2.1-or-later
# vfioctl bind / restore on the real kernel: each device type and the bridged group go to
# vfio-pci (their /dev/vfio node appears, the group is viable) and come back exactly; a
# kill -9 at each write of a group bind is undone by 'restore --all'; refusals and bad
# input change nothing. Leaves every device as it found it.
. /tests/tap.sh
. /tests/sysfs.sh

export VFIOX_STATE_DIR=/tmp/t90-state
export VFIOX_ETC_ROOT=/tmp/t90-etc
J=$VFIOX_STATE_DIR/devices
rm -rf "$VFIOX_STATE_DIR" "$VFIOX_ETC_ROOT"

# state ADDR...: "ADDR driver override" per device, the attributes restore must put back
state() {
	for _a in "$@"; do
		read -r _o < "$PCI/$_a/driver_override"
		echo "$_a $(sys_driver "$_a") $_o"
	done
}
all_state() {
	state $(ls "$PCI")
}
journal() {
	ls "$J" 2>/dev/null | tr '\n' ' '
}
# stopped PID: wait (bounded) until the process is stopped by the test hook
stopped() {
	_i=0
	while [ $_i -lt 600 ]; do
		_s=$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f1)
		[ "$_s" = T ] && return 0
		[ -z "$_s" ] && return 1
		sleep 0.05 2>/dev/null || sleep 1
		_i=$((_i + 1))
	done
	return 1
}

all_state > /tmp/t90-before
edu=$(edu_alone)
nvme=$(nvme_plain)
bg=$(bridged_group)
bridge=$(find_ids 1b36 000e)
set -- $(edu_bridged)
e1=$1
e2=$2
diag "edu $edu, nvme $nvme, bridged group $bg: bridge $bridge, $e1, $e2"

# ---------------------------------------------------------------- edu alone
g=$(sys_group $edu)
out=$(vfioctl bind --dry-run $edu 2>&1)
rc=$?
is "$rc" 0 "bind --dry-run $edu exits 0"
like "$out" "1\. write \"vfio-pci\" to /sys/bus/pci/devices/$edu/driver_override" \
	"bind --dry-run $edu: step 1 writes driver_override"
like "$out" "2\. write \"$edu\" to /sys/bus/pci/drivers_probe" \
	"bind --dry-run $edu: step 2 is drivers_probe (no unbind: it has no driver)"
is "$(state $edu)" "$edu null (null)" "bind --dry-run $edu changed nothing"
is "$(journal)" "" "bind --dry-run $edu journaled nothing"

out=$(vfioctl bind $edu 2>&1)
rc=$?
is "$rc" 0 "bind $edu exits 0"
like "$out" "IOMMU group $g: viable, /dev/vfio/$g" "bind $edu reports group $g viable"
is "$(state $edu)" "$edu vfio-pci vfio-pci" "sysfs: $edu on vfio-pci, override vfio-pci"
check "/dev/vfio/$g is a character device after bind returned" test -c /dev/vfio/$g
is "$(vfioctl show --json $edu | jq -c '[.group.viable, .group.blockers]')" "[true,[]]" \
	"show $edu: group $g viable"
like "$(cat $J/$edu 2>&1)" "^driver=$" "journal of $edu: it had no driver"
out=$(vfioctl bind $edu 2>&1)
rc=$?
is "$rc" 0 "bind $edu again exits 0"
like "$out" "$edu: already bound to vfio-pci, nothing to do" "bind $edu again: a no-op, said so"
# A failed bind puts the device back where that bind found it, not on the older original.
out=$(vfioctl bind --driver nosuch-vfio $edu 2>&1)
rc=$?
is "$rc" 1 "bind --driver nosuch-vfio $edu (on vfio-pci) fails: no driver takes it"
like "$out" "$edu did not bind to nosuch-vfio.*put back" "the failure names $edu and says it was put back"
is "$(state $edu)" "$edu vfio-pci vfio-pci" "the failed bind left $edu on vfio-pci, where it found it"
like "$(cat $J/$edu 2>&1)" "^driver=$" "the journal of $edu still holds the state before the first bind"
out=$(vfioctl restore $edu 2>&1)
rc=$?
is "$rc" 0 "restore $edu exits 0"
is "$(state $edu)" "$edu null (null)" "restore $edu: no driver, no override, as before"
is "$(journal)" "" "restore $edu: journal entry gone"
out=$(vfioctl restore $edu 2>&1)
rc=$?
is "$rc" 1 "restore $edu a second time fails"
like "$out" "$edu was not changed by vfioctl" "restore of a device we did not change says so"

# ---------------------------------------------------------------- nvme
g=$(sys_group $nvme)
out=$(vfioctl bind --dry-run --json $nvme)
is "$(echo "$out" | jq -c '[.dry_run, (.steps | length), .devices[0].driver_before]')" \
	'[true,3,"nvme"]' "bind --dry-run --json $nvme: 3 writes, from nvme"
like "$(echo "$out" | jq -r '.steps[1]')" "driver/unbind \(unbind from nvme\)" \
	"bind --dry-run --json $nvme: write 2 unbinds nvme"
out=$(vfioctl bind $nvme 2>&1)
rc=$?
is "$rc" 0 "bind $nvme exits 0"
is "$(state $nvme)" "$nvme vfio-pci vfio-pci" "sysfs: $nvme moved from nvme to vfio-pci"
check "/dev/vfio/$g appeared" test -c /dev/vfio/$g
is "$(vfioctl show --json $nvme | jq -c '.group.viable')" "true" "show $nvme: group $g viable"
out=$(vfioctl restore $nvme 2>&1)
rc=$?
is "$rc" 0 "restore $nvme exits 0"
is "$(state $nvme)" "$nvme nvme (null)" "restore $nvme: back on nvme, override cleared"
check "restore $nvme: the nvme driver has it again (a /sys/class/nvme controller)" \
	sh -c "ls -d $PCI/$nvme/nvme/nvme* >/dev/null 2>&1"

# ---------------------------------------------------------------- the bridged group
out=$(vfioctl bind --group $bg 2>&1)
rc=$?
is "$rc" 0 "bind --group $bg exits 0"
is "$(state $bridge $e1 $e2)" "$bridge null (null)
$e1 vfio-pci vfio-pci
$e2 vfio-pci vfio-pci" "bind --group $bg: both edu on vfio-pci, the bridge untouched"
check "/dev/vfio/$bg appeared" test -c /dev/vfio/$bg
like "$out" "IOMMU group $bg: viable" "bind --group $bg reports the group viable"
is "$(journal)" "$e1 $e2 " "journal: the two edu, not the bridge"
out=$(vfioctl restore --all 2>&1)
rc=$?
is "$rc" 0 "restore --all exits 0"
like "$out" "restored 2 devices" "restore --all restored 2 devices"
is "$(state $bridge $e1 $e2)" "$bridge null (null)
$e1 null (null)
$e2 null (null)" "restore --all: group $bg as before"

# ---------------------------------------------------------------- one vfioctl at a time
state $bridge $e1 $e2 > /tmp/t90-want
VFIOCTL_TEST_STOP_AT_STEP=2 vfioctl bind --group $bg > /tmp/t90-out 2>&1 &
pid=$!
if stopped $pid; then
	out=$(vfioctl --no-wait bind "$edu" 2>&1); rc=$?
	like "$rc $out" "^1 .*another vfioctl is changing device bindings.*pid $pid \(vfioctl" \
		"a second bind --no-wait while one holds the journal's lock: exit 1, naming the holder"
	is "$(sys_driver "$edu")" null "the second bind changed nothing"
	out=$(vfioctl --no-wait restore --all 2>&1); rc=$?
	like "$rc $out" "^1 .*another vfioctl" "restore --all --no-wait waits its turn too: exit 1, says why"
	kill -9 $pid
	wait $pid 2>/dev/null
	vfioctl restore --all > /dev/null 2>&1
	state $bridge $e1 $e2 > /tmp/t90-got
	same "after the holder is killed, restore --all puts group $bg back" /tmp/t90-got /tmp/t90-want
else
	wait $pid
	not_ok "bind --group $bg stopped before write 2" "$(cat /tmp/t90-out)"
fi

# ---------------------------------------------------------------- kill -9 at each step
for k in 1 2 3 4; do
	state $bridge $e1 $e2 > /tmp/t90-want
	VFIOCTL_TEST_STOP_AT_STEP=$k vfioctl bind --group $bg > /tmp/t90-out 2>&1 &
	pid=$!
	if stopped $pid; then
		kill -9 $pid
		wait $pid 2>/dev/null
		like "$(cat /tmp/t90-out)" "stopped before step $k" "bind --group $bg stopped before write $k, killed with -9"
	else
		wait $pid
		not_ok "bind --group $bg stopped before write $k" "$(cat /tmp/t90-out)"
	fi
	diag "killed before write $k: $(state $bridge $e1 $e2 | tr '\n' ';') journal: $(journal)"
	vfioctl restore --all > /tmp/t90-out 2>&1
	rc=$?
	is "$rc" 0 "kill -9 before write $k: restore --all exits 0"
	state $bridge $e1 $e2 > /tmp/t90-got
	same "kill -9 before write $k: restore --all: driver and driver_override of $bridge $e1 $e2 as recorded" \
		/tmp/t90-got /tmp/t90-want
	is "$(journal)" "" "kill -9 before write $k: journal empty after restore --all"
done

# ---------------------------------------------------------------- refusals, bad input
ich9=$(sys_group 0000:00:1f.2)
all_state > /tmp/t90-want
out=$(vfioctl bind 0000:00:1f.3 2>&1)
rc=$?
is "$rc" 1 "bind 00:1f.3 (ICH9 group $ich9, 00:1f.2 held by ahci) is refused"
like "$out" "0000:00:1f\.2, bound to ahci" "the refusal names 00:1f.2 and ahci"
out=$(vfioctl bind --force 0000:00:1f.3 2>/tmp/t90-err)
rc=$?
is "$rc" 1 "bind --force 00:1f.3 binds, and exits 1: group $ich9 stays NOT viable"
like "$(cat /tmp/t90-err)" "warning: 0000:00:1f.3: IOMMU group $ich9 stays unusable for VFIO while 0000:00:1f.2 is on ahci" \
	"bind --force 00:1f.3 warns, once, what stays broken"
is "$(grep -c warning /tmp/t90-err)" 1 "bind --force 00:1f.3: one warning"
like "$out" "IOMMU group $ich9: NOT viable: 0000:00:1f.2 \(ahci\)" "bind --force 00:1f.3 reports the blocker"
is "$(state 0000:00:1f.3)" "0000:00:1f.3 vfio-pci vfio-pci" "bind --force: 00:1f.3 is on vfio-pci"
out=$(vfioctl restore 0000:00:1f.3 2>&1)
rc=$?
is "$rc" 0 "restore 00:1f.3 exits 0"
out=$(vfioctl bind 0000:00:1d.7 2>&1)
rc=$?
is "$rc" 1 "bind of an unknown device fails"
like "$out" "no PCI device 0000:00:1d.7" "the message names the unknown device"
out=$(vfioctl bind $bridge 2>&1)
rc=$?
is "$rc" 1 "bind of the bridge $bridge is refused"
like "$out" "$bridge is a PCI bridge" "the message says it is a bridge"
out=$(vfioctl bind --group 9999 2>&1)
rc=$?
is "$rc" 1 "bind --group 9999 (no such group) fails"
like "$out" "no IOMMU group 9999" "the message names the group"
empty=""
for gd in $IOMMU_GROUPS/*; do
	nb=0
	for m in $(ls $gd/devices); do
		read -r c < $PCI/$m/class
		case $c in 0x0604* | 0x0609*) ;; *) nb=1 ;; esac
	done
	[ $nb = 0 ] && empty=${gd##*/} && break
done
if [ -n "$empty" ]; then
	out=$(vfioctl bind --group $empty 2>&1)
	rc=$?
	is "$rc" 1 "bind --group $empty (bridges only) fails"
	like "$out" "IOMMU group $empty has no device to bind" "the message says there is nothing to bind"
else
	skip "no group of bridges only on this machine"
	skip "no group of bridges only on this machine"
fi
out=$(vfioctl bind 0000:zz:00.0 2>&1)
rc=$?
is "$rc" 2 "bind of a non-address is a usage error"
mkdir -p /tmp/t90-rosys
if mount -t sysfs -o ro sysfs /tmp/t90-rosys 2>/dev/null; then
	out=$(VFIOX_SYSFS_ROOT=/tmp/t90-rosys vfioctl bind $edu 2>&1)
	rc=$?
	is "$rc" 1 "bind $edu on a read-only sysfs fails"
	like "$out" "$edu.*(Read-only file system|read-only)" "the message names $edu and the read-only sysfs"
	umount /tmp/t90-rosys
else
	skip "cannot mount a read-only sysfs"
	skip "cannot mount a read-only sysfs"
fi
all_state > /tmp/t90-got
same "refusals and bad input changed no device" /tmp/t90-got /tmp/t90-want
is "$(journal)" "" "refusals and bad input left no journal entry"

# ---------------------------------------------------------------- persist
rule=$VFIOX_ETC_ROOT/udev/rules.d/61-vfioctl-$edu.rules
out=$(vfioctl bind --persist $edu 2>&1)
rc=$?
is "$rc" 0 "bind --persist $edu exits 0"
like "$(cat $rule 2>&1)" "KERNEL==\"$edu\", ATTR\{driver_override\}=\"vfio-pci\"" \
	"bind --persist wrote a udev rule setting driver_override for $edu"
diag "$(cat $rule 2>&1)"
out=$(vfioctl restore $edu 2>&1)
rc=$?
is "$rc" 0 "restore $edu exits 0"
check "restore $edu removed the udev rule" test ! -e $rule
: > /tmp/t90-etcfile
out=$(VFIOX_ETC_ROOT=/tmp/t90-etcfile vfioctl bind --persist $edu 2>&1)
rc=$?
is "$rc" 1 "bind --persist $edu with an /etc that cannot take the rule fails"
like "$out" "61-vfioctl-$edu\.rules" "the failure names the rule file"
is "$(state $edu)" "$edu null (null)" "bind --persist without its rule changed nothing in sysfs"
is "$(journal)" "" "bind --persist without its rule left no journal entry"
rm -f /tmp/t90-etcfile

# ---------------------------------------------------------------- as found
all_state > /tmp/t90-after
same "every device as this file found it (driver and driver_override)" /tmp/t90-after /tmp/t90-before
is "$(journal)" "" "the journal is empty"
rm -rf "$VFIOX_STATE_DIR" "$VFIOX_ETC_ROOT"
