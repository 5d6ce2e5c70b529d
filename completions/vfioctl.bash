# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vfioctl(8).
#
# Completes the verbs, the global and per-verb options, driver names for --driver,
# class prefixes for --class, IOMMU group numbers for --group and `show`, PCI addresses
# for `show`, `rom`, `reset`, `irq-test` and `igd`, file names for `rom --output` and
# `igd --save-vbt`, the kinds of
# `irq-test --type`, the backends of --backend (show, rom, reset, irq-test and the
# hand-over verbs: auto type1 iommufd); for `cdi`, devices, --group N, file names for
# --output, and nothing for the names of --vendor and --class, which are the user's. The UUID of --vf-token is a secret the PF's user chose, and
# `irq-test --vectors N` / `--timeout MS` are numbers: nothing is offered for them.
# `reset` offers --json only after --plan (the only place it is valid), and not --hot
# with --plan, which ignores it. Devices, drivers and groups are read from the sysfs root that
# vfioctl itself would use: --sysfs-root DIR given earlier on the line, else
# $VFIOX_SYSFS_ROOT, else /sys. Needs only bash; the bash-completion package is not
# required.

_vfioctl_verbs="list show rom reset irq-test bind restore check igd sriov monitor exec pass serve revoke qmp cdi grant help"
_vfioctl_global_opts="--sysfs-root --dev-root --wait --no-wait -v --verbose -V --version -h --help"

