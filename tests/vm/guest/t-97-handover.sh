# SPDX-License-Identifier: LGPL-2.1-or-later
# Hand-over: a program running as uid 65534, which cannot open /dev/vfio/N itself, gets the
# bundle from vfioctl exec / pass / serve and does real work with it: an edu DMA round trip
# through a mapping in the passed container and an MSI on its eventfd. Over type1 the bundle
# is the container, the group and the device fd; over iommufd (VFIOX_BACKEND=iommufd, which
# vfioctl takes when --backend is not given) an open /dev/iommu and the device's cdev, not
# bound: the receiver allocates the IOAS and binds it. Bad hand-overs are refused with every
# received fd closed. Leaves the edu device as it found it (reprobed).
# vfiox-backends: all
. /tests/tap.sh
. /tests/sysfs.sh

edu=$(edu_alone)
bind_to vfio-pci "$edu"
grp=$(sys_group "$edu")
name=vfio-device-$(echo "$edu" | tr : -)
W=/tmp/t97
# Empty for each run (the file runs once per backend): a wait for "listening" or "ready"
# must never see the last run's files.
rm -rf $W
mkdir -p $W
chmod 1777 $W
# Run by hand (no VFIOX_BACKEND): type1, for vfioctl and the helpers alike (auto could differ).
backend=${VFIOX_BACKEND:-type1}
export VFIOX_BACKEND=$backend
if [ "$backend" = iommufd ] && [ ! -c /dev/iommu ]; then
	reprobe "$edu"
	skip_file "the iommufd backend needs /dev/iommu, and this kernel ($(uname -r)) has none (CONFIG_IOMMUFD)"
fi
if [ "$backend" = iommufd ]; then
	cdev=$(ls /sys/bus/pci/devices/$edu/vfio-dev 2>/dev/null | head -n 1)
	names="iommufd vfio-cdev-$(echo "$edu" | tr : -)"
	kinds="iommufd \(iommufd\), vfio-cdev-$(echo "$edu" | tr : -) \(cdev\)"
	group_names=$names
	nfds=2
else
	names="vfio-container vfio-group-$grp $name"
	kinds="vfio-container \(container\), vfio-group-$grp \(group\), $name \(device\)"
	group_names="vfio-container vfio-group-$grp"
	nfds=3
fi
diag "backend $backend: $names"

# ---------------------------------------------------------------- exec
out=$(vfioctl exec --user nobody --memlock 64M "$edu" -- vfiox-handover work "$edu" listen 2>&1)
like "$out" "^uid 65534$" "exec --user nobody: the program runs as uid 65534"
like "$out" "^own open /dev/vfio/$grp: Permission denied$" "exec: the program cannot open /dev/vfio/$grp itself"
if [ "$backend" = iommufd ]; then
	like "$out" "^own open /dev/vfio/devices/$cdev: Permission denied$" "exec: nor the cdev /dev/vfio/devices/$cdev"
fi
like "$out" "^fds $names$" "exec: it adopts the $backend bundle from LISTEN_FDNAMES ($names)"
like "$out" "^backend $backend$" "exec: the bundle's backend is $backend"
like "$out" "^roundtrip ok$" "exec: an edu DMA round trip through a mapping in the passed container"
like "$out" "^msi ok$" "exec: edu's MSI arrives on the program's eventfd"

out=$(vfioctl exec --user nobody --memlock 64M --group "$grp" -- vfiox-handover work "$edu" listen 2>&1)
if [ "$backend" = iommufd ]; then
	like "$out" "^fds $group_names$" "exec --group: the iommufd and the cdev of the group's device on vfio-pci"
	like "$out" "^roundtrip ok$" "exec --group: DMA works through the group's cdev"
else
	like "$out" "^fds $group_names$" "exec --group: only the container and the group are passed"
	like "$out" "^roundtrip ok$" "exec --group: the program opens the device from the passed group and DMA works"
fi

