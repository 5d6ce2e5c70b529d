#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench-list.sh BUILD_DIR - time `vfioctl list --json` against lspci on a 10,000-device tree.
#
# Builds one fake sysfs tree with BUILD_DIR/tests/gen-sysfs (10,000 devices, 2,500 IOMMU
# groups, real vendor/device ids so both tools look names up in pci.ids), checks that
# lspci and vfioctl both really see all 10,000 devices, then times, in the same run:
#   VFIOX_SYSFS_ROOT=TREE vfioctl list --json                 > /dev/null
#   lspci -A linux-sysfs -O sysfs.path=TREE/bus/pci -Dvmmnnk  > /dev/null
# with hyperfine when installed (else a date +%s%N loop), and prints both medians, the
# ratio and whether the targets hold: vfioctl under 100 ms and at least 8x faster than
# lspci. A missed target is reported, not fatal: exit 0. Exit 1 only when the benchmark
# itself cannot run or its tree is wrong (then the numbers would mean nothing).
#
# Environment: RUNS (default 15), WARMUP (default 3), BENCH_DIR (where the tree goes;
# default /dev/shm when writable, as sysfs lives in memory too, else $TMPDIR or /tmp),
# NDEVS/NGROUPS (default 10000/2500), BENCH_NO_HYPERFINE=1 (use the date loop).
set -u

build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build=$PWD/$build ;; esac
vfioctl=$build/vfioctl
gen=$build/tests/gen-sysfs
runs=${RUNS:-15}
warmup=${WARMUP:-3}
ndevs=${NDEVS:-10000}
ngroups=${NGROUPS:-2500}
target_ms=100
target_ratio=8

die() { echo "bench: $*" >&2; exit 1; }

[ -x "$vfioctl" ] || die "$vfioctl is missing: run make first"
command -v lspci >/dev/null || die "lspci is not installed (apt-get install pciutils)"
command -v jq >/dev/null || die "jq is not installed (apt-get install jq)"

if [ -n "${BENCH_DIR:-}" ]; then base=$BENCH_DIR
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm
else base=${TMPDIR:-/tmp}; fi
work=$(mktemp -d "$base/vfiox-bench.XXXXXX") || die "cannot create a directory in $base"
trap 'rm -rf "$work"' EXIT

if [ ! -x "$gen" ]; then
	gen=$work/gen-sysfs
	${CC:-cc} -std=gnu11 -O2 -I"$top/tests/unit" -o "$gen" "$top/tests/bench/gen-sysfs.c" \
		"$top/tests/unit/fixture.c" || die "cannot build gen-sysfs"
fi

tree=$work/sysfs
echo "bench: generating $ndevs devices in $ngroups groups under $tree"
"$gen" "$tree" "$ndevs" "$ngroups" || die "gen-sysfs failed"

lspci_args=(-A linux-sysfs -O "sysfs.path=$tree/bus/pci" -Dvmmnnk)
export VFIOX_SYSFS_ROOT=$tree

# ---- the tree must be seen whole by both tools, or the comparison is meaningless ----
lspci_n=$(lspci -A linux-sysfs -O "sysfs.path=$tree/bus/pci" -D 2>/dev/null | wc -l)
lspci_slots=$(lspci "${lspci_args[@]}" 2>/dev/null | grep -c '^Slot:')
read -r v_devs v_groups < <("$vfioctl" list --json 2>/dev/null |
	jq -r '[([.groups[].devices[]] + .ungrouped | length), (.groups | length)] | @tsv')
echo "bench: lspci -D lists $lspci_n devices, lspci -vmm $lspci_slots slots;" \
	"vfioctl lists ${v_devs:-?} devices in ${v_groups:-?} groups"
[ "$lspci_n" = "$ndevs" ] && [ "$lspci_slots" = "$ndevs" ] ||
	die "lspci does not enumerate all $ndevs devices of the tree: comparison meaningless"
[ "${v_devs:-}" = "$ndevs" ] && [ "${v_groups:-}" = "$ngroups" ] ||
	die "vfioctl does not list $ndevs devices in $ngroups groups: comparison meaningless"

# ---- timing ----
vf_cmd="$vfioctl list --json"
ls_cmd="lspci ${lspci_args[*]}"
if [ -z "${BENCH_NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null; then
	tool=hyperfine
	json=$work/hyperfine.json
	# -N: no intermediate shell, so its start-up is not timed; output goes to /dev/null
	hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$json" \
		-n vfioctl "$vf_cmd" -n lspci "$ls_cmd" >"$work/hyperfine.out" 2>&1 ||
		{ cat "$work/hyperfine.out"; die "hyperfine failed"; }
	vf_ms=$(jq '.results[] | select(.command=="vfioctl") | .median * 1000' "$json")
	ls_ms=$(jq '.results[] | select(.command=="lspci") | .median * 1000' "$json")
else
	tool="date loop"
	median_ms() { # median_ms CMD... : median wall time over $runs runs, in ms
		local i t0 t1 times=()
		for ((i = 0; i < warmup; i++)); do "$@" >/dev/null 2>&1; done
		for ((i = 0; i < runs; i++)); do
			t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
			times+=($((t1 - t0)))
		done
		printf '%s\n' "${times[@]}" | sort -n |
			awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
				printf "%.3f\n", m / 1e6 }'
	}
	vf_ms=$(median_ms "$vfioctl" list --json)
	ls_ms=$(median_ms lspci "${lspci_args[@]}")
fi

ratio=$(awk -v a="$ls_ms" -v b="$vf_ms" 'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }')
t_ok=$(awk -v v="$vf_ms" -v t="$target_ms" 'BEGIN { print ((v < t) ? "yes" : "no") }')
r_ok=$(awk -v r="$ratio" -v t="$target_ratio" 'BEGIN { print ((r >= t) ? "yes" : "no") }')

echo
echo "bench: $ndevs devices, $ngroups groups; median of $runs runs ($tool, $warmup warm-up)"
printf 'bench:   vfioctl list --json   %9.1f ms\n' "$vf_ms"
printf 'bench:   lspci -Dvmmnnk        %9.1f ms\n' "$ls_ms"
echo "bench:   ratio lspci/vfioctl   ${ratio}x"
if [ "$t_ok" = yes ]; then
	echo "bench: TARGET MET:    vfioctl under ${target_ms} ms"
else
	echo "bench: TARGET MISSED: vfioctl took $(printf '%.1f' "$vf_ms") ms, target under ${target_ms} ms"
fi
if [ "$r_ok" = yes ]; then
	echo "bench: TARGET MET:    vfioctl at least ${target_ratio}x faster than lspci (${ratio}x)"
else
	echo "bench: TARGET MISSED: vfioctl only ${ratio}x faster than lspci, target ${target_ratio}x"
fi
exit 0
