#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-cli.sh - vfioctl against fake sysfs trees made by mkfixture (tests/unit/mkfixture.c).
#
#   BUILD=build bash tests/unit/test-cli.sh      (from the top of the repo; BUILD defaults
#                                                 to build/)
# Needs: $BUILD/vfioctl, jq, and $BUILD/tests/mkfixture (built here with cc when missing).
# Prints TAP and, last, "N passed, M failed"; exits 1 when a check failed.
. "$(dirname "$0")/cli-tap.sh" cli

# expect_rc DESC WANT : checks the last run's exit code
expect_rc() {
	if [ "$rc" = "$2" ]; then ok "$1"
	else not_ok "$1" "exit code $rc, expected $2" "stderr: $(head -c 400 "$err")"; fi
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"
	else not_ok "$1" "got:      $2" "expected: $3"; fi
}

# expect_grep DESC FILE FIXED-STRING
expect_grep() {
	if grep -qF -- "$3" "$2"; then ok "$1"
	else not_ok "$1" "'$3' not found in:" "$(head -c 600 "$2")"; fi
}

# jqo FILTER : applies a jq filter to the last stdout, compact output
jqo() {
	jq -c "$1" "$out" 2>&1
}

for s in host noiommu; do
	"$mkfixture" "$s" "$work/$s" >/dev/null || bail "mkfixture $s failed"
done
H=$work/host
N=$work/noiommu

all_addrs='["0000:00:00.0","0000:00:01.0","0000:00:02.0","0000:00:04.0","0000:00:1c.0","0000:00:1e.0","0000:00:1f.0","0000:00:1f.2","0000:00:1f.3","0000:01:00.0","0000:01:00.1","0000:02:00.0","0000:02:00.1","0000:03:00.0","0000:03:10.0","0000:03:10.4","0000:03:11.0","0000:03:11.4","0000:05:00.0","0000:05:01.0","0001:00:00.0","0001:00:01.0","0001:01:00.0","10000:e1:00.0"]'
all_groups='[0,1,2,5,9,10,11,20,21,22,23,24,25,40,41,42]'
# every address of a list document, groups first, sorted
addrs='[.groups[].devices[].address, .ungrouped[].address] | sort'

# ---- version, help, usage errors ----
run --version
expect_rc "--version exits 0" 0
expect_eq "--version prints both versions" "$(cat "$out")" "vfioctl 0.1.0 (libvfiox 0.1.0)"
run -V
expect_rc "-V exits 0" 0
run help
expect_rc "help exits 0" 0
expect_grep "help lists the verbs" "$out" "list"
run help list
expect_rc "help list exits 0" 0
expect_grep "help list names --driver" "$out" "--driver"
run list --help
expect_rc "list --help exits 0" 0

run
expect_rc "no verb is a usage error (2)" 2
run bogus
expect_rc "unknown verb exits 2" 2
expect_grep "unknown verb is named on stderr" "$err" "bogus"
run --sysfs-root "$H" list --bogus
expect_rc "unknown option exits 2" 2
expect_grep "usage errors are prefixed vfioctl" "$err" "vfioctl"
run --sysfs-root "$H" list --class
expect_rc "--class without a value exits 2" 2
run --sysfs-root "$H" list --class zz
expect_rc "--class zz exits 2" 2
expect_grep "--class zz is named" "$err" "zz"
run --sysfs-root "$H" list --class 123
expect_rc "--class of 3 digits exits 2" 2
run --sysfs-root "$H" list --group abc
expect_rc "--group abc exits 2" 2
run --sysfs-root "$H" show
expect_rc "show without a target exits 2" 2

# ---- list, human ----
run --sysfs-root "$H" list
expect_rc "list exits 0" 0
expect_grep "list names a blocker and its driver" "$out" "IOMMU group 9: NOT viable (0000:00:1f.2 bound to ahci)"
expect_grep "list shows a viable group" "$out" "IOMMU group 10: viable"
expect_grep "list shows unbound devices with -" "$out" "0000:00:1e.0  [8086:244e]  -"
expect_grep "list shows names from pci.ids" "$out" "QEMU NVM Express Controller"

