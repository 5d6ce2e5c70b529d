#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-podman-cdi.sh - a real CDI consumer: Podman runs a container (a busybox rootfs made
# here, no registry) with --device vfioctl.io/pci=ADDR and =group-N from a spec that
# vfioctl cdi wrote, and the container's nodes have the type and numbers the spec and the
# "host" node have. The host side lives in a private mount namespace: overlays over /dev
# and /run (so /dev/vfio/* made by mknod and /run/cdi/*.json exist for Podman and vanish
# with the namespace), the sysfs of mkfixture. Podman's storage, run and tmp dirs are in a
# work directory. Skipped, with Podman's words, where Podman cannot run a container.
#
#   BUILD=build bash tests/host/test-podman-cdi.sh       (as root)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac

if [ -z "${VFIOX_PODMAN_NS:-}" ]; then
	skip() { echo "ok 1 # SKIP $*"; echo "1..1"; exit 0; }
	[ "$(id -u)" = 0 ] || skip "not root: the fake host needs mknod and mounts"
	command -v podman > /dev/null || skip "no podman (apt-get install podman)"
	[ -x /bin/busybox ] || skip "no /bin/busybox (apt-get install busybox-static)"
	[ -x "$build/vfioctl" ] || { echo "Bail out! $build/vfioctl missing: run make"; exit 1; }
	work=$(mktemp -d /tmp/vfiox-podman.XXXXXX)
	# podman's cleanup process (from conmon) may outlive the run by a moment
	trap 'rm -rf "$work" 2> /dev/null || { sleep 2; rm -rf "$work"; }' EXIT
	mkf=$build/tests/mkfixture
	if [ ! -x "$mkf" ]; then
		mkf=$work/mkfixture
		${CC:-cc} -std=gnu11 -O2 -I"$top/tests/unit" -o "$mkf" "$top/tests/unit/mkfixture.c" \
			"$top/tests/unit/fixture.c" || { echo "Bail out! cannot build mkfixture"; exit 1; }
	fi
	before=$(ls -d /dev/vfio /etc/cdi /run/cdi /var/lib/containers /etc/containers/networks 2>&1)
	VFIOX_PODMAN_NS=1 WORK=$work MKF=$mkf VFIOCTL=$build/vfioctl \
		unshare -m --propagation private bash "$0"
	rc=$?
	after=$(ls -d /dev/vfio /etc/cdi /run/cdi /var/lib/containers /etc/containers/networks 2>&1)
	if [ "$before" = "$after" ]; then echo "# nothing left on the host (/dev/vfio, /etc/cdi, /run/cdi, Podman's dirs)"
	else echo "not ok - the host changed:"; echo "$after" | sed 's/^/#   /'; rc=1; fi
	exit $rc
fi

# ---- inside the private mount namespace ----
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; local l; for l in "$@"; do echo "#   $l"; done; }
is() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got:  $1" "want: $2"; fi; }
W=$WORK
# An empty writable layer over DIR (the host's DIR below it, untouched), submounts kept.
overlay() {
	local d=$1 t=$W/ovl${1//\//_} subs m
	subs=$(findmnt -rn -o TARGET -R "$d" | awk -v d="$d" '$0 != d' | sort -u)
	mkdir -p "$t" && mount -t tmpfs tmpfs "$t" && mkdir "$t/up" "$t/wk" "$t/keep" &&
		mount --rbind "$d" "$t/keep" &&
		mount -t overlay overlay -o "lowerdir=$d,upperdir=$t/up,workdir=$t/wk" "$d" || return 1
	for m in $subs; do mount --rbind "$t/keep${m#"$d"}" "$m" 2> /dev/null; done
	return 0
}
overlay /dev && overlay /run || { echo "ok 1 # SKIP cannot overlay /dev and /run here"; echo 1..1; exit 0; }
[ -d /etc/cdi ] && mount -t tmpfs tmpfs /etc/cdi # the host's specs out of the way
mkdir -p /dev/vfio /run/cdi
mknod /dev/vfio/vfio c 10 196 && chmod 0666 /dev/vfio/vfio
mknod /dev/vfio/2 c 511 2 && chmod 0600 /dev/vfio/2
"$MKF" host "$W/sys" > /dev/null
export VFIOX_SYSFS_ROOT=$W/sys VFIOX_DEV_ROOT=/dev

mkdir -p "$W/rootfs/bin" "$W/rootfs/dev" "$W/rootfs/proc" "$W/rootfs/sys"
cp /bin/busybox "$W/rootfs/bin/" && ln -s busybox "$W/rootfs/bin/sh"
cat > "$W/containers.conf" << EOF
[engine]
events_logger = "file"
cgroup_manager = "cgroupfs"
[network]
network_config_dir = "$W/net"
EOF
nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
pm() {
	CONTAINERS_CONF=$W/containers.conf podman --root "$W/root" --runroot "$W/run" \
		--tmpdir "$W/tmp" "$@"
}
prun() { # OPTIONS -- COMMAND: the rootfs, no network, no cgroups, the ulimits this host allows
	local o=()
	while [ "$1" != -- ]; do o+=("$1"); shift; done
	shift
	pm run --rm --network none --cgroups disabled --ulimit "nofile=$nofile:$nofile" --ulimit nproc=1024:1024 \
		"${o[@]}" --rootfs "$W/rootfs" "$@"
}
# crun refuses a hybrid cgroup host with controllers in v2: none in this namespace
if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2> /dev/null)" ]; then umount -l /sys/fs/cgroup/unified; fi

