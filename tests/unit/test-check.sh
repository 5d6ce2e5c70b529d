#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-check.sh - `vfioctl check` against a fake host: the "host" fixture of mkfixture as
# sysfs plus a fake /proc, /dev and /etc (VFIOX_*_ROOT). Proves the CLI's side: the human
# format, the JSON schema (schema 1), the exit status (0 exactly when no finding fails)
# and the usage errors. What each finding decides is proved in test-check.c.
#
#   BUILD=build bash tests/unit/test-check.sh
# Needs: $BUILD/vfioctl, jq, $BUILD/tests/mkfixture (built with cc when missing).
. "$(dirname "$0")/cli-tap.sh" check

is() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got:  $1" "want: $2"; fi; }
like() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then ok "$3"
	else not_ok "$3" "no match for /$2/ in:" "$(printf '%s' "$1" | head -c 600)"; fi
}

S=$work/sys P=$work/proc D=$work/dev E=$work/etc
"$mkfixture" host "$S" > /dev/null || bail "mkfixture host failed"
mkdir -p "$S/firmware/acpi/tables" "$S/module/vfio" "$S/module/vfio_iommu_type1" \
	"$S/module/vfio_pci" "$P/self" "$D/vfio" "$E"
echo DMAR > "$S/firmware/acpi/tables/DMAR"
printf 'root=/dev/sda1 intel_iommu=on\n' > "$P/cmdline"
printf '  0:   1   IR-IO-APIC   2-edge   timer\n' > "$P/interrupts"
printf 'Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n' > "$P/self/status"
printf '1 1 0:2 / / rw - rootfs rootfs rw\n' > "$P/self/mountinfo"
printf 'Filename\tType\tSize\tUsed\tPriority\n' > "$P/swaps"
printf 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' > "$E/passwd"
export VFIOX_SYSFS_ROOT=$S VFIOX_PROC_ROOT=$P VFIOX_DEV_ROOT=$D VFIOX_ETC_ROOT=$E


# No /dev/vfio/vfio: dev_vfio fails, so the check fails.
run check
is "$rc" 1 "a failing finding (no /dev/vfio/vfio) makes exit status 1"
like "$(cat "$out")" "^fail  dev_vfio: $D/vfio/vfio does not exist" "human format: status, id, summary"
like "$(cat "$out")" "^      fix: load vfio" "human format: the fix on its own line"
like "$(tail -n 1 "$out")" "^[0-9]+ ok, [0-9]+ info, [0-9]+ warn, 1 fail$" "human format: the counts last"
is "$(cat "$err")" "" "check writes nothing to stderr"

if mknod "$D/vfio/vfio" c 10 196 2> /dev/null; then
	chmod 0666 "$D/vfio/vfio"
	run check
	is "$rc" 0 "no failing finding: exit status 0"
	run check --json --user alice
	like "$(jq -r '.findings[] | select(.id == "memlock") | "\(.status) \(.subject)"' "$out")" \
		"^warn alice$" "--user alice: memlock judged for alice (no limits.conf: warn)"
	is "$rc" 0 "warnings alone leave exit status 0"
else
	ok "# SKIP no mknod here: the all-well exit status is proved in the VM"
fi

# JSON schema vfioctl/check/1 (man/schemas/check.schema.json)
run check --json
is "$(jq -r '.schema' "$out")" vfioctl/check/1 "--json: schema vfioctl/check/1"
is "$(jq -r '[.device, .user] | map(tostring) | join(" ")' "$out")" "null null" \
	"--json: device and user null for a host check by the caller"
is "$(jq -r '[.findings[] | keys | join(",")] | unique | join(" ")' "$out")" \
	"fix,id,status,subject,summary" "--json: every finding has id, status, subject, summary, fix"
is "$(jq -r '[.findings[].status] - ["ok","info","warn","fail"] | length' "$out")" 0 \
	"--json: statuses are ok, info, warn, fail"
is "$(jq -r '(.counts.ok + .counts.info + .counts.warn + .counts.fail) == (.findings | length)' "$out")" \
	true "--json: counts add up to the findings"
is "$(jq -r '[.findings[] | select(.status == "ok" and .fix != null)] | length' "$out")" 0 \
	"--json: an ok finding has no fix"
is "$(jq -r '[.findings[] | select(.status == "fail" and .fix == null)] | length' "$out")" 0 \
	"--json: every failing finding has a fix"
is "$(jq -r '.findings | map(.id) | .[0:10] | join(" ")' "$out")" \
	"iommu.groups iommu.firmware iommu.cmdline irq_remapping modules dev_vfio iommufd vfio_cdev memlock hugepages" \
	"--json: the host findings in their documented order"
is "$(jq -r '.findings[] | select(.id == "iommufd" or .id == "vfio_cdev") | .status' "$out" | sort -u)" \
	info "--json: no /dev/iommu (a type1 host) is information, iommufd and vfio_cdev alike"

# a device: group 9 of the nonviable part (00:1f.2 on ahci)
run check --json 00:1f.3
is "$(jq -r '.device' "$out")" "00:1f.3" "--json: the device as given"
like "$(jq -r '.findings[] | select(.id == "device.unbind") | "\(.status)|\(.summary)|\(.fix)"' "$out")" \
	"^warn\|.*0000:00:1f.2 \(ahci\)\|vfioctl bind --group 9" "device.unbind names the ahci member of group 9"
like "$(jq -r '[.findings[] | select(.id | startswith("device."))] | map(.id) | unique | join(" ")' "$out")" \
	"^device.acs device.backend device.group device.in_use device.unbind$" "a device adds the five device findings"
if [ -e "$D/vfio/vfio" ]; then
	like "$(jq -r '.findings[] | select(.id == "device.backend") | "\(.status)|\(.subject)|\(.summary)"' "$out")" \
		"^info\|0000:00:1f.3\|0000:00:1f.3 opens over type1: no $D/iommu" \
		"device.backend: the device on vfio-pci opens over type1, as this host has no /dev/iommu"
else
	like "$(jq -r '.findings[] | select(.id == "device.backend") | "\(.status)|\(.summary)"' "$out")" \
		"^fail\|no IOMMU backend can open 0000:00:1f.3: neither" \
		"device.backend: neither /dev/vfio/vfio nor /dev/iommu (no mknod here) fails"
fi

# bad input
run check 0000:ee:00.0
is "$rc" 1 "an absent device: exit status 1"
like "$(cat "$err")" "no PCI device 0000:ee:00.0" "an absent device is named"
run check nonsense
is "$rc" 2 "a malformed address: usage error"
run check 00:1f.2 00:1f.3
is "$rc" 2 "two devices: usage error"
run check --user ''
is "$rc" 2 "--user '': usage error"
run check --bogus
is "$rc" 2 "an unknown option: usage error"
run check --user mallory
is "$rc" 1 "an unknown user: exit status 1"
like "$(cat "$err")" "no user mallory in $E/passwd" "an unknown user is named with the file"
run check --help
like "$(cat "$out")" "^usage: vfioctl check" "--help prints the usage"

finish
