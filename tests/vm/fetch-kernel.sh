#!/usr/bin/env bash
# fetch-kernel.sh VM_DIR - Debian's Linux 6.12 package, downloaded once and unpacked.
#
# Leaves VM_DIR/kernel/vmlinuz and VM_DIR/kernel/root (the unpacked package, with
# lib/modules/VERSION) and VM_DIR/kernel/version. Nothing is installed on the host.
set -euo pipefail
vm=${1:?usage: fetch-kernel.sh VM_DIR}
k=$vm/kernel
[ -e "$k/vmlinuz" ] && [ -s "$k/version" ] && exit 0

newest() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' 2>/dev/null |
		awk '{print $1}' | sort -V | tail -n 1
}
pkg=$(newest)
if [ -z "$pkg" ]; then
	echo "vm: no linux-image-6.12 package known to apt; running apt-get update" >&2
	apt-get update -qq || { echo "vm: apt-get update failed (run as root?)" >&2; exit 1; }
	pkg=$(newest)
fi
[ -n "$pkg" ] || { echo "vm: Debian 12 offers no linux-image-6.12.*+deb12-amd64-unsigned package" >&2; exit 1; }

mkdir -p "$vm/deb"
if ! ls "$vm/deb/${pkg}"_*.deb >/dev/null 2>&1; then
	echo "vm: downloading $pkg"
	# apt-get download writes to the current directory; _apt may not reach it, which is fine as root.
	(cd "$vm/deb" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
fi
deb=$(ls "$vm/deb/${pkg}"_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "vm: apt-get download $pkg failed" >&2; exit 1; }

rm -rf "$k.tmp"
mkdir -p "$k.tmp/root"
dpkg -x "$deb" "$k.tmp/root"
ver=$(ls "$k.tmp/root/lib/modules" | head -n 1)
[ -e "$k.tmp/root/boot/vmlinuz-$ver" ] || { echo "vm: $deb holds no vmlinuz" >&2; exit 1; }
ln -s "root/boot/vmlinuz-$ver" "$k.tmp/vmlinuz"
echo "$ver" > "$k.tmp/version"
rm -rf "$k"
mv "$k.tmp" "$k"
echo "vm: kernel $ver ready in $k"
