# SPDX-License-Identifier: LGPL-2.1-or-later
# vfioctl cdi on a real kernel: the CDI spec of the edu in a group of its own, before and
# after it is bound to vfio-pci. Each device node's type, major:minor and mode equal the
# kernel's own /dev/vfio/vfio and /dev/vfio/N (and, on a kernel with VFIO cdevs and
# /dev/iommu, the cdev and /dev/iommu too), the env line names the edu, the cdiVersion is
# 0.5.0 and said on stderr, --json-only prints the same spec with nothing on stderr and
# writes no file (errors still said), and --output replaces a file in /tmp whole or leaves
# it be.
# Puts the edu back (reprobe) at the end.
. /tests/tap.sh
. /tests/sysfs.sh

edu=$(edu_alone | head -n 1)
[ -n "$edu" ] || skip_file "no edu device in a group of its own"
g=$(sys_group "$edu")
drv0=$(sys_driver "$edu")
[ "$drv0" = null ] || unbind "$edu"
w=/tmp/t98
rm -rf "$w"
mkdir -p "$w"

# node_facts JSON NAME: "path type major:minor mode" per deviceNode of entry NAME, with the
# numbers in hex and the mode in octal, as stat -c prints them
node_facts() {
	jq -r --arg n "$2" '.devices[] | select(.name == $n) | .containerEdits.deviceNodes[] |
		"\(.path) \(.type // "-") \(.major // "-") \(.minor // "-") \(.fileMode // "-")"' "$1" |
		while read -r _p _t _ma _mi _m; do
			if [ "$_t" = - ]; then
				echo "$_p path-only"
			else
				printf '%s %s %x:%x %o\n' "$_p" "$_t" "$_ma" "$_mi" "$_m"
			fi
		done
}
# host_facts PATH...: the same from the kernel's nodes
host_facts() {
	for _p in "$@"; do
		if [ -c "$_p" ]; then
			echo "$_p c $(stat -c '%t:%T %a' "$_p")"
		else
			echo "$_p not-a-char-device"
		fi
	done
}

# ---- before bind: the spec of what bind would hand over
vfioctl cdi "$edu" > "$w/before.json" 2> "$w/before.err"
is "$?" 0 "cdi $edu (on no driver) exits 0"
like "$(cat "$w/before.err")" "note: $edu is bound to no driver, not vfio-pci" \
	"cdi says the edu is not on vfio-pci yet"
if [ ! -e "/dev/vfio/$g" ]; then
	is "$(jq -c --arg n "$edu" '.devices[] | select(.name == $n) | .containerEdits.deviceNodes[1]' "$w/before.json")" \
		"{\"path\":\"/dev/vfio/$g\"}" "before bind, /dev/vfio/$g does not exist: its deviceNode has the path only"
	like "$(cat "$w/before.err")" "note: /dev/vfio/$g does not exist \(yet\)" "and stderr says so"
else
	skip "/dev/vfio/$g exists before bind (another member on vfio-pci?)"
	skip "no path-only node to say"
fi
vfioctl cdi --json-only "$edu" > "$w/before-jo.json" 2> "$w/before-jo.err"
is "$?" 0 "cdi --json-only $edu (on no driver) exits 0"
is "$(cat "$w/before-jo.err")" "" "--json-only: not even the notes (not on vfio-pci, no node yet)"
same "--json-only: the same spec on stdout" "$w/before-jo.json" "$w/before.json"

