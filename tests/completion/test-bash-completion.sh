#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shell completions for vfioctl against a fake sysfs tree.
#
# bash: sources completions/vfioctl.bash and drives _vfioctl the way bash does: the line
# is split into COMP_WORDS at blanks and at ':' and '=' (bash's default COMP_WORDBREAKS),
# COMP_CWORD points at the word under the cursor, and the reply set (sorted) must equal
# the expected one exactly.
# zsh, fish: `zsh -n` / `fish -n` syntax checks; with fish, also `complete -C` replies.
# Shells that are not installed are skipped with a message.
#
# Prints TAP and a final "N passed, M failed" line; exits 1 when a test fails.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COMPL=$ROOT/completions

T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT

n=0
failed=0
skipped=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }

# ---------------------------------------------------------------- fake sysfs
# Same layout as the real one (see tests/unit): device dirs under devices/pciDDDD:BB,
# bus/pci/devices/<addr> -> that dir, kernel/iommu_groups/<N>/devices/<addr> -> it,
# driver -> bus/pci/drivers/<name>, iommu_group -> kernel/iommu_groups/<N>.
# mkdev SYSFS ADDR CLASS DRIVER|- GROUP|-
mkdev() {
	local s=$1 addr=$2 class=$3 drv=$4 grp=$5
	local rel=devices/pci${addr%:*.*}/$addr
	mkdir -p "$s/$rel" "$s/bus/pci/devices" "$s/bus/pci/drivers"
	printf '0x%s\n' "$class" >"$s/$rel/class"
	ln -s "../../../$rel" "$s/bus/pci/devices/$addr"
	if [ "$drv" != - ]; then
		mkdir -p "$s/bus/pci/drivers/$drv"
		ln -s "../../../bus/pci/drivers/$drv" "$s/$rel/driver"
	fi
	if [ "$grp" != - ]; then
		mkdir -p "$s/kernel/iommu_groups/$grp/devices"
		ln -s "../../../../$rel" "$s/kernel/iommu_groups/$grp/devices/$addr"
		ln -s "../../../kernel/iommu_groups/$grp" "$s/$rel/iommu_group"
	fi
}

S=$T/sys
mkdev "$S" 0000:00:00.0 060000 - 0
mkdev "$S" 0000:00:1c.0 060400 pcieport 1
mkdev "$S" 0000:00:1f.2 010601 ahci 2
mkdev "$S" 0000:03:00.0 010802 vfio-pci 12
mkdev "$S" 0000:04:00.0 020000 e1000e 13
mkdev "$S" 0001:00:02.0 030000 - 14
mkdir -p "$S/bus/pci/drivers/nvme" # a driver with no device bound
echo 7 >"$S/devices/pci0000:04/0000:04:00.0/sriov_totalvfs" # an SR-IOV PF

O=$T/other # a second host, for --sysfs-root
mkdev "$O" 0000:99:00.0 020000 ixgbe 7

# ---------------------------------------------------------------- bash
if ! command -v bash >/dev/null; then
	skip "bash completion" "bash is not installed"
