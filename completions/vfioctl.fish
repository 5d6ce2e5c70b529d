# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for vfioctl(8).
#
# Devices, drivers and groups are read from the sysfs root vfioctl would use:
# --sysfs-root DIR given earlier on the line, else $VFIOX_SYSFS_ROOT, else /sys.

# Prints "ROOT\nVERB\nNTARGETS" for the words before the cursor (VERB empty when none yet).
function __vfioctl_parse
    set -l tokens (commandline -opc)
    set -l root
    set -l verb
    set -l ntargets 0
    set -l i 2
    while test $i -le (count $tokens)
        set -l w $tokens[$i]
        if test -z "$verb"
            switch $w
                case --sysfs-root
                    set i (math $i + 1)
                    test $i -le (count $tokens); and set root $tokens[$i]
                case '--sysfs-root=*'
                    set root (string replace -- --sysfs-root= '' $w)
                case --dev-root --wait
                    set i (math $i + 1)
                case '-*'
                case '*'
                    set verb $w
            end
        else
            switch $w
                case --driver --class --group --vf-token --output --type --vectors --timeout --user --vfs --mac --vlan --trust --spoofchk --link-state --netdev --vf --count --save-vbt --backend --memlock --socket --allow --vendor
                    set i (math $i + 1)
                case '-*'
                case '*'
                    set ntargets (math $ntargets + 1)
            end
        end
        set i (math $i + 1)
    end
    if test -z "$root"
        if set -q VFIOX_SYSFS_ROOT; and test -n "$VFIOX_SYSFS_ROOT"
            set root $VFIOX_SYSFS_ROOT
        else
            set root /sys
        end
    end
    string replace -r -- "^~" "$HOME" $root
    echo $verb
    echo $ntargets
end

function __vfioctl_root
    set -l p (__vfioctl_parse)
    echo $p[1]
end

function __vfioctl_needs_verb
    set -l p (__vfioctl_parse)
    test -z "$p[2]"
end

# __vfioctl_using VERB [MAX_TARGETS]: the verb is VERB (and it has fewer targets than MAX).
function __vfioctl_using
    set -l p (__vfioctl_parse)
    test "$p[2]" = $argv[1]; or return 1
    test (count $argv) -lt 2; or test $p[3] -lt $argv[2]
end

function __vfioctl_devices
    set -l root (__vfioctl_root)
    for d in $root/bus/pci/devices/*
        if test -L $d/driver
            printf '%s\tdriver %s\n' (basename $d) (basename (readlink $d/driver))
        else
            printf '%s\tno driver\n' (basename $d)
        end
    end
end

function __vfioctl_groups
    set -l root (__vfioctl_root)
    for d in $root/kernel/iommu_groups/*
        test -d $d; and printf '%s\tIOMMU group\n' (basename $d)
    end
end

function __vfioctl_drivers
    set -l root (__vfioctl_root)
    for d in $root/bus/pci/drivers/*
        test -d $d; and basename $d
    end
    printf 'none\tunbound devices\n'
end

function __vfioctl_classes
    set -l root (__vfioctl_root)
    for f in $root/bus/pci/devices/*/class
        set -l c (string replace 0x '' < $f 2>/dev/null)
        test (string length -- "$c") -eq 6; or continue
        string sub -l 2 -- $c
        string sub -l 4 -- $c
    end | sort -u
end

complete -c vfioctl -f