"$VFIOCTL" cdi --json-only 0000:00:04.0 --output /run/cdi/vfioctl-test-$$.json
is "$?" 0 "vfioctl cdi wrote /run/cdi/vfioctl-test-$$.json"
spec=/run/cdi/vfioctl-test-$$.json
r=$(python3 "$(dirname "$0")/cdi-validate.py" "$spec" 2>&1) && ok "the spec keeps CDI's rules (cdi-validate.py)" ||
	not_ok "the spec keeps CDI's rules (cdi-validate.py)" "$r"
probe=$(prun -- /bin/sh -c true 2>&1)
if [ $? != 0 ]; then
	echo "ok $((n + 1)) # SKIP Podman cannot run a container here: $(printf '%s' "$probe" | tr '\n' ' ')"
	n=$((n + 1))
else
	for name in 0000:00:04.0 group-2; do
		got=$(prun --device "vfioctl.io/pci=$name" -- /bin/sh -c \
			'for f in /dev/vfio/vfio /dev/vfio/2; do busybox stat -c "%n %F %t %T" $f; done; echo "$PCI_RESOURCE_VFIOCTL_IO_PCI"' 2>&1)
		want=$(jq -r --arg n "$name" '.devices[] | select(.name == $n) | .containerEdits |
			(.deviceNodes[] | "\(.path) character special file \(.major | tostring) \(.minor | tostring)"),
			(.env[0] | sub("^[^=]*="; ""))' "$spec" |
			awk '{ if (NF == 6) { printf "%s %s %s %s %x %x\n", $1, $2, $3, $4, $5, $6 } else print }')
		is "$got" "$want" "podman --device vfioctl.io/pci=$name: the nodes (type, major:minor) and env the spec says"
		host=$(for f in /dev/vfio/vfio /dev/vfio/2; do stat -c "%n character special file %t %T" $f; done)
		is "$(printf '%s\n' "$got" | head -2)" "$host" "vfioctl.io/pci=$name: the container's nodes are the host's"
	done
	"$VFIOCTL" cdi --json-only --class nic.v2 0000:00:04.0 --output "$spec"
	got=$(prun --device vfioctl.io/nic.v2=0000:00:04.0 -- /bin/sh -c true 2>&1)
	# Podman 4.3.1 vendors CDI v0.5.x: versions up to 0.5.0, no dot in a class, so it does
	# not take vfioctl.io/nic.v2=... as a CDI name at all (a host path, split at ':')
	[ $? != 0 ] && ok "a 0.6.0 spec (class with a dot) is refused by this Podman: $(printf '%s' "$got" | tr '\n' ' ' | head -c 200)" ||
		ok "a 0.6.0 spec (class with a dot) is accepted by this Podman (newer CDI library)"
fi
echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
