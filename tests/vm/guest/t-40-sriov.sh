# SPDX-License-Identifier: LGPL-2.1-or-later
# SR-IOV: VFs created through sysfs appear in list and show, with their PF, and go again.
. /tests/tap.sh
. /tests/sysfs.sh

pf=""
for a in $(find_ids 1b36 0010); do [ -e $PCI/$a/sriov_totalvfs ] && pf=$a; done
[ -n "$pf" ] || skip_file "no SR-IOV PF (see tests/vm/devices.sh)"

echo 2 > $PCI/$pf/sriov_numvfs
is "$(cat $PCI/$pf/sriov_numvfs)" 2 "sysfs: 2 VFs created on $pf"
vfs=$(for l in $PCI/$pf/virtfn*; do basename "$(readlink $l)"; done | sort)
is "$(vfioctl show --json "$pf" | jq -r '"\(.sriov.totalvfs) \(.sriov.numvfs) " + (.sriov.vfs | sort | join(" "))')" \
	"2 2 $(echo $vfs)" "show $pf: 2 of 2 VFs, those of its virtfn links"
bad=""
for vf in $vfs; do
	got=$(vfioctl show --json "$vf" | jq -r '"\(.physfn) \(.sriov) \(.iommu_group)"')
	[ "$got" = "$pf null $(sys_group $vf)" ] || bad="$bad $vf: $got;"
done
is "$bad" "" "each VF names its PF and its own group, and has no SR-IOV of its own"
list_matches_sysfs "with 2 VFs"
show_matches_sysfs "with 2 VFs"

echo 0 > $PCI/$pf/sriov_numvfs
is "$(vfioctl show --json "$pf" | jq -r '"\(.sriov.numvfs) \(.sriov.vfs | length)"')" "0 0" "VFs removed: show $pf lists none"
list_matches_sysfs "VFs removed"
