#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh test|demo [VM_DIR] - boot the emulated VFIO host once (QEMU TCG, q35, an emulated
# IOMMU, the devices of devices.sh) with VM_DIR/kernel (or VM_KERNEL) and VM_DIR/initramfs.gz.
#
# test: the guest runs tests/vm/guest/t-*.sh and prints TAP between VFIOX-TAP-BEGIN and
#   VFIOX-END. The run fails on a "not ok", on a plan that does not match the results or
#   numbers out of sequence, on a missing end marker, on a timeout and when QEMU fails;
#   then the whole guest console is printed too. The TAP is printed always, and last a
#   line "N passed, M failed".
# demo: prints what tests/vm/guest/demo.sh printed; fails only when it did not finish.
#
# Environment: VM_TIMEOUT (seconds for the whole boot, default 300), VM_APPEND (more
# kernel arguments, e.g. vfiox.file_timeout=60), VM_QEMU_ARGS (more QEMU arguments), VM_MEM
# (guest MiB, default 512), VM_POWEROFF_S (seconds the guest may take to power off after
# its end marker, default 15), VM_KERNEL (the kernel image, default VM_DIR/kernel/vmlinuz),
# VM_IOMMU (intel, the default: intel-iommu with interrupt remapping; amd: amd-iommu with
# interrupt remapping; virtio: virtio-iommu-pci, which has none, so VFIO is told to allow
# unsafe interrupts), VM_LABEL (names the run in messages and its console file, so that
# runs at the same time keep apart).
# The console is kept in VM_DIR/console-MODE.log (console-MODE-LABEL.log).
set -uo pipefail
mode=${1:-}
case $mode in test | demo | bench) ;; *) echo "usage: run.sh test|demo|bench [VM_DIR]" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
VM_DIR=${2:-${BUILD:-$here/../../build}/vm}
export VM_DIR
timeout_s=${VM_TIMEOUT:-300}
kernel=${VM_KERNEL:-$VM_DIR/kernel/vmlinuz}
label=${VM_LABEL:-}
vm="vm${label:+ $label}"
log=$VM_DIR/console-$mode${label:+-$label}.log
# Runs may overlap (two make check-vm at once, or the boots of one): each writes its own
# console file first.
run_log=$(mktemp "$VM_DIR/console-$mode${label:+-$label}.XXXXXX")
trap 'rm -f "$run_log"' EXIT

command -v qemu-system-x86_64 > /dev/null ||
	{ echo "$vm: qemu-system-x86_64 is missing: apt-get install qemu-system-x86 (make deps)" >&2; exit 1; }
[ -e "$kernel" ] && [ -e "$VM_DIR/initramfs.gz" ] ||
	{ echo "$vm: no kernel $kernel or no initramfs in $VM_DIR: make check-vm builds them" >&2; exit 1; }
[ -e "$VM_DIR/nvme0.img" ] || truncate -s 16M "$VM_DIR/nvme0.img"

mapfile -t devices < <(bash "$here/devices.sh")
# intremap=on (with kernel-irqchip=split) gives the guest interrupt remapping, without
# which vfio_iommu_type1 refuses to attach groups (allow_unsafe_interrupts), and iommufd
# too: virtio-iommu has none, so both are told to allow that.
case ${VM_IOMMU:-intel} in
intel) iommu=intel-iommu,caching-mode=on,intremap=on iommu_append=intel_iommu=on ;;
# QEMU 7.2's amd-iommu: the NVMe PF behind the root port times out on Identify at boot;
# a short admin timeout keeps that from holding the boot up 60 s.
amd) iommu=amd-iommu,intremap=on iommu_append=nvme_core.admin_timeout=3 ;;
virtio)
	iommu=virtio-iommu-pci
	iommu_append="vfio_iommu_type1.allow_unsafe_interrupts=1 iommufd.allow_unsafe_interrupts=1"
	;;
*) echo "$vm: VM_IOMMU=$VM_IOMMU: use intel, amd or virtio" >&2; exit 2 ;;
esac
# vfio-pci may enable SR-IOV on a PF it owns (the tests need VFs of a PF on vfio-pci): a
# built-in vfio-pci takes it from here, /init gives it to the insmod of a module.
# memmap=4M$0x0c000000 reserves 4 MiB at 192 MiB at boot: physical memory that is no
# System RAM and belongs to no process, like an IGD's stolen memory, for t-57 to map for a
# device through /dev/mem; below 256 MiB because edu's DMA mask is 28 bits and t-57 maps
# it at IOVA = its address. The $ is the kernel's ("reserve"): single quotes keep it.
reserve='memmap=4M$0x0c000000'
start=$(date +%s.%N)
# shellcheck disable=SC2086 # VM_QEMU_ARGS is a list of words
timeout -k 5 "$timeout_s" qemu-system-x86_64 \
	-machine q35,kernel-irqchip=split -accel tcg -m "${VM_MEM:-512}" -smp 1 \
	-nographic -no-reboot -nic none \
	-device "$iommu" \
	-kernel "$kernel" -initrd "$VM_DIR/initramfs.gz" \
	-append "console=ttyS0 $iommu_append quiet panic=-1 $reserve vfio_pci.enable_sriov=1 vfiox.mode=$mode ${VM_APPEND:-}" \
	"${devices[@]}" ${VM_QEMU_ARGS:-} < /dev/null > "$run_log" 2>&1 &
