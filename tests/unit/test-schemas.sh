#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-schemas.sh - every JSON document vfioctl prints against its schema in man/schemas
# (vfioctl-json(7)): each schema is valid draft 2020-12 and its $id names its file; each
# document the real binary prints on fake hosts (mkfixture) validates, has "schema" first
# and naming that file; and per schema a broken copy of a real document (a required member
# dropped, a member retyped) is refused, so the check can fail. What needs a real device
# (VFIO opened: show's vfio view, irq-test, reset --plan; a kernel's events: monitor; an
# Intel IGD: igd) is said in SKIP lines and validated from documents in the schema's shape;
# the real ones are validated by tests/vm/check-json.sh on what tests/vm/guest/t-93-json.sh
# prints in the emulated host (every schema but an Intel IGD's findings and a qmp success).
#
#   BUILD=build bash tests/unit/test-schemas.sh
. "$(dirname "$0")/cli-tap.sh" schemas

sch=$top/man/schemas
py=$top/tests/unit/validate-schema.py
python3 -c 'import jsonschema' 2> /dev/null ||
	bail "python3-jsonschema is not installed (apt-get install python3-jsonschema)"

# valid SCHEMA DESC [--lines]: $out against man/schemas/SCHEMA.schema.json
valid() {
	local why
	if why=$(python3 "$py" "$sch/$1.schema.json" "$out" ${3:-} 2>&1); then ok "$2"
	else not_ok "$2" "$why" "$(head -c 300 "$out")"; fi
}
# refused SCHEMA DESC JQ: $out changed by JQ must fail against SCHEMA
refused() {
	local why
	jq "$3" "$out" > "$work/broken.json" || { not_ok "$2" "jq '$3' failed"; return; }
	if why=$(python3 "$py" "$sch/$1.schema.json" "$work/broken.json" 2>&1); then
		not_ok "$2" "the validator took it"
	elif [ "$why" = "${why#*Traceback}" ]; then ok "$2"
	else not_ok "$2" "the validator crashed:" "$why"; fi
}
produced() { # DESC WANT_RC: the last run exited WANT_RC and printed something
	if [ "$rc" = "$2" ] && [ -s "$out" ]; then ok "$1"
	else not_ok "$1" "rc $rc" "$(head -c 300 "$err")"; fi
}

