#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# fetch-udev.sh VM_DIR - Debian's udev for the guest (systemd-udevd, udevadm, the rules and
# the hwdb sources), downloaded once.
#
# Fetches the udev package apt offers with apt-get download into VM_DIR/deb (apt-get update
# first when the download fails on stale lists) and unpacks it with dpkg -x into
# VM_DIR/udev/root, then compiles a hwdb of the PCI entries (the only ones the guest's
# devices can match) into VM_DIR/udev/hwdb.bin with the package's own systemd-hwdb.
# Nothing is installed on the host. Leaves VM_DIR/udev/{root/,hwdb.bin,version}.
set -euo pipefail
vm=${1:?usage: fetch-udev.sh VM_DIR}
u=$vm/udev
[ -x "$u/root/bin/udevadm" ] && [ -s "$u/hwdb.bin" ] && [ -s "$u/version" ] && exit 0

die() {
	echo "vm: $*" >&2
	exit 1
}
download() { # into VM_DIR/deb; true when a .deb arrived
	echo "vm: downloading udev ($(apt-cache policy udev | awk '/Candidate:/ {print $2}'))"
	(cd "$vm/deb" && apt-get download -q udev 2>&1 | grep -v 'unsandboxed' || true)
	ls "$vm"/deb/udev_*.deb > /dev/null 2>&1
}

mkdir -p "$vm/deb"
if ! ls "$vm"/deb/udev_*.deb > /dev/null 2>&1 && ! download; then
	echo "vm: apt-get update" >&2
	[ "$(id -u)" = 0 ] || die "apt-get update needs root (or run it yourself first)"
	apt-get update -qq || die "apt-get update failed"
	download || die "apt-get download udev failed"
fi
deb=$(ls "$vm"/deb/udev_*.deb | sort -V | tail -n 1)

rm -rf "$u.tmp"
mkdir -p "$u.tmp/root" "$u.tmp/hwdb/lib/udev/hwdb.d"
dpkg -x "$deb" "$u.tmp/root"
[ -x "$u.tmp/root/bin/udevadm" ] || die "$deb holds no bin/udevadm"
cp "$u.tmp/root"/lib/udev/hwdb.d/20-pci-*.hwdb "$u.tmp/hwdb/lib/udev/hwdb.d/"
"$u.tmp/root/bin/systemd-hwdb" --root="$u.tmp/hwdb" update ||
	die "systemd-hwdb from $deb could not compile the PCI hwdb"
mv "$u.tmp/hwdb/etc/udev/hwdb.bin" "$u.tmp/hwdb.bin"
rm -rf "$u.tmp/hwdb"
dpkg-deb -f "$deb" Version > "$u.tmp/version"
rm -rf "$u"
mv "$u.tmp" "$u"
echo "vm: udev $(cat "$u/version") from ${deb##*/} in $u"
