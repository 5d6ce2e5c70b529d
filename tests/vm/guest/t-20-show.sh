# vfioctl show DEVICE|GROUP --json equals sysfs; bad input is refused by name.
. /tests/tap.sh

bad=""
n=0
for d in /sys/bus/pci/devices/*; do
	a=${d##*/}
	n=$((n + 1))
	S=/tmp/show.json
	if ! vfioctl show --json "$a" > $S; then bad="$bad $a: show failed;"; continue; fi
	ov=$(cat $d/driver_override); [ "$ov" = "(null)" ] && ov=null
	numa=$(cat $d/numa_node); [ "$numa" = "-1" ] && numa=null
	rm=null; [ -e $d/reset_method ] && rm=$(cat $d/reset_method)
	tv=null; [ -e $d/sriov_totalvfs ] && tv=$(cat $d/sriov_totalvfs)
	pf=null; [ -e $d/physfn ] && pf=$(basename "$(readlink $d/physfn)")
	members=null
	g=$(sys_group $a)
	[ "$g" != null ] && members=$(ls /sys/kernel/iommu_groups/$g/devices | sort | tr '\n' ' ')
	want="$(sys_driver $a) $ov $numa [$rm] $(sys_hex $a revision) $tv $pf $g [$members]"
	got=$(jq -r '"\(.driver // "null") \(.driver_override // "null") \(.numa_node // "null") [\(if .reset_method then (.reset_method | join(" ")) else "null" end)] \(.revision) \(.sriov.totalvfs // "null") \(.physfn // "null") \(.iommu_group // "null") [\(if .group then (.group.devices | join(" ")) + " " else "null" end)]"' $S)
	[ "$got" = "$want" ] || bad="$bad $a: got '$got' want '$want';"
done
is "$bad" "" "show --json of all $n devices: driver, override, NUMA, reset methods, revision, SR-IOV, group equal sysfs"

nvme=$(find_ids 1b36 0010 | head -n 1)
S=$(vfioctl show --json "$nvme")
is "$(echo "$S" | jq -r '.msix | "\(.table_size) \(.table_bir)"')" "65 0" "nvme: MSI-X with 65 vectors in BAR0"
is "$(echo "$S" | jq -r '[.capabilities[].name] | index("MSI-X") != null')" true "nvme: the capability list has MSI-X"
edu=$(find_ids 1234 11e8 | head -n 1)
is "$(vfioctl show --json "$edu" | jq -r '"\(.msi.vectors) \(.msix)"')" "1 null" "edu: MSI with 1 vector, no MSI-X"

# A driver_override set by hand shows up.
echo pci-stub > /sys/bus/pci/devices/$edu/driver_override
is "$(vfioctl show --json "$edu" | jq -r .driver_override)" pci-stub "driver_override written in sysfs is shown"
echo > /sys/bus/pci/devices/$edu/driver_override
is "$(vfioctl show --json "$edu" | jq -r .driver_override)" null "a cleared driver_override is null"

# SR-IOV: the PF behind its own root port gets two VFs.
pf=""
for a in $(find_ids 1b36 0010); do [ -e /sys/bus/pci/devices/$a/sriov_totalvfs ] && pf=$a; done
if [ -n "$pf" ] && echo 2 > /sys/bus/pci/devices/$pf/sriov_numvfs; then
	P=$(vfioctl show --json "$pf")
	want=$(for l in /sys/bus/pci/devices/$pf/virtfn*; do basename "$(readlink $l)"; done | sort | tr "\n" " " | sed "s/ $//")
	is "$(echo "$P" | jq -r '"\(.sriov.totalvfs) \(.sriov.numvfs) " + (.sriov.vfs | join(" "))')" "2 2 $want" \
		"SR-IOV PF: 2 of 2 VFs, listed as in its virtfn links"
	vf=$(basename "$(readlink /sys/bus/pci/devices/$pf/virtfn0)")
	is "$(vfioctl show --json "$vf" | jq -r .physfn)" "$pf" "a VF names its PF"
	echo 0 > /sys/bus/pci/devices/$pf/sriov_numvfs
	is "$(vfioctl show --json "$pf" | jq -r '"\(.sriov.numvfs) \(.sriov.vfs | length)"')" "0 0" "VFs removed: none listed"
else
	not_ok "SR-IOV PF found and 2 VFs created"
fi

# Groups
bridged=$(sys_group "$(find_ids 1b36 000e | head -n 1)")
G=$(vfioctl show --json "$bridged")
is "$(echo "$G" | jq -r '[.devices[].address] | join(" ")')" \
	"$(ls /sys/kernel/iommu_groups/$bridged/devices | sort | tr '\n' ' ' | sed 's/ $//')" "show GROUP lists the group's members"
out=$(vfioctl show "$(sys_group 0000:00:1f.2)")
like "$out" "0000:00:1f.2 is bound to ahci" "show GROUP names the member that breaks viability"

# Bad input
out=$(vfioctl show 0000:ff:1f.7 2>&1); rc=$?
is "$rc" 1 "an unknown device exits 1"
like "$out" "no PCI device 0000:ff:1f.7" "an unknown device is named"
out=$(vfioctl show zz:zz 2>&1); rc=$?
is "$rc" 1 "a garbage address exits 1"
like "$out" "'zz:zz' is not a PCI address" "a garbage address is named"
out=$(vfioctl show 4242 2>&1); rc=$?
is "$rc" 1 "an unknown group exits 1"
like "$out" "no IOMMU group 4242" "an unknown group is named"
vfioctl list --class zz >/dev/null 2>&1
is "$?" 2 "a bad --class is a usage error"
