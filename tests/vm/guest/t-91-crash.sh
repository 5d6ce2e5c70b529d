# SPDX-License-Identifier: LGPL-2.1-or-later
# Crashes and races of the binding verbs on the real kernel (issue 14). kill -9 before
# every step of 'restore' (of devices bound by bind), of 'restore --all', of 'sriov --vfs
# 2' and of 'sriov --vfs 0', each followed by 'restore --all': every device the journal
# recorded is back as recorded, attribute by attribute (driver, driver_override,
# sriov_numvfs, sriov_drivers_autoprobe), and every device as this file found it. A torn
# journal entry is named by 'restore --all', which restores the others. A second vfioctl
# waits for the lock, saying who holds it, up to --wait. Ten vfioctl at once, binding and
# restoring overlapping devices, all finish (none refused for the lock, none hung) and
# leave the journal matching sysfs. Leaves every device as it found it.
. /tests/tap.sh
. /tests/sysfs.sh

export VFIOX_STATE_DIR=/tmp/t91-state
J=$VFIOX_STATE_DIR/devices
W=/tmp/t91
rm -rf "$VFIOX_STATE_DIR" "$W"
mkdir -p "$W"

edu=$(edu_alone)
nvme=$(nvme_plain)
pf=$(nvme_pf)
bg=$(bridged_group)
set -- $(edu_bridged)
e1=$1
e2=$2
[ -n "$edu" ] && [ -n "$nvme" ] && [ -n "$e1" ] && [ -n "$e2" ] ||
	skip_file "the standard devices (edu, nvme, bridged edu) are missing"
# The journal's lock is a flock: a kernel without CONFIG_FILE_LOCKING (no /proc/locks, the
# iommufd kernel) refuses it with ENOSYS, so nothing journaled can run there.
[ -e /proc/locks ] || skip_file "no /proc/locks: this kernel has no file locking (the journal's flock)"

# The PF as t-94 wants it: its own driver, no VFs, autoprobe on; put back at the end.
if [ -n "$pf" ]; then
	pf_found=$(sys_driver "$pf")
	pf_found_ap=$(cat $PCI/$pf/sriov_drivers_autoprobe)
	[ "$(cat $PCI/$pf/sriov_numvfs)" = 0 ] || echo 0 > $PCI/$pf/sriov_numvfs
	echo 1 > $PCI/$pf/sriov_drivers_autoprobe
	reprobe "$pf"
fi