else
	# shellcheck source=completions/vfioctl.bash disable=SC1091
	if ! source "$COMPL/vfioctl.bash"; then
		not_ok "completions/vfioctl.bash can be sourced"
	elif [ "$(complete -p vfioctl 2>/dev/null)" != "complete -F _vfioctl vfioctl" ]; then
		not_ok "completions/vfioctl.bash registers _vfioctl for vfioctl"
	else
		ok "completions/vfioctl.bash registers _vfioctl for vfioctl"
	fi

	DEFAULT_BREAKS=$' \t\n"\'><=;|&(:'

	# Splits LINE the way readline does for COMP_WORDS: at blanks, and every run of
	# break characters ':' '=' becomes a word of its own. A trailing blank starts an
	# empty word. Sets COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT.
	split_line() {
		local line=$1 w c tok i
		COMP_WORDS=()
		for w in $line; do
			tok=""
			for ((i = 0; i < ${#w}; i++)); do
				c=${w:i:1}
				if [[ $c == [:=] && $COMP_WORDBREAKS == *"$c"* ]]; then
					if [[ -n $tok && $tok != *[:=] ]]; then COMP_WORDS+=("$tok"); tok=""; fi
					if [[ -n $tok && $tok == *[:=] ]]; then tok+=$c; else tok=$c; fi
				else
					if [[ $tok == [:=]* ]]; then COMP_WORDS+=("$tok"); tok=""; fi
					tok+=$c
				fi
			done
			COMP_WORDS+=("$tok")
		done
		[[ $line == *' ' ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
	}

	# reply LINE: runs the completion for the cursor at the end of LINE and prints the
	# sorted reply set on one line; anything the function writes to stderr is an error.
	reply() {
		split_line "$1"
		COMPREPLY=()
		_vfioctl vfioctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" \
			2>"$T/stderr"
		printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort | paste -sd' ' -
	}

	# expect LINE EXPECTED-SET [DESCRIPTION]
	expect() {
		local got want
		got=$(reply "$1")
		want=$(tr -s ' \t\n' '\n' <<<"$2" | sed '/^$/d' | LC_ALL=C sort | paste -sd' ' -)
		if [ "$got" = "$want" ] && [ ! -s "$T/stderr" ]; then
			ok "bash: '$1' -> {$want}${3:+ ($3)}"
		else
			not_ok "bash: '$1' -> {$want}${3:+ ($3)}"
			echo "#   got:    {$got}"
			[ ! -s "$T/stderr" ] || sed 's/^/#   stderr: /' "$T/stderr"
		fi
	}

	export VFIOX_SYSFS_ROOT=$S
	COMP_WORDBREAKS=$DEFAULT_BREAKS

	# The comparison itself must be able to fail, or every test below proves nothing.
	if [ "$(reply 'vfioctl ')" != "bind cdi check exec grant help igd irq-test list monitor pass qmp reset restore revoke rom serve show sriov" ] ||
		[ "$(reply 'vfioctl ')" = "help list" ]; then
		not_ok "bash: the harness tells a right reply set from a wrong one"
	else
		ok "bash: the harness tells a right reply set from a wrong one"
	fi

	# verbs and global options
	expect 'vfioctl ' 'bind cdi check exec grant help igd irq-test list monitor pass qmp reset restore revoke rom serve show sriov' 'verbs'
	expect 'vfioctl sh' 'show' 'verb prefix'
	expect 'vfioctl x' '' 'no verb starts with x'
	expect 'vfioctl -' '--sysfs-root --dev-root --wait --no-wait -v --verbose -V --version -h --help' 'global options'
	expect 'vfioctl --' '--sysfs-root --dev-root --wait --no-wait --verbose --version --help' 'long global options'
	expect 'vfioctl --wait ' '' '--wait takes seconds: nothing to offer'
	expect 'vfioctl --wait 30 r' 'reset restore revoke rom' 'after --wait SECONDS: the verbs'
	expect "vfioctl --wait 30 --sysfs-root $O show " '0000:99:00.0 7' '--wait SECONDS is skipped on the way to the verb'
	expect 'vfioctl r' 'reset restore revoke rom' 'verb prefix shared by four verbs'
	expect 'vfioctl i' 'igd irq-test' 'verb prefix shared by two verbs'
	expect 'vfioctl ir' 'irq-test' 'the verb with a hyphen'
	expect 'vfioctl -v ' 'bind cdi check exec grant help igd irq-test list monitor pass qmp reset restore revoke rom serve show sriov' 'verbs after a global option'
	expect 'vfioctl --dev-root /dev ' 'bind cdi check exec grant help igd irq-test list monitor pass qmp reset restore revoke rom serve show sriov' 'verbs after --dev-root DIR'

	# the hand-over verbs
	expect 'vfioctl exec --' '--group --user --memlock --backend --help --' 'options of exec, and the -- before the program'
	expect 'vfioctl exec --user root --' '--group --memlock --backend --help --' 'exec: --user is not offered twice'
	expect 'vfioctl exec --backend ' 'auto type1 iommufd' 'exec --backend: the backends'
	expect 'vfioctl exec --backend=i' 'iommufd' 'exec --backend=B, split at ='
	expect 'vfioctl exec 0000:0' '00:00.0 00:1c.0 00:1f.2 03:00.0 04:00.0' 'exec: devices'
	expect 'vfioctl exec --group ' '0 1 2 12 13 14' 'exec --group: the groups'
	expect 'vfioctl exec --memlock ' '' 'exec --memlock SIZE: nothing offered'
	expect 'vfioctl exec 0000:03:00.0 -- bashbu' 'bashbug' 'exec: after --, a command'
	expect 'vfioctl exec 0000:03:00.0 -- bashbug --' '' 'exec: the program'"'"'s options are not vfioctl'"'"'s'
	expect 'vfioctl pass --' '--group --socket --timeout --backend --help' 'options of pass'
	expect 'vfioctl serve --' '--group --allow --socket --backend --help' 'options of serve'
	expect 'vfioctl serve --allow @roo' '@root' 'serve --allow @GROUP: the groups'
	expect 'vfioctl qmp --' '--group --socket --fdset --json --timeout --backend --attach --force --iommufd-id --help' 'options of qmp'
	expect 'vfioctl qmp --fdset --' '--group --socket --json --timeout --backend --attach --force --iommufd-id --help' 'qmp: --fdset is not offered twice'
	expect 'vfioctl qmp --json --' '--group --socket --fdset --timeout --backend --attach --force --iommufd-id --help' 'qmp: --json is not offered twice'
	expect 'vfioctl qmp --backend iommufd --attach --' '--group --socket --fdset --json --timeout --force --iommufd-id --help' 'qmp: --backend and --attach are not offered twice'
	expect 'vfioctl qmp --iommufd-id ' '' 'qmp --iommufd-id ID: nothing offered'
	expect 'vfioctl revoke --' '--timeout --help' 'options of revoke'
	expect 'vfioctl revoke 0000:03:00.0 ' '' 'revoke takes one device'

	# list
	expect 'vfioctl list --' '--driver --class --group --json --help' 'options of list'
	expect 'vfioctl list --json --' '--driver --class --group --help' 'an option is not offered twice'
	expect 'vfioctl list --g' '--group' 'option prefix'
	expect 'vfioctl list ' '' 'list takes no target'
	expect 'vfioctl list --driver ' 'ahci e1000e nvme pcieport vfio-pci none' 'drivers from bus/pci/drivers'
	expect 'vfioctl list --driver v' 'vfio-pci' 'driver prefix'
	expect 'vfioctl list --driver=v' 'vfio-pci' '--driver=NAME, split at ='
	expect 'vfioctl list --json --driver ' 'ahci e1000e nvme pcieport vfio-pci none' 'drivers after another option'
	expect 'vfioctl list --group ' '0 1 2 12 13 14' 'groups for --group'
	expect 'vfioctl list --group 1' '1 12 13 14' 'group prefix for --group'
	expect 'vfioctl list --class 0' '01 0106 0108 02 0200 03 0300 06 0600 0604' 'class prefixes of the devices present'
	expect 'vfioctl list --class 01' '01 0106 0108' 'class prefix'

	# show
	expect 'vfioctl show ' '0000:00:00.0 0000:00:1c.0 0000:00:1f.2 0000:03:00.0 0000:04:00.0
		0001:00:02.0 0 1 2 12 13 14' 'every device and group'
	expect 'vfioctl show 0000:0' '00:00.0 00:1c.0 00:1f.2 03:00.0 04:00.0' \
		'addresses, minus the part before the last colon as bash inserts them'
	expect 'vfioctl show 0000:00:1' '1c.0 1f.2' 'address prefix in the bus field'
	expect 'vfioctl show 1' '1 12 13 14' 'groups by prefix'
	expect 'vfioctl show 03:' '00.0' 'short address (domain 0) when no full one fits'
	expect 'vfioctl show 9' '' 'nothing fits'
	expect 'vfioctl show --' '--json --vf-token --backend --help' 'options of show'
	expect 'vfioctl show --v' '--vf-token' 'option prefix for show'
	expect 'vfioctl show --json 0000:04' '04:00.0' 'address after an option'
	expect 'vfioctl show 0000:03:00.0 ' '' 'one target only'
	expect 'vfioctl show 12 --' '--json --vf-token --backend --help' 'options after the target'
	expect 'vfioctl show --vf-token --' '' 'the token is not completed, not even as an option'
	expect 'vfioctl show --vf-token ' '' 'no device or group offered as the token'
	expect 'vfioctl show --vf-token 4f2c' '' 'nothing offered while typing the token'
	expect 'vfioctl show --vf-token=' '' '--vf-token=UUID, split at ='
	expect 'vfioctl show --vf-token 4f2c8a1e-0b6d-4c3e-9a57-2d1e8f0c6b3a 0000:03' '03:00.0' \
		'the token is not a target: the device is still completed'
	expect 'vfioctl show --vf-token 4f2c8a1e-0b6d-4c3e-9a57-2d1e8f0c6b3a 1' '1 12 13 14' \
		'groups after the token'
	expect 'vfioctl show --vf-token=4f2c8a1e-0b6d-4c3e-9a57-2d1e8f0c6b3a 0000:04' '04:00.0' \
		'the device after --vf-token=UUID'
	expect 'vfioctl show --vf-token 4f2c8a1e-0b6d-4c3e-9a57-2d1e8f0c6b3a --' '--json --backend --help' \
		'--vf-token is not offered twice'
	expect 'vfioctl show --vf-token 4f2c8a1e-0b6d-4c3e-9a57-2d1e8f0c6b3a 0000:03:00.0 ' '' \
		'one target only, after the token'
	expect 'vfioctl show --backend ' 'auto type1 iommufd' 'show --backend: the backends'
	expect 'vfioctl show --backend=t' 'type1' 'show --backend=B, split at ='
	expect 'vfioctl show --backend iommufd 1' '1 12 13 14' 'the backend is not a target: groups follow'
	expect 'vfioctl show --backend iommufd --' '--json --vf-token --help' '--backend is not offered twice'
	expect 'vfioctl show --backend iommufd 0000:03:00.0 ' '' 'one target only, after the backend'

	COMP_WORDBREAKS=${DEFAULT_BREAKS//:/}
	expect 'vfioctl show 0000:0' '0000:00:00.0 0000:00:1c.0 0000:00:1f.2 0000:03:00.0 0000:04:00.0' \
		'whole addresses when : does not break words'
	expect 'vfioctl show 03:' '03:00.0' 'whole short address when : does not break words'
	COMP_WORDBREAKS=$DEFAULT_BREAKS

	# rom
	ALLDEVS='0000:00:00.0 0000:00:1c.0 0000:00:1f.2 0000:03:00.0 0000:04:00.0 0001:00:02.0'
	mkdir -p "$T/files/sub" && : >"$T/files/rom.bin"
	expect 'vfioctl rom ' "$ALLDEVS" 'rom: every device, no group'
	expect 'vfioctl rom 1' '' 'rom: no group numbers'
	expect 'vfioctl rom 0000:03' '03:00.0' 'rom: address prefix'
	expect 'vfioctl rom 03:' '00.0' 'rom: short address (domain 0)'
	expect 'vfioctl rom --' '--output --vf-token --backend --help' 'options of rom'
	expect 'vfioctl rom --o' '--output' 'option prefix for rom'
	expect "vfioctl rom --output $T/files/" "$T/files/rom.bin $T/files/sub" '--output completes file names'
	expect "vfioctl rom --output=$T/files/r" "$T/files/rom.bin" '--output=FILE, split at ='
	expect "vfioctl rom --output $T/files/rom.bin " "$ALLDEVS" 'the file is not a target: devices follow'
	expect "vfioctl rom --output $T/files/rom.bin --" '--vf-token --backend --help' '--output is not offered twice'
	expect 'vfioctl rom --vf-token ' '' 'rom: nothing offered for the token'
	expect 'vfioctl rom --vf-token 4f2c8a1e-0b6d-4c3e-9a57-2d1e8f0c6b3a 0000:04' '04:00.0' \
		'rom: the device after the token'
	expect 'vfioctl rom 0000:03:00.0 ' '' 'rom: one device only'
	expect 'vfioctl rom --backend ' 'auto type1 iommufd' 'rom --backend: the backends'
	expect 'vfioctl reset --hot --backend i' 'iommufd' 'reset --backend: a backend prefix'
	expect 'vfioctl irq-test --backend=' 'auto type1 iommufd' 'irq-test --backend=, split at ='
	expect 'vfioctl irq-test --backend type1 0000:03' '03:00.0' 'irq-test: the device after --backend'
	expect 'vfioctl irq-test --backend type1 0000:03:00.0 ' '' 'irq-test: one device only, after --backend'
	expect 'vfioctl rom 0000:03:00.0 --' '--output --vf-token --backend --help' 'rom: options after the device'

	# reset
	expect 'vfioctl reset ' "$ALLDEVS" 'reset: every device, no group'
	expect 'vfioctl reset 1' '' 'reset: no group numbers'
	expect 'vfioctl reset 0000:00:1' '1c.0 1f.2' 'reset: address prefix'
	expect 'vfioctl reset --' '--plan --hot --vf-token --backend --help' 'options of reset: --json only with --plan'
	expect 'vfioctl reset --plan --' '--json --vf-token --backend --help' 'after --plan: --json, and no --hot'
	expect 'vfioctl reset --plan --json --' '--vf-token --backend --help' 'after --plan --json'
	expect 'vfioctl reset --hot --' '--vf-token --backend --help' 'after --hot: no --plan, no --json'
	expect 'vfioctl reset --plan 0000:04' '04:00.0' 'reset: the device after --plan'
	expect 'vfioctl reset --hot --vf-token ' '' 'reset: nothing offered for the token'
	expect 'vfioctl reset --vf-token=4f2c8a1e-0b6d-4c3e-9a57-2d1e8f0c6b3a --' '--plan --hot --backend --help' \
		'reset: --vf-token=UUID is not offered again'
	expect 'vfioctl reset --hot 0000:03:00.0 ' '' 'reset: one device only'

	# irq-test
	expect 'vfioctl irq-test ' "$ALLDEVS" 'irq-test: every device, no group'
	expect 'vfioctl irq-test --' '--type --vectors --timeout --json --vf-token --backend --help' 'options of irq-test'
	expect 'vfioctl irq-test --type ' 'intx msi msix' 'the kinds for --type'
	expect 'vfioctl irq-test --type m' 'msi msix' 'kind prefix'
	expect 'vfioctl irq-test --type=msi' 'msi msix' '--type=KIND, split at ='
	expect 'vfioctl irq-test --vectors ' '' 'nothing offered for a vector count'
	expect 'vfioctl irq-test --timeout ' '' 'nothing offered for a timeout'
	expect 'vfioctl irq-test --type msix --vectors 4 0000:03' '03:00.0' 'the device after valued options'
	expect 'vfioctl irq-test --type msix --json --' '--vectors --timeout --vf-token --backend --help' \
		'irq-test: options not offered twice'
	expect 'vfioctl irq-test 0000:03:00.0 ' '' 'irq-test: one device only'
	expect 'vfioctl show --type ' "$ALLDEVS 0 1 2 12 13 14" \
		'--type is not an option of show: what follows is a target as usual'

	# bind, restore
	expect 'vfioctl bind ' "$ALLDEVS" 'bind: every device'
	expect 'vfioctl bind --' '--group --dry-run --force --persist --driver --timeout --json --help' \
		'options of bind'
	expect 'vfioctl bind --group 1 --dry-run --' \
		'--group --force --persist --driver --timeout --json --help' \
		'bind: --group may be given again, --dry-run not'
	expect 'vfioctl bind --group ' '0 1 2 12 13 14' 'bind: groups for --group'
	expect 'vfioctl bind --group=1' '1 12 13 14' 'bind --group=N, split at ='
	expect 'vfioctl bind --driver ' 'vfio-pci' 'bind: only VFIO drivers for --driver'
	expect 'vfioctl bind --timeout ' '' 'bind: nothing offered for a timeout'
	expect 'vfioctl restore ' "$ALLDEVS" 'restore: every device'
	expect 'vfioctl restore --' '--all --help' 'options of restore'
	expect 'vfioctl restore --all ' '' 'restore --all takes no device'

	# cdi
	expect 'vfioctl cdi --' '--group --vendor --class --output --json-only --help --all --check' 'options of cdi'
	expect 'vfioctl cdi ' "$ALLDEVS" 'cdi: every device'
	expect 'vfioctl cdi 0000:03:00.0 ' "$ALLDEVS" 'cdi: several devices'
	expect 'vfioctl cdi 0000:03:00.0 --' '--group --vendor --class --output --json-only --help' 'cdi: no --all after a device'
	expect 'vfioctl cdi --group 1 --' '--group --vendor --class --output --json-only --help' 'cdi: --group again, no --all after it'
	expect 'vfioctl cdi --all --' '--vendor --class --output --json-only --help --check' 'cdi --all: no --group, no --all again'
	expect 'vfioctl cdi --all ' '' 'cdi --all takes no device'
	expect 'vfioctl grant --' '--user --group --memlock --no-memlock --service --dry-run --no-check --group-id --revoke --help' 'grant: its options'
	expect 'vfioctl grant --user root --' '--memlock --no-memlock --service --dry-run --no-check --group-id --help' 'grant --user: no second owner, no --revoke'
	expect 'vfioctl grant --revoke --' '--group-id --dry-run --help' 'grant --revoke: only targets and --dry-run'
	expect 'vfioctl grant --memlock ' '' 'grant --memlock: a size is the user'"'"'s'
	expect 'vfioctl grant --user root ' "$ALLDEVS" 'grant: devices'
	expect 'vfioctl cdi --group ' '0 1 2 12 13 14' 'cdi: groups for --group'
	expect 'vfioctl cdi --group=1' '1 12 13 14' 'cdi --group=N, split at ='
	expect 'vfioctl cdi --vendor ' '' 'cdi --vendor DOMAIN: the user'"'"'s name, nothing offered'
	expect 'vfioctl cdi --class ' '' 'cdi --class NAME: nothing offered'
	expect 'vfioctl cdi --vendor example.com 0000:04' '04:00.0' 'cdi: the vendor is no target'
	expect "vfioctl cdi --output $T/o" "$T/other" 'cdi --output: file names'
	expect "vfioctl cdi --check $T/o" "$T/other" 'cdi --check: file names'
	expect 'vfioctl cdi --check f --' '--vendor --class --help --all' 'cdi --check FILE: no --group, --output or --check again'
	expect 'vfioctl cdi --json-only --' '--group --vendor --class --output --help --all' 'cdi --json-only: no --check with it'

	# check
	expect 'vfioctl check ' "$ALLDEVS" 'check: every device'
	expect 'vfioctl check --' '--user --json --help' 'options of check'
	expect 'vfioctl check --json --' '--user --help' 'check: an option is not offered twice'
	expect 'vfioctl check --user root 0000:04' '04:00.0' 'check: the user name is no target'
	expect 'vfioctl check 0000:04:00.0 ' '' 'check: one device only'
	expect 'vfioctl check --user roo' 'root' 'check: --user completes login names'
	expect 'vfioctl c' 'cdi check' 'verb prefix shared by cdi and check'
	expect 'vfioctl cd' 'cdi' 'the verb cdi'
	expect 'vfioctl ch' 'check' 'the verb check'

	# igd
	expect 'vfioctl igd ' "$ALLDEVS" 'igd: every device, no group'
	expect 'vfioctl igd 1' '' 'igd: no group numbers'
	expect 'vfioctl igd 0000:00:' '00.0 1c.0 1f.2' 'igd: address prefix'
	expect 'vfioctl igd --' '--json --save-vbt --zero --help' 'options of igd: --dry-run and --no-verify only with --zero'
	expect 'vfioctl igd --zero --' '--json --dry-run --no-verify --help' 'after --zero: --dry-run, --no-verify, no --save-vbt'
	expect 'vfioctl igd --zero --dry-run --' '--json --no-verify --help' 'igd: --dry-run is not offered twice'
	expect "vfioctl igd --save-vbt $T/files/" "$T/files/rom.bin $T/files/sub" '--save-vbt completes file names'
	expect "vfioctl igd --save-vbt=$T/files/r" "$T/files/rom.bin" '--save-vbt=FILE, split at ='
	expect "vfioctl igd --save-vbt $T/files/vbt.bin --" '--json --help' 'after --save-vbt: no --zero'
	expect "vfioctl igd --save-vbt $T/files/vbt.bin 0000:03" '03:00.0' 'the file is not a target: the device follows'
	expect 'vfioctl igd --zero 0000:00:02.0 ' '' 'igd: one device only'
	expect 'vfioctl ig' 'igd' 'the verb igd'

	# sriov, monitor
	expect 'vfioctl sriov ' '0000:04:00.0' 'sriov: only SR-IOV physical functions'
	expect 'vfioctl sriov --' '--vfs --vf --netdev --mac --vlan --trust --spoofchk --link-state --force --json --help' \
		'options of sriov'
	expect 'vfioctl sriov 0000:04:00.0 --vfs 2 --' '--vf --netdev --mac --vlan --trust --spoofchk --link-state --force --json --help' \
		'sriov: --vfs is not offered twice'
	expect 'vfioctl sriov --vfs 2 --link-state ' 'auto enable disable' 'sriov: --link-state auto|enable|disable'
	expect 'vfioctl sriov --link-state=d' 'disable' 'sriov: --link-state=, split at ='
	expect 'vfioctl sriov --vf ' '' 'sriov: nothing offered for the VF index'
	expect 'vfioctl sriov --vfs ' '' 'sriov: nothing offered for the number of VFs'
	expect 'vfioctl sriov --vfs 2 --spoofchk ' 'on off' 'sriov: --spoofchk on|off'
	expect 'vfioctl sriov --trust=o' 'on off' 'sriov: --trust=on|off, split at ='
	expect 'vfioctl sriov 0000:04:00.0 ' '' 'sriov: one PF only'
	expect 'vfioctl monitor --' '--json --count --timeout --kernel --udev --help' 'options of monitor'
	expect 'vfioctl monitor --udev --' '--json --count --timeout --help' \
		'monitor: --kernel and --udev exclude each other'
	expect 'vfioctl monitor --count ' '' 'monitor: nothing offered for a count'
	expect 'vfioctl monitor ' '' 'monitor takes no device'
	expect 'vfioctl m' 'monitor' 'the verb monitor'

	# help
	expect 'vfioctl help ' 'bind cdi check exec grant help igd irq-test list monitor pass qmp reset restore revoke rom serve show sriov' 'verbs for help'
	expect 'vfioctl help r' 'reset restore revoke rom' 'verb prefix for help'
	expect 'vfioctl help l' 'list' 'verb prefix for help'
	expect 'vfioctl help list ' '' 'help takes one verb'

	# the sysfs root
	expect "vfioctl --sysfs-root $O show " '0000:99:00.0 7' '--sysfs-root DIR on the line wins'
	expect "vfioctl --sysfs-root=$O list --driver " 'ixgbe none' '--sysfs-root=DIR on the line wins'
	expect "vfioctl --sysfs-root $T/o" "$T/other" '--sysfs-root completes directories'
	VFIOX_SYSFS_ROOT=$O expect 'vfioctl show ' '0000:99:00.0 7' 'from VFIOX_SYSFS_ROOT'
	VFIOX_SYSFS_ROOT=$T/missing expect 'vfioctl show ' '' 'a root without devices: no reply, no error'
	VFIOX_SYSFS_ROOT=$T/missing expect 'vfioctl list --driver ' 'none' 'a root without drivers'
	unset VFIOX_SYSFS_ROOT
	if [ -d /sys/bus/pci/devices ]; then
		want=$(for d in /sys/bus/pci/devices/* /sys/kernel/iommu_groups/*; do
			[ -e "$d" ] && echo "${d##*/}"; done | LC_ALL=C sort | paste -sd' ' -)
		expect 'vfioctl show ' "$want" 'default root /sys'
	else
		skip "bash: default root /sys" "/sys/bus/pci/devices is absent here"
	fi
fi

# ---------------------------------------------------------------- zsh
if command -v zsh >/dev/null; then
	if out=$(zsh -n "$COMPL/_vfioctl" 2>&1); then
		ok "zsh -n completions/_vfioctl"
	else
		not_ok "zsh -n completions/_vfioctl"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
	if head -1 "$COMPL/_vfioctl" | grep -qx '#compdef vfioctl'; then
		ok "completions/_vfioctl starts with '#compdef vfioctl'"
	else
		not_ok "completions/_vfioctl starts with '#compdef vfioctl'"
	fi
else
	skip "zsh -n completions/_vfioctl" "zsh is not installed (Debian: zsh)"
fi

# ---------------------------------------------------------------- fish
if command -v fish >/dev/null; then
	if out=$(fish -n "$COMPL/vfioctl.fish" 2>&1); then
		ok "fish -n completions/vfioctl.fish"
	else
		not_ok "fish -n completions/vfioctl.fish"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi

	# fexpect LINE EXPECTED-SET: the candidates of `complete -C LINE`, without descriptions.
	fexpect() {
		local got want
		got=$(VFIOX_SYSFS_ROOT=${FROOT:-$S} HOME=$T fish --no-config -c \
			"source '$COMPL/vfioctl.fish'; complete -C '$1'" 2>"$T/fstderr" |
			cut -f1 | sed '/^$/d' | LC_ALL=C sort | paste -sd' ' -)
		want=$(tr -s ' \t\n' '\n' <<<"$2" | sed '/^$/d' | LC_ALL=C sort | paste -sd' ' -)
		if [ "$got" = "$want" ] && [ ! -s "$T/fstderr" ]; then
			ok "fish: '$1' -> {$want}"
		else
			not_ok "fish: '$1' -> {$want}"
			echo "#   got:    {$got}"
			[ ! -s "$T/fstderr" ] || sed 's/^/#   stderr: /' "$T/fstderr"
		fi
	}
	fexpect 'vfioctl ' 'bind cdi check exec grant help igd irq-test list monitor pass qmp reset restore revoke rom serve show sriov'
	fexpect 'vfioctl sh' 'show'
	fexpect 'vfioctl --wait 5 sh' 'show'
	fexpect 'vfioctl list --' '--driver --class --group --json --help'
	fexpect 'vfioctl list --driver ' 'ahci e1000e nvme pcieport vfio-pci none'
	fexpect 'vfioctl show 0000:0' '0000:00:00.0 0000:00:1c.0 0000:00:1f.2 0000:03:00.0 0000:04:00.0'
	fexpect 'vfioctl show 1' '1 12 13 14'
	fexpect 'vfioctl show 0000:03:00.0 ' ''
	fexpect 'vfioctl show --' '--json --vf-token --backend --help'
	fexpect 'vfioctl show --backend ' 'auto type1 iommufd'
	fexpect 'vfioctl show --backend iommufd 1' '1 12 13 14'
	fexpect 'vfioctl reset --backend type1 0000:03:00.0 ' ''
	fexpect 'vfioctl show --vf-token ' ''
	fexpect 'vfioctl show --vf-token 4f2c8a1e-0b6d-4c3e-9a57-2d1e8f0c6b3a 1' '1 12 13 14'
	fexpect 'vfioctl help ' 'bind cdi check exec grant help igd irq-test list monitor pass qmp reset restore revoke rom serve show sriov'
	fexpect 'vfioctl sriov ' '0000:04:00.0'
	fexpect 'vfioctl sriov 0000:04:00.0 --trust ' 'on off'
	fexpect 'vfioctl monitor --kernel --' '--json --count --timeout --kernel --help'
	fexpect 'vfioctl rom --' '--output --vf-token --backend --help'
	fexpect 'vfioctl irq-test --backend ' 'auto type1 iommufd'
	fexpect 'vfioctl rom 0000:0' '0000:00:00.0 0000:00:1c.0 0000:00:1f.2 0000:03:00.0 0000:04:00.0'
	fexpect 'vfioctl rom 13' '' # group 13 is not offered (fish also matches subsequences: no address has 1…3)
	fexpect 'vfioctl rom 0000:03:00.0 ' ''
	fexpect 'vfioctl reset --' '--plan --hot --vf-token --backend --help'
	fexpect 'vfioctl reset --plan --' '--json --vf-token --backend --help'
	fexpect 'vfioctl reset --hot --' '--vf-token --backend --help'
	fexpect 'vfioctl reset 0000:04' '0000:04:00.0'
	fexpect 'vfioctl reset --vf-token ' ''
	fexpect 'vfioctl irq-test --' '--type --vectors --timeout --json --vf-token --backend --help'
	fexpect 'vfioctl irq-test --type ' 'intx msi msix'
	fexpect 'vfioctl irq-test --vectors ' ''
	fexpect 'vfioctl irq-test --type msix 0000:03' '0000:03:00.0'
	fexpect "vfioctl --sysfs-root $O show " '0000:99:00.0 7'
	fexpect 'vfioctl igd --' '--json --save-vbt --zero --help'
	fexpect 'vfioctl igd --zero --' '--json --zero --dry-run --no-verify --help' # fish offers a given flag again, as for monitor
	fexpect 'vfioctl igd 0000:03' '0000:03:00.0'
	fexpect 'vfioctl igd 0000:03:00.0 ' ''
	fexpect 'vfioctl cdi --' '--vendor --class --output --group --all --json-only --check --help'
	fexpect 'vfioctl cdi 0000:04' '0000:04:00.0'
	fexpect 'vfioctl cdi 0000:03:00.0 0000:04' '0000:04:00.0'
	fexpect 'vfioctl cdi --group ' '0 1 2 12 13 14'
	fexpect 'vfioctl cdi --vendor ' ''
	fexpect 'vfioctl cdi --class pci 0000:04' '0000:04:00.0'
	fexpect 'vfioctl cdi --all ' ''
	fexpect 'vfioctl grant --user root 0000:04' '0000:04:00.0'
	fexpect 'vfioctl cdi --all --' '--vendor --class --output --json-only --check --help'
	fexpect 'vfioctl cdi --check f --' '--vendor --class --help'
	fexpect 'vfioctl cdi 0000:03:00.0 --' '--vendor --class --output --group --json-only --help'
else
	skip "fish -n completions/vfioctl.fish" "fish is not installed (Debian: fish)"
fi

echo "1..$n"
echo "$((n - failed - skipped)) passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
