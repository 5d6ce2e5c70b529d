#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-cdi.sh - `vfioctl cdi` against a fake host: the "host" fixture of mkfixture as sysfs
# and a /dev of character devices made with mknod (major and minor come from stat(); a
# node that is no character device is refused, so without mknod, as non-root, those parts
# are skipped and the VM proves them, tests/vm/guest/t-98-cdi.sh). Proves the names and
# the kind, the cdiVersion chosen and said, the entries (a device and its group, --group,
# --all, a device not on vfio-pci, the iommufd nodes), the refusals, and that --output
# replaces the file whole or not at all.
#
#   BUILD=build bash tests/unit/test-cdi.sh
. "$(dirname "$0")/cli-tap.sh" cdi

is() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got:  $1" "want: $2"; fi; }
like() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then ok "$3"
	else not_ok "$3" "no match for /$2/ in:" "$(printf '%s' "$1" | head -c 600)"; fi
}
jqo() { jq -c "$1" "$out" 2>&1; }
# the entry named $1 of the last stdout
entry() { jq -c --arg n "$1" ".devices[] | select(.name == \$n) | $2" "$out" 2>&1; }
# usage DESC WANT ARGS...: exit 2, WANT on stderr, nothing on stdout
usage() {
	local desc=$1 want=$2; shift 2
	run "$@"
	if [ "$rc" = 2 ] && grep -qF -- "$want" "$err" && [ ! -s "$out" ]; then ok "$desc"
	else not_ok "$desc" "rc $rc" "$(head -c 400 "$err")"; fi
}

S=$work/sys D=$work/dev
"$mkfixture" host "$S" > /dev/null || bail "mkfixture host failed"
"$mkfixture" noiommu "$work/noiommu" > /dev/null || bail "mkfixture noiommu failed"
mkdir -p "$D/vfio"
export VFIOX_SYSFS_ROOT=$S VFIOX_DEV_ROOT=$D
chr=false
if mknod "$D/vfio/vfio" c 10 196 2> /dev/null; then
	chr=true
	mknod "$D/vfio/2" c 511 2 && chmod 0600 "$D/vfio/2" && chmod 0666 "$D/vfio/vfio"
fi

# ---- help and usage ----
run help cdi
is "$rc" 0 "help cdi exits 0"
like "$(cat "$out")" "^usage: vfioctl cdi \[--vendor DOMAIN\] \[--class NAME\] \[--output FILE\|-\]" \
	"help cdi: the synopsis"
like "$(cat "$out")" "--all +every device on vfio-pci" "help cdi: --all"
usage "no target is a usage error" "name a device, --group N or --all" cdi
usage "--all with a device is a usage error" "--all takes no DEVICE and no --group" cdi --all 00:04.0
usage "--group x is a usage error" "--group needs an IOMMU group number, not 'x'" cdi --group x
usage "a non-address is a usage error" "'zz' is not a PCI address" cdi zz
usage "an unknown option is a usage error" "unknown or needs a value" cdi --bogus 00:04.0
usage "--output '' is a usage error" "--output needs a file name" cdi --output '' 00:04.0
for v in 1vendor vendor- -vendor 've ndor' 'v/x' 'vä' ''; do
	usage "--vendor '$v' is refused (usage)" "--vendor '$v': a CDI vendor starts with a letter" \
		cdi --vendor "$v" 00:04.0
done
for c in 9pci pci_ pci/x 'p ci' ''; do
	usage "--class '$c' is refused (usage)" "--class '$c': a CDI class starts with a letter" \
		cdi --class "$c" 00:04.0
done
run cdi --vendor "$S" 00:04.0 --output "$work/u.json"
[ ! -e "$work/u.json" ] && ok "a usage error writes no --output file" ||
	not_ok "a usage error writes no --output file"

# ---- a device and its group ----
run cdi 0000:00:04.0
is "$rc" 0 "cdi DEVICE exits 0"
is "$(jqo 'keys_unsorted')" '["cdiVersion","kind","devices"]' "the spec: cdiVersion, kind, devices, in that order"
is "$(jqo '[.cdiVersion, .kind]')" '["0.5.0","vfioctl.io/pci"]' "defaults: cdiVersion 0.5.0, kind vfioctl.io/pci"
is "$(grep cdiVersion "$err")" \
	"vfioctl: cdiVersion 0.5.0: device names that start with a digit (PCI addresses) need it" \
	"stderr says which cdiVersion and why"
