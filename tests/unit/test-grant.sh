#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-grant.sh - `vfioctl grant` and `grant --revoke` on a fake host: the "host" fixture
# of mkfixture as sysfs, a /dev of character nodes made with mknod (as non-root without
# mknod, the node parts are skipped), an /etc with passwd, group and nothing else. Proves
# the rule (membership match, the record), the node owner and mode, the limits.d and
# service drop-ins, the refusals, revoke (nodes back as recorded, shared drop-ins kept),
# that a failure at each change leaves /etc, /dev and the state directory as they were,
# and that a run killed halfway is put back by the next one.
#
#   BUILD=build bash tests/unit/test-grant.sh
. "$(dirname "$0")/cli-tap.sh" grant

is() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got:  $1" "want: $2"; fi; }
like() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then ok "$3"
	else not_ok "$3" "no match for /$2/ in:" "$(printf '%s' "$1" | head -c 800)"; fi
}
usage() {
	local desc=$1 want=$2; shift 2
	run "$@"
	if [ "$rc" = 2 ] && grep -qF -- "$want" "$err"; then ok "$desc"
	else not_ok "$desc" "rc $rc" "$(head -c 400 "$err")"; fi
}
# the state of everything a grant may touch, for before/after comparisons
snapshot() {
	(cd "$work" && find etc dev state -printf '%p %y %U:%G %m\n' 2>/dev/null | grep -Ev '^state(/devices|/grants)? d |^state/lock ' |
		sort; find etc -type f -exec md5sum {} + 2>/dev/null | sort)
}

S=$work/sys D=$work/dev E=$work/etc
"$mkfixture" host "$S" > /dev/null || bail "mkfixture host failed"
mkdir -p "$D/vfio" "$E" "$work/state"
printf 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\nalice:x:1000:1000::/:/bin/sh\n' \
	> "$E/passwd"
printf 'root:x:0:\nkvm:x:104:alice\nalice:x:1000:\n' > "$E/group"
export VFIOX_SYSFS_ROOT=$S VFIOX_DEV_ROOT=$D VFIOX_ETC_ROOT=$E VFIOX_STATE_DIR=$work/state
chr=false
if mknod "$D/vfio/vfio" c 10 196 2> /dev/null && mknod "$D/vfio/10" c 511 10; then
	chr=true
	chmod 0666 "$D/vfio/vfio"
	chmod 0600 "$D/vfio/10"
fi
rule=$E/udev/rules.d/72-vfioctl-grant-0000:00:1c.0.rules
limits=$E/security/limits.d/90-vfioctl-nobody.conf

# ---- usage and refusals ----
usage "no owner is a usage error" "name the owner: --user USER or --group GROUP" grant 01:00.0
usage "two owners are a usage error" "name the owner" grant --user nobody --group kvm 01:00.0
usage "no target is a usage error" "name a device or --group-id N" grant --user nobody
usage "a non-address is a usage error" "'zz' is not a PCI address" grant --user nobody zz
usage "--group-id x is a usage error" "--group-id needs an IOMMU group number, not 'x'" \
	grant --user nobody --group-id x
usage "--memlock junk is a usage error" "--memlock needs a size" grant --user nobody --memlock 12Q 01:00.0
usage "--memlock with --no-memlock" "contradict" grant --user nobody --memlock 1G --no-memlock 01:00.0
usage "--revoke with an owner" "--revoke takes only DEVICE... or --group-id N" \
	grant --revoke --user nobody 01:00.0