# ---- list --json ----
run --sysfs-root "$H" list --json
expect_rc "list --json exits 0" 0
if jq -e . "$out" >/dev/null 2>&1; then ok "list --json is valid JSON"
else not_ok "list --json is valid JSON" "$(head -c 400 "$out")"; fi
expect_eq "schema vfioctl/list/1 (first), iommu true" "$(jqo '[(keys_unsorted[0]), .schema, .iommu]')" '["schema","vfioctl/list/1",true]'
expect_eq "every device is listed once" "$(jqo "$addrs")" "$all_addrs"
expect_eq "groups in ascending order" "$(jqo '[.groups[].group]')" "$all_groups"
expect_eq "nothing ungrouped" "$(jqo '.ungrouped')" '[]'
expect_eq "group 5 holds bridge and endpoints in order" \
	"$(jqo '.groups[] | select(.group==5) | [.viable, .blockers, [.devices[].address]]')" \
	'[true,[],["0000:00:1e.0","0000:05:00.0","0000:05:01.0"]]'
expect_eq "group 9 is blocked by ahci only" \
	"$(jqo '.groups[] | select(.group==9) | [.viable, .blockers]')" '[false,["0000:00:1f.2"]]'
expect_eq "group 10 (pcieport, pci-stub, mlx5_vfio_pci) is viable" \
	"$(jqo '.groups[] | select(.group==10) | [.viable, .blockers, [.devices[].driver]]')" \
	'[true,[],["pcieport","pci-stub","mlx5_vfio_pci"]]'
expect_eq "group 11 has two blockers in order" \
	"$(jqo '.groups[] | select(.group==11) | .blockers')" '["0000:02:00.0","0000:02:00.1"]'
expect_eq "DEV fields of 0000:00:04.0" \
	"$(jqo '.groups[].devices[] | select(.address=="0000:00:04.0")')" \
	'{"address":"0000:00:04.0","vendor_id":"1b36","device_id":"0010","subsystem_vendor_id":"1af4","subsystem_device_id":"1100","class":"010802","vendor":"Red Hat, Inc.","device":"QEMU NVM Express Controller","class_name":"Non-Volatile memory controller","driver":"vfio-pci","iommu_group":2,"bridge":false,"vfio_cdev":null}'
expect_eq "unbound driver is null, bridges are flagged" \
	"$(jqo '[.groups[].devices[] | select(.address=="0000:00:1e.0" or .address=="0000:00:02.0") | [.address, .driver, .bridge, .class]] | sort')" \
	'[["0000:00:02.0","pcieport",true,"060400"],["0000:00:1e.0",null,true,"060401"]]'
expect_eq "domain 10000 keeps its 5 digits" \
	"$(jqo '.groups[] | select(.group==42) | .devices[0].address')" '"10000:e1:00.0"'

# ---- filters ----
run --sysfs-root "$H" list --json --driver vfio-pci
expect_rc "list --driver exits 0" 0
expect_eq "--driver vfio-pci keeps only vfio-pci devices" "$(jqo "$addrs")" \
	'["0000:00:04.0","0000:00:1f.3","0000:03:10.0","0000:03:10.4","0000:03:11.0","0000:03:11.4","0000:05:00.0","10000:e1:00.0"]'
expect_eq "--driver drops groups left empty" "$(jqo '[.groups[].group]')" '[2,5,9,22,23,24,25,42]'
expect_eq "a filtered group keeps its whole-group viability" \
	"$(jqo '.groups[] | select(.group==9) | [.viable, .blockers, [.devices[].address]]')" \
	'[false,["0000:00:1f.2"],["0000:00:1f.3"]]'