is "$(jqo '[.devices[].name]')" '["0000:00:04.0","group-2"]' "a device and its group, named by address and group-N"
is "$(jqo '[.devices[] | .containerEdits | keys_unsorted]')" '[["deviceNodes","env"],["deviceNodes","env"]]' \
	"each entry has containerEdits with deviceNodes and env"
is "$(entry 0000:00:04.0 '.containerEdits.env')" '["PCI_RESOURCE_VFIOCTL_IO_PCI=0000:00:04.0"]' \
	"env: PCI_RESOURCE_<KIND> with the device's address"
is "$(entry group-2 '.containerEdits.env')" '["PCI_RESOURCE_VFIOCTL_IO_PCI=0000:00:04.0"]' \
	"env of the group: its member's address"
is "$(entry 0000:00:04.0 '[.containerEdits.deviceNodes[].path]')" '["/dev/vfio/vfio","/dev/vfio/2"]' \
	"nodes of a device on a type1 host: /dev/vfio/vfio and its group's /dev/vfio/N"
if $chr; then
	is "$(entry 0000:00:04.0 '.containerEdits.deviceNodes[0]')" \
		'{"path":"/dev/vfio/vfio","type":"c","major":10,"minor":196,"fileMode":438,"permissions":"rw"}' \
		"/dev/vfio/vfio: type c, major and minor and mode of the host node, rw"
	is "$(entry group-2 '.containerEdits.deviceNodes[1]')" \
		'{"path":"/dev/vfio/2","type":"c","major":511,"minor":2,"fileMode":384,"permissions":"rw"}' \
		"/dev/vfio/2: major 511, minor 2, mode 0600 (384)"
	is "$(grep -c note "$err")" 0 "nodes that exist on a device on vfio-pci: no note"
else
	ok "# SKIP no mknod here: major and minor are proved in the VM"
fi

# ---- names and versions ----
run cdi --vendor example.com --class vfio-gpu_1 00:04.0
is "$(jqo '[.cdiVersion, .kind, .devices[0].containerEdits.env[0]]')" \
	'["0.5.0","example.com/vfio-gpu_1","PCI_RESOURCE_EXAMPLE_COM_VFIO_GPU_1=0000:00:04.0"]' \
	"--vendor with dots, --class with - and _: 0.5.0, every non-alphanumeric of the env name as _"
run cdi --class nic.v2 00:04.0
is "$rc" 0 "--class with a dot exits 0"
is "$(jqo '[.cdiVersion, .kind]')" '["0.6.0","vfioctl.io/nic.v2"]' "--class with a dot: cdiVersion 0.6.0"
is "$(grep cdiVersion "$err")" "vfioctl: cdiVersion 0.6.0: a class with a dot needs it" \
	"stderr says the dot is why"
run cdi --vendor A --class B 00:04.0
is "$(jqo '.kind')" '"A/B"' "one-letter vendor and class are names"
run cdi 10000:e1:00.0
is "$(jqo '[.devices[].name]')" '["10000:e1:00.0","group-42"]' "a domain of 5 digits keeps its name"
like "$(cat "$err")" "note: $D/vfio/42 does not exist" "a missing group node is said"

# ---- --group, an unbound member, bridges ----
run cdi --group 5
is "$rc" 0 "cdi --group 5 exits 0"
is "$(jqo '[.devices[].name]')" '["0000:05:00.0","0000:05:01.0","group-5"]' \
	"--group: its devices (the bridge 00:1e.0 left out), then the group"
is "$(entry group-5 '.containerEdits.env')" '["PCI_RESOURCE_VFIOCTL_IO_PCI=0000:05:00.0,0000:05:01.0"]' \
	"env of a group: all its members but the bridge"
is "$(entry group-5 '.containerEdits.deviceNodes[1]')" '{"path":"/dev/vfio/5"}' \
	"a group node that does not exist yet: path only (the runtime stats it at injection)"
like "$(cat "$err")" "^vfioctl: note: $D/vfio/5 does not exist \(yet\): its deviceNode has the path only" \
	"and stderr says so"