# ---- the schemas themselves
if why=$(python3 "$py" --meta "$sch"/*.schema.json 2>&1); then
	ok "every schema in man/schemas is valid draft 2020-12 and its \$id names its file"
else not_ok "the schemas are valid draft 2020-12" "$why"; fi
n_schemas=$(ls "$sch"/*.schema.json | wc -l)
[ "$n_schemas" -ge 13 ] && ok "13 or more schemas ($n_schemas)" || not_ok "13 schemas" "$n_schemas"

S=$work/sys D=$work/dev
"$mkfixture" host "$S" > /dev/null || bail "mkfixture host failed"
"$mkfixture" noiommu "$work/noiommu" > /dev/null || bail "mkfixture noiommu failed"
mkdir -p "$D/vfio"
export VFIOX_SYSFS_ROOT=$S VFIOX_DEV_ROOT=$D VFIOX_STATE_DIR=$work/state VFIOX_ETC_ROOT=$work/etc
unset VFIOX_BACKEND

# ---- list
run list --json
produced "list --json" 0
valid list "list: the host fixture (groups, a bridge, VFs, two domains)"
refused list "list: a group without \"viable\" is refused" 'del(.groups[0].viable)'
refused list "list: a string iommu_group is refused" '.groups[0].devices[0].iommu_group = "2"'
refused list "list: \"schema\" not first is refused" '{iommu} + del(.iommu)'
refused list "list: another schema's name is refused" '.schema = "vfioctl/show-group/1"'
run list --json --driver vfio-pci
valid list "list --driver vfio-pci"
VFIOX_SYSFS_ROOT=$work/noiommu run list --json
valid list "list: a host without IOMMU (no groups, all ungrouped)"

# ---- show
for d in 0000:00:04.0 0000:00:01.0 0000:03:00.0 0000:03:11.4 0000:00:1e.0 10000:e1:00.0 0000:01:00.0; do
	run show --json "$d"
	produced "show $d --json" 0
	valid show-device "show-device: $d"
done
refused show-device "show-device: a missing vfio_unavailable is refused" 'del(.vfio_unavailable)'
refused show-device "show-device: a numeric vendor_id is refused" '.vendor_id = 6966'
VFIOX_SYSFS_ROOT=$work/noiommu run show --json 0000:00:04.0
valid show-device "show-device: a device in no group (group null)"
for g in 2 5 9 10 21; do
	run show --json "$g"
	produced "show $g --json" 0
	valid show-group "show-group: group $g"
done
refused show-group "show-group: blockers as a string is refused" '.blockers = "none"'
ok "# SKIP show's \"vfio\" object and a group's \"iommu\" need VFIO opened (a real device): their schema is only checked on a made-up document below (real: tests/vm/check-json.sh)"

# ---- check
run check --json
valid check "check: the host"
run check --json 0000:00:1f.2
valid check "check: a device held by its host driver"
VFIOX_ETC_ROOT=/etc run check --json --user root 0000:00:04.0
valid check "check: a device for a user"
refused check "check: an unknown status is refused" '.findings[0].status = "bad"'
refused check "check: counts without fail is refused" 'del(.counts.fail)'

# ---- bind
run bind --dry-run --json 0000:00:01.0
produced "bind --dry-run --json DEVICE" 0
valid bind "bind --dry-run: a device on its host driver"
run bind --dry-run --json --group 5
valid bind "bind --dry-run --group: a group behind a bridge"
refused bind "bind: steps as numbers is refused" '.steps = [1]'
ok "# SKIP bind --json without --dry-run writes sysfs of a real kernel (the fixture's files do not rebind): its \"groups\" and \"error\" are checked on a made-up document (real: tests/vm/check-json.sh)"

# ---- sriov (the PF of the fixture; the state only, nothing changed)
run sriov --json 0000:03:00.0
produced "sriov --json PF" 0
valid sriov "sriov: a PF with 4 VFs on vfio-pci"
refused sriov "sriov: a VF without address is refused" 'del(.vfs[0].address)'

# ---- igd --zero and qmp print their document on failure too
run igd --zero --dry-run --json 0000:00:04.0
produced "igd --zero --dry-run --json (not an IGD: ok false)" 1
valid igd-zero "igd-zero: the refusal"
refused igd-zero "igd-zero: an unknown method is refused" '.method = "memset"'
run qmp --json --socket "$work/no.sock" 0000:00:04.0
produced "qmp --json (no VFIO: ok false)" 1
valid qmp "qmp: the failure report"
refused qmp "qmp: mode outside getfd/add-fd is refused" '.mode = "fd"'
ok "# SKIP qmp's fds, qemu, sent and release filled need a real bundle and QEMU (tests/host/test-qmp.c): checked on a made-up document"

# ---- cdi: CDI's format, no "schema" member
run cdi --all
produced "cdi --all" 0
valid cdi "cdi --all: the spec (paths only without mknod)"
run cdi --group 5
valid cdi "cdi --group 5"
refused cdi "cdi: a device without containerEdits is refused" 'del(.devices[0].containerEdits)'
refused cdi "cdi: a deviceNode with type but no major is refused" '.devices[0].containerEdits.deviceNodes[0] = {path: "/dev/vfio/vfio", type: "c", minor: 1, fileMode: 438, permissions: "rw"}'
if mknod "$D/vfio/vfio" c 10 196 2> /dev/null && mknod "$D/vfio/2" c 511 2; then
	run cdi 0000:00:04.0
	valid cdi "cdi: nodes with type, major, minor and fileMode"
else
	ok "# SKIP no mknod here (not root): cdi's type/major/minor/fileMode proved in tests/vm/guest/t-98-cdi.sh, schema checked on a made-up node"
fi

# ---- made-up documents in the shape of what a real device prints (from the C writers'
# members), for what the fixtures cannot produce: they prove the schemas accept the full
# shape, not that vfioctl prints it; the VM runs the real thing.
mk() { printf '%s\n' "$2" > "$out"; valid "$1" "$3" ${4:-}; }
run show --json 0000:00:04.0
jq '.vfio = {iommu: {backend: "iommufd", backend_reason: "every device has a cdev", model: "iommufd",
	models: [], ioas: 2, pgsizes: "0x40201000", iova_ranges: [{start: "0x0", end: "0xfedfffff"}],
	dma_avail: null, dma_budget: {entries_avail: null, entry_limit: null, memlock_limit: 8388608,
	memlock_unlimited: false, locked: 0, cap_ipc_lock: true, memlock_accounting: "user"},
	hw_info: {type: "intel-vtd", type_id: 1, capabilities: ["dirty-tracking"], max_pasid_log2: 0,
	data_len: 24, vtd: {flags: 0, cap_reg: "00d2008c22260286", ecap_reg: "0000000000f00f1a"}},
	hw_info_unavailable: null, migration: null, unknown_caps: []},
	device: {flags: 3, pci: true, reset: true, num_regions: 9, num_irqs: 5, iommufd_devid: 1, caps: []},
	regions: [{index: 0, name: "BAR0", size: 16384, offset: "0x0", flags: ["read", "write", "mmap"],
	type: null, msix_mappable: true, sparse: [{offset: "0x0", size: 8192}], unknown_caps: [],
	layout: [{offset: "0x0", size: 8192, mapped: true, reason: "mapped"},
	{offset: "0x2000", size: 8192, mapped: false, reason: "msix-table"}]}],
	irqs: [{index: 2, name: "MSI-X", count: 65, flags: ["eventfd", "noresize"]}]} | .vfio_unavailable = null' \
	"$out" > "$work/full.json" && cp "$work/full.json" "$out"
valid show-device "show-device: with a VFIO view (made up)"
refused show-device "show-device: a VFIO view with backend auto is refused" '.vfio.iommu.backend = "auto"'
mk irq-test '{"schema": "vfioctl/irq-test/1", "address": "0000:00:04.0", "type": "msix", "vectors": [{"vector": 0, "arrived": true, "latency_us": 12.5, "stray": []}, {"vector": 1, "arrived": false, "latency_us": null, "stray": [0]}], "ok": false}' \
	"irq-test: a document as irq-test prints it (made up)"
refused irq-test "irq-test: type msi-x is refused" '.type = "msi-x"'
ok "# SKIP irq-test --json needs a device on vfio-pci (tests/vm/check-json.sh validates t-93-json's)"
mk reset-plan '{"schema": "vfioctl/reset-plan/1", "address": "0000:02:00.0", "reset_method": ["bus"], "hot_reset_devices": [{"address": "0000:02:00.0", "iommu_group": 11}], "hot_reset_groups": [11], "hot_reset_unavailable": null}' \
	"reset-plan: a plan (made up)"
mk reset-plan '{"schema": "vfioctl/reset-plan/1", "address": "0000:02:00.0", "reset_method": null, "hot_reset_devices": null, "hot_reset_groups": null, "hot_reset_unavailable": "no"}' \
	"reset-plan: no hot reset (made up)"
refused reset-plan "reset-plan: without hot_reset_groups is refused" 'del(.hot_reset_groups)'
ok "# SKIP reset --plan --json opens the device through VFIO (tests/vm/check-json.sh validates t-93-json's)"
mk monitor-event '{"schema":"vfioctl/monitor-event/1","event":"bind","subsystem":"pci","address":"0000:00:04.0","driver":"vfio-pci","vendor_id":"1234","device_id":"11e8","class":"00ff00","iommu_group":2,"seqnum":1234}
{"schema":"vfioctl/monitor-event/1","event":"group-add","subsystem":"vfio","iommu_group":2,"noiommu":false,"node":"/dev/vfio/2","seqnum":1235}
{"schema":"vfioctl/monitor-event/1","event":"unbind","subsystem":"pci","address":"0000:00:04.0","driver":null,"vendor_id":"1234","device_id":"11e8","class":"00ff00","iommu_group":null,"seqnum":1236}' \
	"monitor-event: a PCI and a group event, one per line (made up)" --lines
sed -n 2p "$out" > "$work/line" && cp "$work/line" "$out"
refused monitor-event "monitor-event: a group event without node is refused" 'del(.node)'
refused monitor-event "monitor-event: a group event with iommu_group null is refused" '.iommu_group = null'
ok "# SKIP monitor --json needs the kernel's uevents (tests/vm/check-json.sh validates t-93-json's)"
refused monitor-event "monitor-event: a line without \"schema\" is refused" 'del(.schema)'
mk igd '{"schema":"vfioctl/igd/1","device":"0000:00:02.0","driver":"i915","vendor_id":"8086","device_id":"3e92","kind":"integrated","family":"Coffee Lake","gen":9,"dsm_at":"bdsm32","need_root":false,
"registers":{"gmch":704,"gms":2,"ggms":2,"bdsm":"0x7c000000","bdsm_locked":true,"asls":"0x7bd28018"},
"layout":{"dsm_base":"0x7c000000","dsm_size":67108864,"gsm_base":"0x7b800000","gsm_size":8388608,"tolud":"0x80000000"},
"host_bridge":{"device_id":"3ec2","tolud":"0x80000000","bgsm":"0x7b800000","bdsm":"0x7c000000","tsegmb":"0x7b000000","locks":3},
"host":{"iomem_read":true,"dsm_in_system_ram":false,"dsm_iomem_entry":"7c000000-7fffffff : Graphics Stolen Memory","stolen_reserved":true,"stolen_claimed":false,"reserved_regions":[{"start":"0x7b800000","end":"0x7fffffff","type":"direct","holds_dsm":true}]},
"vfio":{"opened":true,"error":null,"opregion_size":8192,"host_cfg_size":256,"lpc_cfg_size":256,"rom_size":65536},
"opregion":{"version":"2.1.0","size":8,"mailboxes":29,"vbt_at":"mailbox","vbt_offset":1024,"vbt_size":6144,"vbt_version":221,"vbt_problem":null},
"findings":[{"id":"igd.layout","status":"ok","subject":"0000:00:02.0","summary":"s","fix":null}],"counts":{"ok":1,"info":0,"warn":0,"fail":0},"worst":"ok","qemu_args":"-device vfio-pci,host=0000:00:02.0,x-igd-opregion=on"}' \
	"igd: an integrated GPU (made up)"
refused igd "igd: an unknown kind is refused" '.kind = "dgpu"'
run igd --json
[ "$rc" = 1 ] && [ ! -s "$out" ] && ok "# SKIP igd --json: the fixtures have no Intel IGD (the VM has none either: its decode is proved by tests/unit/test-igd.c on register dumps)" ||
	not_ok "igd on the fixture: no IGD, no document" "rc $rc"

finish
