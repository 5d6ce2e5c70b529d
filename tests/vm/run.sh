#!/usr/bin/env bash
# run.sh test|demo VM_DIR - boot the emulated VFIO host once.
#
# test: the guest runs every tests/vm/guest/t-*.sh and prints TAP between
#   VFIOX-TAP-BEGIN and VFIOX-END. The run fails on any "not ok", a plan that does not
#   match the results, a missing end marker or a timeout; the whole console is printed
#   then. The last line is "N passed, M failed".
# demo: prints what the guest's demo.sh printed.
#
# Environment: VM_TIMEOUT (seconds, default 420), VM_KEEP_LOG (console log path).
set -uo pipefail
mode=${1:?usage: run.sh test|demo VM_DIR}
VM_DIR=${2:?usage: run.sh test|demo VM_DIR}
export VM_DIR
here=$(cd "$(dirname "$0")" && pwd)
timeout_s=${VM_TIMEOUT:-420}
log=${VM_KEEP_LOG:-$VM_DIR/console-$mode.log}

command -v qemu-system-x86_64 >/dev/null || { echo "vm: qemu-system-x86 is not installed" >&2; exit 1; }
[ -e "$VM_DIR/kernel/vmlinuz" ] && [ -e "$VM_DIR/initramfs.gz" ] ||
	{ echo "vm: kernel or initramfs missing in $VM_DIR (make check-vm builds them)" >&2; exit 1; }
[ -e "$VM_DIR/nvme0.img" ] || truncate -s 16M "$VM_DIR/nvme0.img"

mapfile -t devices < <(bash "$here/devices.sh")
start=$(date +%s)
timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 \
	-machine q35,kernel-irqchip=split -accel tcg -cpu max -m 512 -smp 1 \
	-nographic -no-reboot -nic none \
	-device intel-iommu,caching-mode=on,intremap=on \
	-kernel "$VM_DIR/kernel/vmlinuz" -initrd "$VM_DIR/initramfs.gz" \
	-append "console=ttyS0 intel_iommu=on quiet panic=-1 vfiox.mode=$mode" \
	"${devices[@]}" </dev/null >"$log" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
tr -d '\r' < "$log" > "$log.txt"

if [ "$mode" = demo ]; then
	if ! grep -q '^VFIOX-DEMO-END' "$log.txt"; then
		cat "$log.txt"
		echo "vm: the demo did not finish (qemu exit $rc after ${secs}s)" >&2
		exit 1
	fi
	sed -n '/^VFIOX-DEMO-BEGIN/,/^VFIOX-DEMO-END/p' "$log.txt" | sed '1d;$d'
	echo "(emulated host booted and ran in ${secs}s)"
	exit 0
fi

tap=$(sed -n '/^VFIOX-TAP-BEGIN/,/^VFIOX-END/p' "$log.txt" | sed '1d')
pass=$(grep -c '^ok ' <<<"$tap")
fail=$(grep -c '^not ok ' <<<"$tap")
plan=$(grep -E '^1\.\.[0-9]+$' <<<"$tap" | tail -n 1 | cut -d. -f3)
problems=()
[ $rc -eq 124 ] || [ $rc -eq 137 ] && problems+=("timeout after ${timeout_s}s")
grep -q '^VFIOX-END' <<<"$tap" || problems+=("no end marker: the guest did not finish")
[ -n "$plan" ] && [ "$plan" -eq $((pass + fail)) ] ||
	problems+=("plan '${plan:-none}' does not match $((pass + fail)) results")
[ "$fail" -eq 0 ] || problems+=("$fail test(s) failed")
[ $((pass + fail)) -gt 0 ] || problems+=("no test ran")

grep -E '^(ok|not ok|#|1\.\.)|^    ' <<<"$tap" | grep -v '^VFIOX-END'
echo "vm: guest ran in ${secs}s (console: $log.txt)"
if [ ${#problems[@]} -gt 0 ]; then
	echo "---- guest console ----"
	cat "$log.txt"
	echo "---- end of guest console ----"
	printf 'vm: FAILED: %s\n' "${problems[@]}"
	echo "$pass passed, $fail failed"
	exit 1
fi
echo "$pass passed, $fail failed"