like "$(cat "$err")" "note: 0000:05:01.0 is bound to no driver, not vfio-pci" "the unbound member is named"
is "$(grep -c "$D/vfio/5 does not exist" "$err")" 1 "each missing node is said once (group-5 and both devices share it)"
run cdi --group 5 --group 2 0000:00:04.0
is "$(jqo '[.devices[].name]')" '["0000:00:04.0","0000:05:00.0","0000:05:01.0","group-2","group-5"]' \
	"--group twice and a device: each entry once, devices by address, then groups"

# ---- a device not on vfio-pci ----
run cdi 0000:00:1f.2
is "$rc" 0 "a device on ahci may be named"
is "$(jqo '[.devices[].name]')" '["0000:00:1f.2","group-9"]' "it and its group"
is "$(entry 0000:00:1f.2 '.containerEdits.deviceNodes[1]')" '{"path":"/dev/vfio/9"}' \
	"its group node, not there before bind: path only"
like "$(cat "$err")" "note: 0000:00:1f.2 is bound to ahci, not vfio-pci: its entries describe it as 'vfioctl bind 0000:00:1f.2' would hand it over" \
	"stderr says it is not on vfio-pci yet"
is "$(entry group-9 '.containerEdits.env')" '["PCI_RESOURCE_VFIOCTL_IO_PCI=0000:00:1f.0,0000:00:1f.2,0000:00:1f.3"]' \
	"its group: every member (an ISA bridge is no PCI bridge)"

# ---- --all ----
run cdi --all
is "$rc" 0 "cdi --all exits 0"
is "$(jqo '[.devices[].name]')" \
	'["0000:00:04.0","0000:00:1f.3","0000:01:00.1","0000:03:10.0","0000:03:10.4","0000:03:11.0","0000:03:11.4","0000:05:00.0","10000:e1:00.0","group-2","group-5","group-9","group-10","group-22","group-23","group-24","group-25","group-42"]' \
	"--all: every device on vfio-pci (or a variant: mlx5_vfio_pci), then their groups"
run --sysfs-root "$work/noiommu" cdi --all
is "$rc" 1 "--all with no device on vfio-pci exits 1"
like "$(cat "$err")" "no device is bound to vfio-pci here" "and says so"
run --sysfs-root "$work/noiommu" cdi 00:1f.2
is "$rc" 1 "a device in no IOMMU group exits 1"
like "$(cat "$err")" "0000:00:1f.2 is in no IOMMU group" "and says so"

# ---- the iommufd nodes ----
d4=$S/bus/pci/devices/0000:00:04.0
mkdir -p "$d4/vfio-dev/vfio3" "$D/vfio/devices"
echo 237:3 > "$d4/vfio-dev/vfio3/dev"
run cdi 00:04.0
is "$(entry 0000:00:04.0 '[.containerEdits.deviceNodes[].path]')" '["/dev/vfio/vfio","/dev/vfio/2"]' \
	"a cdev but no /dev/iommu: the legacy nodes only"
if $chr; then
	mknod "$D/iommu" c 10 123 && mknod "$D/vfio/devices/vfio3" c 237 3
	run cdi 00:04.0
	is "$(entry 0000:00:04.0 '[.containerEdits.deviceNodes[] | [.path, .type, .major, .minor]]')" \
		'[["/dev/vfio/vfio","c",10,196],["/dev/vfio/2","c",511,2],["/dev/vfio/devices/vfio3","c",237,3],["/dev/iommu","c",10,123]]' \
		"vfio-dev/vfio3/dev and /dev/iommu: 4 nodes, the cdev and /dev/iommu with their numbers"
	is "$(entry group-2 '[.containerEdits.deviceNodes[].path]')" \
		'["/dev/vfio/vfio","/dev/vfio/2","/dev/vfio/devices/vfio3","/dev/iommu"]' \
		"the group: its members' cdevs and /dev/iommu too"
	rm "$D/vfio/devices/vfio3"
	run cdi 00:04.0
	is "$(entry 0000:00:04.0 '.containerEdits.deviceNodes[2]')" '{"path":"/dev/vfio/devices/vfio3"}' \
		"a cdev in sysfs whose node is not there (yet): path only"
	: > "$D/vfio/devices/vfio3"
	run cdi 00:04.0 --output "$work/reg.json"
	is "$rc" 1 "a node that is a regular file is refused: exit 1"
	like "$(cat "$err")" "$D/vfio/devices/vfio3 is not a character device" "and named"
	[ ! -s "$out" ] && [ ! -e "$work/reg.json" ] && ok "a refusal writes nothing" ||
		not_ok "a refusal writes nothing"
	rm -f "$D/vfio/devices/vfio3" "$D/iommu"