out=$(vfioctl exec --user nobody --memlock 64M "$edu" -- vfiox-rawclient "$edu" 2>&1)
if [ "$backend" = iommufd ]; then
	like "$out" "^ioas [0-9]+$" "a client without libvfiox finds the iommufd by LISTEN_FDNAMES and allocates an IOAS"
	like "$out" "^cdev bound devid [0-9]+ attached$" "the raw client binds the passed cdev (VFIO_DEVICE_BIND_IOMMUFD) and attaches it"
	like "$out" "^edu id 0x010000ed$" "the raw client reads edu's id register through the passed cdev"
	like "$out" "^dma map ok$" "the raw client maps DMA in its IOAS with IOMMU_IOAS_MAP"
else
	like "$out" "^group $grp viable attached$" "a client without libvfiox finds the group by LISTEN_FDNAMES: viable, attached"
	like "$out" "^edu id 0x010000ed$" "the raw client reads edu's id register through the passed device fd"
	like "$out" "^dma map ok$" "the raw client maps DMA in the passed container with VFIO_IOMMU_MAP_DMA"
fi

# What the program gets, seen from outside (a shell would show its own fds): fds 0-2 and
# the bundle, the variables, the ids, the limit.
vfioctl exec --user nobody --memlock 64M "$edu" -- sleep 10 > /dev/null 2>&1 &
pid=$!
i=0; while [ "$(cat /proc/$pid/comm 2>/dev/null)" != sleep ] && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
fds=$(ls /proc/$pid/fd | sort -n | tr '\n' ' ')
envs=$(tr '\0' '\n' < /proc/$pid/environ | grep '^LISTEN_' | sort | tr '\n' ' ')
out=$(grep -E "^(Uid|Gid|Groups|NoNewPrivs):" /proc/$pid/status; grep "locked memory" /proc/$pid/limits)
kill $pid
wait $pid 2>/dev/null
want=$(seq 0 $((2 + nfds)) | tr '\n' ' ')
is "$fds" "$want" "exec: the program has fds 0-2 and the bundle's $nfds at 3.., nothing else"
is "$envs" "LISTEN_FDNAMES=$(echo $names | tr ' ' :) LISTEN_FDS=$nfds LISTEN_PID=$pid " \
	"exec: LISTEN_FDS=$nfds, LISTEN_PID the program's pid, LISTEN_FDNAMES in the documented form"
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
like "$(cat $W/err)" "/dev/vfio/[0-9]+ does not exist|not viable|vfio-pci" "exec says the device's group (or cdev) cannot be opened"
check "exec runs nothing when the bundle cannot be opened" test ! -e $W/ran

