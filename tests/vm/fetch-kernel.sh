#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# fetch-kernel.sh VM_DIR - Debian's Linux 6.12 for the guest, downloaded once.
#
# Picks the newest linux-image-6.12.*+deb12-amd64-unsigned apt knows (apt-get update first
# when it knows none, or when the download fails on stale lists), fetches it with
# apt-get download into VM_DIR/deb and unpacks it with dpkg -x. Nothing is installed.
# Leaves VM_DIR/kernel/{root/,vmlinuz,version}. A cached .deb is unpacked again without
# asking apt; rm -rf VM_DIR/deb VM_DIR/kernel to move to a newer kernel.
set -euo pipefail
vm=${1:?usage: fetch-kernel.sh VM_DIR}
k=$vm/kernel
[ -e "$k/vmlinuz" ] && [ -s "$k/version" ] && exit 0

die() {
	echo "vm: $*" >&2
	exit 1
}
newest() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' 2>/dev/null |
		awk '{print $1}' | sort -V | tail -n 1
}
apt_update() {
	echo "vm: apt-get update" >&2
	[ "$(id -u)" = 0 ] || die "apt-get update needs root (or run it yourself first)"
	apt-get update -qq || die "apt-get update failed"
}
download() { # download PKG: into VM_DIR/deb; true when a .deb arrived
	echo "vm: downloading $1 ($(apt-cache policy "$1" | awk '/Candidate:/ {print $2}'))"
	# apt-get download writes to the current directory; when _apt cannot, it downloads
	# as root and says so, which is fine here.
	(cd "$vm/deb" && apt-get download -q "$1" 2>&1 | grep -v 'unsandboxed' || true)
	ls "$vm/deb/$1"_*.deb > /dev/null 2>&1
}

mkdir -p "$vm/deb"
deb=$(ls "$vm"/deb/linux-image-6.12.*_amd64.deb 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$deb" ]; then
	pkg=$(newest)
	if [ -z "$pkg" ]; then
		apt_update
		pkg=$(newest)
		[ -n "$pkg" ] || die "apt offers no linux-image-6.12.*+deb12-amd64-unsigned (is bookworm in sources.list?)"
		download "$pkg" || die "apt-get download $pkg failed"
	elif ! download "$pkg"; then
		apt_update
		pkg=$(newest)
		download "$pkg" || die "apt-get download $pkg failed"
	fi
	deb=$(ls "$vm/deb/$pkg"_*.deb | sort -V | tail -n 1)
fi

rm -rf "$k.tmp"
mkdir -p "$k.tmp/root"
dpkg -x "$deb" "$k.tmp/root"
ver=$(ls "$k.tmp/root/lib/modules" | tail -n 1)
[ -e "$k.tmp/root/boot/vmlinuz-$ver" ] || die "$deb holds no boot/vmlinuz-$ver"
ln -s "root/boot/vmlinuz-$ver" "$k.tmp/vmlinuz"
echo "$ver" > "$k.tmp/version"
rm -rf "$k"
mv "$k.tmp" "$k"
echo "vm: kernel $ver from ${deb##*/} in $k"