# global options and verbs
complete -c vfioctl -n __vfioctl_needs_verb -l sysfs-root -x -a '(__fish_complete_directories (commandline -ct))' -d 'Read sysfs from DIR instead of /sys'
complete -c vfioctl -n __vfioctl_needs_verb -l dev-root -x -a '(__fish_complete_directories (commandline -ct))' -d 'Use DIR instead of /dev'
complete -c vfioctl -n __vfioctl_needs_verb -l wait -x -d 'Wait SECONDS for another vfioctl to release the journal lock (default 60)'
complete -c vfioctl -n __vfioctl_needs_verb -l no-wait -d 'Fail at once while another vfioctl holds the journal lock'
complete -c vfioctl -n __vfioctl_needs_verb -s v -l verbose -d 'Print the library debug messages'
complete -c vfioctl -n __vfioctl_needs_verb -s V -l version -d 'Print the version'
complete -c vfioctl -n __vfioctl_needs_verb -s h -l help -d 'Print the usage'
complete -c vfioctl -n __vfioctl_needs_verb -a list -d 'List IOMMU groups and their devices'
complete -c vfioctl -n __vfioctl_needs_verb -a show -d 'Show a PCI device or an IOMMU group'
complete -c vfioctl -n __vfioctl_needs_verb -a rom -d 'Dump the expansion ROM of a device on vfio-pci'
complete -c vfioctl -n __vfioctl_needs_verb -a reset -d 'Reset a device on vfio-pci, or show what a reset would touch'
complete -c vfioctl -n __vfioctl_needs_verb -a irq-test -d 'Trigger each interrupt vector in software'
complete -c vfioctl -n __vfioctl_needs_verb -a bind -d 'Hand devices or IOMMU groups to vfio-pci'
complete -c vfioctl -n __vfioctl_needs_verb -a restore -d 'Put devices back on the drivers they had before bind'
complete -c vfioctl -n __vfioctl_needs_verb -a check -d 'Check the host (and a device) for VFIO'
complete -c vfioctl -n __vfioctl_needs_verb -a igd -d 'Intel IGD: stolen memory, OpRegion/VBT, QEMU readiness; clear it'
complete -c vfioctl -n __vfioctl_needs_verb -a sriov -d 'Create SR-IOV VFs bound to vfio-pci, or remove them'
complete -c vfioctl -n __vfioctl_needs_verb -a monitor -d 'Print PCI and VFIO group events as they happen'
complete -c vfioctl -n __vfioctl_needs_verb -a exec -d 'Run a program with the VFIO fds of devices, as another user'
complete -c vfioctl -n __vfioctl_needs_verb -a pass -d 'Send the VFIO fds of devices to a program on a UNIX socket'
complete -c vfioctl -n __vfioctl_needs_verb -a serve -d 'Keep the VFIO fds of devices for each allowed peer'
complete -c vfioctl -n __vfioctl_needs_verb -a revoke -d 'Take a handed-over device back (REQ, then its old driver)'
complete -c vfioctl -n __vfioctl_needs_verb -a qmp -d 'Give the VFIO fds of devices to a running QEMU over QMP'
complete -c vfioctl -n __vfioctl_needs_verb -a cdi -d 'Write a Container Device Interface (CDI) spec for VFIO devices'
complete -c vfioctl -n __vfioctl_needs_verb -a help -d 'Show the usage, or the options of a verb'

# list
complete -c vfioctl -n '__vfioctl_using list' -l driver -x -a '(__vfioctl_drivers)' -d 'Only devices bound to NAME'
complete -c vfioctl -n '__vfioctl_using list' -l class -x -a '(__vfioctl_classes)' -d 'Only devices whose class starts with HEX'
complete -c vfioctl -n '__vfioctl_using list' -l group -x -a '(__vfioctl_groups)' -d 'Only IOMMU group N'
complete -c vfioctl -n '__vfioctl_using list' -l json -d 'Machine-readable output'
complete -c vfioctl -n '__vfioctl_using list' -s h -l help -d 'Print the options of list'

# show
complete -c vfioctl -n '__vfioctl_using show' -l json -d 'Machine-readable output'
complete -c vfioctl -n '__vfioctl_using show' -l vf-token -x -d 'VF token (UUID), for a VF whose PF is on vfio-pci'
complete -c vfioctl -n '__vfioctl_using show' -l backend -x -a 'auto type1 iommufd' -d 'The IOMMU backend to open it with'
complete -c vfioctl -n '__vfioctl_using show' -s h -l help -d 'Print the options of show'
complete -c vfioctl -n '__vfioctl_using show 1' -a '(__vfioctl_devices; __vfioctl_groups)'

# rom
complete -c vfioctl -n '__vfioctl_using rom' -l output -r -F -d 'Write the ROM to FILE'
complete -c vfioctl -n '__vfioctl_using rom' -l vf-token -x -d 'VF token (UUID), for a VF whose PF is on vfio-pci'
complete -c vfioctl -n '__vfioctl_using rom' -l backend -x -a 'auto type1 iommufd' -d 'The IOMMU backend to open it with'
complete -c vfioctl -n '__vfioctl_using rom' -s h -l help -d 'Print the options of rom'
complete -c vfioctl -n '__vfioctl_using rom 1' -a '(__vfioctl_devices)'