# ---------------------------------------------------------------- bad messages
if [ "$backend" = iommufd ]; then
out=$(vfiox-handover badmsg-iommufd "$edu" 2>&1)
like "$out" "^good: adopted \(-\) fds ([0-9]+)->\\1$" "iommufd: a good hand-over over a socketpair is adopted (IOAS, bind, attach) and freed without leaking"
like "$out" "^no-fds: EBADMSG .*describes 2 fds and came with 0.* fds ([0-9]+)->\\1$" "iommufd: a message without its fds is refused"
like "$out" "^more-fds: EBADMSG .*came with 3.* fds ([0-9]+)->\\1$" "iommufd: more fds than described: refused, all three closed"
like "$out" "^truncated: EBADMSG .*truncated.* fds ([0-9]+)->\\1$" "iommufd: truncated text is refused, its fds closed"
like "$out" "^overlong: EMSGSIZE .* fds ([0-9]+)->\\1$" "iommufd: a message over 4096 bytes is refused, its fds closed"
like "$out" "^mixed: EBADMSG .*never both.* fds ([0-9]+)->\\1$" "a bundle mixing a container and a cdev is refused"
like "$out" "^other-cdev: EBADF .*said to be the cdev of 0000:00:00.0.* fds ([0-9]+)->\\1$" "a cdev described as another device's is refused"
like "$out" "^iommufd-as-cdev: EBADF .*the character device 10:[0-9]+, not /dev/vfio/devices/$cdev.* fds ([0-9]+)->\\1$" "/dev/iommu described as the cdev is refused by its device number (sysfs)"
like "$out" "^cdev-as-iommufd: EBADF .*said to be the iommufd.*not /dev/iommu.* fds ([0-9]+)->\\1$" "the cdev described as the iommufd is refused by its device number"
like "$out" "^pipe-as-cdev: EBADF .*is a pipe, not /dev/vfio/devices/$cdev.* fds ([0-9]+)->\\1$" "a pipe described as the cdev is refused, naming it"
like "$out" "^group-open: EBUSY .*cannot bind $edu to the iommufd: it is in use: its IOMMU group $grp is open through /dev/vfio/$grp.* fds ([0-9]+)->\\1$" "the kernel's bind refusal (the group open the type1 way) is reported, naming the group, every fd closed"
like "$out" "^bound-elsewhere: EINVAL .*open and bound already.* fds ([0-9]+)->\\1$" "a cdev bound by another receiver: the kernel refuses the bind, said so, every fd closed"
else
out=$(vfiox-handover badmsg "$grp" 2>&1)
like "$out" "^good: adopted \(-\) fds ([0-9]+)->\\1$" "a good hand-over over a socketpair is adopted and freed without leaking"
like "$out" "^no-fds: EBADMSG .*describes 2 fds and came with 0.* fds ([0-9]+)->\\1$" "a message without its fds is refused"
like "$out" "^more-fds: EBADMSG .*came with 3.* fds ([0-9]+)->\\1$" "more fds than described: refused, all three closed"
like "$out" "^truncated: EBADMSG .*truncated.* fds ([0-9]+)->\\1$" "truncated text is refused, its fds closed"
like "$out" "^overlong: EMSGSIZE .* fds ([0-9]+)->\\1$" "a message over 4096 bytes is refused, its fds closed"
like "$out" "^wrong-group: EBADF .* fds ([0-9]+)->\\1$" "a group fd described as another group is refused (fstat)"
like "$out" "^pipe-as-group: EBADF .*is a pipe, not /dev/vfio/$grp.* fds ([0-9]+)->\\1$" "a pipe described as a group is refused, naming it"
like "$out" "^pipe-as-container: EBADF .*said to be the container.* fds ([0-9]+)->\\1$" "a pipe described as the container is refused"
fi

# ---------------------------------------------------------------- pass
rm -f $W/pass.sock
su -s /bin/sh nobody -c "vfiox-handover work $edu recv $W/pass.sock" > $W/pass.out 2>&1 &
rpid=$!
i=0; while ! grep -q listening $W/pass.out 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
vfioctl pass --socket $W/pass.sock "$edu" 2> $W/pass.err
is "$?" 0 "pass --socket: exit 0"
wait $rpid
out=$(cat $W/pass.out)
like "$out" "^uid 65534$" "pass: the receiver runs as uid 65534"
like "$out" "^own open /dev/vfio/$grp: Permission denied$" "pass: the receiver cannot open /dev/vfio/$grp itself"
like "$out" "^fds $names$" "pass: the $backend bundle arrives in one packet and is adopted"
like "$out" "^roundtrip ok$" "pass: an edu DMA round trip through the passed container"
like "$out" "^msi ok$" "pass: the MSI arrives on the receiver's eventfd"
like "$(cat $W/pass.err)" "^vfioctl pass: $backend bundle $kinds to $W/pass.sock \(pid $rpid, uid 65534 \(nobody\)\)$" \
	"pass: one line naming the backend, each fd and its kind, and to whom"
vfioctl pass --socket $W/nobody-listens "$edu" 2> $W/err
is "$?" 1 "pass to a socket nobody listens on exits 1"
like "$(cat $W/err)" "cannot connect to $W/nobody-listens: No such file" "pass names the socket and why"
vfiox-handover full $W/full.sock 10 > $W/full.out 2>&1 &
fpid=$!
i=0; while ! grep -q listening $W/full.out 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
vfioctl pass --timeout 1 --socket $W/full.sock "$edu" 2> $W/err
is "$?" 1 "pass to a listener whose backlog stays full exits 1 after --timeout"
like "$(cat $W/err)" "cannot connect to $W/full.sock: .*backlog full" "pass says the listener accepts no connection"
kill $fpid 2> /dev/null; wait $fpid 2> /dev/null

