#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mkinitramfs.sh VM_DIR VFIOCTL LIBVFIOX_SO [HELPER...] - the guest's root file system, as
# VM_DIR/initramfs.gz (cpio newc, gzip):
#   busybox-static and its applets; the kernel modules the tests need, decompressed, with
#   their dependencies, in load order (lib/modules/order; /init insmods them); vfioctl and
#   libvfiox next to each other in /opt/vfiox (found through the $ORIGIN rpath), the test
#   helper programs there too (HELPER..., from tests/vm/*.c), all on PATH, with every shared
#   library they load and the dynamic loader; jq and its libraries; pci.ids (libpci's
#   default path); Debian's udevd with its rules and the PCI hwdb; /init and
#   tests/vm/guest/*.sh as /tests.
# Needs VM_DIR/kernel from fetch-kernel.sh and VM_DIR/udev from fetch-udev.sh.
set -euo pipefail
vm=${1:?usage: mkinitramfs.sh VM_DIR VFIOCTL LIBVFIOX_SO}
vfioctl=${2:?usage: mkinitramfs.sh VM_DIR VFIOCTL LIBVFIOX_SO}
libvfiox=${3:?usage: mkinitramfs.sh VM_DIR VFIOCTL LIBVFIOX_SO}
shift 3
helpers=("$@")
here=$(cd "$(dirname "$0")" && pwd)
ver=$(cat "$vm/kernel/version")
kroot=$vm/kernel/root
kmods=$kroot/lib/modules/$ver/kernel
config=$kroot/boot/config-$ver
# Built in a directory of its own, so that two builds at once do not mix; the last one
# is kept as VM_DIR/initramfs.d for a look inside.
root=$(mktemp -d "$vm/initramfs.d.XXXXXX")
trap 'rm -rf "$root"' EXIT

die() {
	echo "vm: $*" >&2
	exit 1
}
[ -e "$config" ] || die "$config is missing: rm -rf $vm/kernel and run make vm-kernel"
for f in "$vfioctl" "$libvfiox" "${helpers[@]}"; do [ -e "$f" ] || die "$f is missing: run make"; done

chmod 755 "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,etc,lib/modules,usr/bin,usr/share/misc,tests,opt/vfiox}

# busybox-static: the guest has no libc of its own for a dynamic busybox
bb=/bin/busybox
[ -x "$bb" ] || die "$bb is missing: apt-get install busybox-static"
if ldd "$bb" > /dev/null 2>&1; then die "$bb is dynamically linked: apt-get install busybox-static"; fi
cp "$bb" "$root/bin/busybox"
for a in $("$bb" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done

# Kernel modules: module name and the config symbol that builds it. =y needs nothing,
# =m is copied (dependencies first, from modinfo), unset is an error.
modules=(
	irqbypass:IRQ_BYPASS_MANAGER
	vfio:VFIO
	vfio_iommu_type1:VFIO_IOMMU_TYPE1
	vfio-pci-core:VFIO_PCI_CORE
	vfio-pci:VFIO_PCI
	pci-stub:PCI_STUB
	nvme:BLK_DEV_NVME
	e1000e:E1000E
	ahci:SATA_AHCI
	vfat:VFAT_FS
	nls_cp437:NLS_CODEPAGE_437
	nls_ascii:NLS_ASCII
)
declare -A seen=()
order=()
modfile() {
	find "$kmods" \( -name "$1.ko*" -o -name "${1//-/_}.ko*" -o -name "${1//_/-}.ko*" \) -print -quit
}
add_mod() {
	local m=$1 f d
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	f=$(modfile "$m")
	[ -n "$f" ] || die "module $m is not in $kmods"
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do add_mod "$d"; done
	case $f in
	*.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" > "$root/lib/modules/$m.ko" ;;
	*.gz) gzip -dc "$f" > "$root/lib/modules/$m.ko" ;;
	*) cp "$f" "$root/lib/modules/$m.ko" ;;
	esac
	order+=("$m")
}
builtin=()
for mc in "${modules[@]}"; do
	m=${mc%%:*}
	c=CONFIG_${mc#*:}
	case $(grep -E "^$c=" "$config" | cut -d= -f2) in
	y) builtin+=("$m") ;;
	m) add_mod "$m" ;;
	*) die "$c is not set in $config: $m is neither built in nor a module" ;;
	esac
done
printf '%s\n' "${order[@]}" > "$root/lib/modules/order"