# reset: --json only with --plan; --plan ignores --hot, so they are not offered together
complete -c vfioctl -n '__vfioctl_using reset; and not __fish_contains_opt plan hot' -l plan -d 'Change nothing: show what a reset would touch'
complete -c vfioctl -n '__vfioctl_using reset; and __fish_contains_opt plan; and not __fish_contains_opt json' -l json -d 'Machine-readable plan'
complete -c vfioctl -n '__vfioctl_using reset; and not __fish_contains_opt plan hot' -l hot -d 'Hot reset of the slot or bus (every group of the plan must be ours)'
complete -c vfioctl -n '__vfioctl_using reset' -l vf-token -x -d 'VF token (UUID), for a VF whose PF is on vfio-pci'
complete -c vfioctl -n '__vfioctl_using reset' -l backend -x -a 'auto type1 iommufd' -d 'The IOMMU backend to open it with'
complete -c vfioctl -n '__vfioctl_using reset' -s h -l help -d 'Print the options of reset'
complete -c vfioctl -n '__vfioctl_using reset 1' -a '(__vfioctl_devices)'

# irq-test
complete -c vfioctl -n '__vfioctl_using irq-test' -l type -x -a 'intx msi msix' -d 'Kind of interrupt to test'
complete -c vfioctl -n '__vfioctl_using irq-test' -l vectors -x -d 'Test vectors 0..N-1'
complete -c vfioctl -n '__vfioctl_using irq-test' -l timeout -x -d 'Wait at most MS milliseconds per vector'
complete -c vfioctl -n '__vfioctl_using irq-test' -l json -d 'Machine-readable output'
complete -c vfioctl -n '__vfioctl_using irq-test' -l vf-token -x -d 'VF token (UUID), for a VF whose PF is on vfio-pci'
complete -c vfioctl -n '__vfioctl_using irq-test' -l backend -x -a 'auto type1 iommufd' -d 'The IOMMU backend to open it with'
complete -c vfioctl -n '__vfioctl_using irq-test' -s h -l help -d 'Print the options of irq-test'
complete -c vfioctl -n '__vfioctl_using irq-test 1' -a '(__vfioctl_devices)'

# bind
complete -c vfioctl -n '__vfioctl_using bind' -l group -x -a '(__vfioctl_groups)' -d 'Every endpoint of IOMMU group N'
complete -c vfioctl -n '__vfioctl_using bind' -l dry-run -d 'Print the exact sysfs writes, change nothing'
complete -c vfioctl -n '__vfioctl_using bind' -l force -d 'Bind devices in use, or part of a held group'
complete -c vfioctl -n '__vfioctl_using bind' -l persist -d 'Also bind at every boot (a udev rule)'
complete -c vfioctl -n '__vfioctl_using bind' -l driver -x -a '(__vfioctl_drivers | string match "*vfio*")' -d 'A VFIO driver other than vfio-pci'
complete -c vfioctl -n '__vfioctl_using bind' -l timeout -x -d 'Wait at most MS milliseconds for /dev/vfio/N'
complete -c vfioctl -n '__vfioctl_using bind' -l json -d 'Machine-readable output'
complete -c vfioctl -n '__vfioctl_using bind' -s h -l help -d 'Print the options of bind'
complete -c vfioctl -n '__vfioctl_using bind' -a '(__vfioctl_devices)'

# check: at most one device
complete -c vfioctl -n '__vfioctl_using check' -l user -x -a '(__fish_complete_users)' -d 'Limits and /dev/vfio permissions of USER at login'
complete -c vfioctl -n '__vfioctl_using check' -l json -d 'Findings as JSON'
complete -c vfioctl -n '__vfioctl_using check' -s h -l help -d 'Print the options of check'
complete -c vfioctl -n '__vfioctl_using check 1' -a '(__vfioctl_devices)'

# restore
complete -c vfioctl -n '__vfioctl_using restore' -l all -d 'Replay the whole journal'
complete -c vfioctl -n '__vfioctl_using restore' -s h -l help -d 'Print the options of restore'
complete -c vfioctl -n '__vfioctl_using restore; and not __fish_contains_opt all' -a '(__vfioctl_devices)'

# igd: at most one device; --dry-run and --no-verify only with --zero; --zero and --save-vbt apart
complete -c vfioctl -n '__vfioctl_using igd' -l json -d 'Everything as JSON'
complete -c vfioctl -n '__vfioctl_using igd; and not __fish_contains_opt zero' -l save-vbt -r -F -d 'Write the VBT out to FILE'
complete -c vfioctl -n '__vfioctl_using igd; and not __fish_contains_opt save-vbt' -l zero -d 'Clear the data stolen memory of DEVICE (on vfio-pci)'
complete -c vfioctl -n '__vfioctl_using igd; and __fish_contains_opt zero' -l dry-run -d 'Print the checks, method, ranges and writes; write nothing'
complete -c vfioctl -n '__vfioctl_using igd; and __fish_contains_opt zero' -l no-verify -d 'Skip reading the stolen memory back'
complete -c vfioctl -n '__vfioctl_using igd' -s h -l help -d 'Print the options of igd'
complete -c vfioctl -n '__vfioctl_using igd 1' -a '(__vfioctl_devices)'

