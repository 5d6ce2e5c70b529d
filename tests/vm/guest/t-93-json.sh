# SPDX-License-Identifier: LGPL-2.1-or-later
# Every JSON document vfioctl prints, produced for real on the emulated host, for
# tests/vm/check-json.sh to validate on the host against man/schemas (vfioctl-json(7)):
# list, show of devices on vfio-pci (the vfio view: IOMMU, regions, interrupts) and of
# others, show of a group opened through VFIO (its iommu part) and of one that is not
# viable, check (also --user), a real bind --json of a device and of a group (and
# --dry-run), irq-test (MSI-X, MSI, INTx), reset --plan, monitor --json (JSON Lines),
# sriov (state, VFs up, VFs gone), igd and igd --zero on q35's VGA (no Intel GPU: the
# documents of "none" and of a refusal), qmp without a QEMU (the failure document) and cdi.
# Each document is printed between "VFIOX-JSON-BEGIN SCHEMA-FILE LABEL" and
# "VFIOX-JSON-END" (/init makes those lines "#   " comments); here each command's exit
# status is checked and jq must find the schema member the schema file names (for cdi,
# a cdiVersion). Puts back every driver, VF count and autoprobe it found.
# vfiox-backends: all
. /tests/tap.sh
. /tests/sysfs.sh

W=/tmp/t93
rm -rf "$W" /tmp/t93-state
mkdir -p "$W"
export VFIOX_STATE_DIR=/tmp/t93-state
ndocs=0

