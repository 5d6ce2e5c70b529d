# SPDX-License-Identifier: LGPL-2.1-or-later
# vfioctl grant on a real kernel: the edu (a group of its own) bound to vfio-pci, granted
# to nobody (uid 65534) with a 64 MiB memlock limit; nobody, refused before, then opens the
# group and maps DMA (the edu round trip) within the limit that limits.d gives it, and
# --revoke takes it all back (node 0600 root again, nobody refused again, no files left).
# A grant that fails halfway (limits.d read-only) leaves the node, the rule and /etc as
# they were. Puts the edu back (reprobe) at the end.
. /tests/tap.sh
. /tests/sysfs.sh

edu=$(edu_alone | head -n 1)
[ -n "$edu" ] || skip_file "no edu device in a group of its own"
g=$(sys_group "$edu")
id -u nobody > /dev/null 2>&1 || skip_file "no user nobody in /etc/passwd"
vfioctl bind "$edu" > /dev/null 2>&1
[ "$(sys_driver "$edu")" = vfio-pci ] || skip_file "the edu did not bind to vfio-pci"
node=/dev/vfio/$g
rule=/etc/udev/rules.d/72-vfioctl-grant-$edu.rules
limits=/etc/security/limits.d/90-vfioctl-nobody.conf
mkdir -p /etc/udev/rules.d /etc/security/limits.d
before="$(stat -c '%u:%g %a' "$node")"
is "$before" "0:0 600" "before: $node is root's, 0600 (the kernel's)"

# as nobody, with the memlock limit a login would get from limits.d (busybox su: no PAM)
as_nobody() {
	local kib
	kib=$(awk '$2 == "hard" && $3 == "memlock" { print $4 }' "$limits" 2> /dev/null)
	sh -c "ulimit -l ${kib:-64}; exec su -s /bin/sh nobody -c '$*'" 2>&1
}
out=$(as_nobody vfiox-dma "$edu" roundtrip)
like "$out" "ermission|EACCES" "before the grant nobody cannot open the group"

out=$(vfioctl grant --user nobody --memlock 64M "$edu" 2>&1)
rc=$?
like "$out" "^rule +$rule: udev rule for IOMMU group $g" "grant: the rule is said"
like "$out" "^node +$node: owner 65534:0, mode 0600 \\(was 0:0 0600\\)" "grant: the node is said"
like "$out" "^memlock +$limits: memlock 64 MiB for logins of nobody" "grant: memlock is said"
like "$out" "dev_vfio \\[nobody\\]: nobody may open /dev/vfio/vfio and all" \
	"the final check: nobody may open the nodes"
is "$rc" 0 "grant exits 0"
is "$(stat -c '%u:%g %a' "$node")" "65534:0 600" "$node is nobody's now"
like "$(cat "$rule" 2>&1)" "TEST==\"/sys/kernel/iommu_groups/\\\$kernel/devices/$edu\", OWNER=\"nobody\"" \
	"the rule matches the group node by membership"
[ -e "/sys/kernel/iommu_groups/$g/devices/$edu" ] && ok "the rule's TEST path exists on this kernel" ||
	not_ok "the rule's TEST path exists on this kernel"
is "$(awk '$3 == "memlock" { print $2, $4 }' "$limits" | sort | tr '\n' ' ')" "hard 65536 soft 65536 " \
	"limits.d: hard and soft 64 MiB"

out=$(as_nobody 'ulimit -l; vfiox-dma '"$edu"' roundtrip')
like "$out" "^65536$" "nobody runs with the granted limit (65536 KiB)"
like "$out" "roundtrip ok" "nobody opens the group and the edu does DMA through the IOMMU"

out=$(vfioctl grant --revoke "$edu" 2>&1)
rc=$?
is "$rc" 0 "grant --revoke exits 0"
like "$out" "^node +$node: owner 0:0, mode 0600 again" "revoke: the node's owner back"
is "$(stat -c '%u:%g %a' "$node")" "0:0 600" "$node is root's again"
[ ! -e "$rule" ] && [ ! -e "$limits" ] && ok "revoke: the rule and the limits file are gone" ||
	not_ok "revoke: the rule and the limits file are gone"
out=$(as_nobody vfiox-dma "$edu" roundtrip)
like "$out" "ermission|EACCES" "after the revoke nobody cannot open the group again"

# A failure halfway: limits.d read-only. The rule and the node were changed first.
snap() { find /etc/udev /etc/security -printf '%p %m\n' | sort; stat -c '%u:%g %a' "$node"; }
pre=$(snap)
if mount --bind /etc/security/limits.d /etc/security/limits.d &&
	mount -o remount,bind,ro /etc/security/limits.d; then
	out=$(vfioctl grant --user nobody --memlock 64M "$edu" 2>&1)
	rc=$?
	umount /etc/security/limits.d
	is "$rc" 1 "a grant with limits.d read-only fails"
	like "$out" "cannot write /etc/security/limits.d/90-vfioctl-nobody.conf.*Read-only file system" \
		"the failure names the file and the reason"
	like "$out" "^rollback +the grant failed: everything it had changed is put back" "the rollback is said"
	is "$(snap)" "$pre" "after the failure: /etc/udev, /etc/security and the node as before"
	[ ! -e /run/vfioctl/grants/run ] && ok "no grant log is left" || not_ok "no grant log is left"
else
	skip "read-only limits.d: mount --bind -o ro failed here"
fi
vfioctl restore "$edu" > /dev/null 2>&1