before=$(snapshot)
run grant --user nosuch 01:00.0
is "$rc" 1 "an unknown user fails"
like "$(cat "$err")" "no user nosuch in $E/passwd" "an unknown user is named, with the file"
run grant --user root 01:00.0
like "$rc $(cat "$err")" "^1 .*root: it needs no grant" "root is refused"
run grant --user nobody 07:00.0
like "$rc $(cat "$err")" "^1 .*no PCI device 0000:07:00.0" "an unknown device is named"
run grant --user nobody --group-id 99
like "$rc $(cat "$err")" "^1 .*no IOMMU group 99" "an unknown group is named"
run grant --user nobody --service 'a b' 01:00.0
like "$rc $(cat "$err")" "^1 .*'a b' is not a systemd unit name" "a bad unit name is refused"
run grant --revoke 01:00.0
like "$rc $(cat "$err")" "^1 .*0000:00:1c.0 \(IOMMU group 10\) is not granted \(no .*72-vfioctl-grant-\*.rules lists it\)" "revoking what was not granted fails, named"
is "$(snapshot)" "$before" "the refusals changed nothing"

# ---- dry run ----
run grant --dry-run --user nobody --memlock 64M 01:00.0
is "$rc" 0 "grant --dry-run exits 0"
like "$(cat "$out")" "^would: rule +$rule: udev rule for IOMMU group 10" "dry run: the rule"
like "$(cat "$out")" "^would: memlock +$limits: memlock 64 MiB" "dry run: memlock"
is "$(snapshot)" "$before" "grant --dry-run changed nothing"

# ---- grant ----
run grant --user nobody --memlock 64M --service vm1 01:00.0
like "$(cat "$out")" "^rule +$rule" "grant: the rule is said"
[ -f "$rule" ] && ok "grant: the rule file exists" || not_ok "grant: the rule file exists"
like "$(cat "$rule" 2>&1)" \
	'^SUBSYSTEM=="vfio", KERNEL=="\[0-9\]\*", TEST=="/sys/kernel/iommu_groups/\$kernel/devices/0000:00:1c.0", OWNER="nobody", MODE="0600"$' \
	"rule: the group node matched by membership"
like "$(cat "$rule" 2>&1)" '^SUBSYSTEM=="vfio-dev", KERNELS=="0000:01:00.1", OWNER="nobody", MODE="0600"$' \
	"rule: each member's cdev"
like "$(cat "$rule" 2>&1)" "^# vfioctl-grant: owner=nobody devices=0000:00:1c.0,0000:01:00.0,0000:01:00.1 limits=security/limits.d/90-vfioctl-nobody.conf service=systemd/system/vm1.service.d/90-vfioctl-memlock.conf memlock=65536$" \
	"rule: the record of the grant"
is "$(grep -c memlock "$limits" 2>&1)" 2 "limits.d: two memlock lines"
like "$(cat "$limits" 2>&1)" "^nobody hard memlock 65536$" "limits.d: hard 64 MiB in KiB"
like "$(cat "$E/systemd/system/vm1.service.d/90-vfioctl-memlock.conf" 2>&1)" "^LimitMEMLOCK=65536K$" \
	"--service: the drop-in sets LimitMEMLOCK"
like "$(cat "$out")" "^vfioctl check --user nobody 0000:00:1c.0:" "grant: the final check runs"
like "$(cat "$out")" "memlock \[nobody\]: a login of nobody gets memlock soft 64 MiB \(limits.d/90-vfioctl-nobody.conf" \
	"the final check reads the new limit"
if $chr; then
	is "$(stat -c '%u:%g %a' "$D/vfio/10")" "65534:0 600" "grant: /dev/vfio/10 is nobody's, 0600"
	like "$(cat "$rule")" "^# vfioctl-grant-was: $D/vfio/10 0 0 0600$" "rule: the node's old owner and mode"
	like "$(cat "$out")" "dev_vfio \[nobody\]: nobody may open" "the final check: nobody may open the nodes"
	is "$rc" 0 "grant exits 0"
else
	echo "ok - # SKIP node owner and mode: mknod needs root"
fi
run grant --user alice 01:00.0
like "$rc $(cat "$err")" "^1 .*granted to nobody already: 'vfioctl grant --revoke 0000:00:1c.0' first" \
	"a group granted to another owner is refused"