# attrs ADDR...: one line per device, every attribute the journal can record, normalised
# ("none" for no driver or no override)
attrs() {
	for _a in "$@"; do
		[ -e "$PCI/$_a" ] || { echo "$_a gone"; continue; }
		_d=$(sys_driver "$_a")
		read -r _o < "$PCI/$_a/driver_override"
		_l="$_a driver=${_d%null}"
		_l="$_l driver_override=${_o%(null)}"
		if [ -e "$PCI/$_a/sriov_numvfs" ]; then
			_l="$_l sriov_numvfs=$(cat $PCI/$_a/sriov_numvfs)"
			_l="$_l sriov_drivers_autoprobe=$(cat $PCI/$_a/sriov_drivers_autoprobe)"
		fi
		echo "$_l" | sed 's/=\( \|$\)/=none\1/g'
	done
}
all_attrs() {
	attrs $(ls "$PCI")
}
# recorded: "ADDR key=value" for every field of every journal entry, normalised as attrs
recorded() {
	for _f in "$J"/*; do
		[ -e "$_f" ] || continue
		_a=${_f##*/}
		sed -n 's/^\(driver\|driver_override\|sriov_numvfs\|sriov_drivers_autoprobe\)=\(.*\)$/\1=\2/p' "$_f" |
			sed 's/=$/=none/' | sed "s/^/$_a /"
	done
}
journal() {
	ls "$J" 2>/dev/null | tr '\n' ' '
}
# as_recorded FILE: the fields of FILE (from recorded) that sysfs does not hold now; a VF
# that is gone is as recorded (its PF's sriov_numvfs, recorded too, removed it)
as_recorded() {
	while read -r _a _kv; do
		[ ! -e "$PCI/$_a" ] && [ -e "$PCI/$_a/../physfn" -o -z "$(grep "^$_a " $W/found)" ] && continue
		attrs "$_a" | grep -q " $_kv\( \|$\)" || echo "$_a: $_kv recorded, sysfs: $(attrs "$_a")"
	done < "$1"
}
# stopped PID: until the test hook stopped it (0), or it ended (1)
stopped() {
	_i=0
	while [ $_i -lt 600 ]; do
		_s=$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f1)
		[ "$_s" = T ] && return 0
		[ -z "$_s" ] || [ "$_s" = Z ] && return 1
		sleep 0.02
		_i=$((_i + 1))
	done
	return 1
}
# hundredths of a second since boot
now_cs() {
	read -r _up _ < /proc/uptime
	echo $((${_up%.*} * 100 + 1${_up#*.} - 100))
}

all_attrs > $W/found

# crash_loop LABEL SETUP CMD...: for K = 1, 2, ...: SETUP (a shell command: the changes
# CMD undoes or makes), CMD stopped before its step K by the test hook and killed with -9,
# the journal's fields noted, 'restore --all'; then every noted field holds in sysfs and
# every device is as found. Ends when CMD runs through without being stopped: 4 checks.
crash_loop() {
	_label=$1
	_setup=$2
	shift 2
	_k=1
	_steps=""
	_bad=""
	_fail=""
	_fields=0
	while [ $_k -le 30 ]; do
		sh -c "$_setup" > $W/setup.out 2>&1 || _fail="$_fail setup($_k):$(tail -n 1 $W/setup.out)"
		VFIOCTL_TEST_STOP_AT_STEP=$_k vfioctl "$@" > $W/out 2>&1 &
		_pid=$!
		if stopped $_pid; then
			kill -9 $_pid
			wait $_pid 2>/dev/null
			grep -q "stopped before step $_k:" $W/out || _fail="$_fail hook($_k)"
		else
			wait $_pid
			_rc=$?
			[ $_rc = 0 ] || _fail="$_fail rc($_k)=$_rc:$(tail -n 1 $W/out)"
			_steps=$((_k - 1))
		fi
		recorded > $W/rec
		_fields=$((_fields + $(wc -l < $W/rec)))
		vfioctl restore --all > $W/restore.out 2>&1 || _fail="$_fail restore($_k):$(tail -n 1 $W/restore.out)"
		_m=$(as_recorded $W/rec)
		[ -z "$_m" ] || _bad="$_bad [step $_k] $_m"
		all_attrs > $W/now
		cmp -s $W/now $W/found || _bad="$_bad [step $_k, not as found] $(diff $W/found $W/now | grep '^[-+][^-+]' | tr '\n' ' ')"
		[ -z "$(journal)" ] || _bad="$_bad [step $_k, journal left: $(journal)]"
		[ -n "$_steps" ] && break
		_k=$((_k + 1))
	done
	diag "$_label: $_steps steps, killed before each; $_fields journal fields checked after restore --all"
	like "${_steps:-none}" '^[1-9][0-9]*$' "$_label: the test hook stopped it before each of its steps, until it ran through (${_steps:-no end} steps)"
	is "$_fail" "" "$_label: every run, kill and restore --all as expected"
	is "$_bad" "" "$_label: after a kill -9 before each step, restore --all put back every recorded field and every device as found"
	check "$_label: the journal fields were compared ($_fields)" test "$_fields" -gt 0
}

t0=$(now_cs)
# ---------------------------------------------------------------- kill -9 at every step
crash_loop "restore $nvme $edu" "vfioctl bind $nvme $edu" restore $nvme $edu
crash_loop "restore --all (group $bg)" "vfioctl bind --group $bg" restore --all
if [ -n "$pf" ]; then
	crash_loop "sriov $pf --vfs 2" ":" sriov $pf --vfs 2
	crash_loop "sriov $pf --vfs 0" "vfioctl sriov $pf --vfs 2" sriov $pf --vfs 0
else
	for _i in 1 2 3 4 5 6 7 8; do skip "no SR-IOV PF"; done
fi
diag "kill -9 loops: $(( ($(now_cs) - t0) / 100 )) s"

# ---------------------------------------------------------------- a torn journal entry
vfioctl bind $edu $nvme > $W/out 2>&1
is "$?" 0 "bind $edu $nvme for the torn entry"
size=$(wc -c < $J/$edu)
head -c 60 $J/$edu > $W/torn && cat $W/torn > $J/$edu
out=$(vfioctl restore --all 2>&1)
rc=$?
is "$rc" 1 "restore --all with the entry of $edu cut to 60 of $size bytes: exit 1"
like "$out" "$J/$edu is damaged: .*torn" "restore --all names the torn entry's file and says it is torn"
like "$out" "1 other device restored" "restore --all says the other device was restored"
is "$(attrs $nvme)" "$(grep "^$nvme " $W/found)" "the other device, $nvme, is back as found"
is "$(journal)" "$edu " "the torn entry is kept (nothing of it is trusted), the other gone"
rm -f $J/$edu
reprobe $edu
is "$(attrs $edu)" "$(grep "^$edu " $W/found)" "$edu put back by hand"

# ---------------------------------------------------------------- waiting for the lock
VFIOCTL_TEST_STOP_AT_STEP=1 vfioctl bind $edu > $W/holder 2>&1 &
holder=$!
if stopped $holder; then
	t1=$(now_cs)
	out=$(vfioctl --wait 1 bind $nvme 2>&1)
	rc=$?
	t2=$(now_cs)
	is "$rc" 1 "--wait 1 while a stopped vfioctl holds the lock: exit 1"
	like "$out" "waited 1 s for the journal lock .*, still held by pid $holder \(vfioctl bind $edu\).*--wait SECONDS" \
		"the timeout names the holder's pid and command, and --wait"
	check "--wait 1 gave up after 1 to 5 s ($(((t2 - t1) * 10)) ms)" test $((t2 - t1)) -ge 95 -a $((t2 - t1)) -le 500
	is "$(attrs $nvme)" "$(grep "^$nvme " $W/found)" "the timed-out bind changed nothing"
	vfioctl restore --all > $W/waiter 2>&1 &
	waiter=$!
	i=0
	while ! grep -q "holds the journal lock" $W/waiter && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	like "$(cat $W/waiter)" "warning: pid $holder \(vfioctl bind $edu\) holds the journal lock .*: waiting up to 60 s" \
		"restore --all (default --wait 60) says once who holds the lock and waits"
	kill -9 $holder
	wait $holder 2>/dev/null
	timeout -s KILL 60 sh -c "while kill -0 $waiter 2>/dev/null; do sleep 0.05; done"
	wait $waiter
	is "$?" 0 "the holder killed, the waiting restore --all takes the lock and exits 0"
	is "$(grep -c 'holds the journal lock' $W/waiter)" 1 "the wait was said once"
	is "$(attrs $edu)" "$(grep "^$edu " $W/found)" "and it undid the killed bind of $edu"
else
	wait $holder
	not_ok "bind $edu stopped before step 1" "$(cat $W/holder)"
	for _i in 1 2 3 4 5 6 7; do skip "no stopped holder"; done
fi

# ---------------------------------------------------------------- ten at once
# consistent: every device without an entry is as found; every entry holds the found
# values, and its device is changed (on vfio-pci, or VFs); a VF without an entry has no
# driver; prints what is not so
consistent() {
	recorded > $W/crec
	for _a in $(ls "$PCI"); do
		_now=$(attrs "$_a")
		_was=$(grep "^$_a " $W/found)
		if [ -e "$J/$_a" ]; then
			grep "^$_a " $W/crec | while read -r _x _kv; do
				if [ -n "$_was" ]; then
					echo "$_was " | grep -q " $_kv " || echo "$_a: journal $_kv, found: $_was"
				else
					[ "$_kv" = driver=none ] || [ "$_kv" = driver_override=none ] ||
						echo "$_a (a VF): journal $_kv"
				fi
			done
			case "$_now " in
			*" driver=vfio-pci "*) ;;
			*" sriov_numvfs=0 "*) echo "$_a: journaled but not changed: $_now" ;;
			*sriov_numvfs=*) ;;
			*) echo "$_a: journaled but not changed: $_now" ;;
			esac
		elif [ -n "$_was" ]; then
			[ "$_now" = "$_was" ] || echo "$_a: no journal entry, but $_now (found: $_was)"
		else
			case "$_now " in
			*" driver=none "*) ;;
			*) echo "$_a (a VF): no journal entry, but $_now" ;;
			esac
			[ -e "$J/$(basename "$(readlink $PCI/$_a/physfn)")" ] || echo "$_a: a VF of a PF without an entry"
		fi
	done
}