# ---------------------------------------------------------------- serve
rm -f $W/serve.sock
vfioctl serve --socket $W/serve.sock --allow nobody "$edu" 2> $W/serve.log &
spid=$!
i=0; while ! grep -q "listening on" $W/serve.log 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
is "$(stat -c '%a %u' $W/serve.sock)" "600 65534" "serve --allow nobody: the socket is nobody's, mode 600"
# A peer that takes the bundle and then reads and says nothing: nobody waits for it.
su -s /bin/sh nobody -c "vfiox-handover silent $W/serve.sock 20" > /dev/null 2>&1 &
silent=$!
# Let the silent peer be served first: were it to connect while the next peer holds an iommufd
# bundle, it would be refused and the counts below would differ.
i=0; while ! grep -q "handed" $W/serve.log 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
out=$(su -s /bin/sh nobody -c "vfiox-handover work $edu connect $W/serve.sock" 2>&1)
like "$out" "^roundtrip ok$" "serve: an allowed peer (uid 65534) gets the bundle and DMA works, a silent peer connected meanwhile"
like "$out" "^msi ok$" "serve: the MSI arrives on the peer's eventfd"
out=$(su -s /bin/sh nobody -c "vfiox-handover ask $W/serve.sock" 2>&1)
is "$out" "got $nfds fds" "serve: the next peer that asks gets the bundle too"
out=$(vfiox-handover ask $W/serve.sock 2>&1)
like "$out" "^refused: the peer refused: uid 0 \(root\) is not allowed by this vfioctl serve \(--allow nobody\)$" \
	"serve: root, which the socket's mode lets in, is refused by SO_PEERCRED, naming its uid"
out=$(vfiox-handover ask $W/serve.sock 1234 2>&1)
is "$out" "connect: Permission denied" "serve: uid 1234 cannot even connect (the socket's mode)"
kill $silent 2>/dev/null
wait $silent 2>/dev/null
kill -TERM $spid
wait $spid
is "$?" 0 "serve: SIGTERM stops it with exit 0"
check "serve: the socket is removed on SIGTERM" test ! -e $W/serve.sock
log=$(cat $W/serve.log)
like "$log" "handed $backend bundle $kinds to pid [0-9]+, uid 65534 \(nobody\)" "serve: a log line per hand-over, naming the backend and each fd's kind"
like "$log" "refused pid [0-9]+, uid 0 \(root\): not allowed" "serve: a log line per refusal"
like "$log" "stopped after 3 hand-overs and 1 refusals" "serve: the last line counts what it did"

# iommufd: a cdev binds once, so serve opens the bundle afresh for each peer, and while a
# peer holds it the next one is refused, the holder named; once it lets go, the next gets it.
if [ "$backend" = iommufd ]; then
	rm -f $W/serve2.sock
	vfioctl serve --socket $W/serve2.sock --allow nobody "$edu" 2> $W/serve2.log &
	spid=$!
	i=0; while ! grep -q "listening on" $W/serve2.log 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
	like "$(cat $W/serve2.log)" "listening on .* opened afresh for each peer" "serve (iommufd): says it opens the bundle afresh for each peer"
	su -s /bin/sh nobody -c "vfiox-handover keep $W/serve2.sock 30" > $W/keep.out 2>&1 &
	kpid=$!
	i=0; while ! grep -q kept $W/keep.out 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
	is "$(cat $W/keep.out)" "kept 2 fds" "serve (iommufd): a peer adopts the bundle (its cdev bound) and keeps it"
	out=$(su -s /bin/sh nobody -c "vfiox-handover ask $W/serve2.sock" 2>&1)
	like "$out" "^refused: the peer refused: $edu cannot be handed over by its cdev: pid [0-9]+ \(vfiox-handove.*\) has /dev/vfio/devices/$cdev open already" \
		"serve (iommufd): the next peer is refused while one holds the cdev, the holder named"
	kill $kpid 2>/dev/null
	wait $kpid 2>/dev/null
	out=$(su -s /bin/sh nobody -c "vfiox-handover ask $W/serve2.sock" 2>&1)
	is "$out" "got 2 fds" "serve (iommufd): once it let go, the next peer gets a fresh bundle"
	kill -TERM $spid
	wait $spid
	like "$(cat $W/serve2.log)" "stopped after 2 hand-overs and 1 refusals" "serve (iommufd): two hand-overs and the refusal counted"
