# SPDX-License-Identifier: LGPL-2.1-or-later
# vfioctl igd on the real kernel. q35 has no Intel GPU: `vfioctl igd` refuses, naming what
# 00:02.0 is; the std VGA is "not an Intel GPU" and --zero refuses it. Then a fake sysfs
# tree (built here, under /tmp) holds a Coffee Lake IGD with 4 MiB of stolen memory whose
# BDSM points at the range run.sh reserves at boot (memmap=4M$0x0c000000), judged against
# the REAL /proc/iomem: "Reserved" is ok; the same IGD with its stolen memory in System RAM
# fails igd.iomem and --zero --dry-run refuses it, changing nothing; as uid 65534 (iomem's
# addresses hidden) igd.iomem says root is needed. Binds nothing; leaves only /tmp/t58.
. /tests/tap.sh
. /tests/sysfs.sh

W=/tmp/t58
rm -rf "$W"
mkdir -p "$W"
chmod 755 "$W"

# ---- q35 itself: no Intel GPU ----

out=$(vfioctl igd 2>&1)
rc=$?
is "$rc" 1 "igd without a device on q35: exit 1"
if [ -e "$PCI/0000:00:02.0" ]; then
	v=$(sys_hex 0000:00:02.0 vendor)
	d=$(sys_hex 0000:00:02.0 device)
	read -r c < "$PCI/0000:00:02.0/class"
	c=${c#0x}
	diag "q35's 0000:00:02.0 is $v:$d class $c"
	like "$out" "0000:00:02\.0 is $v:$d \(class $c\), not an Intel display device: this host has no integrated Intel GPU" \
		"igd: 0000:00:02.0 is named with its ids and class ($v:$d, $c) and said not to be an Intel display device"
else
	diag "q35 has no 0000:00:02.0"
	like "$out" "no device at 0000:00:02\.0, where Intel integrated graphics sits" \
		"igd: no device at 0000:00:02.0, said so"
fi

vga=$(find_ids 1234 1111 | head -n 1)
if [ -n "$vga" ]; then
	out=$(vfioctl igd "$vga" 2>&1)
	rc=$?
	is "$rc" 0 "igd $vga (std VGA 1234:1111): exit 0"
	like "$out" "1234:1111 is not an Intel GPU: it has no stolen memory" \
		"igd $vga: not an Intel GPU, no stolen memory"
	vfioctl igd --json "$vga" > "$W/vga.json" 2> "$W/vga.err"
	rc=$?
	is "$rc $(jq -r '"\(.kind) \(.family) \(.gen) \(.dsm_at) \(.layout.dsm_base) \(.layout.dsm_size)"' "$W/vga.json")" \
		"0 none null null none null null" \
		"igd --json $vga: kind none, no family or generation, dsm_at none, dsm_base and dsm_size null"
	is "$(jq -r '[.findings[] | "\(.id)=\(.status)"] | join(" ")' "$W/vga.json")" "igd.device=info" \
		"igd --json $vga: one finding, igd.device info"
	out=$(vfioctl igd --zero "$vga" 2>&1)
	rc=$?
	is "$rc" 1 "igd --zero $vga: refused, exit 1"
	like "$out" "not an integrated Intel GPU.*no stolen memory to clear" \
		"igd --zero $vga: refused as no integrated Intel GPU, nothing to clear"
else
	skip "no std VGA 1234:1111 in this guest"
fi

out=$(vfioctl igd --zero 2>&1)
is "$?" 2 "igd --zero without a device: a usage error (exit 2)"
like "$out" "--zero needs the device named" "igd --zero without a device: says the device must be named"
out=$(vfioctl igd 00:zz.0 2>&1)
is "$?" 2 "igd with a malformed address: a usage error (exit 2)"
like "$out" "'00:zz.0' is not a PCI address" "igd 00:zz.0: names the bad address"
out=$(vfioctl igd 00:1e.7 2>&1)
is "$?" 1 "igd of an address where there is no device: exit 1"
like "$out" "0000:00:1e\.7: no such PCI device" "igd 00:1e.7: no such PCI device"

# ---- a fake IGD against the real /proc/iomem ----

# wbytes FILE OFFSET HEX...: bytes written in place
wbytes() {
	_f=$1 _o=$2
	shift 2
	_s=
	for _b in "$@"; do _s="$_s$(printf '\\%03o' "0x$_b")"; done
	printf "$_s" | dd of="$_f" bs=1 seek="$_o" conv=notrunc 2> /dev/null
}
# w16/w32 FILE OFFSET VALUE: little endian
w16() {
	wbytes "$1" $(($2)) $(printf '%02x ' $(($3 & 255)) $((($3 >> 8) & 255)))
}
w32() {
	wbytes "$1" $(($2)) $(printf '%02x ' $(($3 & 255)) $((($3 >> 8) & 255)) \
		$((($3 >> 16) & 255)) $((($3 >> 24) & 255)))
}
# fake_dev ROOT ADDR VENDOR DEVICE CLASS DRIVER GROUP: a device directory as sysfs has it,
# with 256 bytes of config space holding ids, command, class
fake_dev() {
	_d=$1/bus/pci/devices/$2
	mkdir -p "$_d"
	printf '0x%04x\n' "$3" > "$_d/vendor"
	printf '0x%04x\n' "$4" > "$_d/device"
	printf '0x%06x\n' "$5" > "$_d/class"
	printf '0x%04x\n' "$3" > "$_d/subsystem_vendor"
	printf '0x2212\n' > "$_d/subsystem_device"
	printf '0x00\n' > "$_d/revision"
	{
		[ -n "$6" ] && echo "DRIVER=$6"
		printf 'PCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:2212\nPCI_SLOT_NAME=%s\n' \
			"$5" "$3" "$4" "$3" "$2"
	} > "$_d/uevent"
	dd if=/dev/zero of="$_d/config" bs=256 count=1 2> /dev/null
	w16 "$_d/config" 0x00 "$3"
	w16 "$_d/config" 0x02 "$4"
	w16 "$_d/config" 0x04 0x0006
	wbytes "$_d/config" 9 $(printf '%02x ' $(($5 & 255)) $((($5 >> 8) & 255)) $((($5 >> 16) & 255)))
	if [ -n "$6" ]; then
		mkdir -p "$1/bus/pci/drivers/$6"
		ln -s "../../drivers/$6" "$_d/driver"
	fi
	if [ -n "$7" ]; then
		mkdir -p "$1/kernel/iommu_groups/$7/devices"
		echo DMA > "$1/kernel/iommu_groups/$7/type"
		ln -s "../../../../bus/pci/devices/$2" "$1/kernel/iommu_groups/$7/devices/$2"
		ln -s "../../../kernel/iommu_groups/$7" "$_d/iommu_group"
	fi
}
# fake_igd ROOT DSM: Coffee Lake 8086:3ea0 (VGA) on vfio-pci in group 58, GMCH 0xF0C0
# (GMS 0xF0 = 4 MiB of data stolen memory, GGMS 3 = 8 MiB of GTT), BDSM = DSM | lock;
# host bridge 8086:3e34 agreeing: BDSM = DSM, BGSM = DSM - 8 MiB, TSEG below it, TOLUD =
# DSM + 4 MiB (all locked)
fake_igd() {
	_dsm=$(($2))
	fake_dev "$1" 0000:00:02.0 0x8086 0x3ea0 0x030000 vfio-pci 58
	_c=$1/bus/pci/devices/0000:00:02.0/config
	w16 "$_c" 0x50 0xF0C0
	w32 "$_c" 0x5C $((_dsm | 1))
	w32 "$_c" 0xFC 0x0bff6018
	printf '0x%016x 0x%016x direct-relaxable\n0x00000000fee00000 0x00000000feefffff msi\n' \
		"$_dsm" $((_dsm + 0x3fffff)) > "$1/kernel/iommu_groups/58/reserved_regions"
	fake_dev "$1" 0000:00:00.0 0x8086 0x3e34 0x060000 "" ""
	_c=$1/bus/pci/devices/0000:00:00.0/config
	w32 "$_c" 0xB0 $((_dsm | 1))
	w32 "$_c" 0xB4 $(((_dsm - 0x800000) | 1))
	w32 "$_c" 0xB8 $(((_dsm - 0x1000000) | 1))
	w32 "$_c" 0xBC $(((_dsm + 0x400000) | 1))
	mkdir -p "$W/dev"
	chmod -R a+rX "$1" "$W/dev"
}
# finding FILE ID: "status: summary" of one finding of igd --json
finding() {
	jq -r --arg id "$2" '.findings[] | select(.id == $id) | "\(.status): \(.summary)"' "$1"
}
tree_sum() {
	find "$1" -type f | sort | xargs md5sum
}

diag "/proc/iomem around 0c000000:" "$(grep -E -B1 -A1 '^ *0c000000-' /proc/iomem)"
is "$(grep -E '^ *0c000000-' /proc/iomem)" "0c000000-0c3fffff : Reserved" \
	"the real /proc/iomem has 0c000000-0c3fffff Reserved (memmap= of run.sh)"

R=$W/reserved
fake_igd "$R" 0x0c000000
diag "fake IGD config: $(od -A x -t x1 "$R/bus/pci/devices/0000:00:02.0/config" | grep -E '^0000(00|50|f0)')"
diag "fake host bridge config: $(od -A x -t x1 "$R/bus/pci/devices/0000:00:00.0/config" | grep -E '^0000b0')"
vfioctl --sysfs-root "$R" --dev-root "$W/dev" igd --json 00:02.0 > "$W/reserved.json" 2> "$W/reserved.err"
rc=$?
diag "$(jq -r '.findings[] | "\(.id) \(.status): \(.summary)"' "$W/reserved.json")"
is "$rc" 0 "fake Coffee Lake, DSM in the Reserved range: igd --json exits 0 (no finding fails)"
is "$(jq -r '"\(.device) \(.driver) \(.kind) \(.family) gen\(.gen) \(.dsm_at)"' "$W/reserved.json")" \
	"0000:00:02.0 vfio-pci integrated Whiskey Lake gen9 bdsm32" \
	"igd --json: the fake 8086:3ea0 decodes as an integrated gen9 (the table's 0x3EA0 family) with a 32-bit BDSM"
is "$(jq -r '"\(.registers.gmch) \(.registers.gms) \(.registers.ggms) \(.registers.bdsm) \(.registers.asls)"' "$W/reserved.json")" \
	"61632 240 3 0xc000001 0xbff6018" \
	"registers: GMCH 0xF0C0 (GMS 0xF0, GGMS 3), BDSM 0x0c000001, ASLS as written"
is "$(jq -r '"\(.layout.dsm_base) \(.layout.dsm_size) \(.layout.gsm_base) \(.layout.gsm_size) \(.layout.tolud)"' "$W/reserved.json")" \
	"0xc000000 4194304 0xb800000 8388608 0xc400000" \
	"layout: DSM 0x0c000000 + 4 MiB (GMS 0xF0), GSM 0x0b800000 + 8 MiB, TOLUD 0x0c400000"
is "$(finding "$W/reserved.json" igd.iomem)" \
	'ok: the DSM lies in "Reserved" 0xc000000-0xc3fffff of /proc/iomem, outside System RAM' \
	"igd.iomem ok: the DSM lies in the real /proc/iomem's Reserved 0xc000000-0xc3fffff"
is "$(jq -r '"\(.host.iomem_read) \(.host.dsm_in_system_ram) \(.host.dsm_iomem_entry) \(.host.stolen_claimed)"' "$W/reserved.json")" \
	"true false Reserved false" \
	"host: /proc/iomem read, the DSM not in System RAM, in the Reserved entry, no driver holds it"
like "$(finding "$W/reserved.json" igd.host_bridge)" "^ok: host bridge 8086:3e34: TOLUD 0xc400000, BDSM 0xc000000, BGSM 0xb800000" \
	"igd.host_bridge ok: TOLUD, BDSM and BGSM agree with the IGD"
like "$(finding "$W/reserved.json" igd.rmrr)" "^info: an RMRR holds the stolen memory: group 58 reserves 0xc000000-0xc3fffff direct-relaxable" \
	"igd.rmrr: the group's direct-relaxable region over the DSM is named"
like "$(finding "$W/reserved.json" qemu.gms)" "x-igd-gms=1 .*4 MiB" \
	"qemu.gms: 4 MiB is x-igd-gms=1 (QEMU's 32 MiB units)"

# --zero --dry-run on it: every cross-check passes; it stops only at the fake /dev's
# missing /dev/mem, before any group is opened
out=$(vfioctl --sysfs-root "$R" --dev-root "$W/dev" igd --zero --dry-run 00:02.0 2>&1)
rc=$?
diag "$out"
is "$rc" 1 "igd --zero --dry-run on the Reserved DSM with a /dev without mem: exit 1"
like "$out" "there is no $W/dev/mem, through which the stolen memory is mapped" \
	"igd --zero --dry-run: past every cross-check, stopped only by the missing /dev/mem"

# As uid 65534: /proc/iomem shows every address as 0
vfioctl_bin=$(command -v vfioctl)
uid=$(su -s /bin/sh -c 'id -u' nobody 2>&1)
su -s /bin/sh -c "$vfioctl_bin --sysfs-root $R --dev-root $W/dev igd --json 00:02.0" nobody \
	> "$W/nobody.json" 2> "$W/nobody.err"
rc=$?
is "$uid $rc" "65534 0" "igd --json as uid 65534 (su nobody): runs, exit 0"
is "$(jq -r '"\(.need_root) \(.host.iomem_read) \(.host.dsm_iomem_entry)"' "$W/nobody.json")" "true false null" \
	"as uid 65534: need_root, /proc/iomem not read, no entry claimed"
is "$(finding "$W/nobody.json" igd.iomem)" \
	"warn: /proc/iomem shows its addresses to root only: the DSM cannot be checked against the firmware's memory map" \
	"as uid 65534 igd.iomem warns: /proc/iomem's addresses are root's, the DSM is not checked"
is "$(jq -r '.findings[] | select(.id == "igd.iomem") | .fix' "$W/nobody.json")" "run as root" \
	"as uid 65534 igd.iomem's fix: run as root"

# The same IGD with its stolen memory in System RAM (16 MiB, inside 0x100000-0xbffffff)
M=$W/ram
fake_igd "$M" 0x01000000
diag "/proc/iomem's first System RAM entries:" "$(grep -E '^[0-9a-f]+-[0-9a-f]+ : System RAM' /proc/iomem | head -n 2)"
vfioctl --sysfs-root "$M" --dev-root "$W/dev" igd --json 00:02.0 > "$W/ram.json" 2> "$W/ram.err"
rc=$?
diag "$(jq -r '.findings[] | "\(.id) \(.status): \(.summary)"' "$W/ram.json")"
is "$rc" 1 "fake IGD with its DSM in System RAM: igd --json exits 1 (a finding fails)"
like "$(finding "$W/ram.json" igd.iomem)" \
	"^fail: the DSM 0x1000000-0x13fffff overlaps System RAM in /proc/iomem$" \
	"igd.iomem fail: the DSM 0x1000000-0x13fffff overlaps System RAM"
is "$(jq -r '[.findings[] | select(.status == "fail") | .id] | join(" ")' "$W/ram.json")" "igd.iomem" \
	"igd.iomem is the only failing finding (the registers agree with each other)"
is "$(jq -r '.host.dsm_in_system_ram' "$W/ram.json")" true "host.dsm_in_system_ram: true"

tree_sum "$M" > "$W/ram.before"
iomem_before=$(md5sum < /proc/iomem)
groups_before=$(ls /dev/vfio 2> /dev/null | tr '\n' ' ')
out=$(vfioctl --sysfs-root "$M" igd --zero --dry-run 00:02.0 2>&1)
rc=$?
diag "$out"
is "$rc" 1 "igd --zero --dry-run of a DSM in System RAM: refused, exit 1"
like "$out" "0000:00:02\.0: refusing to clear its stolen memory: igd\.iomem: the DSM 0x1000000-0x13fffff overlaps System RAM" \
	"the refusal names igd.iomem and the range in System RAM"
is "$(printf '%s\n' "$out" | grep -c -E 'would do|method|cleared|written')" 0 \
	"no plan printed, nothing written"
tree_sum "$M" > "$W/ram.after"
same "the fake sysfs tree is unchanged by the refused --zero" "$W/ram.after" "$W/ram.before"
is "$(md5sum < /proc/iomem) $(ls /dev/vfio 2> /dev/null | tr '\n' ' ')" "$iomem_before $groups_before" \
	"/proc/iomem and /dev/vfio are as before: no group was opened, nothing was mapped"
out=$(vfioctl --sysfs-root "$M" igd --zero --dry-run --json 00:02.0 2> /dev/null)
is "$(printf '%s\n' "$out" | jq -r '"\(.ok) \(.dry_run) \(.method) \(.bytes_written)"')" "false true none 0" \
	"igd --zero --dry-run --json: ok false, no method chosen, 0 bytes written"
like "$(printf '%s\n' "$out" | jq -r .error)" "igd\.iomem" "igd --zero --dry-run --json: the error names igd.iomem"

rm -rf "$W"
