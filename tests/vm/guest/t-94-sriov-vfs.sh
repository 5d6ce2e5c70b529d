# SPDX-License-Identifier: LGPL-2.1-or-later
# vfioctl sriov on the SR-IOV nvme PF: bad input changes nothing; 2 VFs come up without a
# driver (autoprobe off), are bound to vfio-pci and removed again with autoprobe put back;
# with the PF on vfio-pci a VF token is created, and a VF opens with it and not without.
# Starts from the PF on the driver the kernel picks for it (nvme) without VFs, and puts
# back the driver and autoprobe it found (earlier files may leave it on vfio-pci).
. /tests/tap.sh
. /tests/sysfs.sh

pf=$(nvme_pf)
[ -n "$pf" ] || skip_file "no SR-IOV PF (see tests/vm/devices.sh)"
export VFIOX_STATE_DIR=/tmp/t94-state
J=$VFIOX_STATE_DIR/devices
found=$(sys_driver "$pf")
found_ap=$(cat $PCI/$pf/sriov_drivers_autoprobe)
[ "$(cat $PCI/$pf/sriov_numvfs)" = 0 ] || echo 0 > $PCI/$pf/sriov_numvfs
echo 1 > $PCI/$pf/sriov_drivers_autoprobe
unbind "$pf"
echo "$pf" > /sys/bus/pci/drivers_probe
drv0=$(sys_driver "$pf")
sriov_state() {
	echo "numvfs=$(cat $PCI/$pf/sriov_numvfs) autoprobe=$(cat $PCI/$pf/sriov_drivers_autoprobe) driver=$(sys_driver "$pf")"
}
# wait_stopped FILE PID: until FILE says the test hook stopped vfioctl, or PID is gone
wait_stopped() {
	_i=0
	while ! grep -q "test hook: stopped" "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 300 ] && return 1
		sleep 0.1
	done
	grep -q "test hook: stopped" "$1"
}
before=$(sriov_state)
is "$before" "numvfs=0 autoprobe=1 driver=nvme" "start: $pf on nvme without VFs, autoprobe on (it was on $found)"

# ---- bad input: clear errors, nothing changed
out=$(vfioctl sriov "$pf" --vfs 3 2>&1)
rc=$?
is "$rc" 1 "--vfs 3 on a PF with sriov_totalvfs 2: exit 1"
like "$out" "$pf can have at most 2 VFs" "--vfs 3: the message names the PF and its limit"
edu=$(edu_alone)
out=$(vfioctl sriov "$edu" --vfs 1 2>&1)
rc=$?
is "$rc:$(echo "$out" | grep -c 'is not an SR-IOV physical function')" "1:1" \
	"--vfs 1 on an edu: exit 1, 'not an SR-IOV physical function'"
out=$(vfioctl sriov "$pf" --vfs 2 --mac 02:00:00:00:00:01,02:00:00:00:00:02 --trust on 2>&1)
rc=$?
is "$rc" 1 "--mac on a PF without netdev: exit 1"
like "$out" "$pf has no network interface \(driver $drv0\)" "--mac: 'no network interface', naming the PF and its driver"
out=$(vfioctl sriov "$pf" --vfs two 2>&1)
is "$?" 2 "--vfs two: usage error, exit 2"
out=$(vfioctl sriov "$pf" --vfs 2 --mac 02:00:00:00:00:01 2>&1)
is "$?" 2 "--mac with one address for 2 VFs: usage error, exit 2"
is "$(sriov_state)" "$before" "after the bad input: sriov_numvfs, autoprobe and driver unchanged"
check "after the bad input: nothing journaled" test ! -e "$J/$pf"

# ---- 2 VFs with the PF on its host driver
vfioctl sriov --json "$pf" --vfs 2 > /tmp/t94.json 2> /tmp/t94.err
rc=$?
is "$rc" 0 "sriov $pf --vfs 2: exit 0"
[ "$rc" = 0 ] || diag "$(cat /tmp/t94.err)"
is "$(cat $PCI/$pf/sriov_numvfs) $(cat $PCI/$pf/sriov_drivers_autoprobe)" "2 0" \
	"sysfs: 2 VFs, sriov_drivers_autoprobe off while they exist"