run --sysfs-root "$H" list --json --driver none
expect_eq "--driver none keeps unbound devices" "$(jqo "$addrs")" \
	'["0000:00:00.0","0000:00:1e.0","0000:00:1f.0","0000:05:01.0","0001:00:00.0"]'
run --sysfs-root "$H" list --json --class 02
expect_eq "--class 02 keeps network controllers" "$(jqo "$addrs")" \
	'["0000:01:00.0","0000:01:00.1","0000:03:00.0","0000:03:10.0","0000:03:10.4","0000:03:11.0","0000:03:11.4","0000:05:00.0"]'
run --sysfs-root "$H" list --json --class 0108
expect_eq "--class 0108 keeps NVMe" "$(jqo "$addrs")" \
	'["0000:00:04.0","0001:01:00.0","10000:e1:00.0"]'
run --sysfs-root "$H" list --json --class 0x010802
expect_rc "--class with 0x and 6 digits exits 0" 0
expect_eq "--class 0x010802 keeps NVMe" "$(jqo "$addrs")" \
	'["0000:00:04.0","0001:01:00.0","10000:e1:00.0"]'
run --sysfs-root "$H" list --json --class 0604
expect_eq "--class 0604 keeps PCI bridges (060400 and 060401)" "$(jqo "$addrs")" \
	'["0000:00:02.0","0000:00:1c.0","0000:00:1e.0","0001:00:01.0"]'
run --sysfs-root "$H" list --json --class 060401
expect_eq "--class 060401 keeps the subtractive bridge only" "$(jqo "$addrs")" '["0000:00:1e.0"]'
run --sysfs-root "$H" list --json --group 10
expect_rc "list --group exits 0" 0
expect_eq "--group 10 shows that group only" \
	"$(jqo '[.groups[] | [.group, [.devices[].address]]]')" \
	'[[10,["0000:00:1c.0","0000:01:00.0","0000:01:00.1"]]]'
run --sysfs-root "$H" list --json --driver vfio-pci --class 01
expect_eq "filters combine" "$(jqo "$addrs")" '["0000:00:04.0","10000:e1:00.0"]'
run --sysfs-root "$H" list --group 999
expect_rc "--group of a missing group exits 1" 1
expect_grep "--group names the missing group" "$err" "999"

# ---- no IOMMU ----
run --sysfs-root "$N" list
expect_rc "list without IOMMU exits 0" 0
cat "$out" "$err" >"$work/both"
expect_grep "no-IOMMU output says how to enable it" "$work/both" "intel_iommu=on"
expect_grep "no-IOMMU output still lists devices" "$out" "0000:00:1f.2"
run --sysfs-root "$N" list --json
expect_rc "list --json without IOMMU exits 0" 0
expect_eq "no IOMMU: iommu false, no groups" "$(jqo '[.iommu, .groups]')" '[false,[]]'
expect_eq "no IOMMU: all devices ungrouped with null group" \
	"$(jqo '[(.ungrouped | length), ([.ungrouped[].iommu_group] | unique)]')" '[11,[null]]'

# ---- show ----
run --sysfs-root "$H" show 0000:00:04.0 --json
expect_rc "show DEVICE --json exits 0" 0
expect_eq "show: details" \
	"$(jqo '[.address, .revision, .driver_override, .numa_node, .reset_method, .boot_vga, .physfn, .sriov]')" \
	'["0000:00:04.0","02","vfio-pci",0,["flr","bus"],null,null,null]'
expect_eq "show: capabilities" "$(jqo '[.capabilities[] | [.id, .name, .offset, .extended]]')" \
	'[["10","Express","40",false],["11","MSI-X","a0",false]]'
expect_eq "show: msix" "$(jqo '.msix')" \
	'{"table_size":65,"table_bir":0,"table_offset":"0x2000","pba_bir":0,"pba_offset":"0x3000","enabled":false,"masked":false}'
