#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# build-kernel.sh OUT_DIR - the second guest kernel: Linux 6.12 with IOMMUFD, VFIO device
# cdevs, netdevsim and the Intel, AMD and virtio IOMMUs, all built in (no modules).
#
# Uses the prebuilt one when it is there: ${VFIOX_SHARED:-<repo>/../shared}/vm-kernels/
# linux-6.12-iommufd/bzImage, when its sha256 matches bzImage.sha256 next to it and its
# config has every option of tests/vm/iommufd.config. Otherwise builds it from Debian's
# linux-source-6.12 (apt-get install'ed with bc bison flex libelf-dev libssl-dev when
# missing and run as root): the tarball unpacked into OUT_DIR/src, make tinyconfig,
# merge_config.sh -m with tests/vm/iommufd.config, make olddefconfig, a check that every
# option of the fragment survived, make bzImage (log in OUT_DIR/build.log, its tail shown
# on failure) with the build time, user and host fixed. About 11 min on 2 cores; the source
# tree is removed afterwards unless KEEP_SRC=1 (a kept tree of the same source version is
# built in again, incrementally).
# Leaves OUT_DIR/{vmlinuz,config,version} and OUT_DIR/stamp (the fragment's options and
# where the kernel came from): a rerun with the same options and source does nothing.
set -euo pipefail
out=${1:?usage: build-kernel.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
frag=$here/iommufd.config
pre=$(realpath -m "${VFIOX_SHARED:-$here/../../../shared}/vm-kernels/linux-6.12-iommufd")
tarball=/usr/src/linux-source-6.12.tar.xz
src_pkg=linux-source-6.12
build_pkgs=(bc bison flex libelf-dev libssl-dev make gcc libc6-dev xz-utils)
start=$SECONDS

die() {
	echo "vm: $*" >&2
	exit 1
}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# One build at a time in OUT_DIR; a second caller waits and then finds it up to date.
exec 9> "$out/.lock"
flock 9

# opts FILE: the options a fragment or config sets, one "CONFIG_X=value" a line, sorted
opts() { grep -E '^CONFIG_[A-Za-z0-9_]+=' "$1" | LC_ALL=C sort; }
# oneline: lines joined with ", "
oneline() { awk 'NR > 1 { printf ", " } { printf "%s", $0 } END { print "" }'; }
# missing CONFIG: the fragment's options that CONFIG does not have (=n: not set there)
missing() {
	local opt val got
	while IFS='=' read -r opt val; do
		got=$(grep -E "^$opt=" "$1" | cut -d= -f2- || true)
		case $val in
		n) [ -z "$got" ] || [ "$got" = n ] || echo "$opt=n (is $got)" ;;
		*) [ "$got" = "$val" ] || echo "$opt=$val (is ${got:-not set})" ;;
		esac
	done < <(opts "$frag")
}
elapsed() {
	local s=$((SECONDS - start))
	if [ $s -ge 60 ]; then echo "$((s / 60)) min $((s % 60)) s"; else echo "$s s"; fi
}
installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
# put VMLINUZ CONFIG VERSION STAMP: the outputs, each replaced whole
put() {
	install -m 644 "$1" "$out/vmlinuz.tmp"
	install -m 644 "$2" "$out/config.tmp"
	echo "$3" > "$out/version.tmp"
	mv -f "$out/vmlinuz.tmp" "$out/vmlinuz"
	mv -f "$out/config.tmp" "$out/config"
	mv -f "$out/version.tmp" "$out/version"
	echo "$4" > "$out/stamp"
}
have_outputs() { [ -s "$out/vmlinuz" ] && [ -s "$out/config" ] && [ -s "$out/version" ] && [ -s "$out/stamp" ]; }
# bzimage_version FILE: the release an x86 bzImage names (setup header: kernel_version)
bzimage_version() {
	local p
	p=$(od -An -tu2 -j $((0x20e)) -N2 "$1" | tr -d ' ')
	dd if="$1" bs=1 skip=$((p + 0x200)) count=64 2>/dev/null | tr '\0' '\n' | head -n 1 | cut -d' ' -f1
}

[ -e "$frag" ] || die "$frag is missing"
options=$(opts "$frag" | sha256sum | cut -d' ' -f1)
old=$(cat "$out/stamp" 2>/dev/null || true)