vfs=$(for l in $PCI/$pf/virtfn*; do basename "$(readlink $l)"; done | sort)
bad=""
for vf in $vfs; do
	g=$(sys_group "$vf")
	[ "$(sys_driver "$vf")" = vfio-pci ] && [ -c /dev/vfio/$g ] || bad="$bad $vf:$(sys_driver "$vf"):$g"
done
is "$bad" "" "every VF is bound to vfio-pci and its /dev/vfio node exists"
is "$(jq -c '[.numvfs, .totalvfs, .drivers_autoprobe, .vf_token, ([.vfs[].driver] | unique)]' /tmp/t94.json)" \
	'[2,2,false,null,["vfio-pci"]]' "--json: 2 of 2 VFs on vfio-pci, autoprobe false, no token (PF not on vfio-pci)"
is "$(jq -r '[.vfs[].address] | join(" ")' /tmp/t94.json)" "$(echo $vfs)" "--json lists the VFs of the virtfn links"
is "$(grep -E '^(sriov_numvfs|sriov_drivers_autoprobe)=' "$J/$pf" | tr '\n' ' ')" \
	"sriov_numvfs=0 sriov_drivers_autoprobe=1 " "journal of $pf: the values from before (0 VFs, autoprobe 1)"
bad=""
for vf in $vfs; do grep -qx 'driver=' "$J/$vf" || bad="$bad $vf"; done
is "$bad" "" "journal of each VF: it had no driver before the bind (autoprobe off: no host driver took it)"

vf0=$(echo $vfs | cut -d' ' -f1)
g0=$(sys_group "$vf0")
out=$(vfioctl sriov "$pf")
like "$out" "^$pf: driver $drv0, 2 of 2 VFs, sriov_drivers_autoprobe off\$" \
	"sriov $pf (human form): driver, 2 of 2 VFs, autoprobe off"
like "$out" "^  VF 0 +$vf0 +vfio-pci +group $g0 +/dev/vfio/$g0\$" "sriov $pf (human form): VF 0, its driver, group and node"
rule94=/tmp/t94-etc/udev/rules.d/61-vfioctl-$vf0.rules
VFIOX_ETC_ROOT=/tmp/t94-etc vfioctl bind --persist "$vf0" > /tmp/t94.out 2>&1
rc=$?
is "$rc:$(test -e $rule94 && echo rule)" "0:rule" "bind --persist $vf0 (on vfio-pci already): exit 0, a udev rule for it"

out=$(vfioctl sriov "$pf" --vfs 1 2>&1)
rc=$?
is "$rc" 1 "--vfs 1 with 2 VFs present: exit 1"
like "$out" "has 2 VFs already.*--vfs 0" "--vfs 1: the kernel needs 0 first, and the message says so"
is "$(cat $PCI/$pf/sriov_numvfs)" 2 "--vfs 1 refused: still 2 VFs"

# A VF held open through VFIO must not be removed (the kernel would wait for its user).
sleep 60 < /dev/vfio/$g0 &
holder=$!
out=$(vfioctl sriov "$pf" --vfs 0 2>&1)
rc=$?
is "$rc" 1 "--vfs 0 while /dev/vfio/$g0 is open: exit 1"
like "$out" "VF $vf0 of $pf is open through VFIO \(pid $holder" "--vfs 0: names the VF and the process holding it"
is "$(cat $PCI/$pf/sriov_numvfs)" 2 "--vfs 0 refused: still 2 VFs"
kill $holder
wait $holder 2>/dev/null

vfioctl sriov "$pf" --vfs 0 > /tmp/t94.out 2>&1
is "$?" 0 "sriov $pf --vfs 0: exit 0"
is "$(sriov_state)" "$before" "--vfs 0: no VFs, autoprobe back on, PF still on $drv0"
is "$(ls $J 2>/dev/null | tr '\n' ' ')" "" "--vfs 0: the journal entries of the PF and its VFs are gone"
check "--vfs 0: the udev rule of VF $vf0 went with its journal entry" test ! -e $rule94
rm -rf /tmp/t94-etc