# ---- on vfio-pci
bind_to vfio-pci "$edu"
_i=0
while [ ! -c "/dev/vfio/$g" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
is "$(sys_driver "$edu")" vfio-pci "the edu $edu is on vfio-pci"
vfioctl cdi "$edu" > "$w/spec.json" 2> "$w/spec.err"
is "$?" 0 "cdi $edu exits 0"
is "$(jq -c '[.cdiVersion, .kind, [.devices[].name]]' "$w/spec.json")" \
	"[\"0.5.0\",\"vfioctl.io/pci\",[\"$edu\",\"group-$g\"]]" \
	"cdiVersion 0.5.0, kind vfioctl.io/pci, the edu and group-$g"
is "$(cat "$w/spec.err")" \
	"vfioctl: cdiVersion 0.5.0: device names that start with a digit (PCI addresses) need it" \
	"stderr: the cdiVersion and why, and nothing else (every node is there)"

nodes="/dev/vfio/vfio /dev/vfio/$g"
cdev=$(cdev_of "$edu")
if [ "$cdev" != null ] && [ -c /dev/iommu ]; then
	nodes="$nodes $cdev /dev/iommu"
	diag "this kernel has VFIO cdevs ($cdev) and /dev/iommu: 4 nodes"
else
	diag "no VFIO cdev (cdev_of: $cdev) or no /dev/iommu: the 2 nodes of type1"
fi
# shellcheck disable=SC2086
host_facts $nodes > "$w/want"
node_facts "$w/spec.json" "$edu" > "$w/got"
same "the edu's deviceNodes: path, type c, major:minor (hex) and mode equal stat of the kernel's nodes" \
	"$w/got" "$w/want"
node_facts "$w/spec.json" "group-$g" > "$w/got-group"
same "group-$g's deviceNodes: the same nodes" "$w/got-group" "$w/want"
is "$(jq -r '[.devices[].containerEdits.deviceNodes[].permissions] | unique | join(",")' "$w/spec.json")" rw \
	"every node: permissions rw"
is "$(jq -r --arg n "$edu" '.devices[] | select(.name == $n) | .containerEdits.env | join(";")' "$w/spec.json")" \
	"PCI_RESOURCE_VFIOCTL_IO_PCI=$edu" "the env line of the edu: PCI_RESOURCE_VFIOCTL_IO_PCI=$edu"
is "$(jq -r '.devices[] | select(.name | startswith("group-")) | .containerEdits.env | join(";")' "$w/spec.json")" \
	"PCI_RESOURCE_VFIOCTL_IO_PCI=$edu" "the env line of its group: its one member"

vfioctl cdi --all > "$w/all.json" 2> /dev/null
is "$?" 0 "cdi --all exits 0"
like "$(jq -r '[.devices[].name] | join(" ")' "$w/all.json")" "(^| )$edu( |.* )group-$g( |$)" \
	"cdi --all has the edu and its group"

# ---- --json-only: the spec alone on stdout, no notes on stderr, no file anywhere
mkdir -p "$w/jo"
dirs0=$(ls -lA /etc/cdi /var/run/cdi /run/cdi 2>&1)
(cd "$w/jo" && vfioctl cdi --json-only "$edu" > "$w/jo.json" 2> "$w/jo.err")
is "$?" 0 "cdi --json-only $edu exits 0"
same "--json-only: stdout is the spec cdi prints without it" "$w/jo.json" "$w/spec.json"
check "--json-only: stdout is one JSON document and nothing else" \
	jq -e '.cdiVersion and .kind and .devices' "$w/jo.json"
is "$(cat "$w/jo.err")" "" "--json-only: nothing on stderr (no cdiVersion line)"
is "$(ls -A "$w/jo")" "" "--json-only: no file written in the working directory"
is "$(ls -lA /etc/cdi /var/run/cdi /run/cdi 2>&1)" "$dirs0" \
	"--json-only: /etc/cdi, /var/run/cdi and /run/cdi as they were (no spec written)"
vfioctl cdi --json-only 0000:ff:1f.7 > "$w/jo-unk.json" 2> "$w/jo-unk.err"
is "$?" 1 "cdi --json-only of an unknown device: exit 1"
is "$(wc -c < "$w/jo-unk.json") $([ -s "$w/jo-unk.err" ] && echo said)" "0 said" \
	"--json-only: an error is still said on stderr, with no document"
vfioctl cdi --json-only --check "$w/spec.json" > /dev/null 2>&1
is "$?" 2 "cdi --json-only --check: a usage error (exit 2)"

# ---- --output: atomic, in /tmp
mkdir -p "$w/cdi"
echo '{"old": true}' > "$w/cdi/vfioctl.json"
ino=$(stat -c %i "$w/cdi/vfioctl.json")
vfioctl cdi --output "$w/cdi/vfioctl.json" "$edu" > "$w/out.stdout" 2> "$w/out.err"
is "$?" 0 "cdi --output $w/cdi/vfioctl.json exits 0"
same "the file holds the same spec as stdout" "$w/cdi/vfioctl.json" "$w/spec.json"
is "$(cat "$w/out.stdout")" "" "nothing on stdout"
[ "$(stat -c %i "$w/cdi/vfioctl.json")" != "$ino" ] && ok "the old file was replaced by a rename" ||
	not_ok "the old file was replaced by a rename"
is "$(stat -c %a "$w/cdi/vfioctl.json")" 644 "mode 0644"
is "$(ls -a "$w/cdi" | tr '\n' ' ')" ". .. vfioctl.json " "no temporary file left"
mkdir "$w/cdi/taken.json"
vfioctl cdi --output "$w/cdi/taken.json" "$edu" > /dev/null 2> "$w/fail.err"
is "$?" 1 "--output over a directory: exit 1"
like "$(cat "$w/fail.err")" "cannot replace $w/cdi/taken.json" "and says why"
is "$(ls -a "$w/cdi" | tr '\n' ' ')" ". .. taken.json vfioctl.json " "a failed write leaves no temporary file"
vfioctl cdi --output "$w/cdi/vfioctl.json" 0000:ff:1f.7 > /dev/null 2> "$w/unk.err"
is "$?" 1 "an unknown device: exit 1"
same "and the file is left as it was" "$w/cdi/vfioctl.json" "$w/spec.json"

# ---- --check: the spec against the host, before and after the edu leaves vfio-pci
vfioctl cdi --check "$w/spec.json" > "$w/chk.out" 2> "$w/chk.err"
is "$?" 0 "cdi --check of the fresh spec exits 0"
is "$(cat "$w/chk.out")" "$w/spec.json: 2 entries match the host" "and says both entries match"

reprobe "$edu"
is "$(sys_driver "$edu")" "$drv0" "the edu is back on the driver it had ($drv0)"
vfioctl cdi --check "$w/spec.json" > "$w/chk.out" 2> "$w/chk.err"
is "$?" 1 "cdi --check after reprobe exits 1"
like "$(cat "$w/chk.out")" "^$edu: driver: $edu is bound to .*, not vfio-pci" \
	"the edu's entry is stale: it names the device and its driver"
like "$(cat "$w/chk.out")" "^$w/spec.json: [0-9]+ problems; regenerate it: vfioctl cdi " \
	"and says how to regenerate the file"
