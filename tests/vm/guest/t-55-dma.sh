# SPDX-License-Identifier: LGPL-2.1-or-later
# DMA through the real IOMMU: QEMU's edu DMA engine reads and writes memory that libvfiox
# mapped (vfiox-dma), and nothing else.
# vfiox-backends: all
. /tests/tap.sh
. /tests/sysfs.sh

edu=$(edu_alone)
bind_to vfio-pci "$edu"

is "$(vfiox-dma "$edu" roundtrip 2>&1)" "roundtrip ok" \
	"2 KiB go RAM -> edu -> other RAM through library mappings and arrive unchanged"
out=$(vfiox-dma "$edu" blocked 2>&1)
like "$out" "never-mapped untouched" "edu writing to an IOVA that was never mapped: the IOMMU blocks it"
like "$out" "unmapped untouched" "edu writing to an IOVA after its unmap: blocked, the memory keeps its pattern"
like "$out" "mapped written" "the same write while mapped lands (the checks above can tell)"
is "$(vfiox-dma "$edu" ranges 300 2>&1)" \
	"300/300 inside the kernel's ranges, 300/300 below 0x10000000, entries 300" \
	"300 IOVAs under edu's 28-bit mask: all inside the kernel's usable ranges and below the mask"
is "$(vfiox-dma "$edu" batch 64 2>&1 | tr '\n' ' ')" \
	"batch: 64 chunks, 64 mappings, 1 entries unbatched: 64 chunks, 64 mappings, 64 entries " \
	"64 chunks of one buffer: one kernel entry in a batch, 64 without"

# The type1 entry budget, lowered: the library refuses with its own message, not EINVAL.
# iommufd has no such budget: the same lowered limit binds nothing there.
limit=/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
old=$(cat $limit)
budget() { vfioctl show --json "$edu" | jq -c '.vfio.iommu.dma_budget | [.entries_avail, .entry_limit, .cap_ipc_lock, .memlock_unlimited or (.memlock_limit > 0)]'; }
if [ "${VFIOX_BACKEND:-}" = iommufd ]; then
	echo 8 > $limit
	out=$(vfiox-dma "$edu" entries 8 2>&1)
	echo "$old" > $limit
	like "$out" "avail -1" "iommufd: the library reports no entry budget (-1) even with dma_entry_limit=8"
	like "$out" "mapped 10" "iommufd: 10 separate mappings fit where type1's dma_entry_limit=8 allows 8"
	is "$(cat $limit)" "$old" "dma_entry_limit is back to $old"
else
	is "$(budget)" "[$old,$old,true,true]" "show --json: DMA budget of $old entries, the limit, root's CAP_IPC_LOCK"
	echo 8 > $limit
	out=$(vfiox-dma "$edu" entries 8 2>&1)
	b8=$(budget)
	like "$(vfioctl show "$edu")" "DMA mappings: +8 available \(dma_entry_limit 8\)" "show: 8 DMA mappings available under dma_entry_limit 8"
	echo "$old" > $limit
	is "$b8" "[8,8,true,true]" "show --json follows the lowered dma_entry_limit"
	like "$(vfioctl show "$edu")" "Memory lock: +limit [^,]+, [0-9.]+ [KMG]?i?B locked; CAP_IPC_LOCK" "show: the memory lock budget"

	like "$out" "avail 8" "with dma_entry_limit=8 the library sees 8 entries available"
	like "$out" "mapped 8" "8 mappings fit"
	like "$out" "refused ENOSPC: .*has 0 left.*dma_entry_limit" \
		"the 9th is refused by the library: 0 left, how to raise dma_entry_limit"
	is "$(cat $limit)" "$old" "dma_entry_limit is back to $old"
fi

# An unprivileged process with a small memlock limit.
out=$(vfiox-dma "$edu" memlock 2>&1)
like "$out" "uid 65534 limit 65536 cap_ipc_lock 0" "the helper maps as uid 65534 with a 64 KiB memlock limit"
like "$out" "map 1 MiB: ENOMEM: cannot pin 1 MiB.*RLIMIT_MEMLOCK.*64 KiB.*ulimit -l.*LimitMEMLOCK=" \
	"1 MiB over a 64 KiB limit: the memlock message with the numbers and the fix"
like "$out" "map 32 KiB: mapped" "32 KiB under the limit maps"

# A DMA pool: the device reaches the pool and nothing around it.
out=$(vfiox-dma "$edu" pool 2>&1)
like "$out" "in window: yes; fd yes; entries 1" "the pool lies in its IOVA window, one entry, with a memfd"
like "$out" "pool roundtrip ok" "data bounced into the pool goes through edu and back out"
like "$out" "outside the pool blocked" "edu writes just below and just above the pool are blocked"
like "$out" "bounce past the end: ERANGE" "a bounce past the pool's end is refused"
like "$out" "after free: entries 0" "freeing the pool unmaps it"

reprobe "$edu"