fi

# A live socket of another program (SOCK_STREAM) at the path is not stale: left alone.
vfiox-handover stream $W/stream.sock 10 > $W/stream.out 2>&1 &
lpid=$!
i=0; while ! grep -q listening $W/stream.out 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
timeout 5 vfioctl serve --socket $W/stream.sock --allow nobody "$edu" 2> $W/err
is "$?" 1 "serve on the path of another program's live stream socket exits 1"
check "serve leaves another program's live socket in place" test -S $W/stream.sock
like "$(cat $W/err)" "$W/stream.sock is in use by another program" "serve says the socket at the path is in use"
kill $lpid 2>/dev/null
wait $lpid 2>/dev/null
rm -f $W/stream.sock

# The socket's directory is the allowed user's: between bind and setting the owner, that
# user swaps the socket for a symlink to a file of root's. serve must not follow it.
mkdir -p $W/nb
chown nobody $W/nb
echo secret > $W/victim
chmod 644 $W/victim
VFIOCTL_TEST_STOP_AT_STEP=1 vfioctl serve --socket $W/nb/s.sock --allow nobody "$edu" 2> $W/race.log &
spid=$!
i=0; while ! grep -q "test hook: stopped" $W/race.log 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
su -s /bin/sh nobody -c "rm -f $W/nb/s.sock && ln -s $W/victim $W/nb/s.sock"
kill -CONT $spid
i=0; while ! grep -qE "listening on|is no longer" $W/race.log 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
grep -q "listening on" $W/race.log && kill -TERM $spid
wait $spid
rc=$?
is "$(stat -c '%a %u' $W/victim)" "644 0" "serve: a symlink swapped in for its socket is not followed (the file it points to keeps owner and mode)"
is "$rc" 1 "serve: a socket path swapped before its owner is set: exit 1"
like "$(cat $W/race.log)" "$W/nb/s.sock is no longer the socket vfioctl serve created" "serve says its socket path was replaced"
rm -rf $W/nb $W/victim

vfioctl serve --socket $W/s2.sock --allow nobody "$nv" 2> $W/err
is "$?" 1 "serve of a device not on vfio-pci exits 1 at once"
check "serve that cannot open the bundle leaves no socket" test ! -e $W/s2.sock

# ---------------------------------------------------------------- revoke
# Through the journal: vfioctl bind records the driver edu had (none), revoke puts it back.
# The holder holds the group over type1, the cdev over iommufd: REQ reaches it either way.
# A kernel without file locking (CONFIG_FILE_LOCKING) cannot lock the journal: then edu is
# bound through sysfs and only what needs no journal is checked.
# (Every wait below for a helper to say it is ready allows 15 s: under TCG, with other guests
# on the host, 5 s was sometimes not enough for a hand-over to be opened and adopted.)
reprobe "$edu"
before=$(sys_driver "$edu")
vfioctl bind "$edu" > /dev/null 2> $W/err
nolock=
if grep -q "Function not implemented" $W/err; then
	nolock="this kernel has no file locking (CONFIG_FILE_LOCKING): the journal cannot be locked"; diag "vfioctl bind: $(cat $W/err)"
	bind_to vfio-pci "$edu"
	skip "revoke setup: vfioctl bind puts edu on vfio-pci: $nolock"
else
	is "$(sys_driver "$edu")" vfio-pci "revoke setup: vfioctl bind put edu on vfio-pci (journaled)"
	[ -s $W/err ] && diag "vfioctl bind: $(cat $W/err)"
