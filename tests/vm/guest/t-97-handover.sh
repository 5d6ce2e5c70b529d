# SPDX-License-Identifier: LGPL-2.1-or-later
# Hand-over: a program running as uid 65534, which cannot open /dev/vfio/N itself, gets the
# bundle (container, group, device fd) from vfioctl exec / pass / serve and does real work
# with it: an edu DMA round trip through a mapping in the passed container and an MSI on
# its eventfd. Bad hand-overs are refused with every received fd closed. Leaves the edu
# device as it found it (reprobed).
. /tests/tap.sh
. /tests/sysfs.sh

edu=$(edu_alone)
bind_to vfio-pci "$edu"
grp=$(sys_group "$edu")
name=vfio-device-$(echo "$edu" | tr : -)
W=/tmp/t97
mkdir -p $W
chmod 1777 $W

# ---------------------------------------------------------------- exec
out=$(vfioctl exec --user nobody --memlock 64M "$edu" -- vfiox-handover work "$edu" listen 2>&1)
like "$out" "^uid 65534$" "exec --user nobody: the program runs as uid 65534"
like "$out" "^own open /dev/vfio/$grp: Permission denied$" "exec: the program cannot open /dev/vfio/$grp itself"
like "$out" "^fds vfio-container vfio-group-$grp $name$" "exec: it adopts the container, group $grp and the device from LISTEN_FDNAMES"
like "$out" "^roundtrip ok$" "exec: an edu DMA round trip through a mapping in the passed container"
like "$out" "^msi ok$" "exec: edu's MSI arrives on the program's eventfd"

out=$(vfioctl exec --user nobody --memlock 64M --group "$grp" -- vfiox-handover work "$edu" listen 2>&1)
like "$out" "^fds vfio-container vfio-group-$grp$" "exec --group: only the container and the group are passed"
like "$out" "^roundtrip ok$" "exec --group: the program opens the device from the passed group and DMA works"

out=$(vfioctl exec --user nobody --memlock 64M "$edu" -- vfiox-rawclient "$edu" 2>&1)
like "$out" "^group $grp viable attached$" "a client without libvfiox finds the group by LISTEN_FDNAMES: viable, attached"
like "$out" "^edu id 0x010000ed$" "the raw client reads edu's id register through the passed device fd"
like "$out" "^dma map ok$" "the raw client maps DMA in the passed container with VFIO_IOMMU_MAP_DMA"

# What the program gets, seen from outside (a shell would show its own fds): fds 0-2 and
# the bundle, the variables, the ids, the limit.
vfioctl exec --user nobody --memlock 64M "$edu" -- sleep 10 > /dev/null 2>&1 &
pid=$!
i=0; while [ "$(cat /proc/$pid/comm 2>/dev/null)" != sleep ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
fds=$(ls /proc/$pid/fd | sort -n | tr '\n' ' ')
envs=$(tr '\0' '\n' < /proc/$pid/environ | grep '^LISTEN_' | sort | tr '\n' ' ')
out=$(grep -E "^(Uid|Gid|Groups|NoNewPrivs):" /proc/$pid/status; grep "locked memory" /proc/$pid/limits)
kill $pid
wait $pid 2>/dev/null
is "$fds" "0 1 2 3 4 5 " "exec: the program has fds 0-2 and the bundle at 3, 4, 5, nothing else"
is "$envs" "LISTEN_FDNAMES=vfio-container:vfio-group-$grp:$name LISTEN_FDS=3 LISTEN_PID=$pid " \
	"exec: LISTEN_FDS=3, LISTEN_PID the program's pid, LISTEN_FDNAMES in the documented form"
like "$out" "^Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534$" "exec: real, effective, saved and fs uid are all 65534 (no way back)"
like "$out" "^Gid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534$" "exec: all gids 65534"
like "$out" "^Groups:[[:space:]]+65534[[:space:]]*$" "exec: supplementary groups are nobody's, root's are gone"
like "$out" "^NoNewPrivs:[[:space:]]+1$" "exec: no setuid program can give root back"
like "$out" "locked memory +67108864 +67108864 +bytes" "exec --memlock 64M: RLIMIT_MEMLOCK is 64 MiB"

vfioctl exec --user nobody "$edu" -- /nonexistent/program > /dev/null 2> $W/err
rc=$?
is "$rc" 1 "exec of a program that does not exist exits 1"
like "$(cat $W/err)" "cannot run /nonexistent/program" "exec names the program it cannot run"

# A device not on vfio-pci: nothing runs.
nv=$(nvme_plain)
rm -f $W/ran
vfioctl exec --user nobody "$nv" -- touch $W/ran > /dev/null 2> $W/err
rc=$?
is "$rc" 1 "exec of a device not bound to vfio-pci exits 1"
like "$(cat $W/err)" "/dev/vfio/[0-9]+ does not exist|not viable|vfio-pci" "exec says the device's group cannot be opened"
check "exec runs nothing when the bundle cannot be opened" test ! -e $W/ran

# ---------------------------------------------------------------- bad messages
out=$(vfiox-handover badmsg "$grp" 2>&1)
like "$out" "^good: adopted \(-\) fds ([0-9]+)->\\1$" "a good hand-over over a socketpair is adopted and freed without leaking"
like "$out" "^no-fds: EBADMSG .*describes 2 fds and came with 0.* fds ([0-9]+)->\\1$" "a message without its fds is refused"
like "$out" "^more-fds: EBADMSG .*came with 3.* fds ([0-9]+)->\\1$" "more fds than described: refused, all three closed"
like "$out" "^truncated: EBADMSG .*truncated.* fds ([0-9]+)->\\1$" "truncated text is refused, its fds closed"
like "$out" "^overlong: EMSGSIZE .* fds ([0-9]+)->\\1$" "a message over 4096 bytes is refused, its fds closed"
like "$out" "^wrong-group: EBADF .* fds ([0-9]+)->\\1$" "a group fd described as another group is refused (fstat)"
like "$out" "^pipe-as-group: EBADF .*is a pipe, not /dev/vfio/$grp.* fds ([0-9]+)->\\1$" "a pipe described as a group is refused, naming it"
like "$out" "^pipe-as-container: EBADF .*said to be the container.* fds ([0-9]+)->\\1$" "a pipe described as the container is refused"

reprobe "$edu"
