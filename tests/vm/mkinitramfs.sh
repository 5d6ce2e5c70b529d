#!/usr/bin/env bash
# mkinitramfs.sh VM_DIR BUILD - the guest's root: busybox, the kernel modules the tests
# need, vfioctl with every shared library it loads, jq, pci.ids, /init and the tests.
set -euo pipefail
vm=${1:?usage: mkinitramfs.sh VM_DIR BUILD}
build=${2:?usage: mkinitramfs.sh VM_DIR BUILD}
here=$(cd "$(dirname "$0")" && pwd)
ver=$(cat "$vm/kernel/version")
kmods=$vm/kernel/root/lib/modules/$ver/kernel
root=$vm/initramfs.d
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,etc,lib/modules,usr/bin,usr/share/misc,tests,opt/vfiox}

# busybox and its applets
bb=/bin/busybox # from busybox-static: the guest has no libc of its own for it
[ -x "$bb" ] || { echo "vm: $bb is missing: apt-get install busybox-static" >&2; exit 1; }
cp "$bb" "$root/bin/busybox"
for a in $("$bb" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done

# Kernel modules, dependencies first, decompressed (busybox insmod reads plain .ko).
want=(irqbypass vfio vfio_iommu_type1 vfio-pci-core vfio-pci nvme e1000e ahci pci-stub)
declare -A seen=()
order=()
modfile() { find "$kmods" -name "$1.ko*" -print -quit; }
add_mod() {
	local m=$1 f d
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	f=$(modfile "$m")
	if [ -z "$f" ]; then
		f=$(modfile "${m//-/_}")
		[ -n "$f" ] || { f=$(modfile "${m//_/-}"); }
	fi
	[ -n "$f" ] || return 0 # built in
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do add_mod "$d"; done
	case $f in
	*.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" > "$root/lib/modules/$m.ko" ;;
	*) cp "$f" "$root/lib/modules/$m.ko" ;;
	esac
	order+=("$m")
}
for m in "${want[@]}"; do add_mod "$m"; done
printf '%s\n' "${order[@]}" > "$root/lib/modules/order"

# A program and the shared libraries it loads, at the paths the loader expects.
copy_libs() {
	local lib
	for lib in $(LD_LIBRARY_PATH="$build" ldd "$1" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
# vfioctl finds libvfiox next to itself ($ORIGIN); keep them together.
cp "$build/vfioctl" "$root/opt/vfiox/vfioctl"
cp -L "$build/libvfiox.so.0" "$root/opt/vfiox/libvfiox.so.0"
ln -s ../../opt/vfiox/vfioctl "$root/usr/bin/vfioctl"
copy_libs "$build/vfioctl"
copy_libs "$build/libvfiox.so.0"
jq=$(command -v jq) || { echo "vm: jq is not installed" >&2; exit 1; }
cp "$jq" "$root/usr/bin/jq"
copy_libs "$jq"
[ -e /lib64/ld-linux-x86-64.so.2 ] && mkdir -p "$root/lib64" &&
	cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
cp /usr/share/misc/pci.ids "$root/usr/share/misc/pci.ids"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"

cp "$here/init" "$root/init"
chmod 755 "$root/init"
cp "$here"/guest/*.sh "$root/tests/"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$vm/initramfs.gz.tmp"
mv "$vm/initramfs.gz.tmp" "$vm/initramfs.gz"
echo "vm: initramfs $(du -h "$vm/initramfs.gz" | cut -f1) with modules: ${order[*]}"
