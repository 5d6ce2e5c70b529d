#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-handover.sh - the hand-over verbs' command lines against a fake host (the "base"
# fixture, an empty /dev): every usage error exits 2 naming what is wrong, every failure
# to open the bundle exits 1 with the library's reason, and in neither case does the
# program run. Then the same host with iommufd nodes (plain files standing for /dev/iommu
# and a cdev, which the sender opens and never binds): exec passes "iommufd" and
# "vfio-cdev-..." by the --backend or $VFIOX_BACKEND asked for, or auto.
# What crosses a real kernel is proved in the VM (tests/vm/guest/t-97-*.sh).
#
#   BUILD=build bash tests/unit/test-handover.sh
. "$(dirname "$0")/cli-tap.sh" handover

is() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got:  $1" "want: $2"; fi; }
like() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then ok "$3"
	else not_ok "$3" "no match for /$2/ in:" "$(printf '%s' "$1" | head -c 600)"; fi
}

S=$work/sys D=$work/dev
"$mkfixture" base "$S" > /dev/null || bail "mkfixture base failed"
mkdir -p "$D"
export VFIOX_SYSFS_ROOT=$S VFIOX_DEV_ROOT=$D
marker=$work/ran

# usage: exits 2, names the problem, runs nothing
usage() {
	local want=$1 desc=$2; shift 2
	rm -f "$marker"
	run "$@"
	if [ "$rc" = 2 ] && grep -qE -- "$want" "$err" && [ ! -e "$marker" ]; then
		ok "$desc"
	else
		not_ok "$desc" "rc $rc" "$(head -c 400 "$err")"
	fi
}
usage "name the program after '--'" "exec without -- is a usage error" exec 0000:00:04.0 touch "$marker"
usage "name the program after '--'" "exec with nothing after -- is a usage error" exec 0000:00:04.0 --
usage "--memlock needs a size" "exec --memlock 12Q is a usage error" exec --memlock 12Q 0000:00:04.0 -- touch "$marker"
usage "--group needs an IOMMU group number, not 'x'" "exec --group x is a usage error" exec --group x -- touch "$marker"
usage "name a device or --group N" "exec with no device and no group is a usage error" exec -- touch "$marker"
usage "'zz' is not a PCI address" "exec of a non-address is a usage error" exec zz -- touch "$marker"
usage "no user 'no-such-user'" "exec --user of an unknown user is a usage error" exec --user no-such-user 0000:00:04.0 -- touch "$marker"
usage "unknown or needs a value" "exec with an unknown option is a usage error" exec --frobnicate 0000:00:04.0 -- touch "$marker"

# the program's own options are not vfioctl's
rm -f "$marker"
run exec 0000:00:04.0 -- touch --frobnicate "$marker"
is "$rc" 1 "exec: options after -- are the program's (the bundle fails to open: exit 1)"
like "$(cat "$err")" "$D/vfio/vfio does not exist" "exec names the missing /dev/vfio/vfio"
[ ! -e "$marker" ] && ok "exec runs nothing when the bundle cannot be opened" ||
	not_ok "exec runs nothing when the bundle cannot be opened"

run exec 0000:09:00.0 -- true
is "$rc" 1 "exec of an unknown device exits 1"
like "$(cat "$err")" "0000:09:00.0" "exec names the unknown device"

# pass and serve
usage "--socket PATH is needed" "pass without --socket is a usage error" pass 0000:00:04.0
usage "name a device or --group N" "pass with nothing to pass is a usage error" pass --socket "$work/s"
usage "--timeout needs seconds" "pass --timeout x is a usage error" pass --socket "$work/s" --timeout x 0000:00:04.0
usage "--socket PATH is needed" "serve without --socket is a usage error" serve --allow root 0000:00:04.0
usage "--allow USER or --allow @GROUP is needed" "serve without --allow is a usage error" serve --socket "$work/s" 0000:00:04.0
usage "--allow no-such-user: no such user" "serve --allow of an unknown user is a usage error" serve --socket "$work/s" --allow no-such-user 0000:00:04.0
usage "--allow @no-such-group: no such group" "serve --allow of an unknown group is a usage error" serve --socket "$work/s" --allow @no-such-group 0000:00:04.0
run serve --socket "$work/s" --allow root 0000:00:04.0
is "$rc" 1 "serve that cannot open the bundle exits 1"
like "$(cat "$err")" "$D/vfio/vfio does not exist" "serve names what is missing"
[ ! -e "$work/s" ] && ok "serve that cannot open the bundle creates no socket" ||
	not_ok "serve that cannot open the bundle creates no socket"
run pass --socket "$work/s" 0000:00:04.0
is "$rc" 1 "pass that cannot open the bundle exits 1"