# round N CMD...: the ten commands at once, each under a 90 s KILL timeout; results in $W/rN.*
round() {
	_n=$1
	shift
	_i=0
	for _c in "$@"; do
		_i=$((_i + 1))
		echo "$_c" > $W/r$_n.$_i.cmd
		(
			_s=$(now_cs)
			timeout -s KILL 90 vfioctl $_c > $W/r$_n.$_i.out 2>&1
			echo "$? $(($(now_cs) - _s))" > $W/r$_n.$_i.rc
		) &
	done
	wait
}

lock_msgs=0
longest=0
for r in 1 2; do
	if [ $r = 1 ]; then
		round $r "bind $edu" "bind $edu" "restore $edu" "bind $nvme" "restore $nvme" \
			"bind --group $bg" "bind $e1" "restore --all" "${pf:+sriov $pf --vfs 2}" \
			"${pf:+sriov $pf --vfs 0}"
	else
		round $r "bind $nvme $edu" "restore --all" "bind --group $bg" "restore $e1" \
			"${pf:+sriov $pf --vfs 2}" "bind $e2" "restore $nvme" "bind $edu" \
			"${pf:+sriov $pf --vfs 2}" "restore --all"
	fi
	ok_n=0
	real=""
	bad=""
	for i in 1 2 3 4 5 6 7 8 9 10; do
		read -r rc cs < $W/r$r.$i.rc
		[ "$cs" -gt "$longest" ] && longest=$cs
		out=$(cat $W/r$r.$i.out)
		case "$out" in *"holds the journal lock"*) lock_msgs=$((lock_msgs + 1)) ;; esac
		if [ "$rc" = 0 ]; then
			ok_n=$((ok_n + 1))
		elif [ "$rc" = 137 ]; then
			bad="$bad [$(cat $W/r$r.$i.cmd): killed after 90 s]"
		else
			case "$out" in
			*"another vfioctl is changing"* | *"waited "*"for the journal lock"*)
				bad="$bad [$(cat $W/r$r.$i.cmd): refused for the lock: $(echo "$out" | tail -n 1)]" ;;
			*) real="$real [$(cat $W/r$r.$i.cmd): $(echo "$out" | tail -n 1)]" ;;
			esac
		fi
	done
	diag "round $r: $ok_n of 10 exit 0; failures for a reason:${real:- none}"
	is "$bad" "" "round $r: ten vfioctl at once: none refused for the lock, none hung"
	check "round $r: most of the ten went through ($ok_n of 10 exit 0)" test $ok_n -ge 7
	c=$(consistent)
	is "$c" "" "round $r: every device as found or changed and journaled with its found state"
	vfioctl restore --all > $W/out 2>&1
	is "$?" 0 "round $r: restore --all after it exits 0"
	all_attrs > $W/now
	same "round $r: after restore --all every device is as found" $W/now $W/found
done
diag "ten at once: $lock_msgs of 20 said they waited for the lock; the longest took $((longest * 10)) ms"

# ---------------------------------------------------------------- as found
if [ -n "$pf" ]; then
	case $pf_found in
	"$(sys_driver "$pf")") ;;
	null) unbind "$pf" ;;
	*) bind_to "$pf_found" "$pf" ;;
	esac
	echo "$pf_found_ap" > $PCI/$pf/sriov_drivers_autoprobe
fi
is "$(journal)" "" "the journal is empty"
diag "t-91: $(( ($(now_cs) - t0) / 100 )) s"
rm -rf "$VFIOX_STATE_DIR" "$W"
