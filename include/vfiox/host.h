/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_HOST_H
#define VFIOX_HOST_H

#include <stddef.h>

#include <vfiox/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: host check (the doctor)
 *
 * vfiox_host_check() looks at what a host needs for VFIO device assignment and returns a
 * list of findings, each with a stable identifier, a status, a one-sentence summary
 * (with the evidence, and how sure it is where the kernel does not say outright) and,
 * unless all is well, the fix:
 *
 * - "iommu.groups": IOMMU groups exist (the IOMMU is on).
 * - "iommu.firmware": the ACPI DMAR (Intel VT-d) or IVRS (AMD-Vi) table is present.
 * - "iommu.cmdline": intel_iommu=, amd_iommu=, iommu= on the kernel command line.
 * - "irq_remapping": interrupts are remapped (the "IR-" chips of /proc/interrupts, the
 *   interrupt-remapping bit of the Intel IOMMU's extended capabilities, intremap=, and
 *   vfio_iommu_type1's allow_unsafe_interrupts).
 * - "modules": vfio, vfio_iommu_type1 and vfio_pci are loaded (or built in); without
 *   vfio_iommu_type1 only information when /dev/iommu serves instead.
 * - "dev_vfio": /dev/vfio/vfio and the group nodes exist and may be opened (by the user);
 *   a kernel with iommufd alone has no /dev/vfio/vfio, which is information then.
 * - "iommufd": /dev/iommu exists (CONFIG_IOMMUFD), its owner and mode, and whether the
 *   user may open it; its absence is information (type1 serves: Debian's 6.12).
 * - "vfio_cdev": the kernel gives VFIO devices character devices (a device number in
 *   /sys/class/vfio-dev/vfioN/dev, CONFIG_VFIO_DEVICE_CDEV) and whether the user may open
 *   their nodes in /dev/vfio/devices.
 * - "memlock": the locked-memory limit of the caller, or of a user at login
 *   (limits.conf and limits.d), which bounds the guest memory VFIO can pin.
 * - "hugepages": huge pages reserved (information).
 *
 * and for a device:
 *
 * - "device.group": its IOMMU group and each member with its driver.
 * - "device.acs": Access Control Services on each bridge above it.
 * - "device.unbind": the members that must leave their host driver.
 * - "device.in_use": what of the group the host uses (see vfiox_pci_dev_uses()), one
 *   finding per use, each with the member as its subject.
 * - "device.backend": the IOMMU backend vfiox_device_open_any() with VFIOX_BACKEND_AUTO
 *   opens it over, and why (vfiox_backend_choose()); for a device not yet on vfio-pci,
 *   the one it would get there. vfioctl's --backend and $VFIOX_BACKEND, which force a
 *   backend on vfioctl's own verbs, play no part here.
 *
 * All paths follow the roots of @ctx (sysfs, proc, dev, etc), so a check can run on a
 * copy of another host's files.
 */
struct vfiox_findings;

/**
 * enum vfiox_check_status - how a finding stands
 * @VFIOX_CHECK_OK: as it should be
 * @VFIOX_CHECK_INFO: worth knowing, nothing to do
 * @VFIOX_CHECK_WARN: works, but with a risk or a limit worth fixing
 * @VFIOX_CHECK_FAIL: device assignment does not work until this is fixed
 */
enum vfiox_check_status {
	VFIOX_CHECK_OK = 0,
	VFIOX_CHECK_INFO = 1,
	VFIOX_CHECK_WARN = 2,
	VFIOX_CHECK_FAIL = 3,
};

/**
 * vfiox_host_check() - check the host, and a device, for VFIO device assignment
 * @ctx: the context (its roots say where sysfs, proc, dev and etc are)
 * @device: a PCI address ("0000:00:02.0", "00:02.0"), or NULL for the host only
 * @user: the user whose limits and permissions count, or NULL for the caller
 * @findingsp: receives the findings; free them with vfiox_findings_free()
 *
 * Nothing is changed. A fact that cannot be read becomes a finding saying so, not an
 * error.
 *
 * Return: 0; -EINVAL for a malformed @device; -ENODEV when there is no such device;
 * -ENOENT when @user is not in <etc>/passwd; -ENOMEM; other -errno when sysfs cannot be
 * scanned at all. The last error says why.
 */
int vfiox_host_check(struct vfiox_ctx *ctx, const char *device, const char *user,
		     struct vfiox_findings **findingsp);

/**
 * vfiox_findings_count() - number of findings
 * @f: the findings
 *
 * Return: the count.
 */
size_t vfiox_findings_count(const struct vfiox_findings *f);

/**
 * vfiox_findings_id() - the identifier of a finding ("iommu.groups", "device.in_use", ...)
 * @f: the findings
 * @i: 0 .. vfiox_findings_count() - 1
 *
 * Return: the identifier, owned by @f; NULL when @i is out of range.
 */
const char *vfiox_findings_id(const struct vfiox_findings *f, size_t i);

/**
 * vfiox_findings_status() - the status of a finding
 * @f: the findings
 * @i: 0 .. vfiox_findings_count() - 1
 *
 * Return: an &enum vfiox_check_status; -ERANGE when @i is out of range.
 */
int vfiox_findings_status(const struct vfiox_findings *f, size_t i);

/**
 * vfiox_findings_subject() - what a finding is about, when not the host as a whole
 * @f: the findings
 * @i: 0 .. vfiox_findings_count() - 1
 *
 * A PCI address for the device findings (the member or bridge concerned), a user name for
 * "memlock" and "dev_vfio" when a user was given.
 *
 * Return: the subject, owned by @f; NULL for the host or when @i is out of range.
 */
const char *vfiox_findings_subject(const struct vfiox_findings *f, size_t i);

/**
 * vfiox_findings_summary() - the finding in one sentence, with its evidence
 * @f: the findings
 * @i: 0 .. vfiox_findings_count() - 1
 *
 * Return: the text, owned by @f; NULL when @i is out of range.
 */
const char *vfiox_findings_summary(const struct vfiox_findings *f, size_t i);

/**
 * vfiox_findings_fix() - what to do about a finding
 * @f: the findings
 * @i: 0 .. vfiox_findings_count() - 1
 *
 * Return: the text, owned by @f; NULL when there is nothing to do (status ok or info)
 * or when @i is out of range.
 */
const char *vfiox_findings_fix(const struct vfiox_findings *f, size_t i);

/**
 * vfiox_findings_worst() - the worst status among the findings
 * @f: the findings
 *
 * Return: an &enum vfiox_check_status (VFIOX_CHECK_OK for no findings).
 */
int vfiox_findings_worst(const struct vfiox_findings *f);

/**
 * vfiox_findings_free() - release findings
 * @f: the findings, or NULL
 */
void vfiox_findings_free(struct vfiox_findings *f);

/**
 * vfiox_check_status_name() - "ok", "info", "warn" or "fail"
 * @status: an &enum vfiox_check_status
 *
 * Return: the name; "?" for a value that is none of them.
 */
const char *vfiox_check_status_name(int status);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_HOST_H */