else
	ok "# SKIP no mknod here: the four nodes are proved in the VM"
fi
rm -rf "$d4/vfio-dev"

# ---- unknown devices and groups ----
echo old > "$work/keep.json"
run cdi 00:04.0 0000:09:00.0 --output "$work/keep.json"
is "$rc" 1 "an unknown device exits 1"
like "$(cat "$err")" "no PCI device 0000:09:00.0 here" "and is named"
is "$(cat "$work/keep.json")" old "and the --output file is left as it was"
run cdi 0000:09:00.0
[ "$rc" = 1 ] && [ ! -s "$out" ] && ok "an unknown device writes nothing to stdout" ||
	not_ok "an unknown device writes nothing to stdout" "rc $rc"
run cdi --group 999 --output "$work/new.json"
is "$rc" 1 "an unknown group exits 1"
like "$(cat "$err")" "no IOMMU group 999 here" "and is named"
[ ! -e "$work/new.json" ] && ok "and no --output file is made" || not_ok "and no --output file is made"
run cdi --group 20
is "$rc" 1 "a group of bridges only exits 1"
like "$(cat "$err")" "IOMMU group 20 has only bridges" "and says so"

# ---- --output ----
mkdir "$work/cdi"
printf '%s\n' '{"cdiVersion":"0.3.0","kind":"old/old","devices":[]}' > "$work/cdi/vfioctl.json"
ino=$(stat -c %i "$work/cdi/vfioctl.json")
run cdi --output "$work/cdi/vfioctl.json" --group 5
is "$rc" 0 "--output FILE exits 0"
is "$(cat "$out")" "" "--output FILE: nothing on stdout"
like "$(cat "$err")" "CDI spec of 3 devices \(vfioctl.io/pci\) written to $work/cdi/vfioctl.json" "and says where it went"
is "$(jq -c '[.kind, [.devices[].name]]' "$work/cdi/vfioctl.json")" '["vfioctl.io/pci",["0000:05:00.0","0000:05:01.0","group-5"]]' \
	"the file holds the new spec"
[ "$(stat -c %i "$work/cdi/vfioctl.json")" != "$ino" ] && ok "the file was replaced (renamed over), not rewritten in place" ||
	not_ok "the file was replaced (renamed over), not rewritten in place"
is "$(stat -c %a "$work/cdi/vfioctl.json")" 644 "the spec is mode 0644"
is "$(ls -A "$work/cdi")" vfioctl.json "no temporary file is left"
"$vfioctl" cdi --group 5 > "$work/stdout.json" 2> /dev/null
cmp -s "$work/stdout.json" "$work/cdi/vfioctl.json" && ok "stdout and --output write the same document" ||
	not_ok "stdout and --output write the same document"
run cdi --output - 00:04.0
is "$(jqo '[.devices[].name]')" '["0000:00:04.0","group-2"]' "--output - is stdout"
mkdir "$work/cdi/dir.json"
run cdi --output "$work/cdi/dir.json" 00:04.0
is "$rc" 1 "--output over a directory (the rename fails) exits 1"
like "$(cat "$err")" "cannot replace $work/cdi/dir.json" "and says so"
is "$(ls -A "$work/cdi" | tr '\n' ' ')" "dir.json vfioctl.json " "a failed write leaves no temporary file"
run cdi --output "$work/nodir/x.json" 00:04.0
is "$rc" 1 "--output into a missing directory exits 1"
like "$(cat "$err")" "cannot create a temporary file next to it" "and says why"
if [ "$(id -u)" != 0 ]; then
	chmod 0555 "$work/cdi"
	run cdi --output "$work/cdi/vfioctl.json" 00:04.0
	is "$rc" 1 "--output in a directory not writable exits 1"
	is "$(ls -A "$work/cdi" | tr '\n' ' ')" "dir.json vfioctl.json " "and leaves nothing behind"
	chmod 0755 "$work/cdi"