# revoke
usage "name one device" "revoke without a device is a usage error" revoke
usage "'zz' is not a PCI address" "revoke of a non-address is a usage error" revoke zz
usage "--timeout needs seconds" "revoke --timeout -1 is a usage error" revoke --timeout -1 0000:00:04.0
run revoke 0000:00:01.0
is "$rc" 1 "revoke of a device not on vfio-pci exits 1"
like "$(cat "$err")" "0000:00:01.0 is bound to bochs-drm, not on vfio-pci" "revoke names the device and its driver"

# qmp
usage "--socket QMP_PATH is needed" "qmp without --socket is a usage error" qmp 0000:00:04.0
usage "name a device or --group N" "qmp with nothing to give is a usage error" qmp --socket "$work/q"
run qmp --socket "$work/q" --fdset 0000:00:04.0
is "$rc" 1 "qmp that cannot open the bundle exits 1 (before connecting)"
like "$(cat "$err")" "$D/vfio/vfio does not exist" "qmp names what is missing"

# --backend, and $VFIOX_BACKEND when it is not given
usage "--backend 'x': the backend is auto, type1 or iommufd" "exec --backend x is a usage error" exec --backend x 0000:00:04.0 -- touch "$marker"
rm -f "$marker"
VFIOX_BACKEND=bogus "$vfioctl" pass --socket "$work/s" 0000:00:04.0 > "$out" 2> "$err"
rc=$?
is "$rc" 2 "VFIOX_BACKEND=bogus is a usage error of pass"
like "$(cat "$err")" "VFIOX_BACKEND 'bogus'" "and names the variable"
usage "--attach is for an iommufd bundle" "qmp --attach --backend type1 is a usage error" qmp --socket "$work/q" --backend type1 --attach 0000:00:04.0
usage "--iommufd-id '0x': a QEMU id" "qmp --iommufd-id 0x is a usage error" qmp --socket "$work/q" --iommufd-id 0x 0000:00:04.0
run exec --backend iommufd 0000:00:04.0 -- touch "$marker"
is "$rc" 1 "exec --backend iommufd on a kernel without cdevs exits 1"
like "$(cat "$err")" "0000:00:04.0 has no VFIO cdev: this kernel was built without CONFIG_VFIO_DEVICE_CDEV" "and says why"
[ ! -e "$marker" ] && ok "exec --backend iommufd runs nothing then" || not_ok "exec --backend iommufd runs nothing then"

# The iommufd nodes: plain files the sender opens (it binds nothing, so it asks nothing of them).
mkdir -p "$D/vfio/devices" "$S/bus/pci/devices/0000:00:04.0/vfio-dev/vfio0"
echo 511:0 > "$S/bus/pci/devices/0000:00:04.0/vfio-dev/vfio0/dev"
: > "$D/iommu"
: > "$D/vfio/devices/vfio0"
probe='echo "names=$LISTEN_FDNAMES n=$LISTEN_FDS"; ls /proc/self/fd | sort -n | tr "\n" " "'
run exec --backend iommufd 0000:00:04.0 -- sh -c "$probe"
is "$rc" 0 "exec --backend iommufd: the program runs"
like "$(cat "$out")" "^names=iommufd:vfio-cdev-0000-00-04.0 n=2$" "exec --backend iommufd: LISTEN_FDNAMES iommufd and the cdev, LISTEN_FDS=2"
like "$(cat "$out")" "^0 1 2 3 4 5 $" "exec --backend iommufd: the fds at 3 and 4 (5: ls's own directory)"
run exec 0000:00:04.0 -- sh -c "$probe"
like "$(cat "$out")" "^names=iommufd:vfio-cdev-0000-00-04.0 n=2$" "exec (auto): iommufd, since the device has a cdev and there is /dev/iommu"
VFIOX_BACKEND=type1 "$vfioctl" exec 0000:00:04.0 -- sh -c "$probe" > "$out" 2> "$err"
rc=$?
is "$rc" 1 "VFIOX_BACKEND=type1 exec: type1 (which has no /dev/vfio/vfio here: exit 1)"
like "$(cat "$err")" "$D/vfio/vfio does not exist" "VFIOX_BACKEND=type1 is taken when --backend is not given"
run exec --backend iommufd --group 2 -- sh -c "$probe"
like "$(cat "$out")" "^names=iommufd:vfio-cdev-0000-00-04.0 n=2$" "exec --backend iommufd --group 2: the cdev of its device on vfio-pci"
run exec --backend iommufd --group 1 -- true
is "$rc" 1 "exec --backend iommufd --group 1 (bochs-drm, no cdev): exit 1"
like "$(cat "$err")" "IOMMU group 1 has no device on vfio-pci" "and says there is nothing to pass"
rm -f "$D/iommu"
run exec --backend iommufd 0000:00:04.0 -- true
like "$(cat "$err")" "$D/iommu does not exist .*CONFIG_IOMMUFD" "exec --backend iommufd without /dev/iommu names it"

run help exec
is "$rc" 0 "help exec exits 0"
like "$(cat "$out")" "LISTEN_FDNAMES" "help exec describes the names"

finish
