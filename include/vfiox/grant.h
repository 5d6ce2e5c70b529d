/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_GRANT_H
#define VFIOX_GRANT_H

#include <stddef.h>
#include <stdint.h>

#include <vfiox/ctx.h>
#include <vfiox/pci.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: granting devices to an unprivileged user
 *
 * A &struct vfiox_grant gives a user (or the members of a group) what a VMM running as
 * them needs for some IOMMU groups, and vfiox_grant_run() with %VFIOX_GRANT_REVOKE takes
 * it back. Per group, in this order:
 *
 * 1. a udev rule, <etc>/udev/rules.d/72-vfioctl-grant-<first address>.rules, that gives
 *    the group's node /dev/vfio/N and its devices' cdevs /dev/vfio/devices/vfioM to the
 *    owner whenever they are created (reboots, re-binds); the group node is matched by
 *    its members' addresses, so a group renumbered at boot is still found;
 * 2. the owner and mode of those nodes now (0600 for a user, 0660 for a group);
 * 3. the memory lock limit: <etc>/security/limits.d/90-vfioctl-<user>.conf (for a
 *    group, 90-vfioctl-group-<name>.conf), read by pam_limits at login;
 * 4. with vfiox_grant_set_service(), a drop-in that sets LimitMEMLOCK= for a systemd
 *    service (services do not read limits.d).
 *
 * The rule file records the grant (owner, devices, the other files), so that a revoke
 * works after a reboot too. Each run is journaled in the state directory before its
 * first change, with a copy of every file it replaces or removes and the owner and mode
 * of every node it changes: a failure halfway puts all of it back before the call
 * returns, and a run that was killed is put back by the next grant or revoke. The same
 * lock as binding (one process at a time) is held throughout.
 */
struct vfiox_grant;

/* Flags for vfiox_grant_run(). */
enum vfiox_grant_flags {
	VFIOX_GRANT_DRY_RUN = 1 << 0, /* check and describe every step, change nothing */
	VFIOX_GRANT_REVOKE = 1 << 1,  /* take the grants of the added devices back */
};

/* vfiox_grant_set_memlock(): no limit. */
#define VFIOX_GRANT_MEMLOCK_UNLIMITED UINT64_MAX

/**
 * typedef vfiox_grant_step_fn - called for each thing a run does (or would do)
 * @userdata: the pointer given to vfiox_grant_set_step_cb()
 * @what: "rule", "node", "memlock", "service", "rollback" or "note"
 * @text: what is done, in one sentence ("/dev/vfio/12: owner alice, mode 0600 (was
 *	  root:root 0600)")
 *
 * Called before the change is made. A non-zero return stops the run there as a failure,
 * with that value as the error, and everything done so far is put back (tests use it to
 * stop a run at a given step).
 */
typedef int (*vfiox_grant_step_fn)(void *userdata, const char *what, const char *text);

/**
 * vfiox_grant_new() - start an empty grant, or an empty revoke
 * @scan: the scan whose devices will be added; must outlive the grant
 * @owner: a user name ("alice"), "@" and a group name ("@kvm"), or NULL for a revoke
 * @gp: receives the grant
 *
 * The owner is looked up in the context's <etc>/passwd or <etc>/group (users of other
 * name services are not looked up).
 *
 * Return: 0; -ENOENT for an unknown user or group; -EINVAL for root (who needs no grant)
 * or a malformed name; -ENOMEM. The last error says why.
 */
int vfiox_grant_new(struct vfiox_scan *scan, const char *owner, struct vfiox_grant **gp);

/**
 * vfiox_grant_free() - free a grant
 * @g: the grant, or NULL
 */
void vfiox_grant_free(struct vfiox_grant *g);

/**
 * vfiox_grant_add_dev() - add the IOMMU group of a device
 * @g: the grant
 * @addr: a PCI address ("0000:03:00.0", "03:00.0")
 *
 * The whole group is granted (its node opens all of it). Adding a group twice is fine.
 *
 * Return: 0; -EINVAL for a malformed address; -ENODEV when there is no such device;
 * -ENOENT when it is in no IOMMU group; -ENOMEM.
 */
int vfiox_grant_add_dev(struct vfiox_grant *g, const char *addr);

/**
 * vfiox_grant_add_group() - add an IOMMU group by number
 * @g: the grant
 * @group: the group number
 *
 * Return: 0; -ENOENT when there is no such group (or it has no PCI device); -ENOMEM.
 */
int vfiox_grant_add_group(struct vfiox_grant *g, int group);

/**
 * vfiox_grant_set_memlock() - the memory lock limit to give the owner
 * @g: the grant
 * @kib: the limit in KiB, %VFIOX_GRANT_MEMLOCK_UNLIMITED, or 0 to leave the owner's
 *	 limits alone (no limits.d file is written)
 *
 * The default is %VFIOX_GRANT_MEMLOCK_UNLIMITED: VFIO pins all of a guest's memory.
 */
void vfiox_grant_set_memlock(struct vfiox_grant *g, uint64_t kib);

/**
 * vfiox_grant_set_service() - also set LimitMEMLOCK= for a systemd service
 * @g: the grant
 * @unit: the unit ("qemu-vm1" or "qemu-vm1.service"), or NULL for none
 *
 * The drop-in is <etc>/systemd/system/<unit>.d/90-vfioctl-memlock.conf; systemd reads it
 * at the next "systemctl daemon-reload".
 *
 * Return: 0; -EINVAL for a name that is no service unit name.
 */
int vfiox_grant_set_service(struct vfiox_grant *g, const char *unit);

/**
 * vfiox_grant_set_step_cb() - install the callback run for each step
 * @g: the grant
 * @fn: the callback, or NULL for none
 * @userdata: passed to @fn
 */
void vfiox_grant_set_step_cb(struct vfiox_grant *g, vfiox_grant_step_fn fn, void *userdata);

/**
 * vfiox_grant_run() - grant (or revoke) what was added
 * @g: the grant, with at least one group
 * @flags: &enum vfiox_grant_flags
 *
 * A grant refuses a group that vfioctl granted to another owner (revoke it first); a
 * second grant to the same owner replaces the first. A revoke removes the rule, the
 * drop-ins no other grant of the owner still needs, and gives the nodes back to the
 * owner and mode they had before the grant (root, 0600 when that is not known any more,
 * after a reboot). A failure undoes the whole run.
 *
 * Return: 0; -EBUSY when another process holds the lock, or a group is granted to
 * someone else; -ENOENT (revoke) when a group was not granted; -EINVAL with no group;
 * another -errno from the first change that failed (all undone). The last error says
 * why and what to do.
 */
int vfiox_grant_run(struct vfiox_grant *g, unsigned int flags);

/**
 * vfiox_grant_num_groups() - the number of groups added
 * @g: the grant
 *
 * Return: the count.
 */
size_t vfiox_grant_num_groups(const struct vfiox_grant *g);

/**
 * vfiox_grant_group_dev() - the first device of an added group (its lowest address)
 * @g: the grant
 * @i: 0 .. vfiox_grant_num_groups() - 1
 *
 * Return: the address, owned by @g; NULL when @i is out of range.
 */
const char *vfiox_grant_group_dev(const struct vfiox_grant *g, size_t i);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_GRANT_H */