# ---- killed halfway through binding the VFs: restore --all puts the PF back
# steps 1 and 2 are autoprobe and sriov_numvfs; the VFs' bind follows, so 5 is its write 3
VFIOCTL_TEST_STOP_AT_STEP=5 vfioctl sriov "$pf" --vfs 2 > /dev/null 2> /tmp/t94.hook &
pid=$!
check "the test hook stopped vfioctl before write 3 of the VFs' bind (step 5)" wait_stopped /tmp/t94.hook $pid
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
vfs=$(for l in $PCI/$pf/virtfn*; do basename "$(readlink $l)"; done | sort)
vf0=$(echo $vfs | cut -d' ' -f1)
is "$(cat $PCI/$pf/sriov_numvfs) $(cat $PCI/$pf/sriov_drivers_autoprobe) $(sys_driver "$vf0")" \
	"2 0 vfio-pci" "killed before write 3 of the VFs' bind: 2 VFs, autoprobe off, $vf0 on vfio-pci"
vfioctl restore --all > /tmp/t94.out 2>&1
rc=$?
is "$rc" 0 "restore --all after the kill: exit 0"
[ "$rc" = 0 ] || diag "$(cat /tmp/t94.out)"
is "$(sriov_state)" "$before" "restore --all: the VFs are gone, autoprobe is on, the PF still on $drv0"
is "$(ls $J 2>/dev/null | tr '\n' ' ')" "" "restore --all: the journal is empty"

# ---- the PF on vfio-pci: VF token
bind_to vfio-pci "$pf"
is "$(sys_driver "$pf")" vfio-pci "$pf moved to vfio-pci (plain sysfs writes)"
vfioctl sriov --json "$pf" --vfs 2 > /tmp/t94.json 2> /tmp/t94.err
rc=$?
is "$rc" 0 "PF on vfio-pci: sriov --vfs 2: exit 0"
[ "$rc" = 0 ] || diag "$(cat /tmp/t94.err)"
token=$(jq -r .vf_token /tmp/t94.json)
like "$token" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' \
	"a VF token is printed: a random (version 4) UUID"
is "$(sed -n 's/^vf_token=//p' "$J/$pf")" "$token" "the token is journaled with the PF"
vfs=$(jq -r '.vfs[].address' /tmp/t94.json)
vf0=$(echo $vfs | cut -d' ' -f1)
is "$(jq -c '[.numvfs, ([.vfs[].driver] | unique)]' /tmp/t94.json)" '[2,["vfio-pci"]]' "2 VFs on vfio-pci"
out=$(vfioctl reset --plan --vf-token "$token" "$vf0" 2>&1)
is "$?" 0 "VF $vf0 opens through VFIO with the token"
other=00000000-1111-4222-8333-444444444444
out=$(vfioctl reset --plan --vf-token $other "$vf0" 2>&1)
rc=$?
is "$rc" 1 "VF $vf0 does not open with another token"
like "$out" "$vf0" "the refusal names the VF"
out=$(vfioctl reset --plan "$vf0" 2>&1)
is "$?" 1 "VF $vf0 does not open without a token"
is "$(vfioctl sriov --json "$pf" | jq -r .vf_token)" "$token" "sriov $pf (no --vfs) shows the journaled token"

vfioctl sriov "$pf" --vfs 0 > /tmp/t94.out 2>&1
is "$?" 0 "PF on vfio-pci: --vfs 0: exit 0"
is "$(cat $PCI/$pf/sriov_numvfs) $(cat $PCI/$pf/sriov_drivers_autoprobe) $(vfioctl sriov --json "$pf" | jq -r .vf_token)" \
	"0 1 null" "--vfs 0: no VFs, autoprobe back on, the token forgotten"

# Back to the host driver, then as the file found it.
unbind "$pf"
echo "$pf" > /sys/bus/pci/drivers_probe
is "$(sriov_state)" "$before" "end: $pf back on $drv0, no VFs, autoprobe on"
case $found in
"$drv0") ;;
null) unbind "$pf" ;;
*) bind_to "$found" "$pf" ;;
esac
echo "$found_ap" > $PCI/$pf/sriov_drivers_autoprobe
