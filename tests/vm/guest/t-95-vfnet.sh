# SPDX-License-Identifier: LGPL-2.1-or-later
# VF settings through a real driver: netdevsim (built into the iommufd kernel; Debian's has
# none, so the file skips there). A netdevsim device with 2 VFs; vfioctl sriov --netdev
# sets MAC, VLAN+qos, trust, spoof check and link state of VF 1 and shows them as the
# kernel reads them back (RTM_GETLINK); vfiox-vfnet raw reads them again with its own
# netlink code (busybox has no iproute2, and netdevsim keeps VF settings out of sysfs and
# debugfs). Refusals: a VLAN out of range (ours), a multicast MAC and a link state 7
# (netdevsim's -EINVAL, Linux 6.12 gives no ext-ack reason for VF settings), the second
# after four accepted settings of the same call, which are put back. The device goes at
# the end.
. /tests/tap.sh

NSIM=/sys/bus/netdevsim
[ -d $NSIM ] || skip_file "no /sys/bus/netdevsim: this kernel has no netdevsim (CONFIG_NETDEVSIM)"
id=95
dev=$NSIM/devices/netdevsim$id
[ -e $dev ] && echo $id > $NSIM/del_device
echo "$id 1" > $NSIM/new_device || skip_file "netdevsim refused a new device $id"
i=0
while ! ls $dev/net/ 2> /dev/null | grep -q . && [ $i -lt 50 ]; do
	i=$((i + 1))
	sleep 0.1
done
pf=$(ls $dev/net/ 2> /dev/null | head -n 1)
[ -n "$pf" ] || { echo $id > $NSIM/del_device; skip_file "netdevsim$id made no netdev"; }
diag "netdevsim$id: PF netdev $pf (ifindex $(cat /sys/class/net/$pf/ifindex))"

out=$(vfioctl sriov --netdev "$pf" 2>&1)
is "$?:$out" "0:$pf: no VFs" "--netdev $pf before sriov_numvfs: no VFs"
echo 2 > $dev/sriov_numvfs
is "$(cat $dev/sriov_numvfs)" 2 "netdevsim$id: sriov_numvfs 2"

out=$(vfioctl sriov --netdev "$pf" 2>&1)
is "$?:$(echo "$out" | grep -c "^$pf VF [01]: mac ")" "0:2" "--netdev $pf lists VF 0 and VF 1"
like "$out" "^$pf VF 1: mac 00:00:00:00:00:00  vlan 0 qos 0  trust off  spoofchk off  link-state auto$" \
	"VF 1 starts as netdevsim makes it: no MAC, no VLAN, trust and spoof check off, link auto"

# ---- every setting, read back twice
want="$pf VF 1: mac 02:00:00:00:95:01  vlan 100 qos 3  trust on  spoofchk on  link-state disable"
out=$(vfioctl sriov --netdev "$pf" --vf 1 --mac 02:00:00:00:95:01 --vlan 100:3 --trust on \
	--spoofchk on --link-state disable 2>&1)
is "$?:$out" "0:$want" "sets MAC, VLAN 100 qos 3, trust, spoof check, link disable; read back (RTM_GETLINK)"
is "$(vfiox-vfnet raw "$pf" 1 2>&1)" "mac=02:00:00:00:95:01 vlan=100 qos=3 spoofchk=1 trust=1 link=2" \
	"the helper's own RTM_GETLINK and walk read the same values"
like "$(vfioctl sriov --netdev "$pf" 2>&1)" "^$pf VF 0: mac 00:00:00:00:00:00  vlan 0 qos 0  trust off" \
	"VF 0 is untouched"
out=$(vfioctl sriov --netdev "$pf" --vf 1 --link-state enable --trust off 2>&1)
like "$out" "trust off  spoofchk on  link-state enable$" "trust off and link enable, the rest kept"
vfioctl sriov --netdev "$pf" --vf 1 --trust on --link-state disable > /dev/null 2>&1

# ---- refused by our own check
out=$(vfioctl sriov --netdev "$pf" --vf 1 --vlan 4096 2>&1)
is "$?" 2 "--vlan 4096: usage error (exit 2), before the kernel"
out=$(vfiox-vfnet set "$pf" 1 02:00:00:00:95:01 4096 0 1 1 2 2>&1)
like "$out" "VF 1 of $pf: VLAN 4096 qos 0 is out of range \(VLAN 0..4095, qos 0..7\)" \
	"the library refuses VLAN 4096 itself, naming the VF and the interface"

# ---- refused by netdevsim: a multicast MAC, first, nothing else changed
out=$(vfioctl sriov --netdev "$pf" --vf 1 --mac 01:00:5e:00:00:01 --trust off 2>&1)
rc=$?
diag "kernel said: $out"
is "$rc" 1 "a multicast MAC: exit 1"
like "$out" "VF 1 of $pf: the kernel refused the MAC address 01:00:5e:00:00:01: Invalid argument, the kernel gave no reason; it is a multicast address" \
	"the refusal names the VF, the PF and the setting, with the kernel's answer"
like "$out" "nothing else was changed" "and says nothing else was changed"
is "$(vfiox-vfnet raw "$pf" 1 2>&1)" "mac=02:00:00:00:95:01 vlan=100 qos=3 spoofchk=1 trust=1 link=2" \
	"after it: MAC and trust as before (trust was not tried)"

# ---- refused by netdevsim after four accepted settings: put back
out=$(vfiox-vfnet set "$pf" 1 02:00:00:00:95:99 200 5 0 0 7 2>&1)
rc=$?
diag "kernel said: $out"
is "$rc" 1 "link state 7 after MAC, VLAN, trust and spoof check: refused"
like "$out" "VF 1 of $pf: the kernel refused the link state 7: Invalid argument, the kernel gave no reason; link states are auto, enable and disable" \
	"the refusal names the link state"
like "$out" "put back as they were before: MAC address, VLAN, trust and spoof check$" \
	"and says the four settings applied first were put back"
is "$(vfiox-vfnet raw "$pf" 1 2>&1)" "mac=02:00:00:00:95:01 vlan=100 qos=3 spoofchk=1 trust=1 link=2" \
	"the kernel has every value of before the call again"
like "$(vfioctl sriov --netdev "$pf" --vf 1 2>&1)" "^$want$" "and the library reads the same"

# ---- no such VF, no such interface
out=$(vfioctl sriov --netdev "$pf" --vf 5 --trust on 2>&1)
like "$?:$out" "^1:.*$pf has no VF 5: it has 2 VFs" "--vf 5: '$pf has no VF 5: it has 2 VFs'"
out=$(vfioctl sriov --netdev vfioxnone0 2>&1)
like "$?:$out" "^1:.*vfioxnone0: no such network interface" "an unknown interface is named"

# ---- clean up
echo 0 > $dev/sriov_numvfs
out=$(vfioctl sriov --netdev "$pf" 2>&1)
is "$out" "$pf: no VFs" "sriov_numvfs 0: no VFs again"
echo $id > $NSIM/del_device
check "netdevsim$id deleted" test ! -e $dev
check "its netdev $pf is gone" test ! -e /sys/class/net/$pf
