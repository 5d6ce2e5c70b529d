# Resets through VFIO: a device reset (FLR) of nvme, the hot-reset plan of the bridged
# group, a hot reset we own entirely, and one refused because a group is not ours.
# vfiox-backends: all
. /tests/tap.sh
. /tests/sysfs.sh

nvme=$(nvme_plain)
pf=$(nvme_pf)
edus=$(edu_bridged | tr '\n' ' ')
bridged=$(bridged_group)
for a in $nvme $edus; do bind_to vfio-pci "$a"; done

out=$(vfioctl reset "$nvme" 2>&1); rc=$?
is "$rc $out" "0 $nvme: reset" "nvme: a device reset (FLR) through VFIO"
like "$(vfioctl reset --plan "$nvme")" "reset \(device\): +flr" "the plan names nvme's reset methods"

e1=$(echo $edus | cut -d' ' -f1); e2=$(echo $edus | cut -d' ' -f2)
P=$(vfioctl reset --plan --json "$e1")
is "$(echo "$P" | jq -r '[.hot_reset_devices[] | "\(.address)@\(.iommu_group)"] | join(" ")')" \
	"$e1@$bridged $e2@$bridged" "the hot-reset plan of an edu behind the bridge lists both edu devices"
is "$(echo "$P" | jq -r '.hot_reset_groups | join(" ")')" "$bridged" "... and needs only their group"
out=$(vfioctl reset --hot "$e1" 2>&1); rc=$?
is "$rc $out" "0 $e1: hot reset of $e1 $e2" "a hot reset of the bridged group, all of it ours"

# The SR-IOV PF on vfio-pci with two VFs (vfio-pci claims VFs of a PF it owns): a bus
# reset would reset the VFs too; another process holds both VFs' groups. (Both: over
# iommufd, vfioctl binds every other device of the plan, and QEMU's NVMe VFs, which the PF
# never gave resources, are left in D3cold after a bind: each close then waits 65 s on FLR.)
bind_to vfio-pci "$pf"
echo 2 > /sys/bus/pci/devices/$pf/sriov_numvfs
vfs=$(for l in /sys/bus/pci/devices/$pf/virtfn*; do basename "$(readlink $l)"; done | sort | tr '\n' ' ')
check "2 VFs of the PF on vfio-pci exist ($vfs)" test "$(echo $vfs | wc -w)" = 2
P=$(vfioctl reset --plan --json "$pf")
is "$(echo "$P" | jq -r '[.hot_reset_devices[].address] | join(" ")')" "$pf $(echo $vfs)" \
	"the PF's hot-reset plan lists the PF and both VFs"
is "$(echo "$P" | jq -r '.hot_reset_groups | length')" 3 "... in three IOMMU groups"
vf0=$(echo $vfs | cut -d' ' -f1); vf1=$(echo $vfs | cut -d' ' -f2)
is "$(sys_driver $vf0)" vfio-pci "the VFs of a PF on vfio-pci land on vfio-pci"
g0=$(sys_group $vf0); g1=$(sys_group $vf1)
rm -f /tmp/held-vf
sh -c "exec 3<>/dev/vfio/$g0 4<>/dev/vfio/$g1; echo > /tmp/held-vf; exec sleep 30" &
holder=$!
i=0; while [ ! -e /tmp/held-vf ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
out=$(vfioctl reset --hot "$pf" 2>&1); rc=$?
is "$rc" 1 "the hot reset with the VFs' groups held elsewhere exits 1"
if [ "${VFIOX_BACKEND:-type1}" = iommufd ]; then
	# iommufd: ours means bound to our iommufd (or in a group a device of which is)
	like "$out" "also resets $vf0, $vf1, which are not open in this iommufd" \
		"the hot reset is refused, naming the VFs that are not open in our iommufd"
	like "$out" "cannot bind $vf0 \(IOMMU group $g0\) to the iommufd .*open through /dev/vfio/$g0 by pid $holder" \
		"... and why each could not be bound: the process holding its group"
else
	like "$out" "also resets $vf0 in IOMMU group $g0 and $vf1 in IOMMU group $g1, which are not ours" \
		"the hot reset is refused, naming the VFs and their groups that are not ours"
	like "$out" "cannot take IOMMU group $g0 .*in use by pid $holder" \
		"... and why that group could not be taken: the process holding it"
fi
like "$out" "$vf0, $vf1 are SR-IOV VFs of $pf: .*device sets of their own.*vfioctl sriov $pf --vfs 0" \
	"... and that VFs are never reset along with their PF on this kernel, with what to do"
kill $holder; wait $holder 2>/dev/null
# Nobody holds anything now, and the kernel still refuses: it keeps every VF in a device
# set of its own (Linux 6.12.y since mid-2025), so a PF with VFs has no hot reset at all.
if [ "${VFIOX_BACKEND:-type1}" = iommufd ]; then
	skip "the hot reset with nothing held: not over iommufd, where binding the VFs costs 65 s each in QEMU (above)"
else
	out=$(vfioctl reset --hot "$pf" 2>&1); rc=$?
	like "$rc $out" "^1 .*the kernel refused the hot reset of $pf \(Invalid argument\).*$vf0, $vf1 are SR-IOV VFs of $pf" \
		"with every group ours the kernel still refuses a PF with VFs, and the message says why"
fi
echo 0 > /sys/bus/pci/devices/$pf/sriov_numvfs

out=$(vfioctl reset 0000:00:1f.2 2>&1); rc=$?
like "$rc $out" "^1 .*bound to ahci, not to vfio-pci" "a device on a host driver is not reset"

reprobe $nvme $edus "$pf"