run grant --user nobody --memlock 64M --service vm1 --no-check 01:00.1
is "$rc" 0 "a second grant to the same owner replaces the first"
like "$(cat "$out")" "already so" "the same memlock again is said to be so already"
$chr && like "$(cat "$rule")" "^# vfioctl-grant-was: $D/vfio/10 0 0 0600$" \
	"a re-grant keeps the node's first recorded owner"

# a second group of the same user shares the limits file
if $chr; then mknod "$D/vfio/11" c 511 11 && chmod 0640 "$D/vfio/11"; fi
run grant --user nobody --memlock 64M --no-check 02:00.0
is "$rc" 0 "a second group for the same user"

# ---- revoke ----
run grant --revoke 01:00.0
is "$rc" 0 "grant --revoke exits 0"
[ ! -e "$rule" ] && ok "revoke: the rule is gone" || not_ok "revoke: the rule is gone"
like "$(cat "$out")" "^memlock +$limits: kept, .*72-vfioctl-grant-0000:02:00.0.rules needs it too" \
	"revoke: the limits file another grant names is kept"
[ -e "$E/systemd/system/vm1.service.d/90-vfioctl-memlock.conf" ] &&
	not_ok "revoke: the service drop-in is gone" || ok "revoke: the service drop-in is gone"
$chr && is "$(stat -c '%u:%g %a' "$D/vfio/10")" "0:0 600" "revoke: /dev/vfio/10 is back to 0:0 0600"
run grant --revoke --group-id 11
is "$rc" 0 "revoke by --group-id"
[ ! -e "$limits" ] && ok "revoke of the last grant removes the limits file" ||
	not_ok "revoke of the last grant removes the limits file"
$chr && is "$(stat -c '%u:%g %a' "$D/vfio/11")" "0:0 640" "revoke: /dev/vfio/11 back to its own 0640"

# ---- a failure at each change leaves everything as it was ----
before=$(snapshot)
for k in 1 2 3 4; do
	VFIOCTL_TEST_FAIL_AT_STEP=$k run grant --user nobody --memlock 1G --service vm2 --no-check 01:00.0
	is "$rc" 1 "a failure at change $k: exit 1"
	like "$(cat "$out")" "^rollback +the grant failed: everything it had changed is put back" \
		"a failure at change $k: the rollback is said"
	like "$(cat "$err")" "stopped by the caller before" "a failure at change $k: the reason"
	is "$(snapshot)" "$before" "a failure at change $k leaves etc, dev and state as they were"
done
# and a revoke that fails halfway
run grant --user nobody --memlock 1G --service vm2 --no-check 01:00.0
granted=$(snapshot)
for k in 1 2 3; do
	VFIOCTL_TEST_FAIL_AT_STEP=$k run grant --revoke 01:00.0
	is "$rc" 1 "a revoke failing at change $k exits 1"
	is "$(snapshot)" "$granted" "a revoke failing at change $k leaves the grant whole"
done

# ---- a run killed halfway is put back by the next ----
if $chr; then
	run grant --revoke 01:00.0
	before=$(snapshot)
	VFIOCTL_TEST_STOP_AT_STEP=3 "$vfioctl" grant --user nobody --no-check 01:00.0 \
		> "$work/k.out" 2> "$work/k.err" &
	pid=$!
	for _ in $(seq 100); do grep -q "stopped before step 3" "$work/k.err" && break; sleep 0.05; done
	kill -9 "$pid"; wait "$pid" 2> /dev/null
	is "$(stat -c '%u' "$D/vfio/10")" 65534 "killed after two changes: the node was changed"
	run grant --revoke 01:00.0
	like "$(cat "$out")" "^rollback +put back [0-9]+ changes of a grant or revoke that was interrupted" \
		"the next run puts the killed one back and says so"
	like "$rc $(cat "$err")" "^1 .*is not granted" "and then finds nothing granted"
	is "$(snapshot)" "$before" "after the kill and the next run: all as before"
fi

finish
