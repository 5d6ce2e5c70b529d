# TAP helpers for guest tests; source it. Numbers run across all test files
# (/tmp/tap.count, set up by /init).
_tap_next() {
	n=$(($(cat /tmp/tap.count) + 1))
	echo $n > /tmp/tap.count
	echo $n
}
ok() { echo "ok $(_tap_next) - $*"; }
not_ok() { echo "not ok $(_tap_next) - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
skip() { echo "ok $(_tap_next) - # SKIP $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds
check() {
	d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; diag "command failed: $*"; fi
}
# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3"; diag "got:  $1" "want: $2"; fi
}
# like TEXT PATTERN DESCRIPTION (grep -E)
like() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then ok "$3"; else not_ok "$3"; diag "no match for /$2/ in:" "$1"; fi
}
# The guest's view of sysfs, for comparisons.
sys_driver() { l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) && echo "${l##*/}" || echo null; }
sys_group() { l=$(readlink "/sys/bus/pci/devices/$1/iommu_group" 2>/dev/null) && echo "${l##*/}" || echo null; }
sys_hex() { sed 's/^0x//' "/sys/bus/pci/devices/$1/$2"; }
# bind_vfio ADDR: hand a device to vfio-pci with plain sysfs writes
bind_vfio() {
	echo vfio-pci > "/sys/bus/pci/devices/$1/driver_override"
	[ -e "/sys/bus/pci/devices/$1/driver" ] && echo "$1" > "/sys/bus/pci/devices/$1/driver/unbind"
	echo "$1" > /sys/bus/pci/drivers_probe
}
# addresses of devices with VENDOR:DEVICE
find_ids() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat $d/vendor):$(cat $d/device)" = "0x$1:0x$2" ] && echo "${d##*/}"
	done
}