# (a) the prebuilt kernel
if [ -e "$pre/bzImage" ]; then
	sum=$(sha256sum "$pre/bzImage" | cut -d' ' -f1)
	if [ "$sum" != "$(cut -d' ' -f1 "$pre/bzImage.sha256" 2>/dev/null)" ]; then
		echo "vm: $pre/bzImage does not match its bzImage.sha256: building the kernel instead"
	elif [ ! -e "$pre/config" ]; then
		echo "vm: $pre has no config: building the kernel instead"
	elif lack=$(missing "$pre/config") && [ -n "$lack" ]; then
		echo "vm: $pre/bzImage lacks options of $frag ($(oneline <<< "$lack")): building the kernel instead"
	else
		stamp="options $options prebuilt $sum"
		if [ "$old" = "$stamp" ] && have_outputs; then
			touch "$out/stamp"
			exit 0
		fi
		ver=$(bzimage_version "$pre/bzImage")
		put "$pre/bzImage" "$pre/config" "$ver" "$stamp"
		echo "vm: iommufd kernel $ver: the prebuilt $pre/bzImage (sha256 ok), copied to $out in $(elapsed)"
		exit 0
	fi
fi

# (b) built from Debian's linux-source-6.12
srcver=
if installed "$src_pkg"; then srcver=$(dpkg-query -W -f='${Version}' "$src_pkg"); fi
# Built before from these options: up to date, unless another source version is installed now.
uptodate=
if have_outputs; then
	case $old in
	"options $options prebuilt "*) uptodate=1 ;;
	"options $options source "*)
		if [ -z "$srcver" ] || [ "$old" = "options $options source $srcver" ]; then uptodate=1; fi
		;;
	esac
fi
if [ -n "$uptodate" ]; then
	touch "$out/stamp"
	exit 0
fi

need=()
installed "$src_pkg" && [ -e "$tarball" ] || need+=("$src_pkg")
for p in "${build_pkgs[@]}"; do installed "$p" || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] ||
		die "building the iommufd kernel needs the Debian packages ${need[*]}: sudo apt-get install ${need[*]} (or put the prebuilt one in $pre)"
	echo "vm: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null ||
		die "apt-get install ${need[*]} failed"
	srcver=$(dpkg-query -W -f='${Version}' "$src_pkg")
fi
[ -e "$tarball" ] || die "$src_pkg $srcver is installed but $tarball is missing"

src=$out/src
log=$out/build.log
: > "$log"
if [ -e "$src/.vfiox-source" ] && [ "$(cat "$src/.vfiox-source")" = "$srcver" ]; then
	echo "vm: building in the kept source tree $src ($src_pkg $srcver)"
else
	echo "vm: unpacking $tarball ($src_pkg $srcver) into $src"
	rm -rf "$src"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	echo "$srcver" > "$src/.vfiox-source"
fi

# Reproducible: the same source and options give the same kernel, on any machine, any day.
export KBUILD_BUILD_TIMESTAMP='Sun Nov 17 00:00:00 UTC 2024' # the release of Linux 6.12
export KBUILD_BUILD_USER=vfiox KBUILD_BUILD_HOST=vfiox-vm KBUILD_BUILD_VERSION=1
unset LOCALVERSION ARCH CROSS_COMPILE KCONFIG_CONFIG
# step DESC CMD...: CMD in the source tree, its output in the log; the log's tail on failure
step() {
	local desc=$1
	shift
	echo "==== $desc: $*" >> "$log"
	if ! (cd "$src" && "$@") >> "$log" 2>&1; then
		echo "---- the last lines of $log ----" >&2
		tail -n 40 "$log" >&2
		echo "---- end of $log ----" >&2
		die "$desc failed ($*); the source tree is kept in $src"
	fi
}
step "config" make tinyconfig
step "config" scripts/kconfig/merge_config.sh -m .config "$frag"
step "config" make olddefconfig
lack=$(missing "$src/.config")
[ -z "$lack" ] ||
	die "make olddefconfig dropped options of $frag (add what they depend on):" \
		"$(oneline <<< "$lack"); see $src/.config"
jobs=$(nproc)
echo "vm: building Linux $(cd "$src" && make -s kernelversion) bzImage with $jobs jobs" \
	"(about 11 min on 2 cores; log: $log)"
step "build" make -j"$jobs" bzImage
ver=$(cd "$src" && make -s kernelrelease)
put "$src/arch/x86/boot/bzImage" "$src/.config" "$ver" "options $options source $srcver"
if [ "${KEEP_SRC:-0}" = 1 ]; then
	kept="the source tree is kept in $src"
else
	rm -rf "$src"
	kept="the source tree removed (KEEP_SRC=1 keeps it)"
fi
echo "vm: iommufd kernel $ver built from $src_pkg $srcver in $(elapsed), in $out; $kept"