else
	ok "# SKIP as root every directory is writable: the missing directory and the rename cover it"
fi

# ---- --json-only ----
run cdi --json-only --group 5
is "$rc" 0 "--json-only exits 0"
is "$(cat "$err")" "" "--json-only: nothing on stderr (no cdiVersion, unbound or missing-node notes)"
is "$(jqo '[.devices[].name]')" '["0000:05:00.0","0000:05:01.0","group-5"]' "--json-only: the same document on stdout"
"$vfioctl" cdi --group 5 2> /dev/null > "$work/plain.json"
cmp -s "$work/plain.json" "$out" && ok "--json-only changes nothing in the JSON" || not_ok "--json-only changes nothing in the JSON"
run cdi --json-only --group 5 --output "$work/jo.json"
[ "$rc" = 0 ] && [ ! -s "$out" ] && [ ! -s "$err" ] && cmp -s "$work/plain.json" "$work/jo.json" &&
	ok "--json-only --output FILE: the file only, nothing on stdout or stderr" ||
	not_ok "--json-only --output FILE: the file only, nothing on stdout or stderr" "rc $rc" "$(head -c 300 "$err")"
run cdi --json-only 0000:09:00.0
[ "$rc" = 1 ] && grep -qF "no PCI device 0000:09:00.0 here" "$err" && [ ! -s "$out" ] &&
	ok "--json-only: a real error is still said on stderr, exit 1" ||
	not_ok "--json-only: a real error is still said on stderr, exit 1" "rc $rc"
usage "--json-only with --check is a usage error" "--check takes a FILE and no DEVICE, --group, --output or --json-only" \
	cdi --check "$work/jo.json" --json-only

# ---- the specs against CDI's rules (tests/host/cdi-validate.py) ----
val=$top/tests/host/cdi-validate.py
"$vfioctl" cdi --json-only 0000:00:04.0 > "$work/v1.json"
"$vfioctl" cdi --json-only --class nic.v2 --group 5 > "$work/v2.json"
"$vfioctl" cdi --json-only --all > "$work/v3.json"
r=$(python3 "$val" "$work/v1.json" "$work/v2.json" "$work/v3.json" 2>&1) &&
	ok "the specs of a device, --class with a dot and --all keep CDI's rules" ||
	not_ok "the specs of a device, --class with a dot and --all keep CDI's rules" "$r"
for b in '.cdiVersion = "0.4.0"' '.cdiVersion = "0.5.0"|.kind = "vfioctl.io/nic.v2"' '.extra = 1' \
	'.devices[0].name = "-x"' '.devices[0].containerEdits.deviceNodes[0].path = "dev/vfio/vfio"' \
	'.devices[0].containerEdits.deviceNodes[0].type = "x"' '.devices[0].containerEdits.deviceNodes[0].major = "10"' \
	'.devices[0].containerEdits.env[0] = "=x"' '.devices[1].name = .devices[0].name' '.devices = []' \
	'.kind = "vfioctl.io"' '.devices[0].containerEdits.deviceNodes[0].hostPath = "/x"|.cdiVersion = "0.4.0"'; do
	jq "$b" "$work/v1.json" > "$work/bad.json"
	python3 "$val" "$work/bad.json" > /dev/null 2>&1
	is "$?" 1 "cdi-validate.py rejects a spec broken on purpose: $b"
done

# ---- --check ----
d4=$S/bus/pci/devices/0000:00:04.0
"$vfioctl" cdi 00:04.0 --output "$work/chk.json" 2> /dev/null
run cdi --check "$work/chk.json"
is "$rc" 0 "--check of a fresh spec exits 0"
is "$(cat "$out")" "$work/chk.json: 2 entries match the host" "and says how many entries match"
usage "--check with a device is a usage error" "--check takes a FILE and no DEVICE" \
	cdi --check "$work/chk.json" 00:04.0
run cdi --check "$work/chk.json" --vendor example.com
is "$rc" 1 "--check with another --vendor exits 1"
like "$(cat "$out")" "^kind: the file has vfioctl.io/pci, --vendor/--class ask for example.com/pci" \
	"and names both kinds"
