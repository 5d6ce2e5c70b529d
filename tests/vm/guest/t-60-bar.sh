# BAR access through the library against vfio-pci: edu's registers through the mapping
# and through the device fd, nvme's MSI-X table and PBA kept out of the mapping.
# vfiox-backends: all
. /tests/tap.sh
. /tests/sysfs.sh

edu=$(edu_alone)
nvme=$(nvme_plain)
for a in $edu $nvme; do bind_to vfio-pci "$a"; done

is "$(vfiox-bar "$edu" 0 layout 2>&1)" "0x0 0x100000 mapped" "edu BAR0: 1 MiB, all mapped (no MSI-X)"
is "$(vfiox-bar "$edu" 0 r32 0 2>&1)" 0x10000ed "edu id register reads 0x010000ed through the mapping"
is "$(vfiox-bar "$edu" 0 trapped r32 0 2>&1)" 0x10000ed "edu id register reads 0x010000ed through pread"
is "$(vfiox-bar "$edu" 0 w32 4 0x12345678 r32 4 2>&1)" 0xedcba987 \
	"edu liveness register returns the inverted value (mapped)"
is "$(vfiox-bar "$edu" 0 trapped w32 4 0x0f0f0f0f r32 4 mapped r32 4 2>&1 | tr '\n' ' ')" \
	"0xf0f0f0f0 0xf0f0f0f0 " "written by pwrite, read back the same through pread and the mapping"
# edu takes 8-byte accesses only from 0x80 (the DMA registers)
is "$(vfiox-bar "$edu" 0 w64 0x80 0x1122334455667788 r64 0x80 trapped r64 0x80 2>&1 | tr '\n' ' ')" \
	"0x1122334455667788 0x1122334455667788 " "64-bit write and reads of the edu DMA source register"
out=$(vfiox-bar "$edu" 0 r32 2 2>&1); rc=$?
like "$rc $out" "^1 .*not aligned" "an unaligned access is refused"
out=$(vfiox-bar "$edu" 0 r32 0x100000 2>&1); rc=$?
like "$rc $out" "^1 .*beyond" "an access beyond the BAR is refused"

# nvme: 65 vectors, table at 0x2000, PBA at 0x3000 in a 16 KiB BAR0; the kernel says MSI-X
# mappable, the library keeps both pages trapped anyway.
is "$(vfiox-bar "$nvme" 0 layout 2>&1 | tr '\n' ' ')" \
	"0x0 0x2000 mapped 0x2000 0x1000 msix-table 0x3000 0x1000 msix-pba " \
	"nvme BAR0: MSI-X table and PBA pages are holes in the mapping"
is "$(vfiox-bar "$nvme" 0 ptr 0 4 ptr 0x2000 4 ptr 0x3000 8 2>&1 | tr '\n' ' ')" \
	"mapped trapped trapped " "no pointer into the table or PBA pages"
# NVMe CAP register (offset 0) is the same through both paths; the table entry written
# through pwrite reads back (message data of vector 0 at table + 8).
a=$(vfiox-bar "$nvme" 0 r64 0 2>&1); b=$(vfiox-bar "$nvme" 0 trapped r64 0 2>&1)
is "$a" "$b" "nvme CAP reads the same mapped and trapped"
# 8- and 16-bit reads: the NVMe version register (0x08) and its low bytes
vs=$(vfiox-bar "$nvme" 0 r32 8 2>&1)
is "$(vfiox-bar "$nvme" 0 r16 8 r8 8 trapped r16 8 r8 8 2>&1 | tr '\n' ' ')" \
	"$(printf '0x%x 0x%x 0x%x 0x%x ' $((vs & 0xffff)) $((vs & 0xff)) $((vs & 0xffff)) $((vs & 0xff)))" \
	"8- and 16-bit reads agree with the 32-bit one (VS $vs), mapped and trapped"
# Through the hole the access goes to the kernel, which shields the vector table itself:
# vfio-pci reads it as all ones and drops writes.
is "$(vfiox-bar "$nvme" 0 w32 0x2008 0x4321 r32 0x2008 2>&1)" 0xffffffff \
	"the accessor reaches the MSI-X table hole through the device fd (vfio-pci shields it)"
check "the MSI-X PBA reads through the hole" vfiox-bar "$nvme" 0 r64 0x3000

# vfioctl show prints the layout
is "$(vfioctl show --json "$nvme" | jq -r '.vfio.regions[0].layout | map("\(.offset) \(.size) \(.mapped) \(.reason)") | join(", ")')" \
	"0x0 8192 true mapped, 0x2000 4096 false msix-table, 0x3000 4096 false msix-pba" \
	"show --json gives BAR0's layout: mapped, MSI-X table, PBA"
like "$(vfioctl show "$nvme")" "BAR0 layout: +0x0-0x1fff mapped" "show prints the BAR layout for humans"
like "$(vfioctl show "$nvme")" "0x2000-0x2fff trapped \(MSI-X table\)" "show names the reason of a trapped range"

# vfioctl rom: e1000e carries QEMU's iPXE ROM; nvme has none
e1000e=$(find_ids 8086 10d3)
bind_to vfio-pci "$e1000e"
vfioctl rom "$e1000e" > /tmp/rom.bin; rc=$?
is "$rc $(od -An -tx1 -N2 /tmp/rom.bin | tr -d ' ')" "0 55aa" "rom dumps the e1000e ROM (starts with 55 aa)"
is "$(wc -c < /tmp/rom.bin)" "$(vfioctl show --json "$e1000e" | jq -r '.vfio.regions[] | select(.name == "ROM") | .size')" \
	"the dump is as long as the ROM region"
vfioctl rom --output /tmp/rom2.bin "$e1000e" 2>/dev/null
check "rom --output writes the same bytes" cmp -s /tmp/rom.bin /tmp/rom2.bin
out=$(vfioctl rom "$nvme" 2>&1 >/dev/null); rc=$?
like "$rc $out" "^1 .*has no expansion ROM" "a device without ROM: exit 1 and says so"
out=$(vfioctl rom 0000:00:1f.2 2>&1 >/dev/null); rc=$?
like "$rc $out" "^1 .*bound to ahci, not to vfio-pci" "a device on a host driver: exit 1, says how to bind"

reprobe "$edu" "$nvme" "$e1000e"