# sriov: one PF
function __vfioctl_pfs
    set -l root (__vfioctl_root)
    for d in $root/bus/pci/devices/*
        test -e $d/sriov_totalvfs; and printf '%s\tSR-IOV PF, %s VFs max\n' (basename $d) (cat $d/sriov_totalvfs)
    end
end
complete -c vfioctl -n '__vfioctl_using sriov' -l vfs -x -d 'Create N VFs (0 removes them)'
complete -c vfioctl -n '__vfioctl_using sriov' -l mac -x -d 'One MAC address per VF, comma-separated'
complete -c vfioctl -n '__vfioctl_using sriov' -l vlan -x -d 'VLAN[:QOS], one for all VFs or one per VF'
complete -c vfioctl -n '__vfioctl_using sriov' -l trust -x -a 'on off' -d 'Trusted VFs'
complete -c vfioctl -n '__vfioctl_using sriov' -l spoofchk -x -a 'on off' -d 'Source MAC checking'
complete -c vfioctl -n '__vfioctl_using sriov' -l link-state -x -a 'auto enable disable' -d "The VFs' link: the PF's, up, down"
complete -c vfioctl -n '__vfioctl_using sriov' -l vf -x -d 'Set the settings of VF N only'
complete -c vfioctl -n '__vfioctl_using sriov' -l netdev -x -a '(__fish_print_interfaces)' -d 'The PF by its network interface'
complete -c vfioctl -n '__vfioctl_using sriov' -l force -d 'Remove VFs that the host uses'
complete -c vfioctl -n '__vfioctl_using sriov' -l json -d 'Machine-readable state'
complete -c vfioctl -n '__vfioctl_using sriov' -s h -l help -d 'Print the options of sriov'
complete -c vfioctl -n '__vfioctl_using sriov 1' -a '(__vfioctl_pfs)'

# monitor: options only
complete -c vfioctl -n '__vfioctl_using monitor' -l json -d 'One JSON object per line'
complete -c vfioctl -n '__vfioctl_using monitor' -l count -x -d 'Stop after N events'
complete -c vfioctl -n '__vfioctl_using monitor' -l timeout -x -d 'Stop after S seconds'
complete -c vfioctl -n '__vfioctl_using monitor; and not __fish_contains_opt udev' -l kernel -d 'Read the kernel events even when udevd runs'
complete -c vfioctl -n '__vfioctl_using monitor; and not __fish_contains_opt kernel' -l udev -d 'Read udevd events even when it does not seem to run'
complete -c vfioctl -n '__vfioctl_using monitor' -s h -l help -d 'Print the options of monitor'

# exec, pass, serve, qmp: devices and --group N
for v in exec pass serve qmp
    complete -c vfioctl -n "__vfioctl_using $v" -l group -x -a '(__vfioctl_groups)' -d 'IOMMU group N'
    complete -c vfioctl -n "__vfioctl_using $v" -s h -l help -d "Print the options of $v"
    complete -c vfioctl -n "__vfioctl_using $v" -a '(__vfioctl_devices)'
end
for v in pass serve qmp
    complete -c vfioctl -n "__vfioctl_using $v" -l socket -r -F -d 'The UNIX socket'
end
complete -c vfioctl -n '__vfioctl_using exec' -l user -x -a '(__fish_complete_users)' -d 'Run PROGRAM as USER, no way back'
complete -c vfioctl -n '__vfioctl_using exec' -l memlock -x -d 'RLIMIT_MEMLOCK for PROGRAM (64M, 2G, unlimited)'
complete -c vfioctl -n '__vfioctl_using pass' -l timeout -x -d 'Give up after S seconds'
complete -c vfioctl -n '__vfioctl_using serve' -l allow -x -a '(__fish_complete_users; __fish_complete_groups | string replace -r "^" "@")' -d 'USER or @GROUP who may have the bundle'
complete -c vfioctl -n '__vfioctl_using qmp' -l fdset -d 'add-fd into fd sets instead of getfd'
complete -c vfioctl -n '__vfioctl_using qmp' -l json -d 'Print one JSON object (vfioctl/qmp/1), also on failure'
complete -c vfioctl -n '__vfioctl_using qmp' -l timeout -x -d 'Give up on a silent QEMU after S seconds'
complete -c vfioctl -n '__vfioctl_using qmp' -l attach -d 'iommufd: object-add the iommufd, device_add a vfio-pci on each cdev'
complete -c vfioctl -n '__vfioctl_using qmp' -l force -d 'iommufd: send to a QEMU before 9.0 anyway'
complete -c vfioctl -n '__vfioctl_using qmp' -l iommufd-id -x -d 'iommufd: the object id and fd name'
for v in exec pass serve qmp
	complete -c vfioctl -n "__vfioctl_using $v" -l backend -x -a 'auto type1 iommufd' -d 'The IOMMU backend of the bundle'
end

# grant: an owner, devices or --group-id N; --revoke takes them back
complete -c vfioctl -n __vfioctl_needs_verb -a grant -d 'Give IOMMU groups to an unprivileged user; --revoke takes them back'
complete -c vfioctl -n '__vfioctl_using grant' -l user -x -a '(__fish_complete_users)' -d 'The owner: a user (nodes 0600)'
complete -c vfioctl -n '__vfioctl_using grant' -l group -x -a '(__fish_complete_groups)' -d 'The owner: a group (nodes 0660)'
complete -c vfioctl -n '__vfioctl_using grant' -l group-id -x -a '(__vfioctl_groups)' -d 'IOMMU group N'
complete -c vfioctl -n '__vfioctl_using grant' -l memlock -x -d 'Memlock limit for the owner (64M, 16G, unlimited)'
complete -c vfioctl -n '__vfioctl_using grant' -l no-memlock -d 'Leave the owner\'s memlock limits alone'
complete -c vfioctl -n '__vfioctl_using grant' -l service -x -d 'Also LimitMEMLOCK= for this systemd service'
complete -c vfioctl -n '__vfioctl_using grant' -l dry-run -d 'Say what would be done, change nothing'
complete -c vfioctl -n '__vfioctl_using grant' -l no-check -d 'Skip the final check --user'
complete -c vfioctl -n '__vfioctl_using grant' -l revoke -d 'Take the grant back'
complete -c vfioctl -n '__vfioctl_using grant' -s h -l help -d 'Print the options of grant'
complete -c vfioctl -n '__vfioctl_using grant' -a '(__vfioctl_devices)'
# revoke: one device
complete -c vfioctl -n '__vfioctl_using revoke' -l timeout -x -d 'How long the holder has to release it'
complete -c vfioctl -n '__vfioctl_using revoke' -s h -l help -d 'Print the options of revoke'
complete -c vfioctl -n '__vfioctl_using revoke 1' -a '(__vfioctl_devices)'

# cdi: devices and --group N, or --all alone; the names of --vendor and --class are the user's
complete -c vfioctl -n '__vfioctl_using cdi' -l vendor -x -d 'The vendor part of the kind (default vfioctl.io)'
complete -c vfioctl -n '__vfioctl_using cdi' -l class -x -d 'The class part of the kind (default pci)'
complete -c vfioctl -n '__vfioctl_using cdi; and not __fish_contains_opt check' -l output -r -F -d 'Replace FILE atomically (- or none: stdout)'
complete -c vfioctl -n '__vfioctl_using cdi; and not __fish_contains_opt all check' -l group -x -a '(__vfioctl_groups)' -d 'IOMMU group N and its devices'
complete -c vfioctl -n '__vfioctl_using cdi 1; and not __fish_contains_opt all group' -l all -d 'Every device on vfio-pci and their groups'
complete -c vfioctl -n '__vfioctl_using cdi; and not __fish_contains_opt check' -l json-only -d 'Nothing but the JSON document (no notes on stderr)'
complete -c vfioctl -n '__vfioctl_using cdi 1; and not __fish_contains_opt group output check json-only' -l check -r -F -d 'Compare the spec FILE with the host'
complete -c vfioctl -n '__vfioctl_using cdi' -s h -l help -d 'Print the options of cdi'
complete -c vfioctl -n '__vfioctl_using cdi; and not __fish_contains_opt all' -a '(__vfioctl_devices)'

# help
complete -c vfioctl -n '__vfioctl_using help 1' -a 'list show rom reset irq-test bind restore check igd sriov monitor exec pass serve revoke qmp cdi grant help'