# copy_libs PROGRAM: the shared libraries it loads, at the paths the loader looks in
copy_libs() {
	local lib missing
	missing=$(LD_LIBRARY_PATH="$(dirname "$libvfiox")" ldd "$1" | awk '/not found/ {print $1}')
	[ -z "$missing" ] || die "${1##*/} needs $(echo $missing), which this host lacks: apt-get install the package (apt-file search)"
	for lib in $(LD_LIBRARY_PATH="$(dirname "$libvfiox")" ldd "$1" |
		awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		case $lib in */libvfiox.so*) continue ;; esac
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
cp "$vfioctl" "$root/opt/vfiox/vfioctl"
cp -L "$libvfiox" "$root/opt/vfiox/$(basename "$libvfiox")"
ln -s ../../opt/vfiox/vfioctl "$root/usr/bin/vfioctl"
copy_libs "$vfioctl"
copy_libs "$libvfiox"
for h in "${helpers[@]}"; do
	cp "$h" "$root/opt/vfiox/"
	ln -s "../../opt/vfiox/${h##*/}" "$root/usr/bin/${h##*/}"
	copy_libs "$h"
done
for p in "$root"/opt/vfiox/*; do
	[ "$p" = "$root/opt/vfiox/$(basename "$libvfiox")" ] && continue
	# A helper that needs no libvfiox at all (vfiox-rawclient proves a client can do without)
	LD_LIBRARY_PATH='' ldd "$p" | grep "$(basename "$libvfiox")" >/dev/null || continue
	# grep reads all of ldd's output: with -q it could exit first and pipefail would see SIGPIPE
	if ! LD_LIBRARY_PATH='' ldd "$p" | grep "$(basename "$libvfiox") => .*/initramfs\.d[.a-zA-Z0-9]*/opt/vfiox/" >/dev/null; then
		die "${p##*/} does not find $(basename "$libvfiox") next to itself (link with -Wl,-rpath,'\$ORIGIN')"
	fi
done
jq=$(command -v jq) || die "jq is not installed: apt-get install jq"
cp "$jq" "$root/usr/bin/jq"
copy_libs "$jq"
[ -e /usr/share/misc/pci.ids ] || die "/usr/share/misc/pci.ids is missing: apt-get install pci.ids"
cp -L /usr/share/misc/pci.ids "$root/usr/share/misc/pci.ids"
# Debian's udev (fetch-udev.sh): udevadm, which is systemd-udevd when called by that name,
# /lib/udev's rules and helpers, and the PCI hwdb. /init starts it for the files marked
# "# vfiox-udev: yes"; the others run on devtmpfs alone.
ur=$vm/udev/root
[ -x "$ur/bin/udevadm" ] && [ -s "$vm/udev/hwdb.bin" ] || die "$vm/udev is missing: run make vm-udev"
rm -f "$root/bin/udevadm"
cp "$ur/bin/udevadm" "$root/bin/udevadm"
mkdir -p "$root/lib/systemd" "$root/etc/udev/rules.d"
ln -s ../../bin/udevadm "$root/lib/systemd/systemd-udevd"
cp -a "$ur/lib/udev" "$root/lib/udev"
rm -rf "$root/lib/udev/hwdb.d"
cp "$vm/udev/hwdb.bin" "$root/etc/udev/hwdb.bin"
for p in "$root/bin/udevadm" "$root"/lib/udev/*; do
	[ -f "$p" ] && [ -x "$p" ] && copy_libs "$p"
done
# root, and nobody for tests of what an unprivileged user is told; the groups Debian's
# udev rules name, so that udevd has nothing to complain about
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$root/etc/passwd"
{
	printf 'root:x:0:\n'
	gid=5
	for g in tty disk lp kmem dialout cdrom tape audio video input kvm render sgx; do
		printf '%s:x:%d:\n' "$g" "$gid"
		gid=$((gid + 1))
	done
	printf 'nogroup:x:65534:\n'
} > "$root/etc/group"

install -m 755 "$here/init" "$root/init"
cp "$here"/guest/*.sh "$root/tests/"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$root.gz"
mv -f "$root.gz" "$vm/initramfs.gz"
rm -rf "$vm/initramfs.d"
mv "$root" "$vm/initramfs.d"
echo "vm: initramfs $(du -h "$vm/initramfs.gz" | cut -f1), kernel $ver, modules: ${order[*]}" \
	"${builtin[*]:+(built in: ${builtin[*]})}"