qemu=$!
# Once the guest has printed its end marker it has nothing left to say: a power-off that
# hangs after it (seen with virtio-iommu, now and then, with nothing on the console) is
# cut short after VM_POWEROFF_S seconds (default 15) and reported, not waited out.
grace=${VM_POWEROFF_S:-15} ended= hung=
while kill -0 "$qemu" 2> /dev/null; do
	if [ -z "$ended" ] && grep -qaE '^VFIOX-(DEMO-)?END'$'\r''?$' "$run_log"; then ended=$SECONDS; fi
	if [ -n "$ended" ] && [ $((SECONDS - ended)) -ge "$grace" ]; then
		hung=1
		pkill -KILL -P "$qemu" 2> /dev/null
		kill -KILL "$qemu" 2> /dev/null
		break
	fi
	sleep 0.5
done
wait "$qemu"
rc=$?
[ -n "$hung" ] && rc=0
secs=$(echo "$start $(date +%s.%N)" | awk '{printf "%.0f", $2 - $1}')
# The serial console ends lines with \r\n; the firmware adds escape sequences.
clean=$(tr -d '\r' < "$run_log")
mv -f "$run_log" "$log"

dump_console() {
	echo "---- guest console ($log) ----"
	printf '%s\n' "$clean"
	echo "---- end of guest console ----"
}

if [ "$mode" = demo ] || [ "$mode" = bench ]; then
	if ! grep -q '^VFIOX-DEMO-END$' <<< "$clean"; then
		dump_console
		echo "$vm: the $mode did not finish (qemu exit $rc after ${secs} s)" >&2
		exit 1
	fi
	sed -n '/^VFIOX-DEMO-BEGIN$/,/^VFIOX-DEMO-END$/p' <<< "$clean" | sed '1d;$d'
	echo
	echo "(the emulated host booted, ran the $mode and powered off in ${secs} s)"
	exit 0
fi

# TAP: the lines between the markers; kernel messages and anything else are not TAP.
tap=$(sed -n '/^VFIOX-TAP-BEGIN$/,/^VFIOX-END$/p' <<< "$clean" | grep -E '^(ok|not ok|1\.\.|#)')
results=$(grep -E '^(ok|not ok) ' <<< "$tap")
pass=$(grep -c '^ok ' <<< "$results")
fail=$(grep -c '^not ok ' <<< "$results")
plan=$(grep -E '^1\.\.[0-9]+$' <<< "$tap" | tail -n 1 | cut -d. -f3)
problems=()
[ $rc -eq 124 ] || [ $rc -eq 137 ] && problems+=("timeout: the guest ran longer than ${timeout_s} s (VM_TIMEOUT)")
[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $rc -ne 137 ] && problems+=("qemu exited with status $rc")
grep -q '^VFIOX-END$' <<< "$clean" || problems+=("no VFIOX-END: the guest did not finish its tests")
[ "$(grep -c '^1\.\.' <<< "$tap")" -le 1 ] || problems+=("more than one plan")
if [ -z "$plan" ]; then
	problems+=("no plan")
elif [ "$plan" -ne $((pass + fail)) ]; then
	problems+=("plan 1..$plan but $((pass + fail)) results")
fi
numbers=$(sed -E 's/^(not )?ok ([0-9]+).*/\2/' <<< "$results" | tr '\n' ' ')
[ "$numbers" = "$(seq -s ' ' 1 $((pass + fail))) " ] || [ $((pass + fail)) -eq 0 ] ||
	problems+=("results are not numbered 1..$((pass + fail)) in order")
[ "$fail" -eq 0 ] || problems+=("$fail test(s) failed")
[ $((pass + fail)) -gt 0 ] || problems+=("no results")

[ -n "$tap" ] && printf '%s\n' "$tap"
if [ ${#problems[@]} -gt 0 ]; then
	dump_console
	for p in "${problems[@]}"; do echo "$vm: FAILED: $p"; done
fi
[ -n "$hung" ] &&
	echo "$vm: note: the guest did not power off within ${grace} s of its last test; stopped (its console: $log)"
echo "$vm: the guest ran ${secs} s (console: $log)"
echo "$pass passed, $fail failed"
[ ${#problems[@]} -eq 0 ]