expect_eq "show: group" "$(jqo '.group')" \
	'{"group":2,"viable":true,"blockers":[],"devices":["0000:00:04.0"]}'
run --sysfs-root "$H" show 00:01.0 --json
expect_eq "show: short address, unbound override, boot_vga" \
	"$(jqo '[.address, .driver_override, .boot_vga, .reset_method, .numa_node]')" \
	'["0000:00:01.0",null,true,null,null]'
run --sysfs-root "$H" show 0000:03:00.0 --json
expect_eq "show: SR-IOV PF" "$(jqo '.sriov')" \
	'{"totalvfs":7,"numvfs":4,"vfs":["0000:03:10.0","0000:03:10.4","0000:03:11.0","0000:03:11.4"]}'
run --sysfs-root "$H" show 0000:03:11.4 --json
expect_eq "show: VF names its PF" "$(jqo '.physfn')" '"0000:03:00.0"'
run --sysfs-root "$H" show 9 --json
expect_rc "show GROUP --json exits 0" 0
expect_eq "show GROUP" "$(jqo '[.schema, .group, .viable, .blockers, [.devices[].address]]')" \
	'["vfioctl/show-group/1",9,false,["0000:00:1f.2"],["0000:00:1f.0","0000:00:1f.2","0000:00:1f.3"]]'
run --sysfs-root "$H" show 0000:00:04.0
expect_rc "show DEVICE (human) exits 0" 0
expect_grep "show DEVICE names it" "$out" "0000:00:04.0"
run --sysfs-root "$H" show 0000:09:00.0
expect_rc "show of an unknown device exits 1" 1
expect_grep "show names the unknown device" "$err" "0000:09:00.0"
expect_grep "errors are prefixed vfioctl:" "$err" "vfioctl:"
run --sysfs-root "$H" show 999
expect_rc "show of an unknown group exits 1" 1
expect_grep "show names the unknown group" "$err" "999"
run --sysfs-root "$H" show zz:zz
if [ "$rc" = 1 ] || [ "$rc" = 2 ]; then ok "show of a non-address fails"
else not_ok "show of a non-address fails" "exit code $rc"; fi
expect_grep "show names the bad target" "$err" "zz:zz"

# ---- VFIO cdevs ----
# Every VFIO device has vfio-dev/vfioN in sysfs; only a kernel with VFIO cdevs gives it a
# device number (dev), and only then is it a cdev.
d4=$H/bus/pci/devices/0000:00:04.0
mkdir -p "$d4/vfio-dev/vfio3"
run --sysfs-root "$H" --dev-root "$work/dev" list --json
expect_eq "vfio-dev/vfio3 without a device number is no cdev (Linux without CONFIG_VFIO_DEVICE_CDEV)" \
	"$(jqo '.groups[].devices[] | select(.address=="0000:00:04.0") | .vfio_cdev')" 'null'
echo 511:3 > "$d4/vfio-dev/vfio3/dev"
run --sysfs-root "$H" --dev-root "$work/dev" list --json
expect_eq "list --json: the cdev of a device on vfio-pci, under the device root" \
	"$(jqo '[.groups[].devices[] | select(.vfio_cdev != null) | [.address, .vfio_cdev]]')" \
	"[[\"0000:00:04.0\",\"$work/dev/vfio/devices/vfio3\"]]"
mkdir -p "$H/bus/pci/devices/0000:00:1f.2/vfio-dev/vfio4" && echo 511:4 > "$H/bus/pci/devices/0000:00:1f.2/vfio-dev/vfio4/dev"
run --sysfs-root "$H" --dev-root "$work/dev" list --json
expect_eq "a device on a host driver (ahci) is not looked at: its vfio_cdev is null" \
	"$(jqo '.groups[].devices[] | select(.address=="0000:00:1f.2") | .vfio_cdev')" 'null'
