# make bench (in the VM): device access and interrupt costs, side by side in one run.
. /tests/tap.sh >/dev/null
. /tests/sysfs.sh
edu=$(edu_alone)
nvme=$(nvme_plain)
for a in $edu $nvme; do bind_to vfio-pci "$a"; done
# vfiox.bench=dma (the boot of the iommufd kernel): only the DMA mapping part, over both
# backends; that kernel lacks what the rest needs (file locks for the bind journal).
only_dma=
grep -q 'vfiox.bench=dma' /proc/cmdline && only_dma=1
echo "bench: in the VM (QEMU TCG: every MMIO access exits to the device model), edu $edu, nvme $nvme, kernel $(uname -r)"
[ -n "$only_dma" ] || vfiox-bench "$edu" "$nvme"

# DMA mapping: 256 MiB, 4 KiB-backed and hugepage-backed, library vs the raw loop of the
# same backend's ioctl (MAP_DMA for type1, IOMMU_IOAS_MAP for iommufd), each backend the
# kernel has, one after the other in this boot.
backends=type1
[ -e /dev/iommu ] && backends="type1 iommufd" ||
	echo "bench: DMA map over iommufd: SKIPPED, this kernel has no /dev/iommu (the iommufd kernel has)"
for b in $backends; do
	VFIOX_BACKEND=$b vfiox-dma "$edu" bench 256 anon
done
echo 136 > /proc/sys/vm/nr_hugepages
if [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 128 ]; then
	for b in $backends; do
		VFIOX_BACKEND=$b vfiox-dma "$edu" bench 256 huge2m
	done
else
	echo "bench: DMA map 256 MiB huge2m: SKIPPED, only $(cat /proc/sys/vm/nr_hugepages) 2 MiB hugepages could be reserved"
fi
echo 0 > /proc/sys/vm/nr_hugepages
if [ -n "$only_dma" ]; then
	reprobe "$edu" "$nvme"
	return 0 2>/dev/null || exit 0
fi

# Bind and restore of the three-member group (bridge + two edu): wall time per round,
# from /proc/uptime (10 ms ticks), over several rounds. Nothing in either sleeps: the
# wait for /dev/vfio/N is an inotify wake-up.
bg=$(bridged_group)
export VFIOX_STATE_DIR=/tmp/bench-bind-state
rounds=10
uptime_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}
median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
: > /tmp/bench-bind
: > /tmp/bench-restore
bad=""
i=0
while [ $i -lt $rounds ]; do
	t0=$(uptime_ms)
	vfioctl bind --group "$bg" > /dev/null 2>/tmp/bench-err || bad="bind: $(cat /tmp/bench-err)"
	t1=$(uptime_ms)
	vfioctl restore --all > /dev/null 2>/tmp/bench-err || bad="restore: $(cat /tmp/bench-err)"
	t2=$(uptime_ms)
	echo $((t1 - t0)) >> /tmp/bench-bind
	echo $((t2 - t1)) >> /tmp/bench-restore
	i=$((i + 1))
done
if [ -n "$bad" ]; then
	echo "bench: bind/restore of group $bg FAILED: $bad"
else
	echo "bench: bind --group $bg (2 edu to vfio-pci, bridge untouched, until /dev/vfio/$bg):" \
		"median $(median < /tmp/bench-bind) ms, all: $(tr '\n' ' ' < /tmp/bench-bind)(ms, $rounds rounds)"
	echo "bench: restore --all of group $bg (both edu back to no driver):" \
		"median $(median < /tmp/bench-restore) ms, all: $(tr '\n' ' ' < /tmp/bench-restore)(ms)"
fi

# Hand-over: vfioctl exec of a trivial program against a plain exec of it, and a round trip
# to vfioctl serve, side by side (vfiox-handover bench).
reprobe "$edu"
bind_to vfio-pci "$edu"
vfiox-handover bench-exec "$edu" 50
vfioctl serve --socket /tmp/bench-serve.sock --allow root "$edu" 2> /tmp/bench-serve.log &
spid=$!
i=0; while ! grep -q "listening on" /tmp/bench-serve.log 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
vfiox-handover bench-serve /tmp/bench-serve.sock 50
kill -TERM $spid
wait $spid