sed -i 's/^DRIVER=.*/DRIVER=nvme/' "$d4/uevent"
run cdi --check "$work/chk.json"
is "$rc" 1 "--check after the device went to nvme exits 1"
like "$(cat "$out")" "^0000:00:04.0: driver: 0000:00:04.0 is bound to nvme, not vfio-pci" \
	"the line names the device and the driver"
like "$(cat "$out")" "regenerate it: vfioctl cdi .* --output $work/chk.json" "and says how to regenerate"
sed -i 's/^DRIVER=.*/DRIVER=vfio-pci/' "$d4/uevent"
if $chr; then
	rm "$D/vfio/2" && mknod "$D/vfio/2" c 511 7 && chmod 0600 "$D/vfio/2"
	run cdi --check "$work/chk.json"
	is "$rc" 1 "--check after a node's minor changed exits 1"
	like "$(cat "$out")" "^0000:00:04.0: /dev/vfio/2 minor: the file has 2, the host 7" \
		"the line names the node, the field and both values"
	rm "$D/vfio/2" && mknod "$D/vfio/2" c 511 2 && chmod 0600 "$D/vfio/2"
else
	ok "# SKIP no mknod here: the numbers are proved in the VM"
fi
old=$(readlink "$d4/iommu_group")
ln -sfn "${old%/*}/9" "$d4/iommu_group"
run cdi --check "$work/chk.json"
is "$rc" 1 "--check after the group was renumbered exits 1"
like "$(cat "$out")" "^0000:00:04.0: deviceNodes\[1\] path: the file has /dev/vfio/2, the host /dev/vfio/9" \
	"the group node's path is the mismatch"
ln -sfn "$old" "$d4/iommu_group"
jq '.devices[0].name = "0000:09:00.0"' "$work/chk.json" > "$work/nodev.json"
run cdi --check "$work/nodev.json"
is "$rc" 1 "--check of an entry the host does not have exits 1"
like "$(cat "$out")" "^0000:09:00.0: no such device" "and says no such device"
jq '.cdiVersion = "0.3.0"' "$work/chk.json" > "$work/old.json"
run cdi --check "$work/old.json"
like "$(cat "$out")" "^cdiVersion: the file has 0.3.0, its names need 0.5.0" "a cdiVersion too old is said"
"$vfioctl" cdi --group 5 --output "$work/g5.json" 2> /dev/null
run cdi --check "$work/g5.json" --all
is "$rc" 1 "--check --all exits 1 when the file lacks devices on vfio-pci"
like "$(cat "$out")" "^0000:00:04.0: on vfio-pci, not in $work/g5.json" "and names them"
head -c 40 "$work/chk.json" > "$work/cut.json"
printf 'not json\n' > "$work/text.json"
printf '{"cdiVersion":1,"kind":"a/b","devices":[]}' > "$work/types.json"
printf '{"cdiVersion":"0.5.0","kind":"a/b","devices":[{"name":"x","containerEdits":{"deviceNodes":[{"path":3}],"env":[]}}]}' > "$work/node.json"
head -c 100000 /dev/zero | tr '\0' '[' > "$work/deep.json"
for f in cut:"not JSON: a string is not closed at byte" text:"not JSON: not a JSON value at byte 0" \
	types:'not a CDI spec: no object with a string "cdiVersion"' \
	node:'not a CDI spec: a deviceNode without a string "path"' deep:"more than 65536 bytes"; do
	run cdi --check "$work/${f%%:*}.json"
	[ "$rc" = 1 ] && grep -qF -- "$work/${f%%:*}.json: ${f#*:}" "$err" && ok "--check of a malformed file (${f%%:*}): exit 1 and why" ||
		not_ok "--check of a malformed file (${f%%:*}): exit 1 and why" "rc $rc" "$(head -c 300 "$err")"
done
head -c 2000 /dev/zero | tr '\0' '[' > "$work/deep.json"
run cdi --check "$work/deep.json"
[ "$rc" = 1 ] && grep -qF "nested deeper than" "$err" && ok "--check of deep nesting: exit 1, no crash" ||
	not_ok "--check of deep nesting: exit 1, no crash" "rc $rc"
run cdi --check "$work/none.json"
[ "$rc" = 1 ] && grep -qF "cannot read $work/none.json" "$err" && ok "--check of a missing file: exit 1" ||
	not_ok "--check of a missing file: exit 1"

finish