# framed SCHEMA-FILE LABEL WANT_RC RC FILE: FILE (the stdout of a command that exited RC)
# is checked and printed between the frame lines. WANT_RC is one status or several
# separated by |; SCHEMA-FILE is a file name of man/schemas. The frame's label names the
# backend too (tap.sh puts it in the TAP lines).
framed() {
	_s=$1 _l=$2 _w=$3 _rc=$4 _f=$5
	case "|$_w|" in
	*"|$_rc|"*) ok "$_l: exit $_rc" ;;
	*) not_ok "$_l: exit $_w" "got exit $_rc" "$(head -c 600 "$W/err" 2>/dev/null)" ;;
	esac
	_n=${_s%.schema.json}
	if [ "$_n" = cdi ]; then
		_q='.cdiVersion | type == "string"'
	else
		_q=".schema == \"vfioctl/$_n/1\""
	fi
	if [ -s "$_f" ] && jq -e "$_q" "$_f" > /dev/null 2> "$W/jq.err"; then
		ok "$_l: JSON whose ${_q%% *} names $_s"
	else
		not_ok "$_l: JSON whose ${_q%% *} names $_s" "$(cat "$W/jq.err")" "$(head -c 600 "$_f")"
	fi
	echo "VFIOX-JSON-BEGIN $_s ${VFIOX_BACKEND:+[$VFIOX_BACKEND] }$_l"
	awk 1 "$_f"
	echo "VFIOX-JSON-END"
	ndocs=$((ndocs + 1))
}
# emit SCHEMA-FILE LABEL WANT_RC CMD...: run CMD, its stdout framed (stderr in $W/err)
emit() {
	_es=$1 _el=$2 _ew=$3
	shift 3
	"$@" > "$W/doc" 2> "$W/err"
	framed "$_es" "$_el" "$_ew" "$?" "$W/doc"
}
# check_emit LABEL ARG...: vfioctl check --json ARG..., which exits 1 exactly when a finding
# fails (and 0 with a document where none does)
check_emit() {
	_cl=$1
	shift
	vfioctl check --json "$@" > "$W/check.json" 2> "$W/err"
	_crc=$?
	_cw=0
	[ "$(jq -r .counts.fail "$W/check.json" 2> /dev/null)" -gt 0 ] 2> /dev/null && _cw=1
	framed check.schema.json "$_cl" "$_cw" "$_crc" "$W/check.json"
}
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
# wait_node N: until /dev/vfio/N exists (at most about 5 s)
wait_node() {
	_i=0
	while [ ! -c "/dev/vfio/$1" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
}

edu=$(edu_alone | head -n 1)
nvme=$(nvme_plain | head -n 1)
pf=$(nvme_pf | head -n 1)
bg=$(bridged_group)
vga=$(find_ids 1234 1111 | head -n 1)
[ -n "$edu" ] && [ -n "$nvme" ] || skip_file "no edu alone or no plain nvme (tests/vm/devices.sh)"
g=$(sys_group "$edu")
gn=$(sys_group "$nvme")
edu0=$(sys_driver "$edu")
nvme0=$(sys_driver "$nvme")
diag "edu $edu (group $g, on $edu0), nvme $nvme (group $gn, on $nvme0), SR-IOV PF ${pf:-none}," \
	"bridged group ${bg:-none}, VGA ${vga:-none}"
[ "$edu0" = null ] || unbind "$edu"
# vfioctl's journal (bind, restore, sriov --vfs) takes a flock: a kernel without
# CONFIG_FILE_LOCKING (no /proc/locks; the iommufd kernel) refuses it with ENOSYS. There
# the devices go to vfio-pci by plain sysfs writes and those documents are skipped.
journal=yes
if [ ! -e /proc/locks ]; then
	journal=
	diag "no /proc/locks: this kernel has no file locking; bind --json, restore and sriov --vfs" \
		"are skipped, the devices are bound with sysfs writes"
fi

# ---- list and check before anything is bound
emit list.schema.json "list --json" 0 vfioctl list --json
check_emit "check --json (the host)"

# ---- a real bind --json of the edu (and --dry-run), watched by monitor --json
emit bind.schema.json "bind --dry-run --json $edu" 0 vfioctl bind --dry-run --json "$edu"
vfioctl monitor --json --count 4 --timeout 60 > "$W/monitor.json" 2> "$W/monitor.err" &
mon=$!
check "monitor --json says it listens" wait_for "$W/monitor.err" "listening to kernel events"
if [ -n "$journal" ]; then
	emit bind.schema.json "bind --json $edu" 0 vfioctl bind --json "$edu"
else
	skip "bind --json $edu: no file locking on this kernel"
	bind_to vfio-pci "$edu"
fi
is "$(sys_driver "$edu")" vfio-pci "after bind --json: the edu is on vfio-pci"
wait_node "$g"

# ---- the edu on vfio-pci: show (the vfio view), its group (the iommu part), and the rest
emit show-device.schema.json "show --json $edu (on vfio-pci)" 0 vfioctl show --json "$edu"
is "$(jq -r '"\(.vfio != null) \(.vfio_unavailable)"' "$W/doc")" "true null" \
	"show --json $edu has the vfio view (opened through VFIO)"
emit show-group.schema.json "show --json $g (the edu's group)" 0 vfioctl show --json "$g"
is "$(jq -r '"\(.iommu != null) \(.vfio_unavailable)"' "$W/doc")" "true null" \
	"show --json $g has the iommu part"
check_emit "check --json $edu" "$edu"
check_emit "check --user nobody --json $edu" --user nobody "$edu"
emit irq-test.schema.json "irq-test --json --type msi $edu" 0 vfioctl irq-test --json --type msi "$edu"
emit irq-test.schema.json "irq-test --json --type intx $edu" 0 vfioctl irq-test --json --type intx "$edu"
emit reset-plan.schema.json "reset --plan --json $edu" 0 vfioctl reset --plan --json "$edu"
emit cdi.schema.json "cdi $edu" 0 vfioctl cdi "$edu"
emit qmp.schema.json "qmp --json $edu, no QEMU at the socket (the failure document)" 1 \
	vfioctl qmp --socket "$W/no-qemu.qmp" --json "$edu"

# restore: the edu back where it was, the monitor's 4 events complete
if [ -n "$journal" ]; then
	vfioctl restore "$edu" > "$W/out" 2>&1
	is "$?" 0 "restore $edu exits 0"
else
	unbind "$edu"
fi
wait $mon
framed monitor-event.schema.json "monitor --json --count 4 (bind and restore of $edu)" 0 $? \
	"$W/monitor.json"
is "$(jq -r .event "$W/monitor.json" | sort | tr '\n' ' ')" "bind group-add group-remove unbind " \
	"monitor: the 4 events of the bind and the restore"

# ---- the nvme on vfio-pci: MSI-X, a reset plan with FLR
bind_to vfio-pci "$nvme"
wait_node "$gn"
is "$(sys_driver "$nvme")" vfio-pci "the nvme $nvme is on vfio-pci"
emit show-device.schema.json "show --json $nvme (on vfio-pci)" 0 vfioctl show --json "$nvme"
emit show-group.schema.json "show --json $gn (the nvme's group)" 0 vfioctl show --json "$gn"
emit irq-test.schema.json "irq-test --json --type msix --vectors 4 $nvme" 0 \
	vfioctl irq-test --json --type msix --vectors 4 "$nvme"
emit reset-plan.schema.json "reset --plan --json $nvme" 0 vfioctl reset --plan --json "$nvme"
emit list.schema.json "list --json (nvme on vfio-pci)" 0 vfioctl list --json
emit cdi.schema.json "cdi --all" 0 vfioctl cdi --all
reprobe "$nvme"
is "$(sys_driver "$nvme")" "$nvme0" "the nvme is back on $nvme0"

# ---- devices not on vfio-pci: show without the vfio view, a group that is not viable
emit show-device.schema.json "show --json $nvme (on $nvme0)" 0 vfioctl show --json "$nvme"
lpc=$(for d in "$PCI"/*:1f.0; do [ -e "$d" ] && echo "${d##*/}"; done | head -n 1)
if [ -n "$lpc" ]; then
	emit show-group.schema.json "show --json $(sys_group "$lpc") (the ICH9 group, not viable)" 0 \
		vfioctl show --json "$(sys_group "$lpc")"
else
	skip "no ICH9 LPC at 00:1f.0"
fi

# ---- a group bind: the bridged group (bridge left alone), then restore --all
if [ -n "$bg" ]; then
	emit bind.schema.json "bind --dry-run --json --group $bg" 0 vfioctl bind --dry-run --json --group "$bg"
	if [ -n "$journal" ]; then
		emit bind.schema.json "bind --json --group $bg" 0 vfioctl bind --json --group "$bg"
	else
		skip "bind --json --group $bg: no file locking on this kernel"
		for e in $(edu_bridged); do bind_to vfio-pci "$e"; done
	fi
	wait_node "$bg"
	emit show-group.schema.json "show --json $bg (the bridged group on vfio-pci)" 0 vfioctl show --json "$bg"
	e1=$(edu_bridged | head -n 1)
	emit reset-plan.schema.json "reset --plan --json $e1 (behind the bridge)" 0 vfioctl reset --plan --json "$e1"
	if [ -n "$journal" ]; then
		vfioctl restore --all > "$W/out" 2>&1
		is "$?" 0 "restore --all exits 0"
	else
		for e in $(edu_bridged); do unbind "$e"; done
	fi
	is "$(for e in $(edu_bridged); do sys_driver "$e"; done | sort -u)" null \
		"the bridged edu devices are on no driver again"
else
	skip "no bridged group"
fi

# ---- sriov: the state, 1 VF up (on vfio-pci), the VF shown, VFs gone
if [ -n "$pf" ]; then
	pfdrv0=$(sys_driver "$pf")
	pfnum0=$(cat "$PCI/$pf/sriov_numvfs")
	pfap0=$(cat "$PCI/$pf/sriov_drivers_autoprobe")
	[ "$pfnum0" = 0 ] || echo 0 > "$PCI/$pf/sriov_numvfs"
	emit sriov.schema.json "sriov --json $pf (state)" 0 vfioctl sriov --json "$pf"
	if [ -n "$journal" ]; then
		emit sriov.schema.json "sriov --json $pf --vfs 1" 0 vfioctl sriov --json "$pf" --vfs 1
		vf=$(jq -r '.vfs[0].address' "$W/doc")
	else
		skip "sriov --json $pf --vfs 1: no file locking on this kernel"
		echo 0 > "$PCI/$pf/sriov_drivers_autoprobe"
		echo 1 > "$PCI/$pf/sriov_numvfs"
		vf=$(basename "$(readlink "$PCI/$pf/virtfn0")")
		bind_to vfio-pci "$vf"
	fi
	if [ -e "$PCI/$vf" ]; then
		wait_node "$(sys_group "$vf")"
		emit show-device.schema.json "show --json $vf (a VF on vfio-pci)" 0 vfioctl show --json "$vf"
		emit reset-plan.schema.json "reset --plan --json $vf (a VF)" 0 vfioctl reset --plan --json "$vf"
	else
		not_ok "sriov --vfs 1 made a VF" "vfs[0] is $vf"
	fi
	if [ -n "$journal" ]; then
		emit sriov.schema.json "sriov --json $pf --vfs 0" 0 vfioctl sriov --json "$pf" --vfs 0
	else
		skip "sriov --json $pf --vfs 0: no file locking on this kernel"
		unbind "$vf"
		echo 0 > "$PCI/$pf/sriov_numvfs"
	fi
	[ "$pfnum0" = 0 ] || echo "$pfnum0" > "$PCI/$pf/sriov_numvfs"
	echo "$pfap0" > "$PCI/$pf/sriov_drivers_autoprobe"
	if [ "$(sys_driver "$pf")" != "$pfdrv0" ]; then
		if [ "$pfdrv0" = null ]; then unbind "$pf"; else bind_to "$pfdrv0" "$pf"; fi
	fi
	is "$(sys_driver "$pf") $(cat "$PCI/$pf/sriov_numvfs") $(cat "$PCI/$pf/sriov_drivers_autoprobe")" \
		"$pfdrv0 $pfnum0 $pfap0" "the PF is back: driver, VF count and autoprobe as found"
else
	skip "no SR-IOV PF"
fi

# ---- igd: q35 has no Intel GPU; its std VGA gives the document of "none" and a refusal
if [ -n "$vga" ]; then
	emit igd.schema.json "igd --json $vga (std VGA: no Intel GPU)" 0 vfioctl igd --json "$vga"
	emit igd-zero.schema.json "igd --zero --json $vga (refused: the failure document)" 1 \
		vfioctl igd --zero --json "$vga"
else
	skip "no std VGA 1234:1111: no igd document"
fi

# ---- as found
[ "$edu0" = null ] || bind_to "$edu0" "$edu"
is "$(sys_driver "$edu") $(sys_driver "$nvme")" "$edu0 $nvme0" "the edu and the nvme are on the drivers they had"
is "$(ls "$VFIOX_STATE_DIR/devices" 2> /dev/null | tr '\n' ' ')" "" "nothing left in the journal"
diag "t-93: $ndocs JSON documents framed for tests/vm/check-json.sh"