# The words of the line up to the cursor with the pieces that COMP_WORDBREAKS split at
# ':' and '=' glued back ("0000 : 03" -> "0000:03", "--group = 1" -> "--group=1").
# Sets _vfioctl_words and _vfioctl_cword.
_vfioctl_reassemble()
{
	local i w n
	_vfioctl_words=()
	_vfioctl_cword=0
	for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		n=${#_vfioctl_words[@]}
		# An empty current word follows a space: it never glues.
		if ((i > 1 && n > 0)) && [[ -n $w ]] &&
			[[ $w == [:=]* || ${_vfioctl_words[n - 1]} == *[:=] ]]; then
			_vfioctl_words[n - 1]+=$w
		else
			_vfioctl_words+=("$w")
		fi
	done
	_vfioctl_cword=$((${#_vfioctl_words[@]} - 1))
	# Past the last word (COMP_CWORD beyond COMP_WORDS): a new, empty word.
	if ((COMP_CWORD >= ${#COMP_WORDS[@]})); then
		_vfioctl_words+=("")
		_vfioctl_cword=$((${#_vfioctl_words[@]} - 1))
	fi
}

# bash inserts a reply in place of the part of the word after its last break
# character: strip what comes before it, as bash-completion's __ltrim_colon_completions.
_vfioctl_ltrim()
{
	local cur=$1 breaks="" prefix i
	[[ $COMP_WORDBREAKS == *:* ]] && breaks+=":"
	[[ $COMP_WORDBREAKS == *=* ]] && breaks+="="
	[[ -n $breaks && $cur == *["$breaks"]* ]] || return 0
	prefix=${cur%"${cur##*["$breaks"]}"}
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}
	done
}

_vfioctl_devices()
{
	local d
	for d in "$1"/bus/pci/devices/*; do
		[[ -e $d || -L $d ]] && printf '%s\n' "${d##*/}"
	done
}

# COMPREPLY: the options of $1 not already on the line (the caller's "used") that
# complete $2.
_vfioctl_option_reply()
{
	local w opts=""

	for w in $1; do
		[[ " ${used[*]} " == *" $w "* ]] || opts+=" $w"
	done
	mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$2")
}

# COMPREPLY: the PCI addresses under sysfs root $1 that complete $2, or, when no full
# address does, "03:00.0" for domain 0.
_vfioctl_device_reply()
{
	local devs
	local -a full=() short=()
	devs=$(_vfioctl_devices "$1")
	mapfile -t full < <(compgen -W "$devs" -- "$2")
	if ((${#full[@]} == 0)) && [[ -n $2 ]]; then
		mapfile -t short < <(compgen -W "$(sed -n 's/^0000://p' <<<"$devs")" -- "$2")
	fi
	COMPREPLY=("${full[@]}" "${short[@]}")
}

_vfioctl_groups()
{
	local d
	for d in "$1"/kernel/iommu_groups/*; do
		[[ -d $d ]] && printf '%s\n' "${d##*/}"
	done
}

_vfioctl_drivers()
{
	local d
	for d in "$1"/bus/pci/drivers/*; do
		[[ -d $d ]] && printf '%s\n' "${d##*/}"
	done
	echo none
}

# SR-IOV physical functions: the devices with sriov_totalvfs.
_vfioctl_pfs()
{
	local d
	for d in "$1"/bus/pci/devices/*; do
		[[ -e $d/sriov_totalvfs ]] && printf '%s\n' "${d##*/}"
	done
}

# 2- and 4-digit class prefixes of the devices present ("01", "0108").
_vfioctl_classes()
{
	local f c
	for f in "$1"/bus/pci/devices/*/class; do
		[[ -r $f ]] || continue
		read -r c <"$f" || continue
		c=${c#0x}
		[[ ${#c} == 6 ]] || continue
		printf '%s\n%s\n' "${c:0:2}" "${c:0:4}"
	done | sort -u
}

_vfioctl()
{
	local cur prev root="" i w verb="" verb_i=0 opts
	local -a words
	local cword

	_vfioctl_reassemble
	words=("${_vfioctl_words[@]}")
	cword=$_vfioctl_cword
	cur=${words[cword]}
	prev=""
	((cword > 0)) && prev=${words[cword - 1]}
	COMPREPLY=()

	# Global options up to the verb; --sysfs-root also tells where devices are.
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		--sysfs-root)
			((i + 1 < cword)) && root=${words[i + 1]}
			((i++))
			;;
		--sysfs-root=*) root=${w#--sysfs-root=} ;;
		--dev-root | --wait) ((i++)) ;;
		-*) ;;
		*)
			verb=$w
			verb_i=$i
			break
			;;
		esac
	done
	[[ -n $root ]] || root=${VFIOX_SYSFS_ROOT:-/sys}
	[[ $root == "~"* ]] && root=$HOME${root#"~"}

	if [[ -z $verb ]]; then
		case $prev in
		--sysfs-root | --dev-root)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			return 0
			;;
		--wait)
			# seconds: no list to offer
			COMPREPLY=()
			return 0
			;;
		esac
		case $cur in
		--sysfs-root=* | --dev-root=*)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -P "${cur%%=*}=" -- "${cur#*=}")
			_vfioctl_ltrim "$cur"
			;;
		-*) mapfile -t COMPREPLY < <(compgen -W "$_vfioctl_global_opts" -- "$cur") ;;
		*) mapfile -t COMPREPLY < <(compgen -W "$_vfioctl_verbs" -- "$cur") ;;
		esac
		return 0
	fi

	# Words after the verb that are not options or option values: the targets.
	local -a targets=() used=()
	for ((i = verb_i + 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		--driver | --class | --group | --vf-token | --output | --type | --vectors | --timeout | --user | \
			--vfs | --mac | --vlan | --trust | --spoofchk | --link-state | --netdev | --vf | \
			--count | --save-vbt | --memlock | \
			--socket | --allow | --backend | --vendor | --check)
			used+=("$w")
			((i++))
			;;
		--*=*) used+=("${w%%=*}") ;;
		-*) used+=("$w") ;;
		*) targets+=("$w") ;;
		esac
	done

	case $verb in
	list)
		case $prev in
		--driver) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_drivers "$root")" -- "$cur"); return 0 ;;
		--class) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_classes "$root")" -- "$cur"); return 0 ;;
		--group) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_groups "$root")" -- "$cur"); return 0 ;;
		esac
		case $cur in
		--driver=*) mapfile -t COMPREPLY < <(compgen -P --driver= -W "$(_vfioctl_drivers "$root")" -- "${cur#*=}") ;;
		--class=*) mapfile -t COMPREPLY < <(compgen -P --class= -W "$(_vfioctl_classes "$root")" -- "${cur#*=}") ;;
		--group=*) mapfile -t COMPREPLY < <(compgen -P --group= -W "$(_vfioctl_groups "$root")" -- "${cur#*=}") ;;
		-*)
			_vfioctl_option_reply "--driver --class --group --json --help" "$cur"
			;;
		esac
		;;
	show)
		# The token's value: nothing to offer (and not a device or group).
		[[ $prev == --vf-token ]] && return 0
		if [[ $prev == --backend ]]; then
			mapfile -t COMPREPLY < <(compgen -W "auto type1 iommufd" -- "$cur")
			return 0
		fi
		case $cur in
		--vf-token=*) return 0 ;;
		--backend=*) mapfile -t COMPREPLY < <(compgen -P --backend= -W "auto type1 iommufd" -- "${cur#*=}") ;;
		-*)
			_vfioctl_option_reply "--json --vf-token --backend --help" "$cur"
			;;
		*)
			# One target: a PCI address or a group number.
			((${#targets[@]} == 0)) || return 0
			local devs
			local -a full=() short=() groups=()
			devs=$(_vfioctl_devices "$root")
			mapfile -t full < <(compgen -W "$devs" -- "$cur")
			# "03:00.0" for domain 0 when no full address fits what was typed.
			if ((${#full[@]} == 0)) && [[ -n $cur ]]; then
				mapfile -t short < <(compgen -W "$(sed -n 's/^0000://p' <<<"$devs")" -- "$cur")
			fi
			mapfile -t groups < <(compgen -W "$(_vfioctl_groups "$root")" -- "$cur")
			COMPREPLY=("${full[@]}" "${short[@]}" "${groups[@]}")
			;;
		esac
		;;
	rom | reset | irq-test)
		case $prev in
		--vf-token | --vectors | --timeout) return 0 ;;
		--output)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0
			;;
		--type)
			[[ $verb == irq-test ]] && mapfile -t COMPREPLY < <(compgen -W "intx msi msix" -- "$cur")
			return 0
			;;
		--backend) mapfile -t COMPREPLY < <(compgen -W "auto type1 iommufd" -- "$cur"); return 0 ;;
		esac
		case $cur in
		--vf-token=* | --vectors=* | --timeout=*) return 0 ;;
		--backend=*) mapfile -t COMPREPLY < <(compgen -P --backend= -W "auto type1 iommufd" -- "${cur#*=}") ;;
		--output=*)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -P --output= -- "${cur#*=}")
			;;
		--type=*)
			[[ $verb == irq-test ]] &&
				mapfile -t COMPREPLY < <(compgen -P --type= -W "intx msi msix" -- "${cur#*=}")
			;;
		-*)
			local all
			case $verb in
			rom) all="--output --vf-token --backend --help" ;;
			reset)
				all="--plan --hot --vf-token --backend --help"
				[[ " ${used[*]} " == *" --plan "* ]] && all="--plan --json --vf-token --backend --help"
				[[ " ${used[*]} " == *" --hot "* ]] && all=${all/--plan /}
				;;
			irq-test) all="--type --vectors --timeout --json --vf-token --backend --help" ;;
			esac
			_vfioctl_option_reply "$all" "$cur"
			;;
		*)
			# One target: a PCI address (no groups: these verbs take a device).
			((${#targets[@]} == 0)) || return 0
			_vfioctl_device_reply "$root" "$cur"
			;;
		esac
		;;
	bind)
		# bind: devices (bridges are refused, still offered: the refusal explains),
		# --group N, --driver NAME; --timeout MS is a number.
		case $prev in
		--timeout) return 0 ;;
		--group) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_groups "$root")" -- "$cur"); return 0 ;;
		--driver) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_drivers "$root" | grep vfio)" -- "$cur"); return 0 ;;
		esac
		case $cur in
		--timeout=*) return 0 ;;
		--group=*) mapfile -t COMPREPLY < <(compgen -P --group= -W "$(_vfioctl_groups "$root")" -- "${cur#*=}") ;;
		-*)
			opts="--group"
			for w in --dry-run --force --persist --driver --timeout --json --help; do
				[[ " ${used[*]} " == *" $w "* ]] || opts+=" $w"
			done
			mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
			;;
		*) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_devices "$root")" -- "$cur") ;;
		esac
		;;
	restore)
		# restore: devices (those in the journal are in /run; any device is offered), --all.
		[[ " ${used[*]} " == *" --all "* ]] && return 0
		case $cur in
		-*) ((${#targets[@]} == 0)) && mapfile -t COMPREPLY < <(compgen -W "--all --help" -- "$cur") ;;
		*) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_devices "$root")" -- "$cur") ;;
		esac
		;;
	check)
		# check: at most one device, --user NAME (the login names of this host), --json.
		case $prev in
		--user) mapfile -t COMPREPLY < <(compgen -u -- "$cur"); return 0 ;;
		esac
		case $cur in
		--user=*) mapfile -t COMPREPLY < <(compgen -P --user= -u -- "${cur#*=}") ;;
		-*)
			_vfioctl_option_reply "--user --json --help" "$cur"
			;;
		*)
			((${#targets[@]} == 0)) || return 0
			mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_devices "$root")" -- "$cur")
			;;
		esac
		;;
	igd)
		# igd: at most one device; --save-vbt FILE; --dry-run and --no-verify only with
		# --zero, and --zero not with --save-vbt (separate runs).
		case $prev in
		--save-vbt)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0
			;;
		esac
		case $cur in
		--save-vbt=*)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -P --save-vbt= -- "${cur#*=}")
			;;
		-*)
			local all="--json --save-vbt --zero --help"
			[[ " ${used[*]} " == *" --zero "* ]] && all="--json --dry-run --no-verify --help"
			[[ " ${used[*]} " == *" --save-vbt "* ]] && all="--json --help"
			_vfioctl_option_reply "$all" "$cur"
			;;
		*)
			((${#targets[@]} == 0)) || return 0
			_vfioctl_device_reply "$root" "$cur"
			;;
		esac
		;;
	sriov)
		# sriov: one PF (devices with SR-IOV); --trust/--spoofchk on|off; --link-state
		# auto|enable|disable; --netdev an interface of $root/class/net; the numbers,
		# MACs and VLANs of --vfs, --vf, --mac, --vlan are the user's.
		case $prev in
		--vfs | --vf | --mac | --vlan) return 0 ;;
		--trust | --spoofchk) mapfile -t COMPREPLY < <(compgen -W "on off" -- "$cur"); return 0 ;;
		--link-state)
			mapfile -t COMPREPLY < <(compgen -W "auto enable disable" -- "$cur")
			return 0
			;;
		--netdev)
			mapfile -t COMPREPLY < <(compgen -W "$(ls "$root/class/net" 2>/dev/null)" -- "$cur")
			return 0
			;;
		esac
		case $cur in
		--vfs=* | --vf=* | --mac=* | --vlan=*) return 0 ;;
		--trust=* | --spoofchk=*)
			mapfile -t COMPREPLY < <(compgen -P "${cur%%=*}=" -W "on off" -- "${cur#*=}")
			;;
		--link-state=*)
			mapfile -t COMPREPLY < <(compgen -P "--link-state=" -W "auto enable disable" -- "${cur#*=}")
			;;
		--netdev=*)
			mapfile -t COMPREPLY < <(compgen -P "--netdev=" -W "$(ls "$root/class/net" 2>/dev/null)" -- "${cur#*=}")
			;;
		-*)
			_vfioctl_option_reply "--vfs --vf --netdev --mac --vlan --trust --spoofchk --link-state --force --json --help" "$cur"
			;;
		*)
			((${#targets[@]} == 0)) || return 0
			mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_pfs "$root")" -- "$cur")
			;;
		esac
		;;
	monitor)
		# monitor: options only; --kernel and --udev exclude each other.
		case $prev in
		--count | --timeout) return 0 ;;
		esac
		case $cur in
		--count=* | --timeout=*) return 0 ;;
		-*)
			opts=""
			for w in --json --count --timeout --kernel --udev --help; do
				[[ " ${used[*]} " == *" $w "* ]] && continue
				[[ $w == --kernel && " ${used[*]} " == *" --udev "* ]] && continue
				[[ $w == --udev && " ${used[*]} " == *" --kernel "* ]] && continue
				opts+=" $w"
			done
			mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
			;;
		esac
		;;
	exec | pass | serve | qmp)
		# The hand-over verbs: devices, --group N and --backend auto|type1|iommufd; exec
		# --user NAME, --memlock SIZE and, after "--", a command and its files;
		# pass/serve/qmp --socket PATH (a file); serve --allow USER|@GROUP; qmp --attach,
		# --force, --iommufd-id ID.
		if [[ $verb == exec ]]; then
			for ((i = verb_i + 1; i < cword; i++)); do
				if [[ ${words[i]} == -- ]]; then
					if ((cword == i + 1)); then
						mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
					else
						compopt -o filenames 2>/dev/null
						mapfile -t COMPREPLY < <(compgen -f -- "$cur")
					fi
					return 0
				fi
			done
		fi
		case $prev in
		--memlock | --timeout | --iommufd-id) return 0 ;;
		--backend) mapfile -t COMPREPLY < <(compgen -W "auto type1 iommufd" -- "$cur"); return 0 ;;
		--user) mapfile -t COMPREPLY < <(compgen -u -- "$cur"); return 0 ;;
		--allow)
			mapfile -t COMPREPLY < <(compgen -u -- "$cur"; compgen -g -P @ -- "${cur#@}")
			return 0
			;;
		--socket)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0
			;;
		--group) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_groups "$root")" -- "$cur"); return 0 ;;
		esac
		case $cur in
		--memlock=* | --timeout=* | --iommufd-id=*) return 0 ;;
		--backend=*) mapfile -t COMPREPLY < <(compgen -P --backend= -W "auto type1 iommufd" -- "${cur#*=}") ;;
		--group=*) mapfile -t COMPREPLY < <(compgen -P --group= -W "$(_vfioctl_groups "$root")" -- "${cur#*=}") ;;
		-*)
			local all
			case $verb in
			exec) all="--user --memlock --backend --help" ;;
			pass) all="--socket --timeout --backend --help" ;;
			serve) all="--socket --backend --help" ;;
			qmp) all="--socket --fdset --json --timeout --backend --attach --force --iommufd-id --help" ;;
			esac
			opts="--group"
			[[ $verb == serve ]] && opts+=" --allow"
			for w in $all; do
				[[ " ${used[*]} " == *" $w "* ]] || opts+=" $w"
			done
			[[ $verb == exec ]] && opts+=" --"
			mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
			;;
		*) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_devices "$root")" -- "$cur") ;;
		esac
		;;
	revoke)
		# revoke: one device on vfio-pci; --timeout S is a number.
		case $prev in
		--timeout) return 0 ;;
		esac
		case $cur in
		--timeout=*) return 0 ;;
		-*)
			_vfioctl_option_reply "--timeout --help" "$cur"
			;;
		*)
			((${#targets[@]} == 0)) || return 0
			mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_devices "$root")" -- "$cur")
			;;
		esac
		;;
	grant)
		# grant: --user USER or --group GROUP, devices or --group-id N; --revoke alone
		# takes only targets.
		case $prev in
		--user) mapfile -t COMPREPLY < <(compgen -u -- "$cur"); return 0 ;;
		--group) mapfile -t COMPREPLY < <(compgen -g -- "$cur"); return 0 ;;
		--group-id) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_groups "$root")" -- "$cur"); return 0 ;;
		--memlock | --service) return 0 ;;
		esac
		case $cur in
		-*)
			opts=""
			if [[ " ${used[*]} " == *" --revoke "* ]]; then
				for w in --group-id --dry-run --help; do
					[[ $w != --group-id && " ${used[*]} " == *" $w "* ]] || opts+=" $w"
				done
			else
				for w in --user --group --memlock --no-memlock --service --dry-run --no-check --group-id --revoke --help; do
					case $w in
					--user | --group) [[ " ${used[*]} " == *" --user "* || " ${used[*]} " == *" --group "* ]] && continue ;;
					--memlock | --no-memlock) [[ " ${used[*]} " == *" --memlock "* || " ${used[*]} " == *" --no-memlock "* ]] && continue ;;
					--revoke) [[ " ${used[*]} " == *" --user "* || " ${used[*]} " == *" --group "* ]] && continue ;;
					--group-id) ;;
					*) [[ " ${used[*]} " == *" $w "* ]] && continue ;;
					esac
					opts+=" $w"
				done
			fi
			mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
			;;
		*)
			_vfioctl_device_reply "$root" "$cur"
			;;
		esac
		;;
	cdi)
		# cdi: devices and --group N, or --all alone; --output FILE; the names of
		# --vendor and --class are the user's.
		case $prev in
		--vendor | --class) return 0 ;;
		--output | --check)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0
			;;
		--group) mapfile -t COMPREPLY < <(compgen -W "$(_vfioctl_groups "$root")" -- "$cur"); return 0 ;;
		esac
		local all_used=false
		[[ " ${used[*]} " == *" --all "* ]] && all_used=true
		case $cur in
		--vendor=* | --class=*) return 0 ;;
		--output=* | --check=*)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -P "${cur%%=*}=" -- "${cur#*=}")
			;;
		--group=*)
			$all_used || mapfile -t COMPREPLY < <(compgen -P --group= -W "$(_vfioctl_groups "$root")" -- "${cur#*=}")
			;;
		-*)
			local check_used=false
			[[ " ${used[*]} " == *" --check "* ]] && check_used=true
			opts=""
			$all_used || $check_used || opts="--group"
			for w in --vendor --class --output --json-only --help; do
				[[ $w == --output || $w == --json-only ]] && $check_used && continue
				[[ " ${used[*]} " == *" $w "* ]] || opts+=" $w"
			done
			if ! $all_used && ((${#targets[@]} == 0)) && [[ " ${used[*]} " != *" --group "* ]]; then
				opts+=" --all"
			fi
			# --check FILE compares a spec: no device, --group or --output with it
			if ((${#targets[@]} == 0)) && [[ " ${used[*]} " != *" --group "* &&
				" ${used[*]} " != *" --output "* && " ${used[*]} " != *" --check "* &&
				" ${used[*]} " != *" --json-only "* ]]; then
				opts+=" --check"
			fi
			mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
			;;
		*)
			$all_used && return 0
			_vfioctl_device_reply "$root" "$cur"
			;;
		esac
		;;
	help)
		((${#targets[@]} == 0)) || return 0
		[[ $cur == -* ]] && return 0
		mapfile -t COMPREPLY < <(compgen -W "$_vfioctl_verbs" -- "$cur")
		;;
	esac
	_vfioctl_ltrim "$cur"
	return 0
}

complete -F _vfioctl vfioctl