run --sysfs-root "$H" --dev-root "$work/dev" list
expect_grep "list: the cdev next to the driver" "$out" "vfio-pci ($work/dev/vfio/devices/vfio3)"
run --sysfs-root "$H" --dev-root "$work/dev" show 0000:00:04.0
expect_grep "show: the VFIO cdev line" "$out" "VFIO cdev:        $work/dev/vfio/devices/vfio3"
run --sysfs-root "$H" --dev-root "$work/dev" show 0000:00:04.0 --json
expect_eq "show --json: vfio_cdev" "$(jqo '.vfio_cdev')" "\"$work/dev/vfio/devices/vfio3\""
rm -rf "$d4/vfio-dev" "$H/bus/pci/devices/0000:00:1f.2/vfio-dev"
run --sysfs-root "$H" show 0000:00:04.0
expect_grep "show: a device on vfio-pci without vfio-dev has no cdev, and says why" "$out" \
	"VFIO cdev:        none: 0000:00:04.0 has no VFIO cdev"

# ---- --backend ----
for v in show rom reset irq-test; do
	run --sysfs-root "$H" "$v" --backend bogus 0000:00:04.0
	expect_rc "$v --backend bogus is a usage error (2)" 2
	expect_grep "$v --backend bogus names the allowed values" "$err" \
		"--backend 'bogus': the backend is auto, type1 or iommufd"
	VFIOX_BACKEND=nope "$vfioctl" --sysfs-root "$H" "$v" 0000:00:04.0 > "$out" 2> "$err"
	rc=$?
	expect_rc "$v with VFIOX_BACKEND=nope is a usage error (2)" 2
	expect_grep "$v names VFIOX_BACKEND and its bad value" "$err" "VFIOX_BACKEND 'nope': the backend is auto, type1 or iommufd"
done
VFIOX_BACKEND= "$vfioctl" --sysfs-root "$H" show 0000:00:04.0 --json > "$out" 2> "$err"
rc=$?
expect_rc "an empty VFIOX_BACKEND is auto" 0
run --sysfs-root "$H" --dev-root "$work/nodev" show --backend iommufd 0000:00:04.0 --json
expect_rc "show with a forced backend that cannot serve still exits 0" 0
expect_eq "show --backend iommufd without /dev/iommu: the library's reason" \
	"$(jqo '.vfio_unavailable')" \
	"\"the iommufd backend needs $work/nodev/iommu, which does not exist (a kernel without CONFIG_IOMMUFD)\""
run --sysfs-root "$H" --dev-root "$work/nodev" show --backend type1 0000:00:04.0 --json
expect_grep "show --backend type1 without /dev/vfio/vfio: the library's reason" "$out" \
	"the type1 backend needs $work/nodev/vfio/vfio, which does not exist"
run --sysfs-root "$H" --dev-root "$work/nodev" rom --backend iommufd --output "$work/rom.bin" 0000:00:04.0
expect_rc "rom with a forced backend that cannot serve exits 1" 1
expect_grep "rom: the library's reason" "$err" "cannot read the ROM of 0000:00:04.0: the iommufd backend needs"
run --sysfs-root "$H" --dev-root "$work/nodev" reset --backend=iommufd --vf-token 4f2c8a1e-0b6d-4c3e-9a57-2d1e8f0c6b3a 0000:00:04.0
expect_rc "reset --backend iommufd with a VF token exits 1" 1
expect_grep "iommufd takes no VF token" "$err" "needs a VF token, which the iommufd backend cannot pass"

# ---- roots ----
VFIOX_SYSFS_ROOT=$H "$vfioctl" list --json >"$out" 2>"$err"
rc=$?
expect_rc "VFIOX_SYSFS_ROOT is honoured" 0
expect_eq "VFIOX_SYSFS_ROOT lists the tree" "$(jqo "$addrs")" "$all_addrs"
run --sysfs-root "$work/nonexistent" list
expect_rc "a missing sysfs root exits 1" 1
expect_grep "a missing sysfs root is named" "$err" "$work/nonexistent"

finish