fi
: > $W/hold.out # emptied first: the wait below must not see the last holder's "ready"
vfioctl exec --user nobody "$edu" -- vfiox-handover hold "$edu" cooperative 30 > $W/hold.out 2>&1 &
hpid=$!
i=0; while ! grep -q ready $W/hold.out 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
vfioctl revoke "$edu" --timeout 5 > $W/rv.out 2> $W/rv.err
rc=$?
wait $hpid
like "$(cat $W/hold.out)" "^req: released$" "revoke: the holder (uid 65534, holding the $([ "$backend" = iommufd ] && echo cdev || echo group)) got the REQ interrupt and let go"
if [ -n "$nolock" ]; then
	like "$(cat $W/rv.err)" "cannot lock" "revoke: released, then the journal cannot be locked, and it says so"
	skip "revoke: exit 0, and edu back on the driver it had: $nolock"
	skip "revoke says so: $nolock"
else
	is "$rc" 0 "revoke of a device whose holder releases it on REQ: exit 0"
	is "$(sys_driver "$edu")" "$before" "revoke: the device is back on the driver it had ($before)"
	like "$(cat $W/rv.out)" "released and back on the driver it had" "revoke says so"
fi

if [ -n "$nolock" ]; then bind_to vfio-pci "$edu"; else vfioctl bind "$edu" > /dev/null 2>&1; fi
: > $W/hold.out # emptied first: the wait below must not see the last holder's "ready"
vfioctl exec --user nobody "$edu" -- vfiox-handover hold "$edu" ignore 60 > $W/hold.out 2>&1 &
hpid=$!
i=0; while ! grep -q ready $W/hold.out 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
vfioctl revoke "$edu" --timeout 1 > $W/rv.out 2> $W/rv.err
is "$?" 1 "revoke of a device whose holder ignores REQ: exit 1 after the timeout"
like "$(cat $W/rv.err)" "still held by pid $hpid \(vfiox-handover\) 1000 ms after the REQ interrupt.*nothing was changed" \
	"revoke names the holding process, and that nothing was changed"
like "$(cat $W/hold.out)" "^req: ignored$" "the holder got the REQ interrupt and ignored it"
is "$(sys_driver "$edu")" vfio-pci "revoke that timed out: the device is still on vfio-pci"
check "revoke that timed out: the holder still runs" kill -0 $hpid
kill $hpid
wait $hpid 2>/dev/null
if [ -n "$nolock" ]; then
	skip "after the holder is gone, restore puts edu back: $nolock"
	skip "nvme for revoke: $nolock"
	skip "nvme back on nvme after revoke: $nolock"
	reprobe "$edu"
else
	vfioctl restore "$edu" > /dev/null 2>&1
	is "$(sys_driver "$edu")" "$before" "after the holder is gone, restore puts edu back"
	# The same with a device that has a host driver: nvme goes back to nvme.
	if [ "$(sys_driver "$nv")" = nvme ] && vfioctl bind "$nv" > /dev/null 2> $W/err; then
		: > $W/hold.out # emptied first: the wait below must not see the last holder's "ready"
		vfioctl exec --user nobody "$nv" -- vfiox-handover hold "$nv" cooperative 30 > $W/hold.out 2>&1 &
		hpid=$!
		i=0; while ! grep -q ready $W/hold.out 2>/dev/null && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
		vfioctl revoke "$nv" --timeout 5 > /dev/null 2> $W/rv.err
		is "$?" 0 "revoke of nvme held by a cooperative holder: exit 0"
		wait $hpid
		is "$(sys_driver "$nv")" nvme "revoke: nvme is back on the nvme driver (the journal)"
	else
		skip "nvme for revoke: it is on $(sys_driver "$nv") or bind refused: $(cat $W/err)"
		skip "nvme back on nvme after revoke"
	fi
fi
vfioctl revoke "$edu" > /dev/null 2> $W/err
is "$?" 1 "revoke of a device not on vfio-pci exits 1"
like "$(cat $W/err)" "not on vfio-pci: there is nothing to revoke" "revoke says there is nothing to revoke"

reprobe "$edu"
