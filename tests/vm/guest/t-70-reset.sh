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
# reset would reset the VFs too; another process holds the first VF's group.
bind_to vfio-pci "$pf"
echo 2 > /sys/bus/pci/devices/$pf/sriov_numvfs
vfs=$(for l in /sys/bus/pci/devices/$pf/virtfn*; do basename "$(readlink $l)"; done | sort | tr '\n' ' ')
check "2 VFs of the PF on vfio-pci exist ($vfs)" test "$(echo $vfs | wc -w)" = 2
P=$(vfioctl reset --plan --json "$pf")
is "$(echo "$P" | jq -r '[.hot_reset_devices[].address] | join(" ")')" "$pf $(echo $vfs)" \
	"the PF's hot-reset plan lists the PF and both VFs"
is "$(echo "$P" | jq -r '.hot_reset_groups | length')" 3 "... in three IOMMU groups"
vf0=$(echo $vfs | cut -d' ' -f1)
is "$(sys_driver $vf0)" vfio-pci "the VFs of a PF on vfio-pci land on vfio-pci"
g0=$(sys_group $vf0)
sh -c "exec 3<>/dev/vfio/$g0; echo > /tmp/held-vf; exec sleep 30" &
holder=$!
i=0; while [ ! -e /tmp/held-vf ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
out=$(vfioctl reset --hot "$pf" 2>&1); rc=$?
is "$rc" 1 "the hot reset with a VF's group held elsewhere exits 1"
like "$out" "also resets $vf0 in IOMMU group $g0, which is not ours" \
	"the hot reset is refused, naming the VF and its group that are not ours"
like "$out" "cannot take IOMMU group $g0 .*in use by pid $holder" \
	"... and why that group could not be taken: the process holding it"
kill $holder; wait $holder 2>/dev/null
echo 0 > /sys/bus/pci/devices/$pf/sriov_numvfs

out=$(vfioctl reset 0000:00:1f.2 2>&1); rc=$?
like "$rc $out" "^1 .*bound to ahci, not to vfio-pci" "a device on a host driver is not reset"

reprobe $nvme $edus "$pf"
